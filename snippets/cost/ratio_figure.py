"""Figure: how much cheaper windowed attention is than full attention, against image size.

Square inputs from 28 px to the largest the image processor's default max_pixels allows, resized by the
real smart_resize; costs from the real cu_seqlens / cu_window_seqlens and the closed-form FLOP count at
the released checkpoint's dimensions.
Run from the repository root: python snippets/cost_ratio_figure.py
"""

import matplotlib.pyplot as plt
from attention_cost import checkpoint_config, grid_thw, parting_point, square_sweep
from vit_flops import block_flops, closed_form

from handbook.figures import PALETTE, svg_figure

config = checkpoint_config()
all_full = checkpoint_config(fullatt_block_indexes=list(range(config.depth)))
points = {h: cost for _, h, cost in square_sweep(config)}  # several inputs can share a resized side
sides = sorted(points)
scores = [points[h]["ratio"] for h in sides]
blocks, encoder = [], []
for h in sides:
    grid = grid_thw(h, h, config)
    flops = block_flops(config, grid)["block"]
    blocks.append(flops["window"] / flops["full"])
    encoder.append(closed_form(config, grid)["total"] / closed_form(all_full, grid)["total"])
same, cheaper = parting_point(config)

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
    f"{cheaper} px: 4 windows",
    xy=(cheaper, points[cheaper]["ratio"]),
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

print(
    svg_figure(
        fig,
        alt=(
            f"Line chart on a log scale. Up to a side of {same} px all three ratios equal 1. From {cheaper} px on the "
            f"attention-score ratio falls fast, to {scores[-1]:.3f} at {sides[-1]} px; the whole-block FLOP ratio "
            f"falls to {blocks[-1]:.2f} and the whole-encoder ratio to {encoder[-1]:.2f}."
        ),
        caption=(
            f"Square images from {min(sides)} to {max(sides)} px after smart_resize with the image processor's "
            f"default bounds; segment lengths from get_vision_attention_seqlens and get_vision_window_index; "
            f"FLOPs by the closed form checked against FlopCounterMode below."
        ),
    )
)
