"""Material's search box works offline: the index is site/search/search_index.json, searched in the
browser by a web worker. Typing a query must list the page that answers it."""

import re

import pytest

from site_pages import page_id, page_path, site_pages, title_of

RESULT_LINKS = "li.md-search-result__item > a.md-search-result__link"


@pytest.fixture(scope="module")
def search(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(site_url, wait_until="load")

    def run(query: str) -> list:
        """Type `query` like a reader and return the result pages, best first, as site paths."""
        box = page.locator("input.md-search__input")
        box.click()
        box.fill("")
        box.press("Backspace")  # an empty query clears the previous results: never read stale ones
        page.wait_for_function("() => !document.querySelector('li.md-search-result__item')")
        box.press_sequentially(query)
        page.wait_for_function(
            """(q) => document.querySelector('input.md-search__input').value === q &&
                   document.querySelectorAll('li.md-search-result__item').length > 0""", arg=query)
        # The worker answers each keystroke in turn: results of a shorter prefix can still be on screen
        # (they flaked this test). Read until two reads a moment apart agree.
        hrefs, previous = None, []
        for _ in range(40):
            hrefs = page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")
            if hrefs == previous:
                break
            previous = hrefs
            page.wait_for_timeout(300)
        return [re.sub(r"\?.*$", "", href)[len(site_url):] for href in hrefs]

    yield run
    context.close()


def test_window_padding_finds_its_chapter(search):
    results = search("window padding")
    assert results and results[0] == "chapters/3-window-padding/", results


@pytest.mark.parametrize("md", [p for p in site_pages() if title_of(p)], ids=page_id)
def test_every_page_is_found_by_its_title(search, md):
    # Words of the title only (Material's query syntax gives + - : * ^ ~ a meaning).
    query = " ".join(re.findall(r"[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]", title_of(md)))
    results = search(query)
    assert page_path(md) in results[:5], f"{query!r} -> {results[:5]}"
