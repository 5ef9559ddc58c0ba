"""Ledger entries for section 3 of the analysis, "Window Padding Logic".

Every check runs the installed `get_vision_window_index` on the grid the real processor gives
(through `padding_trace.trace`, which records the padded index grid and the window boundaries).
"""

import torch
from transformers import Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index

from claims import Claim, Result
from padding_trace import checks, processed, trace
from patch_merge import tiny_config
from window_equivalence import one_thread
from source_excerpt import statement
from window_size_calculation import history_row

ANALYSIS_PAD_LINES = ("pad_h = vit_merger_window_size - llm_grid_h % vit_merger_window_size",
                      "pad_w = vit_merger_window_size - llm_grid_w % vit_merger_window_size")


def _grid_claim(side: int, expected: tuple, merged: bool):
    def check() -> Result:
        tr = trace(side, side)
        got = tr.merged if merged else tr.grid_thw[1:]
        what = "merged-token grid" if merged else "patch grid"
        return Result("confirmed" if tuple(got) == expected else "refuted",
                      f"The processor resizes {side}x{side} to {tr.resized[0]}x{tr.resized[1]}; {what} "
                      f"{got[0]}x{got[1]} (`image_grid_thw` = {list(tr.grid_thw)}).")
    return check


def check_84_needs_padding() -> Result:
    tr = trace(84, 84)
    found = checks(tr)
    pads_index = found["pad entries in the index grid"] > 0
    tokens_padded = sum(tr.window_patches) != tr.patches
    always = all(trace(s, s).pad != (0, 0) for s in (112, 224, 476))
    evidence = (f"The index grid is padded by {tr.pad[0]} row and {tr.pad[1]} column ({tr.merged[0]}x{tr.merged[1]} → "
                f"{tr.padded_index.shape[0]}x{tr.padded_index.shape[1]}), but the one window that attention uses holds "
                f"{tr.window_patches} patches = all {tr.patches}, no padding. The code pads the index grid of every image "
                f"(also 112, 224 and 476 px){'' if always else ' (not always)'}: nothing about 84x84 is special.")
    if pads_index and not tokens_padded:
        return Result("partly true", evidence)
    return Result("confirmed" if tokens_padded else "refuted", evidence)


def check_minus_100() -> Result:
    tr = trace(84, 84)
    found = checks(tr)
    where = statement(get_vision_window_index, r"F\.pad\(")
    dropped = statement(get_vision_window_index, r"index_new\s*=")
    evidence = (f"`F.pad(..., {tr.pad_value})` (`{where.repo_path}` line {where.first}) pads a grid of merged-token "
                f"*numbers*, not tokens: {found['pad entries in the index grid']} entries at 84x84. Line {dropped.first} drops "
                f"them (`{dropped.text.strip()}`): `window_index` contains "
                f"{'no' if found['no pad value in window_index'] else 'some'} {tr.pad_value} and is "
                f"{'a permutation' if found['window_index is a permutation'] else 'not a permutation'} of the "
                f"{tr.merged[0] * tr.merged[1]} real tokens.")
    if tr.pad_value != -100:
        return Result("refuted", evidence)
    invalid_tokens_reach_model = not (found["no pad value in window_index"] and found["window_index is a permutation"])
    return Result("confirmed" if invalid_tokens_reach_model else "partly true", evidence)


