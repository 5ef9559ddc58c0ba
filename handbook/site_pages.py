"""Every page of the site, as the browser tests visit it: the Markdown pages and the notebooks in docs/."""

import json
import re

from handbook.paths import DOCS


def site_pages() -> list:
    return sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.ipynb"))


def page_path(source) -> str:
    """URL path of a page under the site root ('' for the home page), as MkDocs' directory URLs build it."""
    rel = source.relative_to(DOCS).with_suffix("").as_posix()
    return "" if rel == "index" else (rel[: -len("/index")] if rel.endswith("/index") else rel) + "/"


def page_id(source) -> str:
    return source.relative_to(DOCS).as_posix()


def source_text(source) -> str:
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text())["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return source.read_text()


def title_of(source) -> str:
    match = re.search(r"^# (.+)$", source_text(source), re.MULTILINE)
    return match.group(1).strip() if match else ""
