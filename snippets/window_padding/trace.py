# --8<-- [start:code]
"""Run the real window code on real processor grids and print what it pads, keeps and drops.

`get_vision_window_index` pads an *index* grid with `F.pad(..., -100)` and then removes the `-100`
entries; it also passes `cu_window_seqlens` through `torch.unique_consecutive`. This runs the
installed function unchanged while a recorder stands in for its `F` and `torch` names, so the padded
grid and the window boundaries before deduplication are what the code itself computed, and prints a
table of them for five image sizes. Run: python trace.py
"""

import functools
import inspect
import re
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import transformers.vision_utils as vision_utils
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index

SIZES = [(84, 84), (112, 112), (224, 224), (476, 476), (300, 200)]  # (width, height) in pixels
PAD_VALUE = -100


def merger_window_size(config=None) -> int:
    """Merged tokens per window side: the installed `vit_merger_window_size = ...` statement, evaluated."""
    config = config or Qwen2_5_VLVisionConfig()
    values = {
        "window_size": config.window_size,
        "spatial_merge_size": config.spatial_merge_size,
        "patch_size": config.patch_size,
    }
    source = inspect.getsource(inspect.unwrap(vision_utils.get_vision_window_index)).splitlines()  # as installed
    (assignment,) = [line for line in source if re.search(r"vit_merger_window_size\s*=", line)]
    # Older releases wrote self.window_size; provide both spellings.
    return eval(
        assignment.split("=", 1)[1].strip(), {"__builtins__": {}}, {**values, "self": SimpleNamespace(**values)}
    )


class _Recording:
    """Stands in for a module inside vision_utils: records calls to `name`, forwards everything."""

    def __init__(self, module, name, log):
        self._module, self._name, self._log = module, name, log

    def __getattr__(self, attr):
        real = getattr(self._module, attr)
        if attr != self._name:
            return real

        def recorded(*args, **kwargs):
            result = real(*args, **kwargs)
            self._log.append({"args": args, "kwargs": kwargs, "result": result})
            return result

        return recorded


@contextmanager
def recording():
    log = {"pad": [], "unique_consecutive": []}
    saved = vision_utils.F, vision_utils.torch
    vision_utils.F = _Recording(saved[0], "pad", log["pad"])
    vision_utils.torch = _Recording(saved[1], "unique_consecutive", log["unique_consecutive"])
    try:
        yield log
    finally:
        vision_utils.F, vision_utils.torch = saved


