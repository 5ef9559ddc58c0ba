"""Checks on the built site/ (make test builds it first): provenance, no leaked fences, nothing external."""

import re
from pathlib import Path

import pytest
import torch
import transformers

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
DOCS = ROOT / "docs"


def built_pages() -> list:
    if not (SITE / "index.html").exists():
        pytest.fail("site/ is not built: run `make test` (it builds with mkdocs build --strict first)")
    pages = []
    for md in sorted(DOCS.rglob("*.md")):
        rel = md.relative_to(DOCS).with_suffix("")
        html = SITE / ("index.html" if rel.name == "index" and rel.parent == Path(".") else rel / "index.html")
        pages.append((md, html))
    return pages


def test_every_page_was_built():
    missing = [str(html) for _, html in built_pages() if not html.exists()]
    assert not missing


def test_every_page_states_its_provenance():
    for md, html in built_pages():
        text = html.read_text()
        stamp = re.search(r'<p class="provenance" data-transformers="([^"]+)" data-torch="([^"]+)" '
                          r'data-built="(\d{4}-\d\d-\d\d)"', text)
        assert stamp, f"{md.name}: no provenance"
        assert stamp.group(1) == transformers.__version__ and stamp.group(2) == torch.__version__


def test_no_fence_leaked_as_raw_text():
    leaked = [str(p.relative_to(SITE)) for p in SITE.rglob("*.html") if "<p>```" in p.read_text()]
    assert not leaked, f"fences rendered as text in {leaked}"


def test_no_markdown_exec_error_blocks():
    # markdown-exec renders a failing fence as a traceback block; strict mode should already fail.
    bad = [str(p.relative_to(SITE)) for p in SITE.rglob("*.html") if "Traceback (most recent call last)" in p.read_text()]
    assert not bad


EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b(?=[^>]*\brel=["'](?:stylesheet|preload|preconnect|icon|modulepreload|dns-prefetch))[^>]*\bhref=["'](?:https?:)?//""",
    re.IGNORECASE)


def test_pages_load_nothing_from_outside_the_site():
    offenders = {}
    for path in SITE.rglob("*.html"):
        hits = EXTERNAL_LOAD.findall(path.read_text())
        if hits:
            offenders[str(path.relative_to(SITE))] = hits[:3]
    assert not offenders


def test_stylesheets_import_nothing_external():
    offenders = [str(p.relative_to(SITE)) for p in SITE.rglob("*.css")
                 if re.search(r"""(?:@import|url\()\s*["']?(?:https?:)?//""", p.read_text())]
    assert not offenders


def test_external_load_pattern_catches_a_font_link():
    # The check above must be able to fail: a Google Fonts link like Material's default would be caught.
    sample = '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
    assert EXTERNAL_LOAD.search(sample)
    assert not EXTERNAL_LOAD.search('<link rel="canonical" href="https://example.org/">')
