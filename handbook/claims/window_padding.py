"""Ledger entries for section 3 of the analysis, "Window Padding Logic".

Every check runs the installed `get_vision_window_index` on the grid the real processor gives (through
`trace` of snippets/window_padding/trace.py, which records the padded index grid and the window
boundaries), or a forward pass of a tiny encoder whose first block is watched by a hook.
"""

import torch
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_window_index

from handbook.claims import Claim, Result
from handbook.claims.window_size_calculation import line_citation
from handbook.excerpts import statement
from handbook.snippets import load

_trace, _layout = load("window_padding/trace"), load("spatial_merge/layout")
checks, processed, trace = _trace.checks, _trace.processed, _trace.trace
tiny_config, one_thread = _layout.tiny_config, _layout.one_thread

ANALYSIS_PAD_LINES = (
    "pad_h = vit_merger_window_size - llm_grid_h % vit_merger_window_size",
    "pad_w = vit_merger_window_size - llm_grid_w % vit_merger_window_size",
)


def grid_claim(side: int, patches: tuple = None, merged: tuple = None):
    """The processor's patch grid and/or merged-token grid for a side x side image."""

    def check(side=side) -> Result:
        tr = trace(side, side)
        got = {"patch grid": (tuple(tr.grid_thw[1:]), patches), "merged-token grid": (tuple(tr.merged), merged)}
        stated = {what: pair for what, pair in got.items() if pair[1] is not None}
        right = all(found == expected for found, expected in stated.values())
        listed = "; ".join(f"{what} {found[0]}x{found[1]}" for what, (found, _) in stated.items())
        return Result(
            "confirmed" if right else "refuted",
            f"The processor resizes {side}x{side} to {tr.resized[0]}x{tr.resized[1]}; {listed} "
            f"(`image_grid_thw` = {list(tr.grid_thw)}).",
        )

    return check


def padding_description(side: int = 84) -> Result:
    """Rule for descriptions of the code: what does the code pad, and does the padding reach the tokens?

    confirmed: padding entries reach what the blocks receive; partly true: the code pads, but only the index
    grid, and drops the entries before attention; refuted: nothing is padded."""
    tr = trace(side, side)
    found = checks(tr)
    pads_index = found["pad entries in the index grid"] > 0
    tokens_padded = not found["no pad value in window_index"] or sum(tr.window_patches) != tr.patches
    evidence = (
        f"At {side}x{side} the code pads the {tr.merged[0]}x{tr.merged[1]} index grid of merged-token numbers "
        f"by {tr.pad[0]} row(s) and {tr.pad[1]} column(s) to {tr.padded_index.shape[0]}x"
        f"{tr.padded_index.shape[1]} with `{tr.pad_value}` ({found['pad entries in the index grid']} entries); "
        f"the windows that attention uses hold {sum(tr.window_patches)} patches for the image's {tr.patches}: "
        f"{'padding reaches them' if tokens_padded else 'the padding entries are dropped first, no token is padded'}."
    )
    if tokens_padded:
        return Result("confirmed", evidence)
    return Result("partly true" if pads_index else "refuted", evidence)


def check_84_needs_padding(side: int = 84) -> Result:
    result = padding_description(side)
    others = {s: trace(s, s).pad for s in (112, 224, 476)}
    return Result(
        result.verdict,
        result.evidence
        + " The index grid of every size is padded (pad rows, columns: "
        + ", ".join(f"{s} px: {p[0]}, {p[1]}" for s, p in others.items())
        + "): nothing about 84x84 is special.",
    )


def check_minus_100(side: int = 84) -> Result:
    """'Padding fills with -100 (invalid tokens)': the value, and whether what it fills is tokens."""
    tr = trace(side, side)
    found = checks(tr)
    where = statement(get_vision_window_index, r"F\.pad\(")
    dropped = statement(get_vision_window_index, r"index_new\s*=")
    evidence = (
        f"`F.pad(..., {tr.pad_value})` (`{where.repo_path}` line {where.first}) pads a grid of merged-token "
        f"*numbers*, not tokens: {found['pad entries in the index grid']} entries at {side}x{side}. Line "
        f"{dropped.first} drops them (`{dropped.text.strip()}`): `window_index` contains "
        f"{'no' if found['no pad value in window_index'] else 'some'} {tr.pad_value} and is "
        f"{'a permutation' if found['window_index is a permutation'] else 'not a permutation'} of the "
        f"{tr.merged[0] * tr.merged[1]} real tokens."
    )
    if tr.pad_value != -100:
        return Result("refuted", evidence)
    invalid_tokens_reach_model = not (found["no pad value in window_index"] and found["window_index is a permutation"])
    return Result("confirmed" if invalid_tokens_reach_model else "partly true", evidence)


