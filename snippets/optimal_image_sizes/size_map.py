"""A height x width map of input sizes: share of full attention windows and the smallest window.

Inputs are 28..1344 px on each side in steps of 28, with the released preprocessor bounds; the resize and
the windows come from the same functions the processor and the vision encoder use (see size_sweep.py).
Run: python snippets/size_map.py
"""

import matplotlib.pyplot as plt
import numpy as np
from size_sweep import FULL_WINDOW, RELEASED, SIDES, layout

from handbook.figures import PALETTE, svg_figure

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

print(
    svg_figure(
        fig,
        alt=(
            f"Two heat maps over input heights and widths from {sides[0]} to {sides[-1]} pixels. The share of full "
            f"windows is 100 percent on {len(all_full)} sizes, "
            f"{'all' if all(h % 112 == 0 and w % 112 == 0 for h, w in all_full) else 'not all'} with both sides "
            f"multiples of 112; the smallest window ranges from {smallest.min()} to {smallest.max()} tokens."
        ),
        caption=(
            f"{len(sides)} x {len(sides)} input sizes, min_pixels={RELEASED[0]}, max_pixels={RELEASED[1]}. "
            f"Outlined squares: every window full ({len(all_full)} sizes)."
        ),
    )
)
