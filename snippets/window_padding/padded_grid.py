# --8<-- [start:code]
"""Print the index grid that the installed window code pads for an 84x84 image, as `F.pad` returned it.

`get_vision_window_index` runs unchanged on the grid the real processor gives, while a stand-in for
its `F` name keeps what `F.pad` returned. The entries are merged-token numbers, the padding is in
bold. Run: python padded_grid.py
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


def padded_index(width: int, height: int) -> tuple:
    """(the index grid F.pad returned, the value it padded with) for a width x height image."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.full((height, width, 3), 127, dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    real_f = vision_utils.F
    vision_utils.F = Recording(real_f, "pad")
    try:
        vision_utils.get_vision_window_index(grid, config.spatial_merge_size, config.window_size, config.patch_size)
        ((args, padded),) = vision_utils.F.calls
    finally:
        vision_utils.F = real_f
    return padded[0].numpy(), args[3]


def padded_grid_markdown(width: int, height: int) -> str:
    """The padded index grid as a Markdown table: merged-token numbers, padding in bold."""
    grid, pad_value = padded_index(width, height)
    cols = grid.shape[1]
    rows = ["| index row | " + " | ".join(f"col {c}" for c in range(cols)) + " |", "|---" * (cols + 1) + "|"]
    for r, line in enumerate(grid):
        cells = [f"**{v}**" if v == pad_value else str(v) for v in line]
        rows.append(f"| row {r} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(padded_grid_markdown(84, 84))