class _Seen(Exception):
    pass


def first_block_rows(side: int, model_class=Qwen2_5_VisionTransformerPretrainedModel) -> dict:
    """Rows the first block of a tiny encoder (installed config, small widths) receives for a side x side image,
    through the model's own forward pass; a forward pre-hook records them and stops the pass."""
    inputs = processed(side, side)
    torch.manual_seed(0)
    model = model_class(tiny_config()).eval()
    seen = {}

    def record(module, args, kwargs):
        seen.update(rows=args[0].shape[0], cu=kwargs["cu_seqlens"].tolist())
        raise _Seen

    hook = model.blocks[0].register_forward_pre_hook(record, with_kwargs=True)
    try:
        with torch.no_grad(), one_thread():
            model(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"])
    except _Seen:
        pass
    finally:
        hook.remove()
    return {**seen, "patches": int(inputs["image_grid_thw"].prod())}


def _what_the_model_sees(side: int) -> tuple:
    seen = first_block_rows(side)
    extra = seen["rows"] - seen["patches"]
    cu = seen["cu"] if len(seen["cu"]) <= 6 else seen["cu"][:3] + ["..."] + seen["cu"][-2:]
    cu = "[" + ", ".join(map(str, cu)) + "]"
    return (
        extra,
        seen["rows"],
        (
            f"The first block of a tiny encoder built from the installed config receives "
            f"{seen['rows']} rows for the {seen['patches']} patches of {side}x{side} ({extra} "
            f"extra), with attention boundaries {cu}."
        ),
    )


def check_mostly_padding(side: int = 84) -> Result:
    """Consequence: judged on what the blocks receive."""
    extra, rows, evidence = _what_the_model_sees(side)
    return Result(
        "confirmed" if extra > rows / 2 else "refuted", evidence + (" Every row is a real patch." if extra == 0 else "")
    )


def check_mostly_real(side: int = 476) -> Result:
    extra, rows, evidence = _what_the_model_sees(side)
    return Result(
        "confirmed" if extra < rows / 2 else "refuted",
        evidence + (" Every row is a real patch, as at 84x84: no image size gets padding rows." if extra == 0 else ""),
    )


def check_fits(side: int = 476) -> Result:
    """Does the merged grid divide into whole windows (no partial window)?"""
    tr = trace(side, side)
    small = trace(84, 84)
    fits = all(n % tr.window_side == 0 for n in tr.merged)
    if fits:
        return Result(
            "confirmed",
            f"The {tr.merged[0]}x{tr.merged[1]} merged grid of {side}x{side} divides into "
            f"{len(tr.window_tokens)} full windows of side {tr.window_side}.",
        )
    return Result(
        "refuted",
        (
            f"{tr.merged[0]} is not a multiple of the window side {tr.window_side}: the index grid is padded by "
            f"{tr.pad[0]} rows and {tr.pad[1]} columns to {tr.padded_index.shape[0]}x{tr.padded_index.shape[1]}, "
            f"{checks(tr)['pad entries in the index grid']} padding entries (84x84 has "
            f"{checks(small)['pad entries in the index grid']}); {sum(n < max(tr.window_tokens) for n in tr.window_tokens)} "
            f"of the {len(tr.window_tokens)} windows, along the right and bottom edges, hold "
            f"{sorted(set(tr.window_tokens))[:-1]} tokens instead of {max(tr.window_tokens)}."
        ),
    )


def check_17_arithmetic(side: int = 476) -> Result:
    """'17x17 = 4×4 + 1×1', read as windows: 4x4 full windows and one 1x1 window?"""
    tr = trace(side, side)
    full, rest = divmod(tr.merged[0], tr.window_side)
    full_windows = sum(n == tr.window_side**2 for n in tr.window_tokens)
    others = len(tr.window_tokens) - full_windows
    evidence = (
        f"Per side, {tr.merged[0]} = {full} x {tr.window_side} + {rest}: the windows are {full}x{full} = "
        f"{full_windows} full windows plus {others} more, strips of width {rest} along the right and bottom "
        f"edges (holding {sorted(set(tr.window_tokens) - {tr.window_side**2})} tokens), not one extra 1x1 window."
    )
    if (full, rest) != (4, 1):
        return Result("refuted", evidence)
    return Result("confirmed" if others == 1 else "partly true", evidence)


def check_minimal_padding(side: int = 476) -> Result:
    tr = trace(side, side)
    window = tr.window_side
    full_windows, remainder = divmod(tr.merged[0], window)
    pads = {r: window - r for r in range(window)}  # the code's pad_h for every possible remainder
    minimal = tr.pad[0] == min(pads.values())
    return Result(
        "confirmed" if minimal else "refuted",
        (
            f"Per side, {tr.merged[0]} = {full_windows} x {window} + {remainder}: a remainder of {remainder} gets the pad "
            f"{tr.pad[0]}, {'the least' if minimal else 'the most'} any remainder gets"
            f"{'' if minimal else ' except the full pad ' + str(window) + ' of an exact multiple'} "
            f"(pad by remainder: {pads}). {checks(tr)['pad entries in the index grid']} of "
            f"{tr.padded_index.size} index entries are padding."
        ),
    )


def check_pad_lines(source=None) -> Result:
    from handbook.claims.window_size_calculation import ANALYSIS_FILE

    result = line_citation(450, 451, ANALYSIS_PAD_LINES, source or ANALYSIS_FILE)
    installed = statement(get_vision_window_index, r"pad_h\s*=", after=1)
    same_now = [" ".join(a.split()) for a in installed.lines] == [" ".join(a.split()) for a in ANALYSIS_PAD_LINES]
    return Result(
        result.verdict,
        result.evidence
        + (
            f" The installed statements at lines {installed.first}-{installed.last} are "
            f"{'the same' if same_now else 'different'}."
        ),
    )


CR = ("confirmed", "refuted")
THREE = ("confirmed", "partly true", "refuted")
# One row a claim of section 3: id, the analysis' words, the check, the verdicts the check can return.
ROWS = [
    ("s3-pad-lines-450-451", f"Lines 450-451: {ANALYSIS_PAD_LINES[0]}; pad_w = ...", check_pad_lines, CR),
    ("s3-84-patches", "84x84 image → 6x6 patches", grid_claim(84, patches=(6, 6)), CR),
    ("s3-84-merged", "→ 3x3 after spatial merge", grid_claim(84, merged=(3, 3)), CR),
    ("s3-84-needs-padding", "→ NEEDS PADDING", check_84_needs_padding, THREE),
    ("s3-minus-100-invalid-tokens", "Padding fills with -100 (invalid tokens)", check_minus_100, THREE),
    ("s3-mostly-padding", "Model sees mostly padding tokens, not real image data", check_mostly_padding, CR),
    ("s3-476-patches", "476x476 image → 34x34 patches", grid_claim(476, patches=(34, 34)), CR),
    ("s3-476-merged", "→ 17x17 after spatial merge", grid_claim(476, merged=(17, 17)), CR),
    ("s3-476-fits-naturally", "→ FITS NATURALLY", check_fits, CR),
    ("s3-17-is-4x4-plus-1x1", "17x17 = 4×4 + 1×1", check_17_arithmetic, ("partly true", "refuted")),
    ("s3-476-minimal-padding", "[17x17 = 4×4 + 1×1,] so minimal padding needed", check_minimal_padding, CR),
    ("s3-476-mostly-real", "Model sees mostly real image data", check_mostly_real, CR),
]
CLAIMS = [Claim(id_, "3", claim, check, verdicts=verdicts) for id_, claim, check, verdicts in ROWS]
