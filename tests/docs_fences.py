"""Read the exec fences of docs/ the way the build does: attributes parsed, --8<-- includes expanded."""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
FENCE = re.compile(r"^(?P<ticks>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=ticks)\s*$", re.MULTILINE | re.DOTALL)
INCLUDE = re.compile(r'^--8<-- "(?P<name>[^"]+)"\s*$', re.MULTILINE)


@dataclass
class Fence:
    page: Path
    info: str
    body: str

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


def fences(page: Path) -> list:
    return [Fence(page, m["info"].strip(), m["body"]) for m in FENCE.finditer(page.read_text())]


def pages() -> list:
    return sorted(DOCS.rglob("*.md"))


def exec_fences() -> list:
    return [fence for page in pages() for fence in fences(page) if fence.is_exec]
