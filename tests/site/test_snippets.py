"""The copy test: every snippet file a page includes runs when copied ALONE into an empty folder, with the
pinned packages and nothing of this repository on the import path, and prints what its page shows.

- Statically (ast): a snippet imports only the standard library and installed distributions (no
  `handbook`, no other snippet, no relative import); an include fence repeats, after its include, exactly
  the dedented body of the file's `if __name__ == "__main__":` block (a figure fence: only lines hidden
  from the Source tab, `# markdown-exec: hide`), so the Source tab shows each line once.
- Run: each file is copied alone into an empty temporary folder and run there as a script; it exits 0. A
  snippet whose docstring names what it needs (a data file such as snippets/data/x.json, the
  .venv/tf-4.52.4 install) must instead stop with a clear message (no traceback) naming it, and run once
  that path is put beside it at the same relative path. A figure snippet writes the SVG its __main__ block
  names. A table fence printed in the build exactly what the file prints: the fence's output is read from the
  build's record of what every fence printed (handbook/page_tests.fence_output: current, and recorded for the
  fence's code as it is now), not run a second time.
- Fast: the runs are forked from one warm process that imported the snippets' third-party modules once
  (handbook/snippet_server.py; under pytest-xdist the controller starts it and the workers share it,
  tests/site/test_snippet_server.py); it holds no module of this repository.
"""

import ast
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from handbook.included import file_of, imports, include_fences, included_files, installed, local_names, tree
from handbook.page_tests import fence_output, snippet_server
from handbook.paths import DOCS, ROOT, SNIPPETS

HIDE = "# markdown-exec: hide"


# ------------------------------------------------------------------------------------- what pages include


INCLUDED = included_files()
INSTALLED = installed()
LOCAL_NAMES = local_names()


def rel(path: Path) -> str:
    return path.relative_to(SNIPPETS).as_posix()


def fence_id(fence) -> str:
    return fence.attrs.get("id") or f"{fence.page.name}:{fence.includes[0]}"


# ------------------------------------------------------------------------------------------ static reading


def main_block(path: Path):
    """The `if __name__ == "__main__":` statement at module level, or None."""
    for node in tree(path).body:
        test = node.test if isinstance(node, ast.If) else None
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
        ):
            return node
    return None


def main_body(path: Path) -> list:
    """The lines of the __main__ block's body, dedented, without trailing blank lines."""
    node = main_block(path)
    if node is None:
        return []
    lines = path.read_text().splitlines()[node.body[0].lineno - 1 : node.body[-1].end_lineno]
    return textwrap.dedent("\n".join(lines)).rstrip().splitlines()


def svg_written(path: Path) -> list:
    """File names the __main__ block passes to savefig: a figure snippet writes its figure."""
    node = main_block(path)
    calls = [call for call in ast.walk(node) if isinstance(call, ast.Call)] if node else []
    return [
        call.args[0].value
        for call in calls
        if isinstance(call.func, ast.Attribute)
        and call.func.attr == "savefig"
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ]


def needs(path: Path) -> list:
    """Paths (relative to the repository root) that the docstring says the snippet needs and that exist."""
    doc = ast.get_docstring(tree(path)) or ""
    candidates = re.findall(r"(?<![\w/.-])((?:\.venv|snippets)/[\w./-]*[\w-])", doc)
    return sorted({c for c in candidates if (ROOT / c).exists()})


@pytest.mark.parametrize("path", INCLUDED, ids=rel)
def test_a_snippet_imports_only_the_standard_library_and_installed_packages(path):
    bad = []
    for top, module, _, level in imports(path):
        if level:
            bad.append(f"relative import from {'.' * level}{module}")
        elif top in sys.stdlib_module_names:
            continue
        elif top in LOCAL_NAMES or top not in INSTALLED:
            bad.append(f"{module}: {'from this repository' if top in LOCAL_NAMES else 'not an installed distribution'}")
    assert not bad, f"{rel(path)} imports {bad}: a snippet imports only the pinned packages"


@pytest.mark.parametrize("fence", include_fences(), ids=fence_id)
def test_an_include_fence_repeats_only_the_main_block(fence):
    """The Source tab shows each line once: after the include, the fence holds exactly the file's
    __main__ body (dedented); a figure fence holds only lines hidden from the Source tab around it."""
    assert len(fence.includes) == 1, f"{fence_id(fence)}: one include per fence, not {fence.includes}"
    name = fence.includes[0]
    path = file_of(name)
    lines = fence.body.rstrip().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("--8<--"))
    before, after = lines[:at], lines[at + 1 :]
    assert all(HIDE in line for line in before if line.strip()), f"{fence_id(fence)}: shown lines before the include"
    if ":" not in name:  # the whole file is shown: its __main__ block is part of it
        assert not [line for line in after if line.strip() and HIDE not in line], (
            f"{fence_id(fence)} includes all of {name} and repeats lines after it"
        )
    elif svg_written(path):
        assert all(HIDE in line for line in after if line.strip()), (
            f"{fence_id(fence)}: a figure fence adds only hidden lines (the SVG wrapper) after its include"
        )
    else:
        shown = "\n".join(after).strip().splitlines()
        assert shown == main_body(path), (
            f"{fence_id(fence)}: the lines after the include must be the __main__ block of {rel(path)}:\n"
            + "\n".join(main_body(path))
        )


