"""Every page in a real browser: renders, no console error, nothing requested from outside the site."""

import pytest
from handbook.site_pages import page_id, page_path, site_pages


@pytest.mark.parametrize("md", site_pages(), ids=page_id)
def test_page_renders_cleanly(recorded_page, md):
    page = recorded_page.page
    response = page.goto(recorded_page.base + page_path(md), wait_until="load")
    assert response.status == 200
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == ("slate" if recorded_page.scheme == "dark" else "default")
    for figure in page.query_selector_all("figure.handbook-figure svg"):
        assert figure.get_attribute("aria-label"), "figure without alt text"
        box = figure.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, "figure did not render"
    recorded_page.screenshot(f"{page_path(md).strip('/').replace('/', '_') or 'home'}-{recorded_page.scheme}")
    recorded_page.assert_clean()


def check_not_found_page(recorder, url: str):
    """A missing path answers 404 with the site's 404.html, which renders with its assets and theme."""
    page = recorder.page
    recorder.expect_missing_document(url)
    response = page.goto(url, wait_until="load")
    assert response.status == 404
    assert page.locator("article h1").all_inner_texts() == ["404 - Not found"], "not the site's 404.html"
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == ("slate" if recorder.scheme == "dark" else "default")
    # Material's stylesheet and script ran: the header is laid out and the theme's search box exists.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    assert page.query_selector("input.md-search__input")
    loaded = page.evaluate("[...document.styleSheets].filter(s => s.href && s.cssRules.length).length")
    assert loaded >= 2, "Material's stylesheets did not load"
    recorder.assert_clean()


def test_a_missing_page_gets_the_404_page(recorded_page):
    check_not_found_page(recorded_page, recorded_page.base + "chapters/no-such-chapter/")
    recorded_page.screenshot(f"404-{recorded_page.scheme}")