def check_mostly_padding() -> Result:
    """Count what the first block actually receives, with a forward pre-hook on a tiny real model."""
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel

    inputs = processed(84, 84)
    torch.manual_seed(0)
    model = Qwen2_5_VisionTransformerPretrainedModel(tiny_config()).eval()
    seen = {}
    hook = model.blocks[0].register_forward_pre_hook(
        lambda module, args, kwargs: seen.update(rows=args[0].shape[0], cu=kwargs["cu_seqlens"].tolist()),
        with_kwargs=True)
    with torch.no_grad(), one_thread():
        model(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"])
    hook.remove()
    patches = int(inputs["image_grid_thw"].prod())
    padding = seen["rows"] - patches
    verdict = "confirmed" if padding > seen["rows"] / 2 else "refuted"
    return Result(verdict, f"The first block of a tiny model built from the installed config receives {seen['rows']} "
                           f"rows for {patches} patches ({padding} extra) with attention boundaries {seen['cu']}: "
                           f"every row is a real patch.")


def check_476_fits_naturally() -> Result:
    tr = trace(476, 476)
    small = trace(84, 84)
    fits = all(n % tr.window_side == 0 for n in tr.merged)
    return Result("confirmed" if fits else "refuted", (
        f"{tr.merged[0]} is not a multiple of the window side {tr.window_side}: the index grid is padded by "
        f"{tr.pad[0]} rows and {tr.pad[1]} columns to {tr.padded_index.shape[0]}x{tr.padded_index.shape[1]}, "
        f"{checks(tr)['pad entries in the index grid']} padding entries (84x84 has "
        f"{checks(small)['pad entries in the index grid']}); the windows along the right and bottom edges hold "
        f"{sorted(set(tr.window_tokens))[:-1]} tokens instead of {max(tr.window_tokens)}."
        if not fits else f"{tr.merged} divides into windows of side {tr.window_side}."))


def check_476_minimal_padding() -> Result:
    tr = trace(476, 476)
    side = tr.window_side
    full_windows, remainder = divmod(tr.merged[0], side)
    pads = {r: side - r for r in range(side)}  # the code's pad_h for every possible remainder
    minimal = tr.pad[0] == min(pads.values())
    return Result("confirmed" if minimal else "refuted", (
        f"Per side, {tr.merged[0]} = {full_windows} x {side} + {remainder}: a remainder of {remainder} gets the pad "
        f"{tr.pad[0]}, the most any remainder gets except the full pad {side} of an exact multiple "
        f"(pad by remainder: {pads}). {checks(tr)['pad entries in the index grid']} of "
        f"{tr.padded_index.size} index entries are padding, and the leftover row and column become "
        f"{len(tr.window_tokens) - full_windows ** 2} small windows (down to {min(tr.window_tokens)} token)."))


def check_pad_lines() -> Result:
    installed = statement(get_vision_window_index, r"pad_h\s*=", after=1)
    same = [" ".join(a.split()) for a in installed.lines] == [" ".join(a.split()) for a in ANALYSIS_PAD_LINES]
    then = history_row("4.52.1")
    now = f"`{installed.repo_path}` lines {installed.first}-{installed.last} in transformers {installed.version}"
    if not same:
        return Result("refuted", f"The installed statements read differently: {installed.text}")
    if (then["pad_h"], then["pad_w"]) == ("450", "451"):
        return Result("partly true", f"The same two statements; lines {then['pad_h']}-{then['pad_w']} of "
                                     f"`{then['file']}` in transformers 4.52.1-4.52.4, now at {now}.")
    return Result("refuted", f"In 4.52.1 they are at lines {then['pad_h']}-{then['pad_w']}; now at {now}.")


CLAIMS = [
    Claim("s3-pad-lines-450-451", "3", "Lines 450-451: pad_h = vit_merger_window_size - llm_grid_h % "
          "vit_merger_window_size; pad_w = ...", check_pad_lines),
    Claim("s3-84-patches", "3", "84x84 image → 6x6 patches", _grid_claim(84, (6, 6), merged=False)),
    Claim("s3-84-merged", "3", "→ 3x3 after spatial merge", _grid_claim(84, (3, 3), merged=True)),
    Claim("s3-84-needs-padding", "3", "→ NEEDS PADDING", check_84_needs_padding),
    Claim("s3-minus-100-invalid-tokens", "3", "Padding fills with -100 (invalid tokens)", check_minus_100),
    Claim("s3-mostly-padding", "3", "Model sees mostly padding tokens, not real image data", check_mostly_padding),
    Claim("s3-476-patches", "3", "476x476 image → 34x34 patches", _grid_claim(476, (34, 34), merged=False)),
    Claim("s3-476-merged", "3", "→ 17x17 after spatial merge", _grid_claim(476, (17, 17), merged=True)),
    Claim("s3-476-fits-naturally", "3", "→ FITS NATURALLY", check_476_fits_naturally),
    Claim("s3-476-minimal-padding", "3", "17x17 = 4×4 + 1×1, so minimal padding needed", check_476_minimal_padding),
]
