"""Load a snippet file (or a script of scripts/, `load_script`) as a module, for the ledger and the tests.

snippets/ is not on the import path: a snippet imports nothing from this repository, and the ledger, the
tests and the pages reach it by its path. `load("window_padding/trace")` imports snippets/window_padding/trace.py
as the module `snippets.window_padding.trace`, once per process (later calls return the same module, so a
test's monkeypatch reaches the ledger's calls too).
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from handbook.paths import SCRIPTS, SNIPPETS


def path_of(name: str):
    return SNIPPETS / f"{name.removesuffix('.py')}.py"


def load(name: str) -> ModuleType:
    return load_file(path_of(name), "snippets." + name.removesuffix(".py").replace("/", "."))


def load_script(name: str) -> ModuleType:
    """scripts/<name>.py as the module `scripts.<name>` (`load_script("bench")`), as `load` loads a snippet:
    scripts/ is not on the import path either."""
    name = name.removesuffix(".py")
    return load_file(SCRIPTS / f"{name}.py", f"scripts.{name}")


def load_file(path: Path, module_name: str) -> ModuleType:
    """The file at `path` imported as `module_name`, once per process."""
    if module_name in sys.modules:
        return sys.modules[module_name]
    if not path.is_file():
        raise FileNotFoundError(f"no such file {path}")
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
