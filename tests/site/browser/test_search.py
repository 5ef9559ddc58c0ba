"""Material's search box works offline: the index is site/search/search_index.json, searched in the
browser by a web worker. Typing a query must list the page that answers it."""

import re

import pytest

from handbook.browser import PageRecorder
from handbook.site_pages import page_id, page_path, site_pages, title_of

RESULT_LINKS = "li.md-search-result__item > a.md-search-result__link"

# The search tab of `search` (module-scoped), with the whole index indexed once, serves every query here; like
# every test that uses the browser, they run on one worker (tests/conftest.py).


# Material's search runs in a web worker: the page posts {type: 2 (QUERY), data: query} and the worker
# answers {type: 3 (RESULT), data: {items: [[document, ...], ...]}}, in order. This wrapper records both,
# with what the search box held when each query left, so a test can wait for the answer to its own query.
RECORD_WORKER = """(() => {
  const Native = window.Worker;
  const log = window.__handbookSearch = {sent: [], answers: []};
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (ev) => {
        if (ev.data && ev.data.type === 3) log.answers.push(ev.data.data);
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) {
        const box = document.querySelector("input.md-search__input");
        log.sent.push({query: message.data, typed: box ? box.value : null});
      }
      return super.postMessage(message, ...rest);
    }
  };
})();"""

ANSWERED = """(q) => {
  const log = window.__handbookSearch, last = log.sent[log.sent.length - 1];
  return document.querySelector('input.md-search__input').value === q && last && last.typed === q &&
         log.answers.length === log.sent.length;
}"""


def open_search(browser, site_url, scheme: str):
    """The home page in `scheme` with the site's whole search index (the other browser tests give the
    worker a small one: handbook/browser.py, PageRecorder), every request recorded, and `run(query)`."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_WORKER)
    recorder = PageRecorder(context.new_page(), "127.0.0.1", small_index=False)
    page = recorder.page
    page.set_default_timeout(15_000)
    page.goto(site_url, wait_until="load")

    def run(query: str, typed: bool = True) -> list:
        """Type `query` like a reader (or paste it: `typed=False`, the whole text at once and one key, so the worker
        answers one query instead of one per character) and return the result pages, best first, as site paths: the worker's
        answer to this query, once the page lists exactly that answer."""
        box = page.locator("input.md-search__input")
        box.click()
        box.fill("")
        box.press("Backspace")
        if typed:
            box.press_sequentially(query)
        else:
            box.fill(query)
            box.press("End")  # the search box sends its query on a key event, not on the input event of fill
        page.wait_for_function(ANSWERED, arg=query)  # the last query sent is this one, and it is answered
        pages = page.evaluate("""() => {
          const log = window.__handbookSearch;
          return log.answers[log.answers.length - 1].items.map(group => group[0].location.split("#")[0]);
        }""")
        assert pages, f"the search worker found nothing for {query!r}"
        # The list on screen is rendered from that answer: one item per page of the answer, in its order
        # (the first ones; more render on scroll). Until then an earlier answer may still be shown.
        page.wait_for_function(
            """([expected, root]) => {
          const items = [...document.querySelectorAll("li.md-search-result__item")];
          return items.length > 0 && items.length <= expected.length && items.every((li, i) => {
            const link = li.querySelector("a.md-search-result__link");
            return link && new URL(link.href).pathname === new URL(expected[i], root).pathname;
          });
        }""",
            arg=[pages, site_url],
        )
        hrefs = page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")
        recorder.assert_clean()
        return [re.sub(r"\?.*$", "", href)[len(site_url) :] for href in hrefs]

    return context, recorder, run


@pytest.fixture(scope="module")
def search(browser, site_url):
    context, _, run = open_search(browser, site_url, "light")
    yield run
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_whole_index_loads_and_answers_cleanly(browser, site_url, scheme):
    """Fetched, indexed by the worker and searched, with no console error, failed request or outside
    request, in both themes."""
    context, recorder, run = open_search(browser, site_url, scheme)
    try:
        assert "chapters/3-window-padding/" in run("padding")
        assert recorder.small_index_served == 0
        assert any(url.endswith("/search/search_index.json") for url in recorder.requested)
    finally:
        context.close()


def test_window_padding_finds_its_chapter(search):
    results = search("window padding")
    assert results and results[0] == "chapters/3-window-padding/", results


@pytest.mark.parametrize("md", [p for p in site_pages() if title_of(p)], ids=page_id)
def test_every_page_is_found_by_its_title(search, md):
    # Words of the title only (Material's query syntax gives + - : * ^ ~ a meaning).
    query = " ".join(re.findall(r"[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]", title_of(md)))
    results = search(query, typed=False)  # pasted: typing is tested above; this tests what the index finds
    assert page_path(md) in results[:5], f"{query!r} -> {results[:5]}"
