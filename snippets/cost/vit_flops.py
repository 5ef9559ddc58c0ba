# --8<-- [start:code]
"""FLOPs of the Qwen2.5-VL vision encoder at the released checkpoint's dimensions: the closed form, and the count of
FlopCounterMode running the real encoder on the meta device (eager attention; a two-block model, added up in the
checkpoint's layout). Run: python vit_flops.py  (Needs: snippets/data/released_vision_configs.json, from the handbook.)
"""

import functools
import json
import math
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_attention_seqlens, get_vision_position_ids, get_vision_window_index

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())
CHECKPOINT = "Qwen2.5-VL-7B-Instruct"
BOUNDS = Qwen2VLImageProcessor().size  # the image processor's default min and max pixels
FLOP_SIDES = (56, 112, 224, 476)  # square inputs; the largest squares of the two pixel budgets are added


def checkpoint_config(**overrides) -> Qwen2_5_VLVisionConfig:
    """The installed config class with the released checkpoint's vision dimensions."""
    return Qwen2_5_VLVisionConfig(**{**RELEASED["checkpoints"][CHECKPOINT], **overrides})


def resized(side: int, max_pixels: int = BOUNDS["longest_edge"]) -> int:
    """Side of a square image after the real smart_resize, with the image processor's default min_pixels."""
    factor = checkpoint_config().patch_size * checkpoint_config().spatial_merge_size
    return smart_resize(side, side, factor, min_pixels=BOUNDS["shortest_edge"], max_pixels=max_pixels)[0]


def largest_square(max_pixels: int) -> int:
    """Side of the largest square that smart_resize lets through under max_pixels."""
    return resized(math.isqrt(max_pixels), max_pixels)


