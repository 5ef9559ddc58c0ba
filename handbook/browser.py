"""Browser fixtures, a pytest plugin (tests/conftest.py: pytest_plugins = ["handbook.browser"]): the built
site served on 127.0.0.1 and Debian's Chromium (its headless shell) driven by Playwright.

Fixtures: site_url, deploy_url (the two builds served), browser, color_scheme, recorded_page, deploy_page,
page_visit.
site_url and deploy_url rest on tests/conftest.py's built_site and deploy_site (missing or stale: a clear
failure).

Playwright never downloads a browser here: it launches $CHROMIUM, by default /usr/bin/chromium-headless-shell
(Debian's package chromium-headless-shell, installed by `make test`).
Every request to a host other than the local server is aborted and recorded, so a test can assert
that a page asked for nothing from outside the site.

Cheap by design (Chromium is most of the suite's CPU time): one browser for the run (`make test`'s
`--dist loadgroup` runs every test that uses it on one pytest worker: tests/conftest.py), one browser context
per colour scheme (a new context costs a new renderer process, about 1 s of CPU), a fresh tab per test, and
`page_visit`: each page of the site opened ONCE per colour scheme, for all the checks that read it
(tests/site/browser/test_pages.py, test_axe.py, test_accessibility.py). pytest runs the tests that share a
visit one after another (a session-scoped parametrized fixture). The light visits open the deploy-style build,
served under /handbook/ as GitHub Pages serves a project, and the dark visits open site/ at the root (`VISIT_BUILD`):
the two builds are the same bytes but for their address (tests/site/test_reproducible.py), so every page is
rendered in both themes and loaded both at the root and under the subpath, with one visit each.
"""

import functools
import http.server
import json
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from handbook.paths import ARTIFACTS
from handbook.site_build import DEPLOY_URL

