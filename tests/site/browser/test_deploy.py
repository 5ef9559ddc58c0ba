"""The site as GitHub Pages serves a project: built with SITE_URL=https://docs.example.org/handbook/
(handbook/site_build.py, the suite's one extra build) and served under /handbook/ on loopback
(handbook/browser.py: deploy_url, deploy_page). Every page, the calculator's presets and
404.html's assets must load from under the subpath."""

import pytest
from test_pages import check_not_found_page

from handbook.site_pages import page_id, page_path, site_pages
from handbook.snippets import load

reference_module = load("calculator/reference")
PRESETS, case, reference = reference_module.PRESETS, reference_module.case, reference_module.reference


@pytest.mark.parametrize("md", site_pages(), ids=page_id)
def test_every_page_loads_under_the_subpath(deploy_page, md):
    page = deploy_page.page
    assert page.goto(deploy_page.base + page_path(md), wait_until="load").status == 200
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    deploy_page.assert_clean()


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
