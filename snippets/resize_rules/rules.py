"""Two resize rules side by side: qwen-vl-utils' smart_resize and transformers' (torchvision and PIL modules).

All three functions are run as installed, with the same min_pixels and max_pixels, over every image
size from 1x1 to 256x256 pixels; the real image processors (torchvision and PIL backends) are run on
images made here, and their output size is read back as image_grid_thw x patch size. Defaults are
read from the code: function signatures, processor class attributes, qwen-vl-utils' module constants.

Run from the repository root: python snippets/resize_rules.py
"""

import functools
import inspect
import json
from importlib.metadata import version
from pathlib import Path

from PIL import Image
from qwen_vl_utils import vision_process as qwen_utils
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor, Qwen2VLImageProcessorPil
from transformers.models.qwen2_vl import image_processing_pil_qwen2_vl as pil_module
from transformers.models.qwen2_vl import image_processing_qwen2_vl as torchvision_module

HERE = Path(__file__).parent if "__file__" in globals() else Path("snippets")
RELEASED = json.loads((HERE / "data" / "released_vision_configs.json").read_text())["preprocessor_config"]
VISION = Qwen2_5_VLVisionConfig()
PATCH = VISION.patch_size
FACTOR = VISION.patch_size * VISION.spatial_merge_size
RULES = {
    "qwen-vl-utils": qwen_utils.smart_resize,
    "transformers, torchvision module": torchvision_module.smart_resize,
    "transformers, PIL module": pil_module.smart_resize,
}
SIDES = range(1, 257)  # every height and width from 1 to 256 pixels
TOKENS = FACTOR * FACTOR  # pixels per LLM token
# (name, min_pixels, max_pixels); the first is what the released checkpoints ship (cited in the data file).
SETTINGS = [
    ("released checkpoints' preprocessor_config", RELEASED["min_pixels"], RELEASED["max_pixels"]),
    ("README range, 256 to 1280 tokens", 256 * TOKENS, 1280 * TOKENS),
    ("fixed budget, min = max = 4 tokens", 4 * TOKENS, 4 * TOKENS),
    ("fixed budget, min = max = 1280 tokens", 1280 * TOKENS, 1280 * TOKENS),
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


def qwen_utils_source() -> str:
    """qwen-vl-utils' smart_resize as installed (source_excerpt.py quotes transformers only)."""
    lines, first = inspect.getsourcelines(qwen_utils.smart_resize)
    path = Path(inspect.getsourcefile(qwen_utils.smart_resize))
    return (
        f"`qwen_vl_utils/{path.name}`, lines {first}–{first + len(lines) - 1} of the installed qwen-vl-utils "
        f'{version("qwen-vl-utils")}\n\n````python linenums="{first}"\n{"".join(lines).rstrip()}\n````\n'
    )


def _default(function, name):
    return inspect.signature(function).parameters[name].default


def defaults_table() -> str:
    tf_min, tf_max = (
        _default(torchvision_module.smart_resize, "min_pixels"),
        _default(torchvision_module.smart_resize, "max_pixels"),
    )
    pil_min, pil_max = _default(pil_module.smart_resize, "min_pixels"), _default(pil_module.smart_resize, "max_pixels")
    tv_size, pil_size = Qwen2VLImageProcessor.size, Qwen2VLImageProcessorPil.size
    image_factor = _default(qwen_utils.fetch_image, "image_patch_size") * qwen_utils.SPATIAL_MERGE_SIZE
    q_min, q_max = qwen_utils.IMAGE_MIN_TOKEN_NUM * image_factor**2, qwen_utils.IMAGE_MAX_TOKEN_NUM * image_factor**2

    def tokens(pixels):
        return f"{pixels:,} px = {pixels / TOKENS:g} tokens"

    return "\n".join(
        [
            "| where the default is read | factor | min_pixels | max_pixels |",
            "|---|---|---|---|",
            f"| `transformers` `smart_resize` signature, torchvision module | {_default(torchvision_module.smart_resize, 'factor')} "
            f"| {tokens(tf_min)} | {tokens(tf_max)} |",
            f"| `transformers` `smart_resize` signature, PIL module | {_default(pil_module.smart_resize, 'factor')} "
            f"| {tokens(pil_min)} | {tokens(pil_max)} |",
            f"| `Qwen2VLImageProcessor.size` (torchvision) | patch x merge = {Qwen2VLImageProcessor.patch_size * Qwen2VLImageProcessor.merge_size} "
            f"| {tokens(tv_size['shortest_edge'])} | {tokens(tv_size['longest_edge'])} |",
            f"| `Qwen2VLImageProcessorPil.size` (PIL) | patch x merge = {Qwen2VLImageProcessorPil.patch_size * Qwen2VLImageProcessorPil.merge_size} "
            f"| {tokens(pil_size['shortest_edge'])} | {tokens(pil_size['longest_edge'])} |",
            f"| `qwen_vl_utils` {version('qwen-vl-utils')} `fetch_image` (`IMAGE_MIN_TOKEN_NUM`, "
            f"`IMAGE_MAX_TOKEN_NUM` x factor²) | image_patch_size x {qwen_utils.SPATIAL_MERGE_SIZE} = {image_factor} "
            f"| {tokens(q_min)} | {tokens(q_max)} |",
            f"| released checkpoints' `preprocessor_config.json` (cited, `snippets/data/`) | — "
            f"| {tokens(RELEASED['min_pixels'])} | {tokens(RELEASED['max_pixels'])} |",
        ]
    )


@functools.cache
def compare(min_pixels, max_pixels, sides=SIDES) -> dict:
    """Run the three rules on every (height, width) in sides x sides."""
    counts = {"cells": 0, "both refuse": 0, "disagree": 0, "zero side": 0, "modules differ": 0}
    examples = []
    for height in sides:
        for width in sides:
            q, tv, pil = (resize(rule, height, width, min_pixels, max_pixels) for rule in RULES.values())
            counts["cells"] += 1
            counts["modules differ"] += tv != pil
            if q is None and tv is None:
                counts["both refuse"] += 1
            elif q != tv:
                counts["disagree"] += 1
                counts["zero side"] += q is not None and 0 in q
                examples.append(((height, width), q, tv))
    return {**counts, "examples": examples}


def settings_table() -> str:
    rows = [
        "| setting: min_pixels / max_pixels, the same for both | sizes | both refuse (aspect > 200) "
        "| qwen-vl-utils ≠ transformers | qwen-vl-utils gives a zero side "
        "| largest shorter side where they differ | torchvision ≠ PIL module |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, low, high in SETTINGS:
        c = compare(low, high)
        share = c["disagree"] / (c["cells"] - c["both refuse"])
        shorter = max((min(size) for size, _, _ in c["examples"]), default=None)
        rows.append(
            f"| {name}: {low:,} / {high:,} | {c['cells']:,} | {c['both refuse']:,} "
            f"| **{c['disagree']:,}** ({share:.2%}) | {c['zero side']:,} "
            f"| {'—' if shorter is None else f'{shorter} px'} | {c['modules differ']} |"
        )
    return "\n".join(rows)


# Inputs picked to show each kind of disagreement; every output below is computed.
EXAMPLES = [
    (SETTINGS[0], 10, 500),
    (SETTINGS[0], 2, 300),
    (SETTINGS[0], 14, 200),
    (SETTINGS[0], 500, 3),
    (SETTINGS[0], 476, 476),
    (SETTINGS[2], 20, 3000),
]


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


PROBE = [1, 2, 3, 5, 8, 10, 13, 14, 15, 20, 28, 41, 42, 56, 100, 112, 200, 300, 476, 640, 1000]


def processors_check() -> str:
    """Do the real processors output what their own module's smart_resize says? On every PROBE x PROBE image."""
    low, high = SETTINGS[0][1], SETTINGS[0][2]
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


def double_resize() -> str:
    """Resize with qwen-vl-utils first, then hand the image to transformers' rule: does the size survive?"""
    low, high = SETTINGS[0][1], SETTINGS[0][2]
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


if __name__ == "__main__":
    print(defaults_table())
    print()
    print(settings_table())
    print()
    print(worked_examples())
    print()
    print(processors_check())
    print()
    print(double_resize())
