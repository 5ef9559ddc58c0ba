# --8<-- [start:code]
"""Draw one attention window of Qwen2.5-VL's vision encoder in pixels, patches and LLM tokens.

The three sizes come from the installed Qwen2_5_VLVisionConfig defaults, so the drawing follows
the code if a release changes them. Run: python window_figure.py (writes window_figure.svg)
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
from transformers import Qwen2_5_VLVisionConfig

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]

cfg = Qwen2_5_VLVisionConfig()
patch, merge, window = cfg.patch_size, cfg.spatial_merge_size, cfg.window_size
token = patch * merge  # pixels per side of one LLM token
tokens_per_side = window // merge // patch  # the code's vit_merger_window_size
patches_per_side = tokens_per_side * merge

fig, ax = plt.subplots(figsize=(5.2, 5.2))
ax.add_patch(Rectangle((0, 0), window, window, facecolor=PALETTE[5], alpha=0.25, edgecolor="none"))
for i in range(patches_per_side + 1):  # patch grid, thin
    ax.plot([i * patch] * 2, [0, window], lw=0.6, color=PALETTE[7])
    ax.plot([0, window], [i * patch] * 2, lw=0.6, color=PALETTE[7])
for i in range(tokens_per_side + 1):  # merged-token grid, thick
    ax.plot([i * token] * 2, [0, window], lw=2.2, color=PALETTE[0])
    ax.plot([0, window], [i * token] * 2, lw=2.2, color=PALETTE[0])
one_patch = ax.add_patch(Rectangle((0, 0), patch, patch, hatch="////", fill=False, edgecolor=PALETTE[4], lw=1.5))
one_token = ax.add_patch(Rectangle((token, token), token, token, hatch="..", fill=False, edgecolor=PALETTE[2], lw=2))
ax.legend(
    [one_patch, one_token],
    [f"one patch: {patch}x{patch} px", f"one LLM token: {merge}x{merge} patches = {token}x{token} px"],
    loc="upper center",
    bbox_to_anchor=(0.5, -0.12),
    ncol=1,
)
ax.set_xlim(0, window)
ax.set_ylim(window, 0)  # image coordinates: y grows downwards
ax.set_aspect("equal")
ax.set_xlabel("x (pixels of the resized image)")
ax.set_ylabel("y (pixels)")
ax.set_title(
    f"One attention window: {window}x{window} px = {patches_per_side}x{patches_per_side} patches "
    f"= {tokens_per_side}x{tokens_per_side} LLM tokens",
    fontsize=9,
)

ALT = (
    f"A {window} by {window} pixel square divided into a {patches_per_side} by {patches_per_side} grid of "
    f"{patch}-pixel patches and, with thicker lines, a {tokens_per_side} by {tokens_per_side} grid of "
    f"{token}-pixel LLM tokens."
)
CAPTION = (
    f"The largest attention window, drawn from the installed config: patch_size={patch}, "
    f"spatial_merge_size={merge}, window_size={window}."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("window_figure.svg")
    print("wrote window_figure.svg")
