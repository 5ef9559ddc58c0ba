"""axe-core on every page, in the light and the dark theme: no violation of any rule it runs (each page
opened once per theme for this module and its neighbours: handbook/browser.py, page_visit).

axe-core comes from axe-playwright-python, which ships axe.min.js inside the package, so the check runs
offline. It is injected into the page Chromium rendered and run on the whole document, with axe's default
rule set (WCAG 2.0/2.1/2.2 A and AA, plus best practices). Rules turned off, each with its reason:
"""

from axe_playwright_python.sync_playwright import Axe

# rule id -> why it is off. Empty: every rule axe runs by default must pass.
DISABLED_RULES: dict = {}

AXE = Axe()


def violations(page) -> list:
    options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in DISABLED_RULES}}
    found = AXE.run(page, options=options).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -- "
        + "; ".join(
            f"{' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}"
            for node in v["nodes"][:4]
        )
        + (f" (+{len(v['nodes']) - 4} more)" if len(v["nodes"]) > 4 else "")
        for v in found
    ]


def test_axe_finds_no_violation(page_visit):
    page, scheme = page_visit.page, page_visit.scheme
    assert page_visit.status == 200
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
    found = violations(page)
    assert not found, f"{scheme} theme:\n" + "\n".join(found)


def test_axe_catches_a_violation(browser, site_url):
    """The check can fail: text drawn in the background's colour breaks colour-contrast, and an image
    without alt text breaks image-alt."""
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    try:
        page.goto(site_url, wait_until="load")
        page.evaluate("""() => {
          const article = document.querySelector('article');
          const faint = document.createElement('p');
          faint.textContent = 'Hard to read';
          faint.style.color = '#f4f4f4';
          article.appendChild(faint);
          const img = document.createElement('img');
          img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
          article.appendChild(img);
        }""")
        rules = {line.split(" ", 1)[0] for line in violations(page)}
        assert {"color-contrast", "image-alt"} <= rules, rules
    finally:
        context.close()
