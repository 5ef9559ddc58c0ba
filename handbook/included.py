"""The snippet files the pages include, read statically: which files, their syntax trees and what they import.

tests/site/test_snippets.py checks them (a snippet imports only the standard library and installed packages),
and handbook/page_tests.py asks the test session's warm parent to import their third-party modules once
(`third_party_modules`).
"""

import ast
import functools
import importlib.metadata
import sys
from pathlib import Path

from handbook.fences import fences, pages
from handbook.paths import SNIPPETS


def include_fences() -> list:
    """Every fence of every page that includes a snippet file, executed or only shown."""
    return [fence for page in pages() for fence in fences(page) if fence.includes]


def file_of(include: str) -> Path:
    """snippets/ path of an include: "window_padding/trace.py:code" -> snippets/window_padding/trace.py."""
    return SNIPPETS / include.split(":")[0]


def included_files() -> list:
    """Every snippet file a page includes, sorted."""
    return sorted({file_of(name) for fence in include_fences() for name in fence.includes})


@functools.cache
def tree(path: Path) -> ast.Module:
    """The file's syntax tree; empty for a missing file (test_docs_structure.py fails on a missing include,
    and so does the copy test, rather than the collection of every test)."""
    return ast.parse(path.read_text(), str(path)) if path.is_file() else ast.Module(body=[], type_ignores=[])


def imports(path: Path) -> list:
    """(top-level module name, full module name, names imported from it, relative level) of every import."""
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], a.name, [], 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found.append((module.split(".")[0], module, [a.name for a in node.names], node.level))
    return found


@functools.cache
def installed() -> dict:
    """import name -> the installed distributions that provide it."""
    return importlib.metadata.packages_distributions()


def local_names() -> set:
    """Names that would be an import from this repository: its top-level folders and every snippet's name."""
    return (
        {"handbook", "snippets", "tests", "scripts", "tools"}
        | {p.stem for p in SNIPPETS.rglob("*.py")}
        | {p.name for p in SNIPPETS.iterdir() if p.is_dir()}
    )


def third_party_modules() -> list:
    """What the included snippets import from installed packages ("module", or "module:Name" for `from module
    import Name`), for the warm parent to import once."""
    local, wanted = local_names(), set()
    for path in included_files():
        for top, module, names, level in imports(path):
            if level or top in sys.stdlib_module_names or top in local or top not in installed():
                continue
            wanted.add(module)
            wanted.update(f"{module}:{name}" for name in names if name != "*")
    return sorted(wanted)
