"""Qwen2-VL, Qwen2.5-VL and Qwen3-VL on the same images: resized input, LLM tokens, attention windows.

Each model's vision config comes from its real config class (AutoConfig.for_model), its image processor
class from transformers' own auto mapping, built with that config's patch and merge size and the
processor's default pixel bounds, and run on images made here. Whether the encoder uses windows is read
from its modeling file (window_code_users.py); the windows themselves come from get_vision_window_index.
Coordinates are cited (snippets/data/coordinate_conventions.json), not measured.

Run from the repository root: python snippets/family_tokens_windows.py
"""

import json
from pathlib import Path

import torch
import transformers
from PIL import Image
from transformers import AutoConfig
from transformers.models.auto.image_processing_auto import IMAGE_PROCESSOR_MAPPING_NAMES
from transformers.vision_utils import get_vision_window_index
from window_code_users import INSTALLED, calls_window_code

HERE = Path(__file__).parent if "__file__" in globals() else Path("snippets")
CONVENTIONS = json.loads((HERE / "data" / "coordinate_conventions.json").read_text())["models"]
MODELS = {"qwen2_vl": "Qwen2-VL", "qwen2_5_vl": "Qwen2.5-VL", "qwen3_vl": "Qwen3-VL"}
SIZES = [(84, 84), (224, 224), (476, 476), (480, 640), (720, 1280), (1080, 1920)]  # (height, width)


def vision_config(model_type: str):
    return AutoConfig.for_model(model_type).vision_config


def uses_window_code(model_type: str) -> bool:
    return calls_window_code(INSTALLED / "models" / model_type / f"modeling_{model_type}.py")


def processor(model_type: str):
    config = vision_config(model_type)
    name = IMAGE_PROCESSOR_MAPPING_NAMES[model_type]["torchvision"]
    return getattr(transformers, name)(patch_size=config.patch_size, merge_size=config.spatial_merge_size)


def encode(model_type: str, height: int, width: int) -> dict:
    """What the real processor and the real window code make of one height x width image."""
    config = vision_config(model_type)
    grid = processor(model_type)(images=Image.new("RGB", (width, height), (90, 140, 200)), return_tensors="pt")[
        "image_grid_thw"
    ]
    _, grid_h, grid_w = grid[0].tolist()
    merge = config.spatial_merge_size
    result = {
        "resized": (grid_h * config.patch_size, grid_w * config.patch_size),
        "grid": (grid_h, grid_w),
        "tokens": grid_h * grid_w // merge**2,
        "depth": config.depth,
    }
    if uses_window_code(model_type):
        _, bounds = get_vision_window_index(grid, merge, config.window_size, config.patch_size)
        lengths = torch.diff(bounds).tolist()  # patches per window
        full = list(config.fullatt_block_indexes)
        result.update(windows=len(lengths), largest=max(lengths), full_layers=len(full))
    else:
        result.update(windows=None, largest=grid_h * grid_w, full_layers=config.depth)
    return result


def comparison_table() -> str:
    rows = [
        "| image (h x w) | model | resized input (px) | patch grid | LLM tokens | windowed blocks attend in "
        "| full-attention blocks |",
        "|---|---|---|---|---|---|---|",
    ]
    for height, width in SIZES:
        for model_type, name in MODELS.items():
            r = encode(model_type, height, width)
            windows = (
                f"{r['windows']} window(s), largest {r['largest']} patches" if r["windows"] else "no windowed blocks"
            )
            rows.append(
                f"| {height}x{width} | {name} | {r['resized'][0]}x{r['resized'][1]} "
                f"| {r['grid'][0]}x{r['grid'][1]} | {r['tokens']} | {windows} "
                f"| {r['full_layers']} of {r['depth']} |"
            )
    return "\n".join(rows)


def settings_table() -> str:
    rows = [
        "| model | vision config class | patch / merge / resize factor | calls the window code | window size "
        "| coordinates in answers (cited) |",
        "|---|---|---|---|---|---|",
    ]
    for model_type, name in MODELS.items():
        config = vision_config(model_type)
        factor = config.patch_size * config.spatial_merge_size
        cited = CONVENTIONS[model_type]
        sources = "; ".join(f"[{label}]({url})" for label, url in cited["sources"].items())
        rows.append(
            f"| {name} | `{type(config).__name__}` | {config.patch_size} / {config.spatial_merge_size} "
            f"/ {factor} | {'yes' if uses_window_code(model_type) else 'no'} "
            f"| {getattr(config, 'window_size', '—')} | {cited['convention']} ({sources}) |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(comparison_table())
