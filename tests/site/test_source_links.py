"""Every page links to its own source (mkdocs.yml: repo_url, edit_uri), and the default address is reserved."""

import os
import re
from pathlib import Path

import pytest

from handbook.paths import DOCS, ROOT, SITE

SOURCES = sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.ipynb"))


def built_page(source: Path) -> Path:
    rel = source.relative_to(DOCS).with_suffix("")
    return SITE / ("index.html" if rel.as_posix() == "index" else rel / "index.html")


def test_default_repository_address_is_reserved():
    config = (ROOT / "mkdocs.yml").read_text()
    default = re.search(r'^repo_url: !ENV \[REPO_URL, "([^"]+)"\]', config, re.MULTILINE).group(1)
    assert re.match(r"https://[^/]+\.invalid/", default), default  # RFC 2606: never resolves
    assert re.search(r'^edit_uri: !ENV \[EDIT_URI, "edit/main/docs/"\]', config, re.MULTILINE)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_page_links_to_its_source(source):
    if not built_page(source).exists():
        pytest.fail("site/ is not built: run `make test`, which builds it first")
    edit = re.findall(r'<a href="([^"]+)" title="Edit this page"', built_page(source).read_text())
    repo = os.environ.get("REPO_URL", "https://example.invalid/qwen25vl-handbook").rstrip("/")
    edit_uri = os.environ.get("EDIT_URI", "edit/main/docs/")
    assert edit == [f"{repo}/{edit_uri}{source.relative_to(DOCS).as_posix()}"]
