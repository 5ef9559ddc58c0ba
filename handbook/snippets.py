"""Load a snippet file as a module, for the ledger and the tests.

snippets/ is not on the import path: a snippet imports nothing from this repository, and the ledger, the
tests and the pages reach it by its path. `load("window_padding/trace")` imports snippets/window_padding/trace.py
as the module `snippets.window_padding.trace`, once per process (later calls return the same module, so a
test's monkeypatch reaches the ledger's calls too).
"""

import importlib.util
import sys
from types import ModuleType

from handbook.paths import SNIPPETS


def path_of(name: str):
    return SNIPPETS / f"{name.removesuffix('.py')}.py"


def load(name: str) -> ModuleType:
    path = path_of(name)
    module_name = "snippets." + name.removesuffix(".py").replace("/", ".")
    if module_name in sys.modules:
        return sys.modules[module_name]
    if not path.is_file():
        raise FileNotFoundError(f"no snippet {path}")
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def all_files() -> list:
    """Every snippet file, data/ aside."""
    return sorted(p for p in SNIPPETS.rglob("*.py") if "data" not in p.relative_to(SNIPPETS).parts)
