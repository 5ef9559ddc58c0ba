# --8<-- [start:code]
"""The square sweep as a figure: LLM tokens and attention windows per input side, and how full the windows are.

Square inputs 28..1344 px with the released preprocessor bounds; the resize is transformers' `smart_resize`
and the windows come from `get_vision_window_index` (the same `layout` as sweep.py). Draws the figure `fig`,
with its alt text `ALT` and caption `CAPTION`. Run: python sweep_figure.py (writes sweep_figure.svg)
"""

import matplotlib.pyplot as plt
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
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]


def layout(height: int, width: int, min_pixels: int = RELEASED[0], max_pixels: int = RELEASED[1]) -> dict:
    """Resized size, LLM tokens and attention windows of a height x width input image."""
    rh, rw = smart_resize(height, width, factor=FACTOR, min_pixels=min_pixels, max_pixels=max_pixels)
    grid = torch.tensor([[1, rh // PATCH, rw // PATCH]])
    _, cu = get_vision_window_index(grid, MERGE, WINDOW, PATCH)
    per_window = ((cu[1:] - cu[:-1]) // MERGE**2).tolist()  # LLM tokens in each window
    return {
        "tokens": sum(per_window),
        "windows": len(per_window),
        "full_share": sum(n == FULL_WINDOW for n in per_window) / len(per_window),
        "smallest": min(per_window),
    }


rows = [layout(side, side) for side in SIDES]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4), sharex=True)
top.plot(SIDES, [r["tokens"] for r in rows], color=PALETTE[0], marker="o", ms=3, label="LLM tokens")
top.set_ylabel("LLM tokens per image")
top.set_title("Square inputs 28-1344 px, released preprocessor bounds")
twin = top.twinx()
twin.plot(SIDES, [r["windows"] for r in rows], color=PALETTE[1], ls="--", label="attention windows")
twin.set_ylabel("attention windows")
top.legend(handles=top.get_lines() + twin.get_lines(), loc="upper left")
colors = [PALETTE[2] if side % WINDOW == 0 else PALETTE[5] for side in SIDES]
hatches = ["//" if side % WINDOW == 0 else "" for side in SIDES]
bars = bottom.bar(SIDES, [100 * r["full_share"] for r in rows], width=FACTOR * 0.8, color=colors)
for bar, hatch in zip(bars, hatches):
    bar.set_hatch(hatch)
bottom.plot(
    SIDES,
    [100 * r["smallest"] / FULL_WINDOW for r in rows],
    color=PALETTE[4],
    marker="v",
    ms=3,
    ls="none",
    label="smallest window, % of a full one",
)
bottom.bar([0], [0], color=PALETTE[2], hatch="//", label="share of full windows, side a multiple of 112")
bottom.bar([0], [0], color=PALETTE[5], label="share of full windows, other sides")
bottom.set_ylabel("%")
bottom.set_xlabel("input side (px); the image is side x side")
bottom.set_ylim(0, 105)
bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
multiples = [side for side in SIDES if side % WINDOW == 0]
ALT = (
    "Two panels over square input sides from 28 to 1344 pixels. Top: LLM tokens grow with the square of "
    "the side, and the number of attention windows grows in steps. Bottom: the share of full windows is "
    f"100 percent exactly at the multiples of 112 ({', '.join(map(str, multiples))}) and lower elsewhere."
)
CAPTION = (
    f"Computed with smart_resize and get_vision_window_index, min_pixels={RELEASED[0]}, "
    f"max_pixels={RELEASED[1]}. A full window holds {FULL_WINDOW} LLM tokens."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("sweep_figure.svg")
    print("wrote sweep_figure.svg")
