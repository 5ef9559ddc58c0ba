# --8<-- [start:code]
"""Window attention versus full attention, on the same random weights: where do the outputs differ?

Two tiny Qwen2_5_VisionTransformerPretrainedModel share one state_dict. They are built from the installed
Qwen2_5_VLVisionConfig with small widths and everything else (depth, patch, merge, window size,
full-attention blocks) left at its default; the second one lists every block in
`fullatt_block_indexes`, so none of its blocks uses windows. Each image goes through the real processor
and both models in float32 with the default (sdpa) attention. Prints a table per image size and
whether a repeated run is bit-identical. Run: python equivalence.py
"""

import functools
from contextlib import contextmanager

import numpy as np
import torch
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_window_index

SEED = 0
SIZES = [(s, s) for s in (28, 56, 84, 112, 140, 168, 224, 336, 476)] + [(112, 84), (224, 56)]  # (width, height)
SMALL_WIDTHS = {"hidden_size": 32, "num_heads": 2, "intermediate_size": 64, "out_hidden_size": 16}


@contextmanager
def one_thread():
    """Tiny models are bound by per-op overhead: one thread is faster on a shared CPU, and restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@functools.cache
def models() -> tuple:
    """(config's window blocks, every block full), identical weights, eval mode."""
    config = Qwen2_5_VLVisionConfig(**SMALL_WIDTHS)
    torch.manual_seed(SEED)
    windowed = Qwen2_5_VisionTransformerPretrainedModel(config).eval()
    all_full = Qwen2_5_VisionTransformerPretrainedModel(
        Qwen2_5_VLVisionConfig(**SMALL_WIDTHS, fullatt_block_indexes=list(range(config.depth)))
    ).eval()
    all_full.load_state_dict(windowed.state_dict())
    return windowed, all_full


def noise_image(width: int, height: int) -> Image.Image:
    pixels = np.random.default_rng([SEED, width, height]).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@functools.cache
def run_both(width: int, height: int) -> tuple:
    """The processor's pixels and grid for one image, and both models' outputs on it (computed once per size)."""
    windowed, all_full = models()
    inputs = Qwen2VLImageProcessor()(images=noise_image(width, height), return_tensors="pt")
    pixels, grid = inputs["pixel_values"], inputs["image_grid_thw"]
    with torch.no_grad(), one_thread():
        a = windowed(pixels, grid_thw=grid).pooler_output
        b = all_full(pixels, grid_thw=grid).pooler_output
    return pixels, grid, a, b


@functools.cache
def compare(width: int, height: int, repeat: bool = False) -> dict:
    """Both outputs compared; with repeat, the window model runs a second time and is compared with its first run."""
    windowed, _ = models()
    pixels, grid, a, b = run_both(width, height)
    with torch.no_grad(), one_thread():
        again = windowed(pixels, grid_thw=grid).pooler_output if repeat else None
    _, cu_window = get_vision_window_index(grid, windowed.spatial_merge_size, windowed.window_size, windowed.patch_size)
    _, h, w = grid[0].tolist()
    merge = windowed.spatial_merge_size
    return {
        "size": (width, height),
        "resized": (w * windowed.patch_size, h * windowed.patch_size),
        "merged": (h // merge, w // merge),
        "windows": len(cu_window) - 1,
        "identical": torch.equal(a, b),
        "max_abs_diff": float((a - b).abs().max()),
        "max_abs_output": float(a.abs().max()),
        "deterministic": None if again is None else torch.equal(a, again),
        "dtype": str(a.dtype),
    }


def equivalence_table(sizes=SIZES) -> str:
    windowed, _ = models()
    window_blocks = [i for i in range(windowed.config.depth) if i not in windowed.fullatt_block_indexes]
    rows = [
        "| image (px) | resized (px) | merged tokens | windows | bit-identical (`torch.equal`) "
        "| max abs difference | largest output value |",
        "|---|---|---|---|---|---|---|",
    ]
    for width, height in sizes:
        r = compare(width, height)
        rows.append(
            f"| {width}x{height} | {r['resized'][0]}x{r['resized'][1]} | {r['merged'][0]}x{r['merged'][1]} "
            f"| {r['windows']} | {'**yes**' if r['identical'] else 'no'} | {r['max_abs_diff']:.3g} "
            f"| {r['max_abs_output']:.3g} |"
        )
    rows.append("")
    rows.append(
        f"Depth {windowed.config.depth}: {len(window_blocks)} window blocks, full attention in blocks "
        f"{list(windowed.fullatt_block_indexes)} (the second model: all {windowed.config.depth}); "
        f"attention implementation `{windowed.config._attn_implementation}`, "
        f"outputs `{compare(*sizes[0])['dtype']}`, seed {SEED}."
    )
    return "\n".join(rows)


def determinism_report(sizes=((84, 84), (476, 476))) -> str:
    runs = {size: compare(*size, repeat=True)["deterministic"] for size in sizes}
    listed = ", ".join(f"{w}x{h}: {'identical' if same else 'different'}" for (w, h), same in runs.items())
    return f"Running the window model twice on the same image gives bit-identical outputs? {listed}."


# --8<-- [end:code]


if __name__ == "__main__":
    print(equivalence_table())
    print()
    print(determinism_report())