def grid_thw(height: int, width: int, config) -> torch.Tensor:
    """Patch grid of a resized image, as the processor reports it in image_grid_thw."""
    return torch.tensor([[1, height // config.patch_size, width // config.patch_size]])


def segment_lengths(grid: torch.Tensor, config) -> dict:
    """Lengths (in patches) of the segments a full block and a window block attend within."""
    cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
    _, cu_window_seqlens = get_vision_window_index(
        grid, config.spatial_merge_size, config.window_size, config.patch_size
    )
    return {"full": torch.diff(cu_seqlens).tolist(), "window": torch.diff(cu_window_seqlens).tolist()}


def closed_form(config, grid: torch.Tensor) -> dict:
    """Matrix-multiply FLOPs (2 per multiply-add) of one forward pass, part by part.

    N patches, width d, MLP width I, output width O, merge unit u = spatial_merge_size², patch input
    size p = in_channels * temporal_patch_size * patch_size²; segment lengths n from the real seqlens.
    """
    d, inner, out = config.hidden_size, config.intermediate_size, config.out_hidden_size
    unit = config.spatial_merge_size**2
    p = config.in_channels * config.temporal_patch_size * config.patch_size**2
    lengths = segment_lengths(grid, config)
    n = sum(lengths["full"])
    full_blocks = sum(1 for i in range(config.depth) if i in config.fullatt_block_indexes)
    window_blocks = config.depth - full_blocks
    parts = {
        "patch embedding": 2 * n * p * d,
        "qkv, proj and MLP (all blocks)": config.depth * 2 * n * (4 * d * d + 3 * d * inner),
        "attention, full blocks": full_blocks * 4 * d * sum(s * s for s in lengths["full"]),
        "attention, window blocks": window_blocks * 4 * d * sum(s * s for s in lengths["window"]),
        "patch merger": 2 * n * (unit * d * d + d * out),
    }
    return {**parts, "total": sum(parts.values())}


@functools.cache
def meta_model(depth: int, full: tuple, attn_implementation: str = "sdpa"):
    config = checkpoint_config(depth=depth, fullatt_block_indexes=list(full), attn_implementation=attn_implementation)
    with torch.device("meta"):
        return Qwen2_5_VisionTransformerPretrainedModel(config).eval()


def counted(config, grid: torch.Tensor, attn_implementation: str = "sdpa") -> FlopCounterMode:
    """Run the real encoder on the meta device under FlopCounterMode; return the counter."""
    model = meta_model(config.depth, tuple(config.fullatt_block_indexes), attn_implementation)
    n = int(grid.prod(dim=1).sum())
    pixels = torch.empty(n, config.in_channels * config.temporal_patch_size * config.patch_size**2, device="meta")
    # The index tensors are computed on the CPU from grid_thw as usual; only the rotary positions must
    # live on the model's device, so they are handed in precomputed (a documented input of forward).
    position_ids = get_vision_position_ids(grid, config.spatial_merge_size).to("meta")
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(pixels, grid, position_ids=position_ids)
    return counter


def counted_by_block(config, grid: torch.Tensor) -> dict:
    """Count a two-block model (block 0 windowed, block 1 full) and assemble the checkpoint's total.

    With eager attention: per segment it runs the same two matrix multiplies (Q·Kᵀ and A·V, same shapes) that sdpa
    decomposes into on the meta device, so the count is the same, but it dispatches fewer, cheaper operations to the
    counter; a large image has over a thousand windows, each a separate attention call.
    """
    two = checkpoint_config(depth=2, fullatt_block_indexes=[1])
    prefix = Qwen2_5_VisionTransformerPretrainedModel.__name__ + "."
    counts = counted(two, grid, attn_implementation="eager").get_flop_counts()
    by_module = {name.removeprefix(prefix): sum(ops.values()) for name, ops in counts.items()}
    full_blocks = sum(1 for i in range(config.depth) if i in config.fullatt_block_indexes)
    parts = {
        "patch embedding": by_module["patch_embed"],
        "window block": by_module["blocks.0"],
        "full block": by_module["blocks.1"],
        "patch merger": by_module["merger"],
    }
    total = (
        parts["patch embedding"]
        + parts["patch merger"]
        + full_blocks * parts["full block"]
        + (config.depth - full_blocks) * parts["window block"]
    )
    return {**parts, "total": total}


def attention_share(parts: dict) -> float:
    return (parts["attention, full blocks"] + parts["attention, window blocks"]) / parts["total"]


def dimensions_line(config=None) -> str:
    config = config or checkpoint_config()
    fields = "depth hidden_size num_heads intermediate_size fullatt_block_indexes out_hidden_size".split()
    shown = ", ".join(f"{field}={getattr(config, field)}" for field in fields)
    return f"Dimensions of {CHECKPOINT} (`snippets/data/released_vision_configs.json`): {shown}."


def flops_table() -> str:
    config = checkpoint_config()
    all_full = checkpoint_config(fullatt_block_indexes=list(range(config.depth)))
    # The released preprocessor_config.json allows far more pixels than the class default.
    released = largest_square(RELEASED["preprocessor_config"]["max_pixels"])
    sides = [*(resized(side) for side in FLOP_SIDES), largest_square(BOUNDS["longest_edge"]), released]
    lines = [
        "| image (resized) | closed form (GFLOP) | counter (GFLOP) | equal? | attention share | "
        f"all {config.depth} blocks full (GFLOP) | saved by windows |",
        "|---|---|---|---|---|---|---|",
    ]
    for side in sides:
        grid = grid_thw(side, side, config)
        parts = closed_form(config, grid)
        count = counted_by_block(config, grid)["total"]
        if_full = closed_form(all_full, grid)["total"]
        same = "yes" if count == parts["total"] else f"**no** ({count - parts['total']:+,})"
        label = f"{side}x{side}" + (" (checkpoints' max_pixels)" if side == released else "")
        lines.append(
            f"| {label} | {parts['total'] / 1e9:,.1f} | {count / 1e9:,.1f} | {same} | "
            f"{attention_share(parts):.1%} | {if_full / 1e9:,.1f} | {1 - parts['total'] / if_full:.1%} |"
        )
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(dimensions_line())
    print()
    print(flops_table())
