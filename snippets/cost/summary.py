# --8<-- [start:code]
"""What the windows save of the vision encoder's FLOPs (closed form, against every block full): at the one-window
limit and at the two pixel budgets. Run: python summary.py
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
config = Qwen2_5_VLVisionConfig(**RELEASED["checkpoints"]["Qwen2.5-VL-7B-Instruct"])
DEFAULT = Qwen2VLImageProcessor().size  # the image processor's default min and max pixels


def largest_square(max_pixels: int) -> int:
    """Side of the largest square that smart_resize lets through under max_pixels."""
    side, factor = math.isqrt(max_pixels), config.patch_size * config.spatial_merge_size
    return smart_resize(side, side, factor, min_pixels=DEFAULT["shortest_edge"], max_pixels=max_pixels)[0]


def segment_lengths(side: int) -> dict:
    """Lengths (in patches) of the segments a full block and a window block attend within."""
    grid = torch.tensor([[1, side // config.patch_size, side // config.patch_size]])
    cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
    _, cu_window_seqlens = get_vision_window_index(
        grid, config.spatial_merge_size, config.window_size, config.patch_size
    )
    return {"full": torch.diff(cu_seqlens).tolist(), "window": torch.diff(cu_window_seqlens).tolist()}


def encoder_flops(side: int, full_blocks: int) -> int:
    """Closed-form FLOPs of one forward pass: patch embedding, qkv/proj/MLP, attention scores, merger."""
    d, inner, out, depth = config.hidden_size, config.intermediate_size, config.out_hidden_size, config.depth
    lengths = segment_lengths(side)
    n = sum(lengths["full"])
    p = config.in_channels * config.temporal_patch_size * config.patch_size**2
    attention = {kind: 4 * d * sum(s * s for s in lengths[kind]) for kind in ("window", "full")}
    return (
        2 * n * p * d
        + depth * 2 * n * (4 * d * d + 3 * d * inner)
        + full_blocks * attention["full"]
        + (depth - full_blocks) * attention["window"]
        + 2 * n * (config.spatial_merge_size**2 * d * d + d * out)
    )


def savings(side: int) -> float:
    """Share of the encoder's FLOPs that the window blocks save against all-full blocks."""
    return 1 - encoder_flops(side, len(config.fullatt_block_indexes)) / encoder_flops(side, config.depth)


def one_window_side() -> int:
    """Largest resized square whose window blocks attend over the same single segment as full blocks."""
    factor = config.patch_size * config.spatial_merge_size
    sides = range(factor, largest_square(DEFAULT["longest_edge"]) + 1, factor)
    return max(side for side in sides if segment_lengths(side)["window"] == segment_lengths(side)["full"])


def summary() -> str:
    same = one_window_side()
    default_side = largest_square(DEFAULT["longest_edge"])
    released_side = largest_square(RELEASED["preprocessor_config"]["max_pixels"])
    return "\n".join(
        [
            f"- Up to **{same}x{same}** px the windowed blocks do exactly the work of full blocks: the encoder's "
            f"FLOPs change by {savings(same):.1%}.",
            f"- At **{default_side}x{default_side}**, the largest square within the image processor's default "
            f"`max_pixels`, the windows save **{savings(default_side):.1%}** of the encoder's FLOPs.",
            f"- At **{released_side}x{released_side}**, the largest square within the released checkpoints' "
            f"`max_pixels`, they save **{savings(released_side):.1%}**.",
        ]
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(summary())
