# Run at start-up by the offline_guard.pth line that tools/offline/run writes into .venv's site-packages,
# when OFFLINE_GUARD_DIR is set: guards even a child process whose PYTHONPATH was reset.
import importlib.util
import os
import sys

if "offline_guard" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "offline_guard", os.path.join(os.environ["OFFLINE_GUARD_DIR"], "offline_guard.py")
    )
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["offline_guard"] = _module
    _spec.loader.exec_module(_module)
sys.modules["offline_guard"].install()
