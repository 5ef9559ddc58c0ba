# --8<-- [start:code]
"""Figure: how much cheaper windowed attention is than full attention, against the side of the resized square
image (real smart_resize and segment lengths, closed-form FLOPs). Run: python ratio_figure.py
(Needs: snippets/data/released_vision_configs.json, from the handbook.)
"""

import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_attention_seqlens, get_vision_window_index

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
config = Qwen2_5_VLVisionConfig(**json.loads(DATA.read_text())["checkpoints"]["Qwen2.5-VL-7B-Instruct"])
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]
BOUNDS = Qwen2VLImageProcessor().size  # the image processor's default min and max pixels


def resized(side: int) -> int:
    """Side of a square image after the real smart_resize with the processor's default bounds."""
    factor = config.patch_size * config.spatial_merge_size
    return smart_resize(side, side, factor, min_pixels=BOUNDS["shortest_edge"], max_pixels=BOUNDS["longest_edge"])[0]


def segment_lengths(side: int) -> dict:
    """Lengths (in patches) of the segments a full block and a window block attend within."""
    grid = torch.tensor([[1, side // config.patch_size, side // config.patch_size]])
    cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
    _, cu_window_seqlens = get_vision_window_index(
        grid, config.spatial_merge_size, config.window_size, config.patch_size
    )
    return {"full": torch.diff(cu_seqlens).tolist(), "window": torch.diff(cu_window_seqlens).tolist()}


def flops(side: int) -> dict:
    """Score entries and closed-form FLOPs (2 per multiply-add): one block of each kind and the whole encoder."""
    d, inner, out, depth = config.hidden_size, config.intermediate_size, config.out_hidden_size, config.depth
    lengths = segment_lengths(side)
    n = sum(lengths["full"])
    scores = {kind: sum(s * s for s in lengths[kind]) for kind in ("window", "full")}
    block = {kind: 2 * n * (4 * d * d + 3 * d * inner) + 4 * d * scores[kind] for kind in scores}
    p = config.in_channels * config.temporal_patch_size * config.patch_size**2
    rest = 2 * n * p * d + 2 * n * (config.spatial_merge_size**2 * d * d + d * out)  # patch embedding, merger
    full_blocks = len(config.fullatt_block_indexes)
    return {
        "scores": scores,
        "block": block,
        "encoder": rest + full_blocks * block["full"] + (depth - full_blocks) * block["window"],
        "encoder, all full": rest + depth * block["full"],
    }


largest = resized(math.isqrt(BOUNDS["longest_edge"]))
sides = sorted({resized(side) for side in range(28, largest + 1, 28)})  # several inputs share a resized side
costs = {side: flops(side) for side in sides}
scores = [costs[h]["scores"]["window"] / costs[h]["scores"]["full"] for h in sides]
blocks = [costs[h]["block"]["window"] / costs[h]["block"]["full"] for h in sides]
encoder = [costs[h]["encoder"] / costs[h]["encoder, all full"] for h in sides]
same = max(h for h, ratio in zip(sides, scores) if ratio == 1)  # one window: the two blocks compute the same
cheaper = min(h for h, ratio in zip(sides, scores) if ratio < 1)

fig, ax = plt.subplots(figsize=(7.2, 4.4))
ax.axvspan(
    min(sides),
    same,
    facecolor="none",
    hatch="//",
    edgecolor=PALETTE[7],
    lw=0,
    label=f"one window (side ≤ {same} px): window = full",
)
ax.plot(sides, scores, marker="o", ms=3, color=PALETTE[0], label="attention scores of one block (Σ window² / N²)")
ax.plot(sides, blocks, marker="s", ms=3, ls="--", color=PALETTE[1], label="FLOPs of one whole block (with its MLP)")
ax.plot(
    sides,
    encoder,
    marker="^",
    ms=3,
    ls=":",
    color=PALETTE[2],
    label=f"FLOPs of the whole ViT ({config.depth - len(config.fullatt_block_indexes)} window + "
    f"{len(config.fullatt_block_indexes)} full blocks) / all {config.depth} full",
)
ax.axvline(cheaper, color=PALETTE[4], lw=1)
ax.annotate(
    f"{cheaper} px: {len(segment_lengths(cheaper)['window'])} windows",
    xy=(cheaper, scores[sides.index(cheaper)]),
    xytext=(cheaper + 90, 0.5),
    arrowprops={"arrowstyle": "->", "color": PALETTE[4]},
    fontsize=9,
)
ax.set_yscale("log")
ax.set_ylim(min(scores) * 0.7, 1.5)
ax.set_yticks([0.01, 0.03, 0.1, 0.3, 1], labels=["0.01", "0.03", "0.1", "0.3", "1"])
ax.set_xlabel("side of the resized square image (px)")
ax.set_ylabel("window / full (log scale)")
ax.set_title("Cost of windowed relative to full attention, Qwen2.5-VL ViT", fontsize=10)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, ncol=1)
ax.grid(True, which="major", alpha=0.3)

ALT = (
    f"Line chart on a log scale. Up to a side of {same} px all three ratios equal 1. From {cheaper} px on the "
    f"attention-score ratio falls fast, to {scores[-1]:.3f} at {sides[-1]} px; the whole-block FLOP ratio "
    f"falls to {blocks[-1]:.2f} and the whole-encoder ratio to {encoder[-1]:.2f}."
)
CAPTION = (
    f"Square images from {min(sides)} to {max(sides)} px after smart_resize with the image processor's "
    f"default bounds; segment lengths from get_vision_attention_seqlens and get_vision_window_index; "
    f"FLOPs by the closed form checked against FlopCounterMode below."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("ratio_figure.svg")
    print("wrote ratio_figure.svg")
