# --8<-- [start:code]
"""Does `smart_resize` give the size the real image processor gives? Counts the cases that agree.

The sweep and the size map compute the resize with transformers' `smart_resize` instead of processing an
image; that is safe only if the two agree. Sizes include tiny, very flat and rounding-half inputs, under
three min/max settings. Run: python agreement.py
"""

from PIL import Image
from transformers import Qwen2VLImageProcessor
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

RELEASED = (3136, 12845056)  # min_pixels, max_pixels of the released preprocessor_config.json
SAMPLE = ((84, 84), (476, 476), (10, 10), (1, 50), (99, 333), (70, 70), (98, 42), (500, 1000), (1345, 17), (600, 1100))
BOUNDS = ((3136, 1003520), RELEASED, (200704, 1003520))


def agreement(sample=SAMPLE, bounds=BOUNDS) -> tuple:
    """How many (size, bounds) pairs give the same resized size through smart_resize and the real processor."""
    processor = Qwen2VLImageProcessor()
    patch = processor.patch_size
    factor = patch * processor.merge_size  # what the processor passes to smart_resize
    same = total = 0
    for height, width in sample:
        for low, high in bounds:
            grid = processor(
                images=Image.new("RGB", (width, height)),
                return_tensors="pt",
                size={"shortest_edge": low, "longest_edge": high},
            )["image_grid_thw"][0]
            total += 1
            same += (int(grid[1]) * patch, int(grid[2]) * patch) == smart_resize(
                height, width, factor=factor, min_pixels=low, max_pixels=high
            )
    return same, total


# --8<-- [end:code]


if __name__ == "__main__":
    same, total = agreement()
    print(f"smart_resize and the real Qwen2VLImageProcessor give the same resized size in **{same} of {total}** cases.")
