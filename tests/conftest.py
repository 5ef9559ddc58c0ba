"""Test set-up shared by tests/ and by the doc fences that pytest-markdown-docs collects from docs/.

pytest-markdown-docs reads each fence's text as written, so a fence that is only `--8<-- "file.py"`
would run nothing. The hook below runs pymdownx.snippets' own preprocessor over every fence, with the
same base path and check_paths as mkdocs.yml, so a fence is tested with exactly the code the page runs.
"""

import io
import os
import sys
from pathlib import Path

import markdown
import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"
SITE = ROOT / "site"

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
if str(SNIPPETS) not in sys.path:
    sys.path.insert(0, str(SNIPPETS))


def _snippet_preprocessor():
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={
        "pymdownx.snippets": {"base_path": [str(SNIPPETS)], "check_paths": True}})
    return md.preprocessors["snippet"]


class IncludingMarkdownIt(MarkdownIt):
    """A MarkdownIt whose fence tokens carry their --8<-- includes expanded.

    CommonMark reads a fence indented inside an admonition (`??? note`) as an indented code block, so
    pytest-markdown-docs would skip it although the build executes it. An indented code block that holds an
    `exec="on"` fence is read again as Markdown and its fence takes its place, at its own line numbers.
    (Indented fences that the build does not execute stay code blocks: they are shown, not run.)
    """

    def parse(self, src, env=None):
        tokens = []
        for token in super().parse(src, env):
            if token.type == "code_block" and token.content.lstrip().startswith("```") and 'exec="on"' in token.content:
                inner = [t for t in self.parse(token.content, env) if t.type == "fence"]
                for fence in inner:
                    fence.map = [fence.map[0] + token.map[0], fence.map[1] + token.map[0]]
                tokens += inner
            else:
                tokens.append(token)
        preprocessor = _snippet_preprocessor()
        for token in tokens:
            if token.type == "fence" and "--8<--" in token.content:
                token.content = "\n".join(preprocessor.run(token.content.splitlines())) + "\n"
        return tokens


@pytest.hookimpl
def pytest_markdown_docs_markdown_it():
    return IncludingMarkdownIt("commonmark")


@pytest.hookimpl
def pytest_markdown_docs_globals():
    # Fences print tables and whole SVG figures; keep them out of the terminal but still execute print.
    sink = io.StringIO()
    return {"print": lambda *args, **kwargs: print(*args, **{**kwargs, "file": sink})}


NETNS_TEST = "tests/test_offline.py::test_the_network_namespace_has_only_loopback"


def pytest_terminal_summary(terminalreporter):
    """Say loudly, at the end of the run, when the network namespace test was skipped: the run was then
    confined by the Python guard alone (tools/offline/run could not make a loopback-only namespace)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if r.nodeid.endswith(NETNS_TEST.split("/")[-1])]
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_sep("!", "offline block is partial", red=True, bold=True)
        terminalreporter.write_line(reason.removeprefix("Skipped: "), red=True, bold=True)
