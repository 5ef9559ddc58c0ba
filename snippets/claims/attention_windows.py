"""Ledger entries for section 5 of the analysis, "Attention Window Processing".

The checks read the windows that the installed `get_vision_window_index` forms (`padding_trace`,
`window_occupancy`), the blocks' attention segments (`block_schedule`) and the window-versus-full
experiment on a tiny random-weight model (`window_equivalence`).
"""

from claims import Claim, Result
from block_schedule import segments_per_block
from padding_trace import checks, trace
from window_equivalence import compare
from window_occupancy import ANALYSIS_REAL_PERCENT, matches, occupancy, readings
from source_excerpt import statement
from transformers.vision_utils import get_vision_window_index
from window_index_4_52_4 import OLD_DIR, OLD_VERSION

EQUIVALENCE_SIZES = ((28, 28), (84, 84), (112, 112), (140, 140), (224, 224))


def check_fixed_4x4() -> Result:
    tr = trace(476, 476)
    blocks = segments_per_block()
    full = [i for i, segments in enumerate(blocks) if len(segments) == 1]
    evidence = (f"Windows are at most {tr.window_side}x{tr.window_side} merged tokens (largest at 476x476: "
                f"{max(tr.window_tokens)} tokens), but not fixed: the edge windows there hold "
                f"{sorted(set(tr.window_tokens))[:-1]} tokens, an 84x84 image is one window of "
                f"{trace(84, 84).window_tokens[0]}; and blocks {full} of {len(blocks)} attend across the whole image.")
    if tr.window_side != 4 or max(tr.window_tokens) != 16:
        return Result("refuted", evidence)
    fixed = min(tr.window_tokens) == max(tr.window_tokens) and not full
    return Result("confirmed" if fixed else "partly true", evidence)


def check_84_padded_to_4x4() -> Result:
    tr = trace(84, 84)
    padded = tr.window_tokens[0] == tr.window_side ** 2 and not checks(tr)["no pad value in window_index"]
    return Result("confirmed" if padded else "refuted", (
        f"The 84x84 image's only window holds {tr.window_tokens[0]} merged tokens ({tr.window_patches[0]} patches), "
        f"not {tr.window_side ** 2}: the {checks(tr)['pad entries in the index grid']} `-100` entries of the index "
        f"grid are removed before the window is formed."))


def _percent_claim(side: int):
    def check() -> Result:
        o = occupancy(side)
        found = [name for name, values in readings().items() if matches(values[side], side)]
        real = readings()["real tokens inside the windows the blocks use"][side]
        verdict = "confirmed" if o["padding_in_windows"] and matches(real, side) else "refuted"
        return Result(verdict, (
            f"The {o['windows']} window(s) at {side}x{side} hold {o['tokens']} real merged tokens and "
            f"{o['padding_in_windows']} padding: {real:.0f}% real. ~{ANALYSIS_REAL_PERCENT[side]}% is reproduced only by "
            f"{'; '.join(found) if found else 'none of the readings tried'} "
            f"(window_occupancy.py shows each reading)."))
    return check


def check_corrupted_by_padding() -> Result:
    results = [compare(*size) for size in EQUIVALENCE_SIZES]
    one_window = [r for r in results if r["windows"] == 1]
    several = [r for r in results if r["windows"] > 1]
    no_padding = all(checks(trace(*r["size"]))["no pad value in window_index"] for r in results)
    equal_when_one_window = all(r["identical"] for r in one_window)
    listed = ", ".join(f"{r['size'][0]}x{r['size'][1]}" for r in one_window)
    differ = ", ".join(f"{r['size'][0]}x{r['size'][1]}: {r['max_abs_diff']:.2g}" for r in several)
    evidence = (f"No `-100` reaches `window_index` at any size tried. With the same random weights, the config's window "
                f"blocks and all-full attention give {'bit-identical' if equal_when_one_window else 'different'} outputs "
                f"for every one-window image ({listed}); outputs differ only once an image spans several windows "
                f"(max abs difference {differ}), where windows, not padding, limit who attends to whom.")
    corrupted = not (no_padding and equal_when_one_window)
    return Result("confirmed" if corrupted else "refuted", evidence)


def check_lines_455_467() -> Result:
    """The analysis cites lines 455-467 for the window processing: read them in its own release."""
    old_file = OLD_DIR / "transformers" / "models" / "qwen2_5_vl" / "modeling_qwen2_5_vl.py"
    lines = old_file.read_text().splitlines()  # FileNotFoundError if make did not install 4.52.4: loud
    cited = lines[455 - 1:467]
    enclosing = next(line.strip() for line in reversed(lines[:455]) if line.lstrip().startswith("def "))
    partitions = any("permute(0, 1, 3, 2, 4)" in line for line in cited) and any(
        "vit_merger_window_size" in line for line in cited)
    now = statement(get_vision_window_index, r"permute\(0, 1, 3, 2, 4\)")
    what = ("reshape and permute the -100-padded index grid into windows of vit_merger_window_size x "
            "vit_merger_window_size merged tokens" if partitions else "do not form the windows")
    evidence = (f"In transformers {OLD_VERSION}, lines 455-467 of `modeling_qwen2_5_vl.py` lie in `{enclosing}` and "
                f"{what}: index bookkeeping, not attention. In {now.version} the same step is `{now.repo_path}` "
                f"line {now.first}.")
    return Result("confirmed" if partitions and "get_window_index" in enclosing else "refuted", evidence)


CLAIMS = [
    Claim("s5-lines-455-467", "5", "Lines 455-467 [are where the model processes images in 4x4 windows]",
          check_lines_455_467),
    Claim("s5-fixed-4x4-windows", "5", "The model processes images in fixed 4x4 windows after spatial merging",
          check_fixed_4x4),
    Claim("s5-84-pad-to-4x4", "5", "Need 4x4 window → pad with -100 tokens", check_84_padded_to_4x4),
    Claim("s5-84-56-percent-real", "5", "Window contains: ~56% real data, 44% padding", _percent_claim(84)),
    Claim("s5-476-85-percent-real", "5", "Windows contain: ~85% real data, 15% padding", _percent_claim(476)),
    Claim("s5-attention-corrupted", "5", "Attention patterns get corrupted by padding", check_corrupted_by_padding),
]