SCREENSHOTS = ARTIFACTS / "screenshots"
FULL_SCREENSHOTS = os.environ.get("FULL_SCREENSHOTS") == "1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Chromium itself resolves no host name but the local server's (offline, see tools/offline/run).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site under `prefix` as a static host does: a missing path answers 404 with the
    site's 404.html (GitHub Pages does the same), and so does any path outside the prefix."""

    prefix = "/"

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return os.path.join(self.directory, "\0outside-the-site")  # no such file: 404
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(directory: Path, prefix: str = "/"):
    """Serve `directory` on 127.0.0.1 under the URL path `prefix`; returns (server, site URL)."""
    handler = functools.partial(type("Handler", (SiteHandler,), {"prefix": prefix}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


@pytest.fixture(scope="session")
def site_url(built_site):  # tests/conftest.py: fails when site/ is missing or older than its sources
    server, url = serve(built_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def deploy_url(deploy_site):
    """The deploy-style build (handbook/site_build.py) served as GitHub Pages serves a project: under /handbook/."""
    server, url = serve(deploy_site, urlparse(DEPLOY_URL).path)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium-headless-shell)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


SEARCH_INDEX = "search/search_index.json"


class PageRecorder:
    """Console errors, uncaught page errors, blocked outside requests and local requests that failed
    (an asset answered 4xx/5xx or not at all) seen by one page. A page's own document may be a 404 on
    purpose (the 404 page): `expect_document_status` says so.

    `small_index`: the page's search worker gets the site's search index with its documents left out (the
    same config, so the same code runs) instead of the whole 390 kB of text, which the worker would index
    again on every page load (about 0.8 s of CPU each). The pages do not change with it; the real index is
    loaded, indexed and searched, in both themes, by tests/site/browser/test_search.py."""

    def __init__(self, page, local_host: str, small_index: bool = False):
        self.page = page
        self.small_index = small_index
        self.small_index_served = 0
        self.requested = []  # every URL the page or its workers asked for, in order
        self.console_errors = []
        self.page_errors = []
        self.outside_requests = []
        self.failed_requests = []
        self.missing_document = None
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", self._response)
        page.on(
            "requestfailed",
            lambda request: (
                request.url not in self.outside_requests
                and self.failed_requests.append(f"{request.url}: {request.failure}")
            ),
        )
        page.route("**/*", self._route(local_host))

    def expect_missing_document(self, url: str):
        self.missing_document = url

    def _console(self, msg):
        if msg.type != "error":
            return
        # Chromium reports the 404 page's own status as a console error: that one is expected.
        if self.missing_document and msg.location.get("url") == self.missing_document and "404" in msg.text:
            return
        self.console_errors.append(msg.text)

    def _response(self, response):
        if response.status >= 400 and response.url != self.missing_document:
            self.failed_requests.append(f"{response.url}: {response.status}")

    def _route(self, local_host):
        def handle(route):
            url = route.request.url
            self.requested.append(url)
            if self.small_index and urlparse(url).hostname == local_host and url.endswith("/" + SEARCH_INDEX):
                response = route.fetch()
                config = json.loads(response.body())["config"]
                route.fulfill(response=response, json={"config": config, "docs": []})
                self.small_index_served += 1
            elif urlparse(url).scheme in ("data", "blob") or urlparse(url).hostname == local_host:
                route.continue_()
            else:
                self.outside_requests.append(url)
                route.abort()

        return handle

    def assert_clean(self):
        assert not self.page_errors, self.page_errors
        assert not self.console_errors, self.console_errors
        assert not self.outside_requests, self.outside_requests
        assert not self.failed_requests, self.failed_requests

    def screenshot(self, name: str):
        """A picture for people (no test reads it): the first screen of the page, or the whole page when
        FULL_SCREENSHOTS=1 (a whole long page costs 3-7 s to render and encode, the first screen 0.2-0.3 s)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=FULL_SCREENSHOTS)
        return path


SCHEMES = ["light", "dark"]


@pytest.fixture(scope="session")
def scheme_contexts(browser):
    """One browser context per (site, colour scheme), made when first asked for: tabs of one context share
    its renderer processes. Material follows prefers-color-scheme on first visit."""
    contexts = {}

    def get(scheme: str, base: str):
        if (scheme, base) not in contexts:
            context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
            # A tab that stays open on the site: with it, the renderer process outlives each test's tab and the
            # next tab reuses it, instead of Chromium starting a new one per tab (about 0.75 s of CPU each).
            context.new_page().goto(base + "sitemap.xml")
            contexts[scheme, base] = context
        return contexts[scheme, base]

    yield get
    for context in contexts.values():
        context.close()


def open_tab(scheme_contexts, scheme: str, base: str, small_index: bool = True) -> PageRecorder:
    """A fresh tab in the shared context of `scheme`, recorded from its first request, its search worker fed
    the small index (PageRecorder)."""
    recorder = PageRecorder(scheme_contexts(scheme, base).new_page(), "127.0.0.1", small_index)
    recorder.scheme, recorder.base = scheme, base
    return recorder


@pytest.fixture(params=SCHEMES)
def color_scheme(request):
    return request.param


@pytest.fixture
def recorded_page(scheme_contexts, site_url, color_scheme):
    """A fresh tab in the given colour scheme."""
    recorder = open_tab(scheme_contexts, color_scheme, site_url)
    yield recorder
    recorder.page.close()


@pytest.fixture
def deploy_page(scheme_contexts, deploy_url):
    """A fresh tab (light scheme) on the deploy-style build served under its subpath."""
    recorder = open_tab(scheme_contexts, "light", deploy_url)
    yield recorder
    recorder.page.close()


# ------------------------------------------------------------------------------- one visit per page, scheme


def visit_params() -> list:
    from handbook.site_pages import page_id, site_pages

    return [pytest.param((scheme, md), id=f"{scheme}-{page_id(md)}") for scheme in SCHEMES for md in site_pages()]


class Visit:
    """One page of the site, opened once in one colour scheme: the tab (its recorder), the page's source
    under docs/, its URL path, the site's address it was opened under (`base`) and the document's HTTP status."""

    def __init__(self, recorder: PageRecorder, md, path: str, status: int):
        self.recorder, self.page, self.md, self.path, self.status = recorder, recorder.page, md, path, status
        self.scheme, self.base = recorder.scheme, recorder.base


VISIT_BUILD = {"light": "deploy_url", "dark": "site_url"}  # which build each scheme's visits open


def _start_visit(request, scheme_contexts, scheme: str, md) -> tuple:
    """A recorded tab of `scheme` sent to page `md`, returned once the navigation committed (the document's
    response is in), while the page goes on loading: (recorder, path, HTTP status)."""
    from handbook.site_pages import page_path

    base = request.getfixturevalue(VISIT_BUILD[scheme])
    recorder = open_tab(scheme_contexts, scheme, base)
    response = recorder.page.goto(base + page_path(md), wait_until="commit")
    return recorder, page_path(md), response.status


_started = {}  # (scheme, md) -> _start_visit's tuple, for the visit that comes next


@pytest.fixture(scope="session", params=visit_params())
def page_visit(request, scheme_contexts):
    """Every page of the site in each colour scheme, opened once (loaded: the load event fired) for all the tests
    that use this fixture; each test that takes it runs once per (scheme, page). Light: the deploy-style build under
    /handbook/; dark: site/ at the root (VISIT_BUILD).

    The next visit in visit_params' order starts loading in a tab of its own as this one is handed out: its
    renderer loads that page while this one's tests run (axe, most of all), so the browser's worker does not wait
    for each load in turn. Its recorder listens from its first request, as this one's did."""
    key = request.param
    recorder, path, status = _started.pop(key, None) or _start_visit(request, scheme_contexts, *key)
    order = [param.values[0] for param in visit_params()]
    for following in order[order.index(key) + 1 :][:1]:
        if following not in _started:
            _started[following] = _start_visit(request, scheme_contexts, *following)
    recorder.page.wait_for_load_state("load")
    yield Visit(recorder, key[1], path, status)
    recorder.page.close()
