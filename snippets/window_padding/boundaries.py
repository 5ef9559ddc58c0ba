# --8<-- [start:code]
"""Print the window boundaries the installed window code computes, before and after it drops repeats.

`get_vision_window_index` runs unchanged on the grids the real processor gives for 84, 112 and 224 px
squares, while a stand-in for its `torch` name keeps what `torch.unique_consecutive` was given.
A repeated boundary is an empty window, made by a pad of a whole window. Run: python boundaries.py
"""

import numpy as np
import transformers.vision_utils as vision_utils
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor


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


def boundaries(width: int, height: int) -> tuple:
    """(`cu_window_seqlens` as computed, as returned after torch.unique_consecutive) for a width x height image."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.full((height, width, 3), 127, dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    real_torch = vision_utils.torch
    vision_utils.torch = Recording(real_torch, "unique_consecutive")
    try:
        _, used = vision_utils.get_vision_window_index(
            grid, config.spatial_merge_size, config.window_size, config.patch_size
        )
        ((args, _),) = vision_utils.torch.calls
    finally:
        vision_utils.torch = real_torch
    return args[0].tolist(), used.tolist()


def boundaries_markdown(width: int, height: int) -> str:
    computed, used = boundaries(width, height)
    empty = sum(a == b for a, b in zip(computed, computed[1:]))
    return (
        f"- {width}x{height}: `cu_window_seqlens` as computed `{computed}` → after "
        f"`torch.unique_consecutive` `{used}` ({empty} empty window(s) dropped, {len(used) - 1} used)."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    for width, height in [(84, 84), (112, 112), (224, 224)]:
        print(boundaries_markdown(width, height))
