# --8<-- [start:code]
"""Qwen2-VL, Qwen2.5-VL and Qwen3-VL on the same images: resized input, LLM tokens, attention windows.

Each model's vision config comes from its real config class (AutoConfig.for_model), its image processor
class from transformers' own auto mapping, built with that config's patch and merge size and the
processor's default pixel bounds, and run on images made here. Whether the encoder uses windows is read
from its modeling file (as window_code_users.py reads it); the windows come from get_vision_window_index.
Prints a Markdown table. Run: python tokens_windows.py
"""

import ast
from pathlib import Path

import torch
import transformers
from PIL import Image
from transformers import AutoConfig
from transformers.models.auto.image_processing_auto import IMAGE_PROCESSOR_MAPPING_NAMES
from transformers.vision_utils import get_vision_window_index

MODELS = {"qwen2_vl": "Qwen2-VL", "qwen2_5_vl": "Qwen2.5-VL", "qwen3_vl": "Qwen3-VL"}
SIZES = [(84, 84), (224, 224), (476, 476), (480, 640), (720, 1280), (1080, 1920)]  # (height, width)
WINDOW_FUNCTION = "get_vision_window_index"
INSTALLED = Path(transformers.__file__).resolve().parent


def _imports_window_function(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("vision_utils"):
            if any(alias.name == WINDOW_FUNCTION for alias in node.names):
                return True
    return False


def _is_window_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == WINDOW_FUNCTION) or (
        isinstance(func, ast.Attribute) and func.attr == WINDOW_FUNCTION
    )


def calls_window_code(path: Path) -> bool:
    """True if this modeling file imports the window function and calls it (as window_code_users.py decides)."""
    text = path.read_text()
    if WINDOW_FUNCTION not in text:
        return False
    tree = ast.parse(text)
    return _imports_window_function(tree) and any(_is_window_call(n) for n in ast.walk(tree))


def uses_window_code(model_type: str) -> bool:
    return calls_window_code(INSTALLED / "models" / model_type / f"modeling_{model_type}.py")


def vision_config(model_type: str):
    return AutoConfig.for_model(model_type).vision_config


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


# --8<-- [end:code]


if __name__ == "__main__":
    print(comparison_table())
