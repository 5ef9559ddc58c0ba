"""Ledger entries for section 7 of the analysis, "Optimal Image Sizes"."""

from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

from handbook.claims import Claim, Result
from handbook.claims.coordinate_prediction import CITED_721, REPORT
from handbook.snippets import load

sweep = load("optimal_image_sizes/sweep")
FACTOR, FULL_WINDOW, SIDES, WINDOW, layout = sweep.FACTOR, sweep.FULL_WINDOW, sweep.SIDES, sweep.WINDOW, sweep.layout

CLASS_DEFAULT = (56 * 56, 28 * 28 * 1280)  # Qwen2VLImageProcessor() bounds
CLAIMED = 112  # the analysis' multiple; the windows themselves come from the installed config
NAMED = (224, 336, 448, 560)


def check_works_best_at_multiples() -> Result:
    multiples = [side for side in SIDES if side % WINDOW == 0]
    full = [side for side in multiples if layout(side, side)["full_share"] == 1]
    moved = {
        side: smart_resize(side, side, FACTOR, *CLASS_DEFAULT)[0]
        for side in multiples
        if smart_resize(side, side, FACTOR, *CLASS_DEFAULT) != (side, side)
    }
    moved_text = ", ".join(f"{s}→{r}" for s, r in moved.items()) or "none"
    return Result(
        "unsupported",
        (
            f'"Works best" is a claim about accuracy, which needs the real model. What the code does with a multiple of '
            f"{WINDOW}: {len(full)} of the {len(multiples)} square multiples from {multiples[0]} to {multiples[-1]} fill "
            f"every attention window (released bounds), and nothing else changes: the same layers, the same attention "
            f"inside each window. The input side is not even what counts: with the class default max_pixels these "
            f"inputs are resized to other sides ({moved_text}). Cited: {REPORT} says regions smaller than "
            f"{WINDOW}x{WINDOW} are processed without padding; no source reports better accuracy at multiples of "
            f"{WINDOW}. {CITED_721}"
        ),
    )


def check_fits_cleanly() -> Result:
    squares = {side: layout(side, side) for side in SIDES}
    clean = [side for side, r in squares.items() if r["full_share"] == 1]
    multiples = [side for side in SIDES if side % CLAIMED == 0]
    verdict = "confirmed" if clean == multiples else "refuted"
    r448 = squares[448]
    return Result(
        verdict,
        (
            f"Over the square sweep {SIDES[0]}..{SIDES[-1]} px, every window is full exactly for {clean} "
            f"({'the' if clean == multiples else 'not the'} multiples of {CLAIMED}); e.g. 448x448 gives "
            f"{r448['windows']} windows of {FULL_WINDOW} tokens. Elsewhere the right and bottom windows are partial, "
            f"never padded in attention."
        ),
    )


def check_optimal_sizes(named=NAMED) -> Result:
    """The computed part: each named size passes the processor unchanged and fills every window."""
    rows = []
    kept_and_full = True
    for side in named:
        r = layout(side, side)
        kept = r["resized"] == (side, side) and smart_resize(side, side, FACTOR, *CLASS_DEFAULT) == (side, side)
        kept_and_full &= kept and r["full_share"] == 1
        rows.append(f"{side}: {r['tokens']} tokens, {r['windows']} full windows")
    r476 = layout(476, 476)
    verdict = "confirmed" if kept_and_full else "refuted"
    return Result(
        verdict,
        (
            f"{'Each passes' if kept_and_full else 'Not each passes'} the processor unchanged and fills every window "
            f"({'; '.join(rows)}). They differ from each other only in token count; the analysis' own 476x476 "
            f"({r476['tokens']} tokens) has {r476['full_share']:.0%} full windows."
        ),
    )


def cited_optimal_sizes() -> Result:
    return Result(
        "unsupported",
        (
            f'"Optimal" is a statement about accuracy, which needs the trained model; no source reports these sizes '
            f"doing better than others. {CITED_721}"
        ),
    )


CR = ("confirmed", "refuted")
CLAIMS = [
    Claim(
        "s7-works-best-multiples-112",
        "7",
        "The model works best when image dimensions are multiples of window_size = 112",
        check_works_best_at_multiples,
        basis="cited",
        verdicts=("unsupported",),
    ),
    Claim(
        "s7-fits-cleanly",
        "7",
        "After patch division (÷14) and spatial merge (÷2), the result fits cleanly into 4x4 windows",
        check_fits_cleanly,
        verdicts=CR,
    ),
    Claim(
        "s7-optimal-sizes-fill",
        "7",
        "[The sizes] 224x224, 336x336, 448x448, 560x560 [fill every window]",
        check_optimal_sizes,
        verdicts=CR,
    ),
    Claim(
        "s7-optimal-sizes",
        "7",
        "Optimal sizes: 224x224, 336x336, 448x448, 560x560, etc.",
        cited_optimal_sizes,
        basis="cited",
        verdicts=("unsupported",),
    ),
]
