# --8<-- [start:code]
"""Worked examples: a few image sizes through the three smart_resize functions and both real image processors
(torchvision and PIL backends, run on images made here; their output is image_grid_thw x patch size).
Run: python examples.py
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
RULES = {
    "qwen-vl-utils": qwen_utils.smart_resize,
    "transformers, torchvision module": torchvision_module.smart_resize,
    "transformers, PIL module": pil_module.smart_resize,
}
RELEASED_BOUNDS = ("released checkpoints' preprocessor_config", RELEASED["min_pixels"], RELEASED["max_pixels"])
FIXED_4_TOKENS = ("fixed budget, min = max = 4 tokens", 4 * FACTOR * FACTOR, 4 * FACTOR * FACTOR)
# Inputs picked to show each kind of disagreement; every output below is computed.
EXAMPLES = [
    (RELEASED_BOUNDS, 10, 500),
    (RELEASED_BOUNDS, 2, 300),
    (RELEASED_BOUNDS, 14, 200),
    (RELEASED_BOUNDS, 500, 3),
    (RELEASED_BOUNDS, 476, 476),
    (FIXED_4_TOKENS, 20, 3000),
]


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


def _fmt(size):
    return "refuses" if size is None else f"{size[0]}x{size[1]}"


def worked_examples() -> str:
    rows = [
        "| setting | image (h x w) | qwen-vl-utils | transformers `smart_resize` (torchvision / PIL module) "
        "| torchvision processor | PIL processor |",
        "|---|---|---|---|---|---|",
    ]
    for (name, low, high), height, width in EXAMPLES:
        q, tv, pil = (resize(rule, height, width, low, high) for rule in RULES.values())
        made = {label: processed(p, height, width) for label, p in processors(low, high).items()}
        rows.append(
            f"| {name} | {height}x{width} | {_fmt(q)} | {_fmt(tv)} / {_fmt(pil)} "
            f"| {_fmt(made['torchvision processor'])} | {_fmt(made['PIL processor'])} |"
        )
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(worked_examples())
