"""Checks on the built site/ (make test builds it first): provenance, no leaked fences, nothing external."""

import datetime
import os
import platform
import re
from pathlib import Path

import torch
import transformers

from handbook.paths import DOCS, SITE


def built_pages() -> list:
    """(source, built HTML) for every page: the Markdown pages and the notebooks (mkdocs-jupyter pages).
    (tests/conftest.py has already failed this module's tests if site/ is missing or older than its sources.)"""
    pages = []
    for md in sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.ipynb")):
        rel = md.relative_to(DOCS).with_suffix("")
        html = SITE / ("index.html" if rel.name == "index" and rel.parent == Path(".") else rel / "index.html")
        pages.append((md, html))
    return pages


def test_every_page_was_built():
    missing = [str(html) for _, html in built_pages() if not html.exists()]
    assert not missing


def expected_build_date() -> str | None:
    """The date the footer must show: SOURCE_DATE_EPOCH's (make exports it), or None when it is unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).strftime("%Y-%m-%d") if epoch else None


STAMP = re.compile(
    r'<p class="provenance" data-transformers="(?P<transformers>[^"]+)" data-torch="(?P<torch>[^"]+)" '
    r'data-built="(?P<built>\d{4}-\d\d-\d\d)" data-python="(?P<python>[^"]+)">(?P<text>.*?)</p>',
    re.DOTALL,
)


def test_every_page_states_its_provenance():
    """Every page, the notebook's included, says once which transformers, torch and Python computed it, and
    when: this interpreter's versions, and the build date of this build's SOURCE_DATE_EPOCH."""
    assert any(md.suffix == ".ipynb" for md, _ in built_pages()), "the notebook page is not checked"
    for md, html in built_pages():
        stamps = list(STAMP.finditer(html.read_text()))
        assert len(stamps) == 1, f"{md.name}: {len(stamps)} provenance stamps"
        stamp = stamps[0]
        expected = {
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        }
        assert {k: stamp[k] for k in expected} == expected, f"{md.name}: {stamp.group(0)[:300]}"
        date = expected_build_date()
        if date:
            assert stamp["built"] == date, f"{md.name}: built {stamp['built']}, SOURCE_DATE_EPOCH says {date}"
        else:
            datetime.date.fromisoformat(stamp["built"])
        words = " ".join(re.sub(r"<[^>]+>", "", stamp["text"]).split())
        assert (
            f"{stamp['built']} (UTC), with transformers {expected['transformers']}, torch {expected['torch']} "
            f"and Python {expected['python']}."
        ) in words, f"{md.name}: the visible stamp says {words!r}"


def test_no_fence_leaked_as_raw_text():
    leaked = [str(p.relative_to(SITE)) for p in SITE.rglob("*.html") if "<p>```" in p.read_text()]
    assert not leaked, f"fences rendered as text in {leaked}"


def test_no_markdown_exec_error_blocks():
    # markdown-exec renders a failing fence as a traceback block; strict mode should already fail.
    bad = [
        str(p.relative_to(SITE)) for p in SITE.rglob("*.html") if "Traceback (most recent call last)" in p.read_text()
    ]
    assert not bad


EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b(?=[^>]*\brel=["'](?:stylesheet|preload|preconnect|icon|modulepreload|dns-prefetch))[^>]*\bhref=["'](?:https?:)?//""",
    re.IGNORECASE,
)


def test_pages_load_nothing_from_outside_the_site():
    offenders = {}
    for path in SITE.rglob("*.html"):
        hits = EXTERNAL_LOAD.findall(path.read_text())
        if hits:
            offenders[str(path.relative_to(SITE))] = hits[:3]
    assert not offenders


def test_stylesheets_import_nothing_external():
    offenders = [
        str(p.relative_to(SITE))
        for p in SITE.rglob("*.css")
        if re.search(r"""(?:@import|url\()\s*["']?(?:https?:)?//""", p.read_text())
    ]
    assert not offenders


def test_external_load_pattern_catches_a_font_link():
    # The check above must be able to fail: a font stylesheet from another host, as Material's default
    # font setting links one, would be caught (the host here is reserved, RFC 2606).
    sample = '<link rel="stylesheet" href="https://fonts.example.invalid/css?family=Roboto">'
    assert EXTERNAL_LOAD.search(sample)
    assert not EXTERNAL_LOAD.search('<link rel="canonical" href="https://example.org/">')


def test_code_names_carry_no_wrapper_and_the_wrapper_was_invisible():
    """handbook/hooks/code_html.py drops Pygments' <span class="n">: only safe while the theme paints
    `.n` in the code's own colour, so check the built stylesheets say so and nothing of ours overrides it."""
    from handbook.hooks import code_html as hooks

    sample = '<pre><span class="n">grid</span><span class="p">[</span><span class="mi">0</span>]</pre>'
    assert hooks.unwrap_plain_names(sample) == '<pre>grid<span class="p">[</span><span class="mi">0</span>]</pre>'
    pages = sorted(SITE.rglob("*.html"))
    assert pages and not [p for p in pages if '<span class="n">' in p.read_text()]
    assert sum('<span class="nb">' in p.read_text() for p in pages) > 5  # other token classes are kept
    theme = "".join(p.read_text() for p in (SITE / "assets" / "stylesheets").glob("*.min.css"))
    assert ".highlight .kc,.highlight .n{color:var(--md-code-hl-name-color)}" in theme
    declared = set(re.findall(r"--md-code-hl-name-color:([^;}]+)", theme))
    assert declared == {"var(--md-code-fg-color)"}, declared
    ours = "".join(p.read_text() for p in (DOCS / "stylesheets").glob("*.css"))
    assert "--md-code-hl-name-color" not in ours and ".n " not in ours and ".n{" not in ours
