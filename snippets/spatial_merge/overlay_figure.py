# --8<-- [start:code]
"""A generated test image with the processor's patch grid and the merged-token grid drawn over it.

The grid sizes come from the real Qwen2VLImageProcessor's `image_grid_thw` for each image, and the
image is shown at the size the processor resized it to. Run: python overlay_figure.py
(writes overlay_figure.svg)
"""

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor

# Mid-tone colours, legible on white and on a dark background (Okabe-Ito based).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]

config = Qwen2_5_VLVisionConfig()
patch, merge = config.patch_size, config.spatial_merge_size


def test_image(side: int) -> Image.Image:
    """A pale background with a disc and a bar, scaled with the image so both sizes show the same scene."""
    image = Image.new("RGB", (side, side), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse([0.15 * side, 0.15 * side, 0.55 * side, 0.55 * side], fill=(0, 114, 178))
    draw.rectangle([0.6 * side, 0.5 * side, 0.9 * side, 0.8 * side], fill=(230, 159, 0))
    return image


fig, axes = plt.subplots(1, 2, figsize=(10, 5.2), layout="constrained")
for ax, side in zip(axes, (84, 476)):
    image = test_image(side)
    _, h, w = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"][0].tolist()
    height, width = h * patch, w * patch
    ax.imshow(np.asarray(image.resize((width, height))), extent=(0, width, height, 0))
    for x in range(0, width + 1, patch):
        ax.axvline(x, lw=0.5, color=PALETTE[7])
    for y in range(0, height + 1, patch):
        ax.axhline(y, lw=0.5, color=PALETTE[7])
    for x in range(0, width + 1, patch * merge):
        ax.axvline(x, lw=1.8, color=PALETTE[3])
    for y in range(0, height + 1, patch * merge):
        ax.axhline(y, lw=1.8, color=PALETTE[3])
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_title(
        f"{side}x{side} px: {h}x{w} patches (thin grey), {h // merge}x{w // merge} LLM tokens (thick pink)", fontsize=9
    )
    ax.set_xlabel("x (pixels of the resized image)")
axes[0].set_ylabel("y (pixels)")

ALT = (
    f"The same generated scene, a blue disc and an orange bar on pale grey, at 84x84 and 476x476 pixels. Thin grey "
    f"lines cut it into {patch}-pixel patches, thick pink lines into {patch * merge}-pixel LLM tokens: each LLM "
    f"token covers {merge}x{merge} patches at both sizes."
)
CAPTION = (
    f"An LLM token is always {patch * merge}x{patch * merge} pixels of the resized image; a small image simply "
    "has fewer of them."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("overlay_figure.svg")
    print("wrote overlay_figure.svg")
