# --8<-- [start:code]
"""How many patches each attention window holds, for an 84x84 and a 476x476 image, from the real code.

Each image goes through the real processor (default settings) and the installed `get_vision_window_index`;
the window lengths are the steps of the `cu_window_seqlens` it returns. Run: python window_lengths.py
"""

from collections import Counter

import numpy as np
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index


def window_patch_counts(side: int, window_size: int = None) -> list:
    """Patches per attention window for a side x side image, through the real processor and window code."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.zeros((side, side, 3), dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    _, cu = get_vision_window_index(
        grid, config.spatial_merge_size, window_size or config.window_size, config.patch_size
    )
    return (cu[1:] - cu[:-1]).tolist()


def window_lengths(side: int) -> str:
    counts = Counter(window_patch_counts(side))
    listed = ", ".join(f"{n} window(s) of {size} patches" for size, n in sorted(counts.items(), reverse=True))
    return f"- **{side}x{side}**: {listed}."


# --8<-- [end:code]


if __name__ == "__main__":
    for side in (84, 476):
        print(window_lengths(side))
