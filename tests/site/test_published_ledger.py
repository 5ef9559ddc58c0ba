"""The published ledger, site/claims.json: every claim with the verdict its check computed in this build, and
every evidence link lands on a page and an anchor of the built site."""

import json
from urllib.parse import urlsplit

import pytest

from handbook import claims
from handbook.paths import ROOT, SITE


def built_ledger() -> list:
    path = SITE / "claims.json"
    if not path.exists():
        pytest.fail("site/claims.json is missing: run `make test` (it builds the site first)")
    return json.loads(path.read_text())


def test_claims_json_lists_every_claim_with_its_verdict():
    records = built_ledger()
    assert [r["id"] for r in records] == [c.id for c in claims.all_claims()]
    for record, claim in zip(records, claims.all_claims()):
        assert {"id", "section", "claim", "verdict", "basis", "evidence"} <= set(record)
        assert (record["section"], record["claim"], record["basis"]) == (claim.section, claim.claim, claim.basis)
        assert record["verdict"] == claims.evaluate(claim).verdict


def test_every_evidence_url_has_its_page_and_anchor_in_the_site():
    from mkdocs.config import load_config

    site_url = load_config(str(ROOT / "mkdocs.yml")).site_url or ""
    root_path = urlsplit(site_url).path
    for record in built_ledger():
        url = urlsplit(record["evidence"])
        assert record["evidence"].startswith(site_url) and url.path.startswith(root_path), record["evidence"]
        html = SITE / url.path[len(root_path) :] / "index.html"
        assert html.is_file(), f"{record['id']}: no page {html}"
        assert f'id="{url.fragment}"' in html.read_text(), f"{record['id']}: no anchor #{url.fragment} in {html}"
