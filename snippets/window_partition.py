"""Draw the attention windows over the merged-token grid, from the real window code's own output.

Each merged token is coloured by the window `get_vision_window_index` put it in (read back from
`window_index` and `cu_window_seqlens`); the cells `F.pad` added with -100 are hatched grey: they
belong to no window. Run from the repository root: python snippets/window_partition.py
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle
from padding_trace import SIZES, trace

from handbook.figures import PALETTE, svg_figure

COLOURS = PALETTE[:7]  # PALETTE[7] (grey) is kept for the padding
HATCHES = ["", "//", "||", "\\\\", "/|", "--", "++"]  # line hatches: a dot or circle hatch weighs tens of kB in SVG

fig, axes = plt.subplots(
    1,
    len(SIZES),
    figsize=(13, 4.6),
    layout="constrained",
    gridspec_kw={"width_ratios": [max(trace(w, h).padded_index.shape[1], 6) for w, h in SIZES]},
)
for ax, (width, height) in zip(axes, SIZES):
    tr = trace(width, height)
    windows = tr.window_of_token()
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
    for w in range(len(tr.cu_window_seqlens) - 1):  # each window: the block of tokens the window index gave it
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
    for n in range(len(tr.cu_window_seqlens) - 1):  # window number at each window's centre
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
        f"{width}x{height} px\n{tr.merged[0]}x{tr.merged[1]} tokens\n{len(tr.cu_window_seqlens) - 1} window(s)",
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

print(
    svg_figure(
        fig,
        alt=(
            f"{len(SIZES)} grids of merged tokens, one per image size, each token coloured by its attention window; "
            "the -100 padding cells are hatched grey along the bottom and right edges. "
            + "; ".join(
                f"{w}x{h} px: {trace(w, h).merged[0]}x{trace(w, h).merged[1]} tokens in "
                f"{len(trace(w, h).window_patches)} window(s) holding {sorted(set(trace(w, h).window_tokens))} "
                f"tokens, padded to {trace(w, h).padded_index.shape[0]}x{trace(w, h).padded_index.shape[1]}"
                for w, h in SIZES
            )
            + "."
        ),
        caption="Every coloured cell is a real merged token; grey cells exist only in the padded index array and are "
        "removed before the windows are formed. Window numbers are the order the encoder processes them in.",
    )
)
