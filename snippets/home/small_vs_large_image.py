# --8<-- [start:code]
"""An 84x84 and a 476x476 image as the vision encoder splits them: visual tokens and attention windows.

Both images go through the real processor (default settings); the windows are the ones the installed
`get_vision_window_index` builds from the processor's grid. Both panels share one pixel scale, so the
small image looks as small as it is. Run: python small_vs_large_image.py (writes small_vs_large_image.svg)
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index

SIDES = (84, 476)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]


def summary(side: int) -> dict:
    """Resized side, visual-token grid, window count and window side in pixels, from the real code."""
    config = Qwen2_5_VLVisionConfig()
    merge, patch = config.spatial_merge_size, config.patch_size
    image = Image.fromarray(np.full((side, side, 3), 127, dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    window_index, cu = get_vision_window_index(grid, merge, config.window_size, patch)
    _, h, w = grid[0].tolist()
    rows, cols = h // merge, w // merge
    # The window of every visual token: window_index orders the tokens, cu marks where each window starts.
    starts = cu[:-1].numpy() // merge**2
    window_of_token = np.empty(rows * cols, dtype=int)
    window_of_token[window_index.numpy()] = np.searchsorted(starts, np.arange(rows * cols), side="right") - 1
    token_px = w * patch // cols
    return {
        "side": side,
        "resized": (w * patch, h * patch),
        "tokens": rows * cols,
        "grid": (rows, cols),
        "windows": len(cu) - 1,
        "token_px": token_px,
        "window_px": config.window_size // merge // patch * token_px,  # the code's vit_merger_window_size
        "window_of_token": window_of_token.reshape(rows, cols),
    }


found = [summary(side) for side in SIDES]
extent = max(s["resized"][0] for s in found)
fig, axes = plt.subplots(1, len(found), figsize=(4.4, 2.3), layout="constrained")
for ax, s in zip(axes, found):
    windows, px = s["window_of_token"], s["token_px"]
    rows, cols = s["grid"]
    per_row = -(-cols * px // s["window_px"])  # windows across (the last one may be narrower)
    for w in range(s["windows"]):  # each window: the tokens the window index put in it, outlined
        cells = (windows == w).nonzero()
        r0, r1, c0, c1 = cells[0].min(), cells[0].max() + 1, cells[1].min(), cells[1].max() + 1
        odd = sum(divmod(w, per_row)) % 2  # neighbouring windows differ in fill and hatch
        ax.add_patch(
            Rectangle(
                (c0 * px, r0 * px),
                (c1 - c0) * px,
                (r1 - r0) * px,
                alpha=0.6,
                facecolor=PALETTE[0] if odd else PALETTE[5],
                hatch="//" if odd else "",
                edgecolor="#000000",
                lw=1.4,
            )
        )
    # One cell per visual token: thin white lines between tokens.
    ax.hlines(range(px, rows * px, px), 0, cols * px, colors="white", lw=0.6)
    ax.vlines(range(px, cols * px, px), 0, rows * px, colors="white", lw=0.6)
    ax.set_xlim(0, extent)
    ax.set_ylim(extent, 0)
    ax.set_aspect("equal")
    ax.set_xticks(range(0, extent + 1, s["window_px"]) if s is found[-1] else [0, s["resized"][0]])
    ax.set_yticks(range(0, extent + 1, s["window_px"]) if s is found[-1] else [0, s["resized"][0]])
    ax.tick_params(labelsize=6.5, length=2.5, pad=1.5)
    if s is not found[-1]:  # the small image's panel: the image alone, at the large one's scale
        ax.spines[:].set_visible(False)
        ax.tick_params(bottom=False, labelbottom=False)
    ax.set_title(
        f"{s['side']}x{s['side']} image\n{s['tokens']} visual tokens, {s['windows']} window"
        f"{'s' if s['windows'] != 1 else ''}",
        fontsize=9,
    )
small, large = found[0], found[-1]
ALT = (
    f"Two images drawn at the same pixel scale, each cut into visual tokens of {small['token_px']}x"
    f"{small['token_px']} pixels and outlined by attention window. The {small['side']}x{small['side']} "
    f"image is {small['grid'][0]}x{small['grid'][1]} = {small['tokens']} tokens in {small['windows']} "
    f"window; the {large['side']}x{large['side']} image is {large['grid'][0]}x{large['grid'][1]} = "
    f"{large['tokens']} tokens in {large['windows']} windows of up to {large['window_px']}x"
    f"{large['window_px']} pixels."
)
CAPTION = "Real processor and window code; both images at one pixel scale."
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("small_vs_large_image.svg")
    print("wrote small_vs_large_image.svg")
