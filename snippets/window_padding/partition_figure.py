# --8<-- [start:code]
"""Draw the attention windows over the merged-token grid, from the real window code's own output.

`get_vision_window_index` runs unchanged on the grid the real processor gives for each image size,
while a stand-in for its `F` name keeps the index grid `F.pad` returned. Each merged token is
coloured by the window the code put it in (read back from `window_index` and `cu_window_seqlens`);
the cells `F.pad` added with -100 are hatched grey: they belong to no window.
Run: python partition_figure.py (writes partition_figure.svg)
"""

import functools
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import transformers.vision_utils as vision_utils
from matplotlib.patches import Patch, Rectangle
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor

SIZES = [(84, 84), (112, 112), (224, 224), (476, 476), (300, 200)]  # (width, height) in pixels
# Mid-tone colours, legible on white and on a dark background (Okabe-Ito based).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]
COLOURS = PALETTE[:7]  # PALETTE[7] (grey) is kept for the padding
HATCHES = ["", "//", "||", "\\\\", "/|", "--", "++"]  # line hatches: a dot or circle hatch weighs tens of kB in SVG


class Recording:
    """Stands in for a module inside vision_utils: records calls to `name`, forwards everything."""

    def __init__(self, module, name):
        self.module, self.name, self.calls = module, name, []

    def __getattr__(self, attr):
        real = getattr(self.module, attr)
        if attr != self.name:
            return real

        def recorded(*args, **kwargs):
            result = real(*args, **kwargs)
            self.calls.append((args, result))
            return result

        return recorded


@functools.cache
def partition(width: int, height: int) -> SimpleNamespace:
    """The window code on a width x height image: the padded index grid, and the window of each merged token."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.full((height, width, 3), 127, dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    real_f = vision_utils.F
    vision_utils.F = Recording(real_f, "pad")
    try:
        window_index, cu = vision_utils.get_vision_window_index(
            grid, config.spatial_merge_size, config.window_size, config.patch_size
        )
        ((args, padded),) = vision_utils.F.calls
    finally:
        vision_utils.F = real_f
    _, h, w = grid[0].tolist()
    merge = config.spatial_merge_size
    window_index, cu = window_index.numpy(), cu.numpy()
    starts = cu[:-1] // merge**2  # first merged token of each window, in window_index order
    windows = np.empty(len(window_index), dtype=int)
    windows[window_index] = np.searchsorted(starts, np.arange(len(window_index)), side="right") - 1
    return SimpleNamespace(
        padded_index=padded[0].numpy(),  # the index grid F.pad returned, -100 = padding
        pad_value=args[3],
        merged=(h // merge, w // merge),
        windows=windows.reshape(h // merge, w // merge),  # window number of every merged token
        window_tokens=(np.diff(cu) // merge**2).tolist(),  # merged tokens in each window
    )


fig, axes = plt.subplots(
    1,
    len(SIZES),
    figsize=(13, 4.6),
    layout="constrained",
    gridspec_kw={"width_ratios": [max(partition(w, h).padded_index.shape[1], 6) for w, h in SIZES]},
)
for ax, (width, height) in zip(axes, SIZES):
    tr = partition(width, height)
    windows = tr.windows
    rows, cols = tr.padded_index.shape
    per_row = (cols + 3) // 4 or 1
    padding = tr.padded_index == tr.pad_value
    for r in range(rows):  # -100 cells, one rectangle per run of them along a row
        runs = np.flatnonzero(np.diff(np.concatenate(([0], padding[r].astype(int), [0]))))
        for start, stop in zip(runs[::2], runs[1::2]):
            ax.add_patch(
                Rectangle(
                    (start, r),
                    stop - start,
                    1,
                    facecolor=PALETTE[7],
                    alpha=0.35,
                    hatch="xx",
                    edgecolor=PALETTE[7],
                    lw=0.3,
                )
            )
    for w in range(len(tr.window_tokens)):  # each window: the block of tokens the window index gave it
        cells = (windows == w).nonzero()
        r0, r1, c0, c1 = cells[0].min(), cells[0].max() + 1, cells[1].min(), cells[1].max() + 1
        assert (windows[r0:r1, c0:c1] == w).all(), "a window that is not a block of tokens"
        colour = (w // per_row * 3 + w % per_row) % len(COLOURS)  # neighbours never share a colour
        ax.add_patch(
            Rectangle(
                (c0, r0),
                c1 - c0,
                r1 - r0,
                facecolor=COLOURS[colour],
                alpha=0.75,
                hatch=HATCHES[colour],
                edgecolor="white",
                lw=1.0,
            )
        )
    token_rows, token_cols = tr.merged  # one cell per merged token: thin white lines between them
    ax.hlines(range(1, token_rows), 0, token_cols, colors="white", lw=0.4)
    ax.vlines(range(1, token_cols), 0, token_rows, colors="white", lw=0.4)
    for n in range(len(tr.window_tokens)):  # window number at each window's centre
        cells = (windows == n).nonzero()
        ax.text(
            cells[1].mean() + 0.5,
            cells[0].mean() + 0.5,
            str(n),
            ha="center",
            va="center",
            fontsize=7 if rows > 12 else 9,
            fontweight="bold",
        )
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks(range(0, cols + 1, 4))
    ax.set_yticks(range(0, rows + 1, 4))
    ax.set_title(
        f"{width}x{height} px\n{tr.merged[0]}x{tr.merged[1]} tokens\n{len(tr.window_tokens)} window(s)",
        fontsize=9,
    )
    ax.set_xlabel("token column", fontsize=9)
axes[0].set_ylabel("merged-token row", fontsize=9)
fig.legend(
    handles=[
        Patch(facecolor=COLOURS[0], alpha=0.75, label="a window's tokens (number = window)"),
        Patch(facecolor=PALETTE[7], alpha=0.35, hatch="xx", label="-100 padding: in no window"),
    ],
    loc="outside lower center",
    ncol=2,
)
fig.suptitle("Attention windows that get_vision_window_index builds, over the padded index grid", fontsize=10)

ALT = (
    f"{len(SIZES)} grids of merged tokens, one per image size, each token coloured by its attention window; "
    "the -100 padding cells are hatched grey along the bottom and right edges. "
    + "; ".join(
        f"{w}x{h} px: {partition(w, h).merged[0]}x{partition(w, h).merged[1]} tokens in "
        f"{len(partition(w, h).window_tokens)} window(s) holding {sorted(set(partition(w, h).window_tokens))} "
        f"tokens, padded to {partition(w, h).padded_index.shape[0]}x{partition(w, h).padded_index.shape[1]}"
        for w, h in SIZES
    )
    + "."
)
CAPTION = (
    "Every coloured cell is a real merged token; grey cells exist only in the padded index array and are "
    "removed before the windows are formed. Window numbers are the order the encoder processes them in."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("partition_figure.svg")
    print("wrote partition_figure.svg")
