"""Ledger entries for the analysis' conclusion."""

from handbook.claims import Claim, Result
from handbook.claims.coordinate_prediction import CITED_721, LARGE, SMALL, processed, windowed_minus_full
from handbook.snippets import load

sweep = load("optimal_image_sizes/sweep")
FULL_WINDOW, WINDOW, layout = sweep.FULL_WINDOW, sweep.WINDOW, sweep.layout

SMALL_SIDES = range(28, WINDOW + 1, 28)


def _small_sides_single_window() -> list:
    """Square sides up to one window whose partition is not a single window of every patch (should be none)."""
    bad = []
    for side in SMALL_SIDES:
        r = layout(side, side)
        if r["windows"] != 1 or r["per_window"][0] != r["tokens"]:
            bad.append(side)
    return bad


def check_designed_for_medium_to_large() -> Result:
    """Computed: do the windows treat small inputs differently (anything but one window equal to full attention)?"""
    bad = _small_sides_single_window()
    difference = windowed_minus_full(SMALL)
    verdict = "refuted" if not bad and difference == 0.0 else "partly true"
    return Result(
        verdict,
        f"The windows put no floor on image size: every square input of side {', '.join(map(str, SMALL_SIDES))} px "
        f"becomes one window holding the whole image, so windowed layers compute exactly full attention (tiny encoder "
        f"at {SMALL}x{SMALL}: windowed minus full = {difference:g}). Whatever makes small images weak is not the "
        "window mechanism.",
    )


def check_not_enough_context_for_windows(side: int = SMALL) -> Result:
    windows, difference = processed(side)["window_patches"], windowed_minus_full(side)
    verdict = "refuted" if len(windows) == 1 and difference == 0.0 else "partly true"
    return Result(
        verdict,
        (
            f"At {side}x{side} there are {len(windows)} window(s) of {windows} patches, "
            f"all real, and windowed minus full attention is {difference:g}: "
            + (
                "the windows function exactly as full attention. "
                if verdict == "refuted"
                else "windows change the output. "
            )
            + f"What a small image lacks is tokens: {processed(SMALL)['tokens']} at {SMALL}x{SMALL} versus "
            f"{processed(LARGE)['tokens']} at {LARGE}x{LARGE}."
        ),
    )


def check_degraded_by_windows(side: int = SMALL) -> Result:
    """The computed part of 'leading to degraded performance': does the window mechanism change anything here?"""
    difference = windowed_minus_full(side)
    return Result(
        "confirmed" if difference != 0.0 else "refuted",
        (
            f"The window mechanism {'changes the output' if difference else 'changes nothing'} at {side}x{side}: a tiny "
            f"encoder's windowed minus full attention = {difference:g}, so it cannot be what degrades small images."
            if not difference
            else f"At {side}x{side} windowed minus full attention = {difference:.2g}."
        ),
    )


def cited_degraded_coordinate_prediction() -> Result:
    return Result("confirmed", CITED_721)


def check_17x17_patches(side: int = LARGE) -> Result:
    patches = tuple(processed(side)["grid"][0, 1:].tolist())
    tokens = processed(side)["token_grid"]
    return Result(
        "confirmed" if patches == (17, 17) else "refuted",
        (
            f"{side}x{side} is {patches[0]}x{patches[1]} patches; {tokens[0]}x{tokens[1]} is the grid of merged tokens "
            f"(section 3 of the analysis itself says 34x34 patches → 17x17 after merge)."
        ),
    )


def check_demo_476(side: int = LARGE) -> Result:
    """The same fact as section 3's 'FITS NATURALLY': does the grid divide into full windows?"""
    r = layout(side, side)
    tokens = processed(side)["token_grid"]
    fits = r["full_share"] == 1
    partial = sum(n != FULL_WINDOW for n in r["per_window"])
    return Result(
        "confirmed" if fits else "refuted",
        (
            f"{side}x{side} is {tokens[0]}x{tokens[1]} LLM tokens in {r['windows']} windows, {partial} of them partial "
            f"(a full window holds {FULL_WINDOW} tokens; the smallest here holds {r['smallest']}). What it has that "
            f"{SMALL}x{SMALL} lacks is tokens: {r['tokens']} versus {processed(SMALL)['tokens']}."
        ),
    )


def check_demo_84(side: int = SMALL) -> Result:
    small = processed(side)
    rows, cols = small["grid"][0, 1:].tolist()
    padding = int((small["window_index"] < 0).sum())
    verdict = "confirmed" if padding > small["tokens"] else "refuted"  # a consequence: what attention sees
    return Result(
        verdict,
        (
            f"The patch count is {'right' if (rows, cols) == (6, 6) else 'not right'} ({rows}x{cols} patches); what "
            f"attention sees holds {padding} padding entries for {small['tokens']} real merged tokens, in "
            f"{len(small['window_patches'])} window(s) of {small['window_patches']} patches."
        ),
    )


PT = ("partly true", "refuted")
CR = ("confirmed", "refuted")
CLAIMS = [
    Claim(
        "c-designed-for-medium-to-large",
        "conclusion",
        "Qwen2.5-VL is architecturally designed for medium-to-large images due to its fixed windowed attention "
        "mechanism",
        check_designed_for_medium_to_large,
        verdicts=PT,
    ),
    Claim(
        "c-not-enough-context",
        "conclusion",
        "Small images don't provide enough spatial context for the attention windows to function properly",
        check_not_enough_context_for_windows,
        verdicts=PT,
    ),
    Claim(
        "c-degraded-by-windows",
        "conclusion",
        "... leading to [i.e. because of the windows] degraded performance on spatial reasoning tasks",
        check_degraded_by_windows,
        verdicts=CR,
    ),
    Claim(
        "c-degraded-coordinate-prediction",
        "conclusion",
        "[Small images lead to] degraded performance on spatial reasoning tasks like coordinate prediction",
        cited_degraded_coordinate_prediction,
        basis="cited",
        verdicts=("confirmed",),
    ),
    Claim("c-17x17-patches", "conclusion", "476x476 images (17×17 patches ...)", check_17x17_patches, verdicts=CR),
    Claim(
        "c-demo-476-fits",
        "conclusion",
        "our demo needed 476x476 images (... → fits 4×4 windows well)",
        check_demo_476,
        verdicts=CR,
    ),
    Claim(
        "c-demo-84-padding",
        "conclusion",
        "rather than 84x84 images (6×6 patches → mostly padding in 4×4 windows)",
        check_demo_84,
        verdicts=CR,
    ),
]
