"""Pin the verdict of every claim in the ledger, and show the checks follow the installed code.

A change in transformers that flips a verdict turns this file red instead of silently changing a page.
Adding a claim to the ledger without pinning its verdict here also fails.
"""

import json
import subprocess
import sys

import pytest

import claims
from claims import VERDICTS, all_claims, as_records, evaluate, render_all, render_section

EXPECTED = {
    # Sections 1-2 (chapters 1-2)
    "s1-window-size-112": "confirmed",
    "s1-window-size-fixed": "partly true",
    "s1-patch-size-14": "confirmed",
    "s1-merge-size-2": "confirmed",
    "s2-formula": "confirmed",
    "s2-value-4": "confirmed",
    "s2-line-442": "partly true",
    "s2-at-least-4x4-patches": "refuted",
    # Sections 3-5 (chapters 3-5)
    "s3-pad-lines-450-451": "partly true",
    "s3-84-patches": "confirmed",
    "s3-84-merged": "confirmed",
    "s3-84-needs-padding": "partly true",
    "s3-minus-100-invalid-tokens": "partly true",
    "s3-mostly-padding": "refuted",
    "s3-476-patches": "confirmed",
    "s3-476-merged": "confirmed",
    "s3-476-fits-naturally": "refuted",
    "s3-476-minimal-padding": "refuted",
    "s4-2x2-into-one-token": "confirmed",
    "s4-halves-resolution": "partly true",
    "s4-small-even-smaller": "partly true",
    "s5-fixed-4x4-windows": "partly true",
    "s5-84-pad-to-4x4": "refuted",
    "s5-84-56-percent-real": "refuted",
    "s5-476-85-percent-real": "refuted",
    "s5-attention-corrupted": "refuted",
    "s5-lines-455-467": "confirmed",
    # Sections 6-7 and the conclusion
    "s6-relies-attention-patterns": "unsupported",
    "s6-positional-within-windows": "refuted",
    "s6-coherent-features": "unsupported",
    "s6-windows-mostly-padding": "refuted",
    "s6-spatial-obscured": "partly true",
    "s6-features-noisy": "unsupported",
    "s6-predictions-random": "unsupported",
    "s7-works-best-multiples-112": "unsupported",
    "s7-fits-cleanly": "confirmed",
    "s7-optimal-sizes": "partly true",
    "c-designed-for-medium-to-large": "refuted",
    "c-not-enough-context": "refuted",
    "c-degraded-coordinate-prediction": "partly true",
    "c-demo-476-fits": "refuted",
    "c-demo-84-padding": "refuted",
}


def test_every_claim_is_pinned():
    assert {claim.id for claim in all_claims()} == set(EXPECTED)


@pytest.mark.parametrize("claim", all_claims(), ids=lambda c: c.id)
def test_verdict(claim):
    result = evaluate(claim)
    assert result.verdict == EXPECTED[claim.id], result.evidence
    assert result.evidence.strip()


def test_claims_follow_the_analysis_order():
    order = list(claims.SECTION_PAGES)
    sections = [order.index(claim.section) for claim in all_claims()]
    assert sections == sorted(sections)


def test_section_table_has_one_anchored_row_per_claim():
    table = render_section("2")
    for claim in claims.claims_in("2"):
        assert f'<span id="claim-{claim.id}"></span>' in table
    assert table.count("\n") == 1 + len(claims.claims_in("2"))


def test_unknown_section_fails_loudly():
    with pytest.raises(LookupError):
        render_section("no such section")


def test_whole_ledger_links_each_claim_to_its_evidence():
    table = render_all("chapters/conclusion.md")
    for claim in all_claims():
        # From the built chapters/conclusion/ to e.g. chapters/2-window-size-calculation/#claim-...
        assert f"(../../{claim.page[:-3]}/#claim-{claim.id})" in table


def test_records_and_command_line():
    records = as_records("https://example.org/")
    assert records[0]["evidence"].startswith("https://example.org/chapters/1-fixed-window-size/#claim-")
    assert all(record["verdict"] in VERDICTS for record in records)
    printed = json.loads(subprocess.run([sys.executable, "snippets/claims", "--json"], capture_output=True,
                                        text=True, check=True).stdout)
    assert [r["id"] for r in printed] == [r["id"] for r in records]


def test_checks_follow_the_installed_config(monkeypatch):
    """With a different window size in the config, the window checks change their verdicts."""
    from transformers import Qwen2_5_VLVisionConfig

    import claims.fixed_window_size as s1
    import claims.window_size_calculation as s2
    import window_size_calculation as calc

    def patched(**kwargs):
        return Qwen2_5_VLVisionConfig(**{"window_size": 224, **kwargs})

    for module in (s1, s2, calc):
        monkeypatch.setattr(module, "Qwen2_5_VLVisionConfig", patched)
    assert s1.CLAIMS[0].check().verdict == "partly true"  # default 224, checkpoints 112
    assert s2.check_value().verdict == "refuted"  # 224 // 2 // 14 = 8
    assert s2.check_at_least_4x4_patches().verdict == "refuted"


def test_verdict_outside_the_vocabulary_is_rejected():
    bad = claims.Claim("x", "1", "x", lambda: claims.Result("plausible", "x"))
    with pytest.raises(ValueError):
        evaluate(bad)