# ---------------------------------------------------------------------------------------------- running


@pytest.fixture(scope="session")
def server():
    return snippet_server()  # handbook/page_tests.py: under pytest-xdist, one warm parent for all the workers


def test_the_warm_parent_holds_nothing_of_the_repository(server):
    assert server.hello["local_modules"] == [], "the warm parent imported modules of this repository"
    assert server.hello["local_path"] == [], "the warm parent has folders of this repository on sys.path"


_runs = {}


def run_copy(server, path: Path, beside: tuple = ()) -> tuple:
    """Copy `path` alone into an empty folder (plus `beside`, repository paths put at the same relative
    path), run it there; (reply, folder's files after the run). Cached per worker: each variant runs once."""
    key = (path, beside)
    if key not in _runs:
        folder = Path(tempfile.mkdtemp(prefix="snippet-copy-"))
        try:
            copy = folder / path.name
            shutil.copyfile(path, copy)
            for need in beside:
                target = folder / need
                target.parent.mkdir(parents=True, exist_ok=True)
                if (ROOT / need).is_dir():
                    target.symlink_to((ROOT / need).resolve(), target_is_directory=True)
                else:
                    shutil.copyfile(ROOT / need, target)
            reply = server.run_file(copy, folder)
            written = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p != copy}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        _runs[key] = (reply, written)
    return _runs[key]


def describe(reply: dict) -> str:
    return f"exit {reply['status']}\n--- stdout\n{reply['stdout'][-2000:]}\n--- stderr\n{reply['stderr'][-3000:]}"


def complete_run(server, path: Path) -> tuple:
    return run_copy(server, path, tuple(needs(path)))


def by_file(paths) -> list:
    """One xdist group per snippet file (`make test` runs pytest with --dist loadgroup): its runs land on
    one worker, whose cache then runs each file once for the tests that read its output."""
    return [pytest.param(path, id=rel(path), marks=pytest.mark.xdist_group(rel(path))) for path in paths]


@pytest.mark.parametrize("path", by_file(INCLUDED))
def test_a_snippet_copied_alone_runs(server, path):
    reply, written = complete_run(server, path)
    assert reply["status"] == 0, (
        f"{rel(path)} copied alone (with {needs(path) or 'nothing'} beside it): {describe(reply)}"
    )
    for name in svg_written(path):
        assert name in written and b"<svg" in written[name], f"{rel(path)} did not write the SVG {name}"


@pytest.mark.parametrize("path", by_file(p for p in INCLUDED if needs(p)))
def test_a_snippet_says_what_it_needs_when_it_is_missing(server, path):
    reply, _ = run_copy(server, path)
    said = reply["stdout"] + reply["stderr"]
    assert reply["status"] != 0, f"{rel(path)} ran without {needs(path)}, which its docstring says it needs"
    assert "Traceback" not in said, (
        f"{rel(path)}: a clear message, not a traceback, when it is missing: {describe(reply)}"
    )
    for need in needs(path):
        assert need in said or Path(need).name in said, (
            f"{rel(path)} does not name the missing {need}: {describe(reply)}"
        )


TABLE_FENCES = [
    fence
    for fence in include_fences()
    if fence.is_exec and len(fence.includes) == 1 and not svg_written(file_of(fence.includes[0]))
]


@pytest.mark.parametrize(
    "fence",
    [pytest.param(f, id=fence_id(f), marks=pytest.mark.xdist_group(rel(file_of(f.includes[0])))) for f in TABLE_FENCES],
)
def test_the_page_prints_what_the_copied_file_prints(server, fence):
    """Copying the page's code gives the page's result: what the fence printed in the build of site/ is exactly
    what the file prints when run alone."""
    path = file_of(fence.includes[0])
    alone, _ = complete_run(server, path)
    assert alone["status"] == 0, f"{rel(path)} copied alone: {describe(alone)}"
    in_page = fence_output(fence.page.relative_to(DOCS).as_posix(), fence.attrs.get("id"))
    assert in_page == alone["stdout"], f"{fence_id(fence)} printed other text in the build than {rel(path)} run alone"
