"""Sweep square image sizes 28..1344 px: what the processor makes of each, and how the windows fall.

The resize is transformers' own `smart_resize` (the rule the processor calls; `agreement()` checks the
two agree on a sample), and the windows come from `get_vision_window_index`, the function the vision
encoder calls. No image is processed, so the sweep is cheap. Run: python snippets/size_sweep.py
"""

import matplotlib.pyplot as plt
import torch
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_window_index

from handbook.figures import PALETTE, svg_figure

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


def agreement(
    sample=(
        (84, 84),
        (476, 476),
        (10, 10),
        (1, 50),
        (99, 333),
        (70, 70),
        (98, 42),
        (500, 1000),
        (1345, 17),
        (600, 1100),
    ),
    bounds=((3136, 1003520), RELEASED, (200704, 1003520)),
) -> tuple:
    """How many (size, bounds) pairs give the same resized size through smart_resize and the real processor."""
    processor = Qwen2VLImageProcessor()
    same = total = 0
    for height, width in sample:
        for low, high in bounds:
            grid = processor(
                images=Image.new("RGB", (width, height)),
                return_tensors="pt",
                size={"shortest_edge": low, "longest_edge": high},
            )["image_grid_thw"][0]
            total += 1
            same += (int(grid[1]) * PATCH, int(grid[2]) * PATCH) == smart_resize(
                height, width, factor=FACTOR, min_pixels=low, max_pixels=high
            )
    return same, total


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


def sweep_figure(sides=SIDES) -> str:
    rows = [layout(side, side) for side in sides]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4), sharex=True)
    top.plot(sides, [r["tokens"] for r in rows], color=PALETTE[0], marker="o", ms=3, label="LLM tokens")
    top.set_ylabel("LLM tokens per image")
    top.set_title("Square inputs 28-1344 px, released preprocessor bounds")
    twin = top.twinx()
    twin.plot(sides, [r["windows"] for r in rows], color=PALETTE[1], ls="--", label="attention windows")
    twin.set_ylabel("attention windows")
    top.legend(handles=top.get_lines() + twin.get_lines(), loc="upper left")
    colors = [PALETTE[2] if side % WINDOW == 0 else PALETTE[5] for side in sides]
    hatches = ["//" if side % WINDOW == 0 else "" for side in sides]
    bars = bottom.bar(sides, [100 * r["full_share"] for r in rows], width=FACTOR * 0.8, color=colors)
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    bottom.plot(
        sides,
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
    multiples = [side for side in sides if side % WINDOW == 0]
    return svg_figure(
        fig,
        alt=(
            "Two panels over square input sides from 28 to 1344 pixels. Top: LLM tokens grow with the square of "
            "the side, and the number of attention windows grows in steps. Bottom: the share of full windows is "
            f"100 percent exactly at the multiples of 112 ({', '.join(map(str, multiples))}) and lower elsewhere."
        ),
        caption=(
            f"Computed with smart_resize and get_vision_window_index, min_pixels={RELEASED[0]}, "
            f"max_pixels={RELEASED[1]}. A full window holds {FULL_WINDOW} LLM tokens."
        ),
    )


if __name__ == "__main__":
    print(sweep_figure())
