"""Read the exec fences of docs/ the way the build does: attributes parsed, --8<-- includes expanded."""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
# A fence may be indented (inside an admonition such as `??? note`): its closing ticks carry the same
# indentation, and its body is dedented by it, as pymdownx.superfences reads it.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$",
                   re.MULTILINE | re.DOTALL)
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
        return INCLUDE.sub(lambda m: (SNIPPETS / m["name"]).read_text(), self.body)


def dedent(body: str, indent: str) -> str:
    return "".join(line.removeprefix(indent) for line in body.splitlines(keepends=True))


def fences(page: Path) -> list:
    return [Fence(page, m["info"].strip(), dedent(m["body"], m["indent"]), m["indent"])
            for m in FENCE.finditer(page.read_text())]


def pages() -> list:
    return sorted(DOCS.rglob("*.md"))


def exec_fences() -> list:
    return [fence for page in pages() for fence in fences(page) if fence.is_exec]


def exec_markers() -> int:
    """How many times `exec="on"` is written in the pages: the number of fences the build executes."""
    return sum(page.read_text().count(EXEC_ON) for page in pages())
