# --8<-- [start:code]
"""Who may attend to whom in a window block and in a full block, for an 84x84 and a 476x476 image.

Both patterns come from the boundaries the encoder passes to its blocks: `cu_window_seqlens` from
`get_vision_window_index` for the window blocks, `cu_seqlens` from `get_vision_cu_seqlens` for the
full blocks, each on the grid the real processor produced. A square on the diagonal is one attention
segment: its patches attend to each other and to nothing else. Axes are in patches, in the order the
blocks see them (window by window). Draws the figure `fig` (with its ALT text and CAPTION);
run alone it writes pattern_figure.svg. Run: python pattern_figure.py
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_cu_seqlens, get_vision_window_index

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]  # the site's palette

config = Qwen2_5_VLVisionConfig()
fig, axes = plt.subplots(2, 2, figsize=(8.4, 8.6), layout="constrained")
described, segments = [], {}
for row, side in zip(axes, (84, 476)):
    image = Image.fromarray(np.zeros((side, side, 3), dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    _, cu_window = get_vision_window_index(grid, config.spatial_merge_size, config.window_size, config.patch_size)
    cu_full = get_vision_cu_seqlens(grid)
    patches = int(cu_full[-1])
    for ax, cu, kind, colour, hatch in (
        (row[0], cu_window, "window blocks", PALETTE[0], "//"),
        (row[1], cu_full, "full blocks", PALETTE[4], ".."),
    ):
        bounds = cu.tolist()
        for start, stop in zip(bounds[:-1], bounds[1:]):
            ax.add_patch(
                Rectangle(
                    (start, start),
                    stop - start,
                    stop - start,
                    facecolor=colour,
                    alpha=0.85,
                    hatch=hatch,
                    edgecolor=PALETTE[7],
                    lw=0.6,
                )
            )
        allowed = sum((b - a) ** 2 for a, b in zip(bounds[:-1], bounds[1:]))
        ax.set_xlim(0, patches)
        ax.set_ylim(patches, 0)
        ax.set_aspect("equal")
        ax.set_title(
            f"{side}x{side} px, {kind}: {len(bounds) - 1} segment(s)\n"
            f"{allowed / patches**2:.1%} of the {patches}x{patches} pairs may attend",
            fontsize=9,
        )
        ax.set_xlabel("key patch (window order)")
        ax.set_ylabel("query patch")
        segments[side, kind] = len(bounds) - 1
        described.append(f"{side}x{side} {kind}: {len(bounds) - 1} square(s) of {sorted(set(np.diff(bounds)))} patches")

ALT = (
    "Four block-diagonal attention masks. " + "; ".join(described) + ". Outside the squares nothing attends; "
    "there are no padding rows or columns."
)
CAPTION = (
    f"At 84x84 the window blocks get {segments[84, 'window blocks']} segment(s) and the full blocks "
    f"{segments[84, 'full blocks']}, over the same real patches. At 476x476 the window blocks get "
    f"{segments[476, 'window blocks']} separate squares, the full blocks {segments[476, 'full blocks']}."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("pattern_figure.svg")
    print("wrote pattern_figure.svg")
