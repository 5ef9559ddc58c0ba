"""House rules for the Markdown pages: every executed fence is named and runs code that exists."""

import re
from collections import Counter

import pytest
from pytest_markdown_docs.plugin import FenceSyntax, extract_fence_tests

from handbook.fences import EXEC_ON, IncludingMarkdownIt, exec_fences, exec_markers, fences, pages
from handbook.paths import DOCS, ROOT, SNIPPETS
from handbook.site_build import BUILDS_DONE

CHAPTERS = [
    "1-fixed-window-size",
    "2-window-size-calculation",
    "3-window-padding",
    "4-spatial-merge",
    "5-attention-windows",
    "6-coordinate-prediction",
    "7-optimal-image-sizes",
    "conclusion",
]


def test_chapters_exist_in_the_analysis_order():
    text = (DOCS.parent / "mkdocs.yml").read_text()
    positions = [text.index(f"chapters/{name}.md") for name in CHAPTERS]
    assert positions == sorted(positions)
    assert all((DOCS / "chapters" / f"{name}.md").exists() for name in CHAPTERS)


def test_every_exec_fence_has_a_unique_id():
    found = exec_fences()
    assert found, "no exec fences found: the fence parser is broken"
    missing = [f"{fence.page.name}: {fence.info}" for fence in found if "id" not in fence.attrs]
    assert not missing, f"exec fences without id=: {missing}"
    counts = Counter(fence.attrs["id"] for fence in found)
    assert not [i for i, n in counts.items() if n > 1], f"duplicate fence ids: {counts}"


def test_the_fence_reader_finds_every_executed_fence():
    # A partial miss (an indented fence inside `??? note`, say) would pass "some fences found": require
    # one fence per `exec="on"` written in the pages.
    found = exec_fences()
    assert len(found) == exec_markers(), (
        f'{exec_markers()} exec="on" in docs/ but the fence reader found {len(found)} exec fences'
    )


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_pytest_markdown_docs_can_still_run_every_executed_fence(page):
    """`pytest --markdown-docs` (through tests/conftest.py's parser) collects a test for every fence the
    build executes, indented ones included: the lines it would run are the fence's own lines."""
    text = page.read_text()
    parser = IncludingMarkdownIt("commonmark")
    executed = {t.map[0] + 1 for t in parser.parse(text) if t.type == "fence" and EXEC_ON in t.info}
    assert len(executed) == text.count(EXEC_ON), f"{page.name}: the test parser misses executed fences"
    collected = {
        test.start_line for test in extract_fence_tests(parser, text, 0, page, fence_syntax=FenceSyntax.superfences)
    }
    assert executed <= collected, (
        f"{page.name}: executed fences at lines {sorted(executed - collected)} are not run by pytest"
    )


def test_the_strict_build_runs_every_fence_before_the_tests():
    """make test's pytest does not run the fences again: the build does, and fails on one that raises
    (markdown-exec logs a warning for it, and strict mode turns a warning into a failed build). That holds
    while mkdocs.yml is strict and runs Python fences, and make test's tests wait for the strict build: pytest
    starts first, told the file make writes once the builds are done (BUILDS_DONE), and its controller starts no
    worker before that file says "ok" (tests/conftest.py; test_session_setup.py checks the wait itself)."""
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^strict: true$", config, re.MULTILINE)
    assert re.search(r"- markdown-exec:\n(\s+#.*\n)*\s+languages: \[python\]", config)
    recipe = (ROOT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert f"{BUILDS_DONE}=$(BUILDS_DONE) $(OFFLINE) $(BIN)/python -m pytest" in recipe
    build, ok = recipe.index("mkdocs build --strict --site-dir $(SITE)"), recipe.index("built ok")
    assert build < recipe.index("lychee") < ok, "make test must say ok only after the strict build and the link check"


def test_every_python_fence_is_run_by_the_build_or_the_copy_test():
    """A Python fence the build does not execute is shown code: it must include a snippet file, which
    tests/site/test_snippets.py runs (or be marked notest); nothing in a page goes unrun."""
    unrun = [
        f"{fence.page.name}: {fence.info}"
        for page in pages()
        for fence in fences(page)
        if re.match(r"\{?\.?py(thon)?\b", fence.info)
        and not fence.is_exec
        and not fence.includes
        and "notest" not in fence.info
    ]
    assert not unrun, f"Python fences that nothing runs: {unrun}"


PLUMBING = re.compile(r"^from handbook\.(claims|excerpts) import", re.MULTILINE)


def test_every_exec_fence_shows_its_source():
    """Reader code shows its source; only site plumbing (the ledger, source excerpts) shows just its result."""
    hidden = [
        fence.attrs["id"]
        for fence in exec_fences()
        if not fence.attrs.get("source") and not PLUMBING.search(fence.body)
    ]
    assert not hidden, f"exec fences that do not show their code to readers: {hidden}"


def test_includes_point_at_existing_snippets():
    for fence in exec_fences():
        for name in fence.includes:
            assert (SNIPPETS / name.split(":")[0]).is_file(), f"{fence.page.name} includes missing snippet {name}"


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_no_bare_notest_fence(page):
    # A bare `python notest` info string renders as raw text in Material; use {.python notest}.
    bad = [fence.info for fence in fences(page) if re.fullmatch(r"python\s+notest.*", fence.info)]
    assert not bad, f"{page.name}: bare notest fences {bad}"


def test_every_test_file_the_sources_name_exists():
    """A page, a script or the site's plumbing that names a test file (`tests/pages/test_calculator.py`) names one
    that exists: the tests moved once, and the notebook page still sent readers to a file that had gone."""
    named = re.compile(r"\btests/[\w/]*?test_\w+\.py\b")
    sources = [ROOT / "README.md", ROOT / "Makefile"] + [
        p for folder in ("docs", "handbook", "snippets", "scripts") for p in (ROOT / folder).rglob("*") if p.is_file()
    ]
    missing = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources
        if path.suffix not in {".png", ".svg", ".json", ".tsv"}
        for name in set(named.findall(path.read_text(errors="replace")))
        if not (ROOT / name).is_file()
    )
    assert not missing, "\n".join(missing)


def test_no_test_module_changes_the_import_path():
    """The tests reach snippets/ and scripts/ through handbook.snippets (`load`, `load_script`), never by putting a
    folder on sys.path: two modules once did, and a third loaded a script a way of its own. A test module's path
    change leaks into every module the same worker imports after it."""
    changes = re.compile(r"\bsys\.path\.(insert|append|extend)\(|\bsys\.path\s*[+]?=")
    found = sorted(
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "tests").rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if changes.search(line)
    )
    assert not found, found
