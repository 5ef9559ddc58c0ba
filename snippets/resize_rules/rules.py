# --8<-- [start:code]
"""How often the two resize rules disagree: qwen-vl-utils' smart_resize and transformers' (torchvision and PIL
modules), as installed, given the same min_pixels and max_pixels, on every size from 1x1 to 256x256 pixels, for four
settings. Run: python rules.py
(Needs: snippets/data/released_vision_configs.json, the released checkpoints' bounds, from the handbook.)
"""

import functools
import json
from pathlib import Path

from qwen_vl_utils import vision_process as qwen_utils
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_vl import image_processing_pil_qwen2_vl as pil_module
from transformers.models.qwen2_vl import image_processing_qwen2_vl as torchvision_module

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())["preprocessor_config"]
VISION = Qwen2_5_VLVisionConfig()
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


# --8<-- [end:code]


if __name__ == "__main__":
    print(settings_table())
