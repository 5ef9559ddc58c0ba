"""The conclusion: its prose numbers are the computed ones, and its verdict table, counts and whole ledger list
every claim with the verdict the ledger computes."""

import re

from handbook.claims import all_claims, badge, evaluate, verdict_counts
from handbook.page_tests import fence_output
from handbook.paths import DOCS
from handbook.snippets import load

PAGE = "chapters/conclusion.md"


def test_conclusion_prose_numbers_are_the_computed_ones():
    layout = load("optimal_image_sizes/sweep").layout
    visual_tokens = load("coordinate_prediction/tokens").visual_tokens
    gc = load("coordinate_prediction/recipe")

    text = " ".join((DOCS / PAGE).read_text().split())  # the prose, line breaks as spaces
    small, large = visual_tokens(84), visual_tokens(476)
    r476 = layout(476, 476)
    partial = round(r476["windows"] * (1 - r476["full_share"]))
    assert (
        f"It is {large['patches'][0]}x{large['patches'][1]} patches, {large['tokens'][0]}x{large['tokens'][1]} "
        f"tokens and {r476['windows']} windows, {partial} of them partial"
    ) in text
    n_small, n_large = small["tokens"][0] * small["tokens"][1], large["tokens"][0] * large["tokens"][1]
    assert f"{n_small} visual tokens for 84x84 against {n_large} for 476x476" in text
    assert (
        f"a {small['tokens'][0]}x{small['tokens'][1]} grid of positions against "
        f"{large['tokens'][0]}x{large['tokens'][1]}"
    ) in text
    assert f"a coordinate frame of {small['resized'][0]}x{small['resized'][1]} pixels" in text
    assert f"`{gc.MIN_PIXELS // 784}*28*28` gives at least {gc.visual_tokens(*gc.model_input_size(10, 10))}" in text


def test_verdict_table_has_a_row_per_conclusion_claim_with_its_verdict():
    out = fence_output(PAGE, "conclusion-verdicts")
    mine = [claim for claim in all_claims() if claim.section == "conclusion"]
    assert len(mine) == 7
    for claim in mine:
        (row,) = [line for line in out.splitlines() if f'<span id="{claim.anchor}"></span>`{claim.id}`' in line]
        assert badge(evaluate(claim).verdict) in row, claim.id


def test_counts_add_up_to_the_ledger():
    out = fence_output(PAGE, "conclusion-counts")
    assert out.startswith(f"{len(all_claims())} claims.\n")
    for basis in ("computed", "cited"):
        listed = re.search(rf"- {basis.capitalize()}: (.*)\.", out).group(1)
        numbers = {verdict: int(n) for n, verdict in re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", listed)}
        assert numbers == {verdict: n for verdict, n in verdict_counts(basis).items() if n}


def test_whole_ledger_lists_every_claim():
    out = fence_output(PAGE, "conclusion-ledger")
    assert len(out.strip().splitlines()) == 2 + len(all_claims())
    for claim in all_claims():
        (row,) = [line for line in out.splitlines() if f"[`{claim.id}`](" in line]
        assert badge(evaluate(claim).verdict) in row and f"#{claim.anchor})" in row, claim.id
