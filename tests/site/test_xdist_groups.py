"""The tests that share one expensive run are kept on one pytest worker: `make test` runs pytest with
`--dist loadgroup`, and each `xdist_group` (a page visit in handbook/browser.py, a snippet's copied run in
test_snippets.py) must reach xdist's scheduler, as the `@<group>` suffix of the test's node id
(tests/conftest.py, pytest_collection_modifyitems)."""

import pytest


@pytest.mark.xdist_group("grouping-check")
def test_an_xdist_group_reaches_the_scheduler(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("pytest runs without --dist loadgroup here (make test runs it with)")
    assert request.node.nodeid.endswith("@grouping-check"), (
        f"{request.node.nodeid}: no group suffix, so --dist loadgroup spreads this group over the workers"
    )
