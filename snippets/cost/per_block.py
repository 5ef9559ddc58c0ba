# --8<-- [start:code]
"""Attention cost of one window block against one full block: the sum of its segment lengths squared, from the
real cu_seqlens and cu_window_seqlens, for square images resized by the real smart_resize. Run: python per_block.py
(Needs: snippets/data/released_vision_configs.json, from the handbook.)
"""

import json
import math
from pathlib import Path

import torch
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_attention_seqlens, get_vision_window_index

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())
CHECKPOINT = "Qwen2.5-VL-7B-Instruct"
BOUNDS = Qwen2VLImageProcessor().size  # the image processor's default min and max pixels
SIDES = (28, 56, 84, 112, 140, 224, 476, 700)  # square inputs; the largest the default budget allows is added


def checkpoint_config(**overrides) -> Qwen2_5_VLVisionConfig:
    """The installed config class with the released checkpoint's vision dimensions."""
    return Qwen2_5_VLVisionConfig(**{**RELEASED["checkpoints"][CHECKPOINT], **overrides})


def resized(height: int, width: int, config=None) -> tuple:
    """The size the processor resizes an image to: the real smart_resize, the processor's default bounds."""
    config = config or checkpoint_config()
    factor = config.patch_size * config.spatial_merge_size
    return smart_resize(height, width, factor, min_pixels=BOUNDS["shortest_edge"], max_pixels=BOUNDS["longest_edge"])


def largest_square_side(config=None) -> int:
    """Side of the largest square the default max_pixels lets through (after smart_resize)."""
    side = math.isqrt(BOUNDS["longest_edge"])
    return resized(side, side, config)[0]


def grid_thw(height: int, width: int, config=None) -> torch.Tensor:
    """Patch grid of an already resized image, as the processor reports it in image_grid_thw."""
    config = config or checkpoint_config()
    return torch.tensor([[1, height // config.patch_size, width // config.patch_size]])


def segment_lengths(grid: torch.Tensor, config=None) -> dict:
    """Lengths (in patches) of the segments a full block and a window block attend within."""
    config = config or checkpoint_config()
    cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
    _, cu_window_seqlens = get_vision_window_index(
        grid, config.spatial_merge_size, config.window_size, config.patch_size
    )
    return {"full": torch.diff(cu_seqlens).tolist(), "window": torch.diff(cu_window_seqlens).tolist()}


def block_costs(grid: torch.Tensor, config=None) -> dict:
    """Score-matrix entries per head of one full and one window block: the sum of segment lengths squared."""
    lengths = segment_lengths(grid, config)
    full = sum(n * n for n in lengths["full"])
    window = sum(n * n for n in lengths["window"])
    return {
        "patches": sum(lengths["full"]),
        "windows": len(lengths["window"]),
        "full": full,
        "window": window,
        "ratio": window / full,
    }


def square_sweep(config=None) -> dict:
    """Costs by resized side, for square inputs from 28 px up to the largest the default max_pixels allows."""
    config = config or checkpoint_config()
    sides = {resized(side, side, config)[0] for side in range(28, largest_square_side(config) + 1, 28)}
    return {h: block_costs(grid_thw(h, h, config), config) for h in sorted(sides)}


def parting_point(config=None) -> tuple:
    """Largest resized square side whose window block costs the same as its full block, and the next one."""
    costs = square_sweep(config)
    same = [h for h, cost in costs.items() if cost["window"] == cost["full"]]
    return max(same), min(h for h, cost in costs.items() if cost["window"] < cost["full"])


def cost_table(config=None) -> str:
    config = config or checkpoint_config()
    lines = [
        "| input | resized | patches N | windows | full block: N² | window block: Σ n² | window / full |",
        "|---|---|---|---|---|---|---|",
    ]
    for side in (*SIDES, largest_square_side(config)):
        h, w = resized(side, side, config)
        cost = block_costs(grid_thw(h, w, config), config)
        lines.append(
            f"| {side}x{side} | {h}x{w} | {cost['patches']:,} | {cost['windows']} | "
            f"{cost['full']:,} | {cost['window']:,} | {cost['ratio']:.3f} |"
        )
    return "\n".join(lines)


def parting_sentence(config=None) -> str:
    same, cheaper = parting_point(config)
    return (
        f"Up to **{same}x{same}** px (resized) the image is one window and the two blocks cost exactly the "
        f"same; from **{cheaper}x{cheaper}** px on, the window block is cheaper."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(cost_table())
    print()
    print(parting_sentence())
