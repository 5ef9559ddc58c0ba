# --8<-- [start:code]
"""Resize with qwen-vl-utils first, then with transformers' rule, as when the processor receives an image that
qwen-vl-utils already resized: is the size kept? Every size from 1x1 to 256x256 px, the released checkpoints'
bounds. Run: python double.py
(Needs: snippets/data/released_vision_configs.json, the released checkpoints' bounds, from the handbook.)
"""

import json
from pathlib import Path

from qwen_vl_utils import vision_process as qwen_utils
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_vl import image_processing_qwen2_vl as torchvision_module

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())["preprocessor_config"]
VISION = Qwen2_5_VLVisionConfig()
FACTOR = VISION.patch_size * VISION.spatial_merge_size
SIDES = range(1, 257)  # every height and width from 1 to 256 pixels


def resize(rule, height, width, min_pixels, max_pixels):
    """The rule's (height, width), or None where it refuses the image (aspect ratio above 200)."""
    try:
        return tuple(rule(height, width, factor=FACTOR, min_pixels=min_pixels, max_pixels=max_pixels))
    except ValueError:
        return None


def double_resize() -> str:
    """Resize with qwen-vl-utils first, then hand the image to transformers' rule: does the size survive?"""
    low, high = RELEASED["min_pixels"], RELEASED["max_pixels"]
    kept = changed = 0
    for height in SIDES:
        for width in SIDES:
            first = resize(qwen_utils.smart_resize, height, width, low, high)
            if first is None or 0 in first:
                continue
            second = resize(torchvision_module.smart_resize, *first, low, high)
            kept += second == first
            changed += second != first
    return (
        f"Resized by qwen-vl-utils first, then by transformers' rule (what happens when the processor "
        f"receives an image qwen-vl-utils already resized): the size is kept for **{kept:,}** of "
        f"{kept + changed:,} sizes and changed for {changed:,}."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(double_resize())
