"""Every page in a real browser: renders, no console error, nothing requested from outside the site.

Each page is opened once per colour scheme for this module, test_axe.py and test_accessibility.py together
(handbook/browser.py: page_visit)."""

import pytest


def test_page_renders_cleanly(page_visit):
    page = page_visit.page
    assert page_visit.status == 200
    # Still at the address it was opened at (the calculator adds its state to the query string).
    assert page.url.split("?")[0] == page_visit.base + page_visit.path
    # Material's stylesheet applied (its assets loaded from where the page is served: root or subpath).
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == ("slate" if page_visit.scheme == "dark" else "default")
    for figure in page.query_selector_all("figure.handbook-figure svg"):
        assert figure.get_attribute("aria-label"), "figure without alt text"
        box = figure.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, "figure did not render"
    page_visit.recorder.screenshot(f"{page_visit.path.strip('/').replace('/', '_') or 'home'}-{page_visit.scheme}")
    page_visit.recorder.assert_clean()


def test_the_next_visit_is_already_loading(page_visit):
    """While a page's tests run, the visit after it (visit_params' order) has its tab and is loading
    (handbook/browser.py: page_visit), so its load is not waited for in turn."""
    from handbook import browser

    order = [param.values[0] for param in browser.visit_params()]
    key = (page_visit.scheme, page_visit.md)
    following = order[order.index(key) + 1 :][:1]
    assert set(following) <= set(browser._started), (following, list(browser._started))
    for recorder, _, status in (browser._started[k] for k in following):
        assert status == 200 and recorder.requested, "the next visit's tab has not asked for its page"


def test_the_recorder_catches_what_a_clean_page_must_not_do(recorded_page):
    """assert_clean can fail: a request to an outside address (RFC 5737) and to an outside name (RFC 2606,
    `.invalid`), a missing local file, a console error and an uncaught error are each recorded."""
    page = recorded_page.page
    assert page.goto(recorded_page.base, wait_until="load").status == 200
    page.evaluate("""async () => {
      for (const url of ["http://192.0.2.1/probe.js", "http://handbook.example.invalid/probe.css", "no-such-file.js"]) {
        try { await fetch(url); } catch (e) {}
      }
      console.error("a console error");
      setTimeout(() => { throw new Error("an uncaught error"); }, 0);
    }""")
    page.wait_for_timeout(200)
    assert any("192.0.2.1" in url for url in recorded_page.outside_requests), recorded_page.outside_requests
    assert any("handbook.example.invalid" in url for url in recorded_page.outside_requests)
    assert any("no-such-file.js" in failed and "404" in failed for failed in recorded_page.failed_requests)
    assert any("a console error" in text for text in recorded_page.console_errors)
    assert any("an uncaught error" in text for text in recorded_page.page_errors)
    with pytest.raises(AssertionError):
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
