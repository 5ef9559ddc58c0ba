# --8<-- [start:code]
"""Do the real image processors (torchvision and PIL backends) feed the model what their own module's smart_resize
says? Every PROBE x PROBE image, made here, with the released checkpoints' bounds. Run: python processors.py
(Needs: snippets/data/released_vision_configs.json, the released checkpoints' bounds, from the handbook.)
"""

import json
from pathlib import Path

from PIL import Image
from qwen_vl_utils import vision_process as qwen_utils
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor, Qwen2VLImageProcessorPil
from transformers.models.qwen2_vl import image_processing_pil_qwen2_vl as pil_module
from transformers.models.qwen2_vl import image_processing_qwen2_vl as torchvision_module

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())["preprocessor_config"]
VISION = Qwen2_5_VLVisionConfig()
PATCH = VISION.patch_size
FACTOR = VISION.patch_size * VISION.spatial_merge_size
PROBE = [1, 2, 3, 5, 8, 10, 13, 14, 15, 20, 28, 41, 42, 56, 100, 112, 200, 300, 476, 640, 1000]


def resize(rule, height, width, min_pixels, max_pixels):
    """The rule's (height, width), or None where it refuses the image (aspect ratio above 200)."""
    try:
        return tuple(rule(height, width, factor=FACTOR, min_pixels=min_pixels, max_pixels=max_pixels))
    except ValueError:
        return None


def processors(min_pixels, max_pixels) -> dict:
    size = {"shortest_edge": min_pixels, "longest_edge": max_pixels}
    return {
        "torchvision processor": Qwen2VLImageProcessor(size=size),
        "PIL processor": Qwen2VLImageProcessorPil(size=size),
    }


def processed(processor, height, width):
    """What the real processor feeds the model: image_grid_thw x patch size, or None if it refuses."""
    try:
        grid = processor(images=Image.new("RGB", (width, height), (200, 120, 40)), return_tensors="pt")
    except ValueError:
        return None
    _, grid_h, grid_w = grid["image_grid_thw"][0].tolist()
    return grid_h * PATCH, grid_w * PATCH


def processors_check() -> str:
    """Do the real processors output what their own module's smart_resize says? On every PROBE x PROBE image."""
    low, high = RELEASED["min_pixels"], RELEASED["max_pixels"]
    lines = []
    for label, processor in processors(low, high).items():
        module = torchvision_module if label.startswith("torchvision") else pil_module
        same_as_module = same_as_qwen = total = 0
        for height in PROBE:
            for width in PROBE:
                out = processed(processor, height, width)
                total += 1
                same_as_module += out == resize(module.smart_resize, height, width, low, high)
                same_as_qwen += out == resize(qwen_utils.smart_resize, height, width, low, high)
        lines.append(
            f"- **{label}** (`{type(processor).__name__}`), {total} images from "
            f"{PROBE[0]} to {PROBE[-1]} px a side: output equals its module's `smart_resize` for "
            f"**{same_as_module} of {total}**, qwen-vl-utils' for {same_as_qwen} of {total}."
        )
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(processors_check())
