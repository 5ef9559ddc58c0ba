# --8<-- [start:code]
"""Print patches and LLM tokens for square images from 28 to 1344 px, through the real image processor.

"Pixels per LLM token" is measured twice: on the resized image the model sees, and on the image you
passed in. The first is the merge at work; the second shows the processor's resize (min_pixels,
max_pixels) changing the picture before any merge happens. Run: python token_table.py
"""

import functools

import numpy as np
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor

SIDES = (28, 56, 84, 112, 168, 224, 336, 448, 476, 672, 896, 1120, 1344)


@functools.cache
def token_row(side: int) -> dict:
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.zeros((side, side, 3), dtype=np.uint8))
    _, h, w = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"][0].tolist()
    merge = config.spatial_merge_size
    tokens = (h // merge) * (w // merge)
    resized = (h * config.patch_size, w * config.patch_size)
    return {
        "side": side,
        "resized": resized,
        "patches": h * w,
        "patch_grid": (h, w),
        "token_grid": (h // merge, w // merge),
        "tokens": tokens,
        "resized_px_per_token": resized[0] * resized[1] / tokens,
        "input_px_per_token": side * side / tokens,
    }


def token_table(sides=SIDES) -> str:
    rows = [
        "| image (px) | resized by the processor (px) | patches | LLM tokens after the merge "
        "| resized pixels per LLM token | your pixels per LLM token |",
        "|---|---|---|---|---|---|",
    ]
    for side in sides:
        r = token_row(side)
        rows.append(
            f"| {side}x{side} | {r['resized'][1]}x{r['resized'][0]} "
            f"| {r['patch_grid'][0]}x{r['patch_grid'][1]} = {r['patches']} "
            f"| {r['token_grid'][0]}x{r['token_grid'][1]} = {r['tokens']} "
            f"| {r['resized_px_per_token']:g} | {r['input_px_per_token']:.4g} |"
        )
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(token_table())