@dataclass(frozen=True)
class Trace:
    size: tuple  # (width, height) of the input image
    resized: tuple  # (width, height) after the processor's smart resize
    grid_thw: tuple  # patches: (t, h, w)
    merged: tuple  # merged-token grid: (h, w)
    window_side: int  # merged tokens per window side, from the installed vit_merger_window_size statement
    padded_index: np.ndarray  # the index grid F.pad returned, (h + pad_h, w + pad_w), -100 = padding
    pad_value: int  # the constant F.pad was called with
    window_index: np.ndarray  # merged-token order the blocks see
    cu_before_unique: np.ndarray  # window boundaries in patches, as computed
    cu_window_seqlens: np.ndarray  # after torch.unique_consecutive: what attention uses

    @property
    def patches(self) -> int:
        return int(np.prod(self.grid_thw))

    @property
    def pad(self) -> tuple:
        return (self.padded_index.shape[0] - self.merged[0], self.padded_index.shape[1] - self.merged[1])

    @property
    def window_patches(self) -> list:
        return np.diff(self.cu_window_seqlens).tolist()

    @property
    def merge_unit(self) -> int:  # patches per merged token
        return (self.grid_thw[1] // self.merged[0]) ** 2

    @property
    def window_tokens(self) -> list:
        return [n // self.merge_unit for n in self.window_patches]

    @property
    def empty_windows(self) -> int:
        return int((np.diff(self.cu_before_unique) == 0).sum())

    def window_of_token(self) -> np.ndarray:
        """Window number of every merged token, on the merged grid (from window_index and the boundaries)."""
        starts = self.cu_window_seqlens[:-1] // self.merge_unit
        position = np.searchsorted(starts, np.arange(len(self.window_index)), side="right") - 1
        windows = np.empty(len(self.window_index), dtype=int)
        windows[self.window_index] = position
        return windows.reshape(self.merged)


def processed(width: int, height: int):
    """Pixel values and grid of a width x height image, from the real processor with its defaults."""
    image = Image.fromarray(np.full((height, width, 3), 127, dtype=np.uint8))
    return Qwen2VLImageProcessor()(images=image, return_tensors="pt")


@functools.cache
def trace(width: int, height: int) -> Trace:
    config = Qwen2_5_VLVisionConfig()
    grid = processed(width, height)["image_grid_thw"]
    with recording() as log:
        window_index, cu = get_vision_window_index(
            grid, config.spatial_merge_size, config.window_size, config.patch_size
        )
    (pad_call,), (unique_call,) = log["pad"], log["unique_consecutive"]
    t, h, w = grid[0].tolist()
    merge = config.spatial_merge_size
    return Trace(
        size=(width, height),
        resized=(w * config.patch_size, h * config.patch_size),
        grid_thw=(t, h, w),
        merged=(h // merge, w // merge),
        window_side=merger_window_size(config),
        padded_index=pad_call["result"][0].numpy(),
        pad_value=pad_call["args"][3],
        window_index=window_index.numpy(),
        cu_before_unique=unique_call["args"][0].numpy(),
        cu_window_seqlens=cu.numpy(),
    )


def checks(tr: Trace) -> dict:
    """What the trace shows about padding and attention, as booleans a test can pin."""
    merged_tokens = tr.merged[0] * tr.merged[1]
    return {
        "pad entries in the index grid": int((tr.padded_index == tr.pad_value).sum()),
        "no pad value in window_index": bool((tr.window_index != tr.pad_value).all()),
        "window_index is a permutation": sorted(tr.window_index.tolist()) == list(range(merged_tokens)),
        "windows add up to the patches": sum(tr.window_patches) == tr.patches,
        "no empty window left": min(tr.window_patches) > 0,
    }


def trace_table(sizes=SIZES) -> str:
    rows = [
        "| image (px) | resized (px) | patches | merged tokens | pad (rows, cols) | padded index grid "
        "| `-100` entries | windows computed | empty windows dropped | windows used | `-100` in `window_index` "
        "| window lengths sum to patches |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for width, height in sizes:
        tr = trace(width, height)
        found = checks(tr)
        rows.append(
            f"| {width}x{height} | {tr.resized[0]}x{tr.resized[1]} | {tr.grid_thw[1]}x{tr.grid_thw[2]} = {tr.patches} "
            f"| {tr.merged[0]}x{tr.merged[1]} | {tr.pad[0]}, {tr.pad[1]} "
            f"| {tr.padded_index.shape[0]}x{tr.padded_index.shape[1]} | {found['pad entries in the index grid']} "
            f"| {len(tr.cu_before_unique) - 1} | {tr.empty_windows} | {len(tr.cu_window_seqlens) - 1} "
            f"| {'none' if found['no pad value in window_index'] else '**yes**'} "
            f"| {'yes' if found['windows add up to the patches'] else '**no**'} |"
        )
    return "\n".join(rows)


def padded_grid_markdown(width: int, height: int) -> str:
    """The padded index grid as F.pad returned it: merged-token numbers, padding in bold."""
    tr = trace(width, height)
    cols = tr.padded_index.shape[1]
    rows = ["| index row | " + " | ".join(f"col {c}" for c in range(cols)) + " |", "|---" * (cols + 1) + "|"]
    for r, line in enumerate(tr.padded_index):
        cells = [f"**{v}**" if v == tr.pad_value else str(v) for v in line]
        rows.append(f"| row {r} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def boundaries_markdown(width: int, height: int) -> str:
    tr = trace(width, height)
    return (
        f"- {width}x{height}: `cu_window_seqlens` as computed `{tr.cu_before_unique.tolist()}` → after "
        f"`torch.unique_consecutive` `{tr.cu_window_seqlens.tolist()}` ({tr.empty_windows} empty window(s) "
        f"dropped, {len(tr.cu_window_seqlens) - 1} used)."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(trace_table())
