"""Ledger entries for section 5 of the analysis, "Attention Window Processing".

The checks read the windows that the installed `get_vision_window_index` forms (snippets
`window_padding/trace.py`, `attention_windows/occupancy.py`), the blocks' attention segments
(`attention_windows/schedule.py`) and the window-versus-full experiment on a tiny random-weight model
(`attention_windows/equivalence.py`).
"""

from transformers.vision_utils import get_vision_window_index

from handbook.claims import Claim, Result
from handbook.claims.window_padding import check_fits, grid_claim, padding_description
from handbook.claims.window_size_calculation import ANALYSIS_FILE
from handbook.excerpts import statement
from handbook.snippets import load

_trace = load("window_padding/trace")
_occupancy = load("attention_windows/occupancy")
checks, trace = _trace.checks, _trace.trace
ANALYSIS_REAL_PERCENT, matches = _occupancy.ANALYSIS_REAL_PERCENT, _occupancy.matches
segments_per_block = load("attention_windows/schedule").segments_per_block
compare = load("attention_windows/equivalence").compare
OLD_VERSION = load("versions/window_index_4_52_4").OLD_VERSION

EQUIVALENCE_SIZES = ((28, 28), (84, 84), (112, 112), (140, 140), (224, 224))


def check_fixed_4x4(side: int = 476) -> Result:
    tr = trace(side, side)
    blocks = segments_per_block()
    full = [i for i, segments in enumerate(blocks) if len(segments) == 1]
    evidence = (
        f"Windows are at most {tr.window_side}x{tr.window_side} merged tokens (largest at {side}x{side}: "
        f"{max(tr.window_tokens)} tokens); window sizes there: {sorted(set(tr.window_tokens))} tokens; an 84x84 "
        f"image is one window of {trace(84, 84).window_tokens[0]}; and blocks {full} of {len(blocks)} attend "
        f"across the whole image."
    )
    if tr.window_side != 4 or max(tr.window_tokens) != 16:
        return Result("refuted", evidence)
    fixed = min(tr.window_tokens) == max(tr.window_tokens) and not full
    return Result("confirmed" if fixed else "partly true", evidence)


def check_84_padded_to_4x4(side: int = 84) -> Result:
    """The same fact as section 3's 'NEEDS PADDING', judged by the same rule (`padding_description`)."""
    result = padding_description(side)
    tr = trace(side, side)
    return Result(
        result.verdict,
        result.evidence
        + (
            f" The window holds {tr.window_tokens[0]} merged tokens ({tr.window_patches[0]} patches), not "
            f"{tr.window_side**2}."
            if len(tr.window_tokens) == 1
            else ""
        ),
    )


def readings_of(side: int) -> dict:
    """occupancy.py's readings() for one size, from the trace alone (a test checks they agree)."""
    tr = trace(side, side)
    real = tr.merged[0] * tr.merged[1]
    capacity = tr.window_side**2
    return {
        "real tokens / padded index grid (area)": 100 * real / tr.padded_index.size,
        "real side / padded side (one dimension)": 100 * tr.merged[0] / tr.padded_index.shape[0],
        "real tokens / (windows x capacity)": 100 * real / (len(tr.window_tokens) * capacity),
        "real tokens inside the windows the blocks use": 100 * real / sum(tr.window_tokens),
    }


def percent_claim(side: int):
    """A consequence: judged on what the windows attention uses hold."""

    def check(side=side) -> Result:
        tr = trace(side, side)
        found = [name for name, value in readings_of(side).items() if matches(value, side)]
        real = readings_of(side)["real tokens inside the windows the blocks use"]
        padding = int((tr.window_index == tr.pad_value).sum())
        verdict = "confirmed" if padding and matches(real, side) else "refuted"
        return Result(
            verdict,
            (
                f"The {len(tr.window_tokens)} window(s) at {side}x{side} hold {tr.merged[0] * tr.merged[1]} real merged "
                f"tokens and {padding} padding: {real:.0f}% real. ~{ANALYSIS_REAL_PERCENT[side]}% is reproduced only by "
                f"{'; '.join(found) if found else 'none of the readings tried'} "
                f"(attention_windows/occupancy.py shows each reading)."
            ),
        )

    return check


