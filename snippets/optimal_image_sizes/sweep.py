# --8<-- [start:code]
"""Square inputs 28..1344 px: what the processor makes of each, and how the attention windows fall.

The resize is transformers' own `smart_resize` (the rule the processor calls; agreement.py checks the two
agree on a sample), and the windows come from `get_vision_window_index`, the function the vision encoder
calls. No image is processed, so the sweep is cheap. Prints a Markdown table. Run: python sweep.py
"""

import torch
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_window_index

CONFIG = Qwen2_5_VLVisionConfig()
PATCH, MERGE, WINDOW = CONFIG.patch_size, CONFIG.spatial_merge_size, CONFIG.window_size
FACTOR = PATCH * MERGE
FULL_WINDOW = (WINDOW // PATCH // MERGE) ** 2  # LLM tokens in a full window
RELEASED = (3136, 12845056)  # min_pixels, max_pixels of the released preprocessor_config.json
SIDES = range(FACTOR, 1344 + 1, FACTOR)


def layout(height: int, width: int, min_pixels: int = RELEASED[0], max_pixels: int = RELEASED[1]) -> dict:
    """Resized size, LLM tokens and attention windows of a height x width input image."""
    rh, rw = smart_resize(height, width, factor=FACTOR, min_pixels=min_pixels, max_pixels=max_pixels)
    grid = torch.tensor([[1, rh // PATCH, rw // PATCH]])
    _, cu = get_vision_window_index(grid, MERGE, WINDOW, PATCH)
    per_window = ((cu[1:] - cu[:-1]) // MERGE**2).tolist()  # LLM tokens in each window
    return {
        "resized": (rh, rw),
        "tokens": sum(per_window),
        "windows": len(per_window),
        "full_share": sum(n == FULL_WINDOW for n in per_window) / len(per_window),
        "smallest": min(per_window),
        "per_window": per_window,
    }


def sweep_table(sides=SIDES) -> str:
    lines = [
        "| input side | resized | LLM tokens | windows | full windows | smallest window (tokens) |",
        "|---|---|---|---|---|---|",
    ]
    for side in sides:
        r = layout(side, side)
        mark = " (multiple of 112)" if side % WINDOW == 0 else ""
        lines.append(
            f"| {side}{mark} | {r['resized'][0]}x{r['resized'][1]} | {r['tokens']} | {r['windows']} "
            f"| {r['full_share']:.0%} | {r['smallest']} |"
        )
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(sweep_table())
