# --8<-- [start:code]
"""Patch, LLM token and attention window in pixels, measured from the installed code.

The window's size is not read from a formula: it is the largest window that the real
get_vision_window_index produces on a big grid, so the table follows the code. Run: python units.py
"""

import math

import torch
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index


def units_table() -> str:
    cfg = Qwen2_5_VLVisionConfig()
    processor = Qwen2VLImageProcessor()
    patch, merge = cfg.patch_size, cfg.spatial_merge_size

    big_grid = torch.tensor([[1, 64, 64]])  # an 896x896 image: 64x64 patches
    _, cu_window_seqlens = get_vision_window_index(big_grid, merge, cfg.window_size, patch)
    window_patches = int((cu_window_seqlens[1:] - cu_window_seqlens[:-1]).max())
    window_side_patches = math.isqrt(window_patches)
    window_side_tokens = window_side_patches // merge
    resize_factor = processor.patch_size * processor.merge_size

    rows = [
        "| unit | patches | LLM tokens | pixels (resized image) | where the number comes from |",
        "|---|---|---|---|---|",
        f"| patch | 1 | — | {patch}x{patch} | `Qwen2_5_VLVisionConfig().patch_size` |",
        f"| LLM token (one merged group) | {merge}x{merge} = {merge * merge} | 1 | {patch * merge}x{patch * merge} "
        f"| `patch_size` x `spatial_merge_size` |",
        f"| attention window (largest) | {window_side_patches}x{window_side_patches} = {window_patches} "
        f"| {window_side_tokens}x{window_side_tokens} = {window_side_tokens**2} "
        f"| {window_side_patches * patch}x{window_side_patches * patch} "
        f"| largest step of `cu_window_seqlens` from `get_vision_window_index` on a 64x64-patch grid |",
        f"| resize factor (sides are multiples of) | — | — | {resize_factor} "
        f"| `Qwen2VLImageProcessor().patch_size * merge_size` |",
    ]
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(units_table())