def check_corrupted_by_padding(sizes=EQUIVALENCE_SIZES) -> Result:
    results = [compare(*size) for size in sizes]
    one_window = [r for r in results if r["windows"] == 1]
    several = [r for r in results if r["windows"] > 1]
    no_padding = all(checks(trace(*r["size"]))["no pad value in window_index"] for r in results)
    equal_when_one_window = all(r["identical"] for r in one_window)
    listed = ", ".join(f"{r['size'][0]}x{r['size'][1]}" for r in one_window)
    differ = ", ".join(f"{r['size'][0]}x{r['size'][1]}: {r['max_abs_diff']:.2g}" for r in several)
    # Two findings, a sentence each: no padding value reaches attention, and windows alone explain any difference.
    padding = f"{'No' if no_padding else 'A'} `-100` reaches `window_index` at the sizes tried."
    windows = (
        f"With the same random weights, the config's window blocks and all-full attention give "
        f"{'bit-identical' if equal_when_one_window else 'different'} outputs for every one-window image ({listed}); "
        f"outputs differ only once an image spans several windows (max abs difference {differ}), where windows, not "
        "padding, limit who attends to whom."
    )
    corrupted = not (no_padding and equal_when_one_window)
    return Result("confirmed" if corrupted else "refuted", f"{padding} {windows}")


def check_coherent(side: int = 476) -> Result:
    """'Attention patterns remain coherent' (476x476), in the one sense code can check: no padding in attention."""
    tr = trace(side, side)
    found = checks(tr)
    clean = found["no pad value in window_index"] and found["windows add up to the patches"]
    return Result(
        "confirmed" if clean else "refuted",
        (
            f"At {side}x{side} every one of the {len(tr.window_patches)} windows holds only real patches "
            f"({sum(tr.window_patches)} of {tr.patches}), so nothing corrupts attention; but the same holds at 84x84, "
            f"so it marks no difference between the two sizes. Whether trained attention is 'coherent' is not computed."
            if clean
            else f"At {side}x{side} padding entries reach the windows attention uses."
        ),
    )


def check_lines_455_467(source=ANALYSIS_FILE) -> Result:
    """Rule for line citations: the cited lines, in the analysis' release, hold what the analysis says they do."""
    lines = source.read_text().splitlines()  # FileNotFoundError if make did not install 4.52.4: loud
    cited = lines[455 - 1 : 467]
    enclosing = next((line.strip() for line in reversed(lines[:455]) if line.lstrip().startswith("def ")), "")
    partitions = any("permute(0, 1, 3, 2, 4)" in line for line in cited) and any(
        "vit_merger_window_size" in line for line in cited
    )
    now = statement(get_vision_window_index, r"permute\(0, 1, 3, 2, 4\)")
    what = (
        "reshape and permute the -100-padded index grid into windows of vit_merger_window_size x "
        "vit_merger_window_size merged tokens"
        if partitions
        else "do not form the windows"
    )
    release = f"transformers {OLD_VERSION}" if source == ANALYSIS_FILE else f"`{source.name}` of another release"
    evidence = (
        f"In {release}, lines 455-467 of `{source.name}` lie in `{enclosing}` and "
        f"{what}: index bookkeeping, not attention. In {now.version} the same step is `{now.repo_path}` "
        f"line {now.first}."
    )
    return Result("confirmed" if partitions and "get_window_index" in enclosing else "refuted", evidence)


CR = ("confirmed", "refuted")
CLAIMS = [
    Claim(
        "s5-lines-455-467",
        "5",
        "Lines 455-467 [are where the model processes images in 4x4 windows]",
        check_lines_455_467,
        verdicts=CR,
    ),
    Claim(
        "s5-fixed-4x4-windows",
        "5",
        "The model processes images in fixed 4x4 windows after spatial merging",
        check_fixed_4x4,
        verdicts=("confirmed", "partly true", "refuted"),
    ),
    Claim("s5-84-grids", "5", "84x84 → 6x6 patches → 3x3 after merge", grid_claim(84, (6, 6), (3, 3)), verdicts=CR),
    Claim(
        "s5-84-pad-to-4x4",
        "5",
        "Need 4x4 window → pad with -100 tokens",
        check_84_padded_to_4x4,
        verdicts=("confirmed", "partly true", "refuted"),
    ),
    Claim("s5-84-56-percent-real", "5", "Window contains: ~56% real data, 44% padding", percent_claim(84), verdicts=CR),
    Claim(
        "s5-attention-corrupted",
        "5",
        "Attention patterns get corrupted by padding",
        check_corrupted_by_padding,
        verdicts=CR,
    ),
    Claim(
        "s5-476-grids",
        "5",
        "476x476 → 34x34 patches → 17x17 after merge",
        grid_claim(476, (34, 34), (17, 17)),
        verdicts=CR,
    ),
    Claim("s5-476-fits-efficiently", "5", "17x17 fits into 4×4 windows efficiently", check_fits, verdicts=CR),
    Claim(
        "s5-476-85-percent-real", "5", "Windows contain: ~85% real data, 15% padding", percent_claim(476), verdicts=CR
    ),
    Claim("s5-attention-coherent", "5", "Attention patterns remain coherent", check_coherent, verdicts=CR),
]
