# --8<-- [start:code]
"""Which blocks of the vision encoder attend within windows and which attend across the whole image.

Read from what each block actually receives: a forward pre-hook on every block of a tiny model (the
installed config's depth and full-attention blocks, small widths) records the `cu_seqlens` boundaries
it is called with for a 224x224 image. One segment = attention across the whole image.
Prints one table row per run of blocks with the same segments. Run: python schedule.py
"""

import functools
from contextlib import contextmanager
from itertools import groupby

import numpy as np
import torch
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel

SEED = 0
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
def tiny_encoder() -> Qwen2_5_VisionTransformerPretrainedModel:
    """The installed config's depth, window size and full-attention blocks; small widths, random weights."""
    torch.manual_seed(SEED)
    return Qwen2_5_VisionTransformerPretrainedModel(Qwen2_5_VLVisionConfig(**SMALL_WIDTHS)).eval()


def noise_image(width: int, height: int) -> Image.Image:
    pixels = np.random.default_rng([SEED, width, height]).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@functools.cache
def segments_per_block(width: int = 224, height: int = 224) -> tuple:
    """For each block: the attention segment lengths (in patches) it was given."""
    encoder = tiny_encoder()
    inputs = Qwen2VLImageProcessor()(images=noise_image(width, height), return_tensors="pt")
    seen = []

    def record(module, args, kwargs):
        boundaries = kwargs["cu_seqlens"]
        seen.append(tuple((boundaries[1:] - boundaries[:-1]).tolist()))

    hooks = [block.register_forward_pre_hook(record, with_kwargs=True) for block in encoder.blocks]
    with torch.no_grad(), one_thread():
        encoder(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"])
    for hook in hooks:
        hook.remove()
    return tuple(seen)


def schedule_table(width: int = 224, height: int = 224) -> str:
    rows = [f"| blocks | attention | segments each block is given ({width}x{height} image) |", "|---|---|---|"]
    numbered = list(enumerate(segments_per_block(width, height)))
    for segments, run in groupby(numbered, key=lambda item: item[1]):
        blocks = [index for index, _ in run]
        label = f"{blocks[0]}" if len(blocks) == 1 else f"{blocks[0]}–{blocks[-1]}"
        kind = "full (whole image)" if len(segments) == 1 else "windows"
        sizes = ", ".join(f"{segments.count(size)} of {size} patches" for size in sorted(set(segments), reverse=True))
        rows.append(f"| {label} | {kind} | {sizes} |")
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(schedule_table())
