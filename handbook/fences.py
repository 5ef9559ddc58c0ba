"""Read the exec fences of docs/ the way the build does: attributes parsed, --8<-- includes expanded."""

import re
from dataclasses import dataclass
from pathlib import Path

import markdown
from markdown_it import MarkdownIt

from handbook.paths import DOCS, SNIPPETS

# A fence may be indented (inside an admonition such as `??? note`): its closing ticks carry the same
# indentation, and its body is dedented by it, as pymdownx.superfences reads it.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
EXEC_ON = 'exec="on"'
INCLUDE = re.compile(r'^--8<-- "(?P<name>[^"]+)"\s*$', re.MULTILINE)


@dataclass
class Fence:
    page: Path
    info: str
    body: str
    indent: str = ""

    @property
    def attrs(self) -> dict:
        return dict(re.findall(r'(\w+)="([^"]*)"', self.info))

    @property
    def is_exec(self) -> bool:
        return self.attrs.get("exec") == "on"

    @property
    def includes(self) -> list:
        return INCLUDE.findall(self.body)

    @property
    def code(self) -> str:
        """The code the build runs, as markdown-exec receives it (no newline after the last line): includes
        expanded (sections too) by pymdownx.snippets itself. The build's record of each fence holds the same."""
        return "\n".join(_snippet_preprocessor().run(self.body.splitlines()))

    @property
    def shown(self) -> str:
        """The code the Source tab shows: markdown-exec drops every line marked `# markdown-exec: hide`."""
        return "\n".join(line for line in self.code.split("\n") if "markdown-exec: hide" not in line).strip()


def dedent(body: str, indent: str) -> str:
    return "".join(line.removeprefix(indent) for line in body.splitlines(keepends=True))


def fences(page: Path) -> list:
    return [
        Fence(page, m["info"].strip(), dedent(m["body"], m["indent"]), m["indent"])
        for m in FENCE.finditer(page.read_text())
    ]


def pages() -> list:
    return sorted(DOCS.rglob("*.md"))


def exec_fences() -> list:
    return [fence for page in pages() for fence in fences(page) if fence.is_exec]


def exec_markers() -> int:
    """How many times `exec="on"` is written in the pages: the number of fences the build executes."""
    return sum(page.read_text().count(EXEC_ON) for page in pages())


# pytest-markdown-docs reads each fence's text as written, so a fence that is only `--8<-- "file.py"` would
# run nothing: tests/conftest.py hands it this parser, which expands includes with pymdownx.snippets' own
# preprocessor (same base path and check_paths as mkdocs.yml), so a fence is tested with the code the page runs.
def _snippet_preprocessor():
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(SNIPPETS)], "check_paths": True}},
    )
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
