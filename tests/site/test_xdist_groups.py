"""The tests that share one expensive run are kept on one pytest worker: `make test` runs pytest with
`--dist loadgroup`, and each `xdist_group` (a snippet's copied run in test_snippets.py, the calculator's node
process) must reach xdist's scheduler, as the `@<group>` suffix of the test's node id; every test that uses the
browser goes in the one group `browser`, so that one worker runs them with one Chromium (tests/conftest.py,
pytest_collection_modifyitems)."""

import pytest


@pytest.mark.xdist_group("grouping-check")
def test_an_xdist_group_reaches_the_scheduler(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("pytest runs without --dist loadgroup here (make test runs it with)")
    assert request.node.nodeid.endswith("@grouping-check"), (
        f"{request.node.nodeid}: no group suffix, so --dist loadgroup spreads this group over the workers"
    )


@pytest.mark.xdist_group("grouping-check")
def test_a_browser_test_joins_the_browser_group(request, browser):
    """Its own marks (here `grouping-check`) give way: every test that uses the browser is in one group."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("pytest runs without --dist loadgroup here (make test runs it with)")
    assert request.node.nodeid.endswith("@browser"), request.node.nodeid
