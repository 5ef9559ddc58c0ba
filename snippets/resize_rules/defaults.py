# --8<-- [start:code]
"""Where the resize rules' default min_pixels and max_pixels are read, and what they are: transformers' smart_resize
signatures and processor classes, qwen-vl-utils' constants as its fetch_image applies them, and the released
checkpoints' preprocessor_config.json (cited). Run: python defaults.py
(Needs: snippets/data/released_vision_configs.json, the released checkpoints' bounds, from the handbook.)
"""

import inspect
import json
from importlib.metadata import version
from pathlib import Path

from qwen_vl_utils import vision_process as qwen_utils
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor, Qwen2VLImageProcessorPil
from transformers.models.qwen2_vl import image_processing_pil_qwen2_vl as pil_module
from transformers.models.qwen2_vl import image_processing_qwen2_vl as torchvision_module

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())["preprocessor_config"]
VISION = Qwen2_5_VLVisionConfig()
TOKENS = (VISION.patch_size * VISION.spatial_merge_size) ** 2  # pixels per LLM token


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


# --8<-- [end:code]


if __name__ == "__main__":
    print(defaults_table())
