"""Browser fixtures: the built site served on 127.0.0.1 and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by `make test`).
Every request to a host other than the local server is aborted and recorded, so a test can assert
that a page asked for nothing from outside the site.
"""

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  # Chromium itself resolves no host name but the local server's (offline, see tools/offline/run).
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail("site/ is not built: run `make test`, which builds it first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


class PageRecorder:
    """Console errors, uncaught page errors and blocked outside requests seen by one page."""

    def __init__(self, page, local_host: str):
        self.page = page
        self.console_errors = []
        self.page_errors = []
        self.outside_requests = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.context.route("**/*", self._route(local_host))

    def _route(self, local_host):
        def handle(route):
            url = route.request.url
            if urlparse(url).scheme in ("data", "blob") or urlparse(url).hostname == local_host:
                route.continue_()
            else:
                self.outside_requests.append(url)
                route.abort()
        return handle

    def assert_clean(self):
        assert not self.page_errors, self.page_errors
        assert not self.console_errors, self.console_errors
        assert not self.outside_requests, self.outside_requests

    def screenshot(self, name: str):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(params=["light", "dark"])
def color_scheme(request):
    return request.param


@pytest.fixture
def recorded_page(browser, site_url, color_scheme):
    """A fresh page in the given colour scheme (Material follows prefers-color-scheme on first visit)."""
    context = browser.new_context(color_scheme=color_scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    recorder = PageRecorder(page, "127.0.0.1")
    recorder.scheme = color_scheme
    recorder.base = site_url
    yield recorder
    context.close()
