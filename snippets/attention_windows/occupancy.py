# --8<-- [start:code]
"""How full the attention windows are for 84x84 and 476x476, and where the analysis' percentages come from.

Window contents are read from the real window code: the installed `get_vision_window_index` runs
unchanged on the real processor's grid while a recorder stands in for its `F`, so the padded index grid
is the one `F.pad` returned. Every window holds only real merged tokens, so "occupancy" here means tokens
held versus the largest window the config allows. The second table recomputes the analysis' "~56% real"
(84x84) and "~85% real" (476x476) under each reading of "real data" we could think of.
Prints both tables. Run: python occupancy.py
"""

import functools
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import transformers.vision_utils as vision_utils
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index

ANALYSIS_REAL_PERCENT = {84: 56, 476: 85}  # the analysis, section 5: "~56% real data", "~85% real data"


@contextmanager
def recorded_pad():
    """Stand in for `F` inside transformers.vision_utils, keeping each F.pad call's arguments and result."""
    calls, real = [], vision_utils.F

    class Recorder:
        def __getattr__(self, name):
            return getattr(real, name)

        def pad(self, *args, **kwargs):
            result = real.pad(*args, **kwargs)
            calls.append((args, result))
            return result

    vision_utils.F = Recorder()
    try:
        yield calls
    finally:
        vision_utils.F = real


@dataclass(frozen=True)
class Windows:
    merged: tuple  # merged-token grid (rows, columns)
    padded_index: np.ndarray  # the index grid F.pad returned, pad_value = padding
    pad_value: int  # the constant F.pad was called with
    window_index: np.ndarray  # merged-token order the blocks see
    bounds: np.ndarray  # window boundaries in merged tokens (cu_window_seqlens / patches per token)

    @property
    def window_tokens(self) -> list:
        return np.diff(self.bounds).tolist()

    def window_of_token(self) -> np.ndarray:
        """Window number of every merged token, on the merged grid."""
        position = np.searchsorted(self.bounds[:-1], np.arange(len(self.window_index)), side="right") - 1
        windows = np.empty(len(self.window_index), dtype=int)
        windows[self.window_index] = position
        return windows.reshape(self.merged)


@functools.cache
def windows(side: int) -> Windows:
    """The windows the installed code forms for a side x side image, as the real processor sizes it."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.full((side, side, 3), 127, dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    with recorded_pad() as calls:
        window_index, cu = get_vision_window_index(
            grid, config.spatial_merge_size, config.window_size, config.patch_size
        )
    ((args, padded),) = calls
    _, h, w = grid[0].tolist()
    merge = config.spatial_merge_size
    return Windows(
        merged=(h // merge, w // merge),
        padded_index=padded[0].numpy(),
        pad_value=args[3],
        window_index=window_index.numpy(),
        bounds=cu.numpy() // merge**2,
    )


def window_capacity() -> int:
    """Merged tokens in the largest window the installed config allows."""
    config = Qwen2_5_VLVisionConfig()
    side = config.window_size // config.spatial_merge_size // config.patch_size
    return side * side


def occupancy(side: int) -> dict:
    tr = windows(side)
    tokens = tr.window_tokens
    smallest = min(range(len(tokens)), key=tokens.__getitem__)
    cells = (tr.window_of_token() == smallest).nonzero()
    return {
        "side": side,
        "merged": tr.merged,
        "windows": len(tokens),
        "sizes": Counter(tokens),
        "smallest": tokens[smallest],
        "smallest_at": (int(cells[0].min()), int(cells[1].min())),
        "largest": max(tokens),
        "tokens": sum(tokens),
        "padding_in_windows": int((tr.window_index == tr.pad_value).sum()),
        "fill": sum(tokens) / (len(tokens) * window_capacity()),
    }


def occupancy_table(sides=(84, 476)) -> str:
    rows = [
        "| image (px) | merged tokens | windows | windows by size (tokens: count) | smallest window "
        "| padding tokens in windows | tokens / (windows x capacity) |",
        "|---|---|---|---|---|---|---|",
    ]
    for side in sides:
        o = occupancy(side)
        sizes = ", ".join(f"{size}: {count}" for size, count in sorted(o["sizes"].items(), reverse=True))
        rows.append(
            f"| {side}x{side} | {o['merged'][0]}x{o['merged'][1]} = {o['tokens']} | {o['windows']} | {sizes} "
            f"| {o['smallest']} token(s), starting at row {o['smallest_at'][0]}, column {o['smallest_at'][1]} "
            f"| {o['padding_in_windows']} | {o['fill']:.2%} |"
        )
    return "\n".join(rows)


def readings() -> dict:
    """Candidate meanings of 'real data share' -> {side: percent}, each computed from the windows."""
    out = {}
    for side in ANALYSIS_REAL_PERCENT:
        tr = windows(side)
        real = tr.merged[0] * tr.merged[1]
        padded = tr.padded_index.size
        out.setdefault("real tokens / padded index grid (area)", {})[side] = 100 * real / padded
        out.setdefault("real side / padded side (one dimension)", {})[side] = (
            100 * tr.merged[0] / tr.padded_index.shape[0]
        )
        out.setdefault("real tokens / (windows x capacity)", {})[side] = 100 * occupancy(side)["fill"]
        out.setdefault("real tokens inside the windows the blocks use", {})[side] = 100 * real / sum(tr.window_tokens)
    return out


def matches(percent: float, side: int) -> bool:
    return abs(percent - ANALYSIS_REAL_PERCENT[side]) < 1  # the analysis rounds to whole percent


def readings_table() -> str:
    sides = list(ANALYSIS_REAL_PERCENT)
    rows = [
        "| reading of 'real data' | "
        + " | ".join(f"{s}x{s} (analysis: ~{ANALYSIS_REAL_PERCENT[s]}%)" for s in sides)
        + " |",
        "|---|" + "---|" * len(sides),
    ]
    for name, values in readings().items():
        cells = [f"{values[s]:.2f}%" + (" ← matches" if matches(values[s], s) else "") for s in sides]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(occupancy_table())
    print()
    print(readings_table())
