"""Every page in a real browser: renders, no console error, nothing requested from outside the site."""

import pytest

from site_pages import page_id, page_path, site_pages


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
