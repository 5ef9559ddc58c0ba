"""The site as GitHub Pages serves a project: built with SITE_URL=https://docs.example.org/handbook/
(handbook/site_build.py, the suite's one extra build) and served under /handbook/ on loopback
(handbook/browser.py: deploy_url, deploy_page). Every page, the calculator's presets and
404.html's assets must load from under the subpath.

Every page is opened under the subpath by the light-theme visits of handbook/browser.py's page_visit, which
test_pages.py (renders cleanly: status 200, Material's stylesheet applied, no failed or outside request, no
console error), test_axe.py and test_accessibility.py read; the first test here checks that those visits are
the ones under the subpath."""

from urllib.parse import urlparse

from test_pages import check_not_found_page

from handbook.site_pages import site_pages
from handbook.snippets import load

reference_module = load("calculator/reference")
PRESETS, case, reference = reference_module.PRESETS, reference_module.case, reference_module.reference


def test_every_page_loads_under_the_subpath(request, deploy_url, site_url):
    """The light visits open every page of the deploy-style build under /handbook/, the dark ones site/ at the
    root; a visit's checks (test_pages.py) then hold under both addresses."""
    from handbook.browser import VISIT_BUILD, visit_params

    assert {scheme: request.getfixturevalue(name) for scheme, name in VISIT_BUILD.items()} == {
        "light": deploy_url,
        "dark": site_url,
    }
    assert urlparse(deploy_url).path == "/handbook/" and urlparse(site_url).path == "/"
    visited = {param.values[0] for param in visit_params()}
    assert visited == {(scheme, md) for scheme in VISIT_BUILD for md in site_pages()}


def test_the_calculator_loads_its_presets_under_the_subpath(deploy_page):
    page = deploy_page.page
    assert page.goto(deploy_page.base + "calculator/?width=640&height=480", wait_until="load").status == 200
    page.wait_for_selector("#qwen-calculator[data-ready='true']")
    options = page.eval_on_selector_all("#calc-model option", "options => options.map(o => o.value)")
    assert sorted(options) == sorted(PRESETS)
    expected = reference(case("qwen2.5-vl", 480, 640))
    assert page.inner_text("#calc-tokens") == f"{expected['tokens']:,}"
    deploy_page.assert_clean()


def test_the_404_page_loads_its_assets_under_the_subpath(deploy_page):
    check_not_found_page(deploy_page, deploy_page.base + "no-such-page/")
    deploy_page.screenshot("404-under-subpath-light")
