# --8<-- [start:code]
"""The coordinate frame Qwen2.5-VL answers in: the processor's resized size, for many inputs and min/max settings.

Each cell runs the real Qwen2VLImageProcessor (bounds passed as size={"shortest_edge": min_pixels,
"longest_edge": max_pixels}, the spelling transformers 5 uses) and reads the resized size back from its
output grid: image_grid_thw * patch_size. Prints one table row per input size.
Run: python resize_frames.py
"""

from PIL import Image
from transformers import Qwen2VLImageProcessor

# (name, min_pixels, max_pixels)
SETTINGS = (
    ("class default", 56 * 56, 28 * 28 * 1280),
    ("released preprocessor_config.json", 3136, 12845056),
    ("README recipe 256-1280 tokens", 256 * 28 * 28, 1280 * 28 * 28),
)
INPUTS = (
    (10, 10),
    (1, 50),
    (84, 84),
    (120, 200),
    (320, 320),
    (476, 476),
    (480, 640),
    (768, 1024),
    (1080, 1920),
    (1536, 2048),
)  # (height, width)


def processed_size(height: int, width: int, min_pixels: int, max_pixels: int, processor=None) -> tuple:
    """(height, width) of the image the model sees, read from the real processor's output grid."""
    processor = processor or Qwen2VLImageProcessor()
    grid = processor(
        images=Image.new("RGB", (width, height)),
        return_tensors="pt",
        size={"shortest_edge": min_pixels, "longest_edge": max_pixels},
    )["image_grid_thw"][0]
    return int(grid[1]) * processor.patch_size, int(grid[2]) * processor.patch_size


def table() -> str:
    processor = Qwen2VLImageProcessor()
    token_area = (processor.patch_size * processor.merge_size) ** 2
    head = (
        "| input (h x w) | " + " | ".join(f"{name}<br>min {lo:,} / max {hi:,} px" for name, lo, hi in SETTINGS) + " |"
    )
    lines = [head, "|---" * (len(SETTINGS) + 1) + "|"]
    for height, width in INPUTS:
        cells = []
        for _, low, high in SETTINGS:
            h, w = processed_size(height, width, low, high, processor)
            mark = "" if (h, w) == (height, width) else " ✱"
            cells.append(f"{h} x {w}{mark} ({h * w // token_area} tokens)")
        lines.append(f"| {height} x {width} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(table())
