# --8<-- [start:code]
"""A height x width map of input sizes: share of full attention windows and the smallest window.

Inputs are 28..1344 px on each side in steps of 28, with the released preprocessor bounds; the resize is
transformers' `smart_resize` and the windows come from `get_vision_window_index` (the same `layout` as
sweep.py). Draws the figure `fig`, with its alt text `ALT` and caption `CAPTION`.
Run: python size_map.py (writes size_map.svg)
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_window_index

CONFIG = Qwen2_5_VLVisionConfig()
PATCH, MERGE, WINDOW = CONFIG.patch_size, CONFIG.spatial_merge_size, CONFIG.window_size
FACTOR = PATCH * MERGE
FULL_WINDOW = (WINDOW // PATCH // MERGE) ** 2  # LLM tokens in a full window
RELEASED = (3136, 12845056)  # min_pixels, max_pixels of the released preprocessor_config.json
SIDES = range(FACTOR, 1344 + 1, FACTOR)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]


def layout(height: int, width: int, min_pixels: int = RELEASED[0], max_pixels: int = RELEASED[1]) -> dict:
    """Share of full windows and the smallest window (LLM tokens) of a height x width input image."""
    rh, rw = smart_resize(height, width, factor=FACTOR, min_pixels=min_pixels, max_pixels=max_pixels)
    grid = torch.tensor([[1, rh // PATCH, rw // PATCH]])
    _, cu = get_vision_window_index(grid, MERGE, WINDOW, PATCH)
    per_window = ((cu[1:] - cu[:-1]) // MERGE**2).tolist()  # LLM tokens in each window
    return {"full_share": sum(n == FULL_WINDOW for n in per_window) / len(per_window), "smallest": min(per_window)}


sides = list(SIDES)
cells = [[layout(h, w) for w in sides] for h in sides]
share = np.array([[100 * c["full_share"] for c in row] for row in cells])
smallest = np.array([[c["smallest"] for c in row] for row in cells])
all_full = [(h, w) for h, row in zip(sides, cells) for w, c in zip(sides, row) if c["full_share"] == 1]

fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), constrained_layout=True)
extent = (sides[0] - 14, sides[-1] + 14, sides[-1] + 14, sides[0] - 14)
for ax, values, title, label, cmap in (
    (axes[0], share, "Share of full windows", "% of windows that are full", "viridis"),
    (axes[1], smallest, "Smallest window", f"LLM tokens (a full window holds {FULL_WINDOW})", "cividis"),
):
    image = ax.imshow(values, extent=extent, cmap=cmap, aspect="equal")
    fig.colorbar(image, ax=ax, shrink=0.8, label=label)
    ax.set_title(title)
    ax.set_xlabel("input width (px)")
    ax.set_ylabel("input height (px)")
    ticks = [s for s in sides if s % 224 == 0]
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
ys, xs = zip(*all_full)
axes[0].scatter(
    xs, ys, s=10, marker="s", facecolors="none", edgecolors=PALETTE[4], linewidths=0.9, label="every window full"
)
axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8)

ALT = (
    f"Two heat maps over input heights and widths from {sides[0]} to {sides[-1]} pixels. The share of full "
    f"windows is 100 percent on {len(all_full)} sizes, "
    f"{'all' if all(h % 112 == 0 and w % 112 == 0 for h, w in all_full) else 'not all'} with both sides "
    f"multiples of 112; the smallest window ranges from {smallest.min()} to {smallest.max()} tokens."
)
CAPTION = (
    f"{len(sides)} x {len(sides)} input sizes, min_pixels={RELEASED[0]}, max_pixels={RELEASED[1]}. "
    f"Outlined squares: every window full ({len(all_full)} sizes)."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("size_map.svg")
    print("wrote size_map.svg")
