"""Which blocks of the vision encoder attend within windows and which attend across the whole image.

Read from what each block actually receives: a forward pre-hook on every block of a tiny model (the
installed config's depth and full-attention blocks, small widths) records the `cu_seqlens` boundaries
it is called with for a 224x224 image. One segment = attention across the whole image.
Run from the repository root: python snippets/block_schedule.py
"""

import functools
from itertools import groupby

import torch
from transformers import Qwen2VLImageProcessor
from window_equivalence import models, noise_image, one_thread


@functools.cache
def segments_per_block(width: int = 224, height: int = 224) -> tuple:
    """For each block: the attention segment lengths (in patches) it was given."""
    windowed, _ = models()
    inputs = Qwen2VLImageProcessor()(images=noise_image(width, height), return_tensors="pt")
    seen = []

    def record(module, args, kwargs):
        boundaries = kwargs["cu_seqlens"]
        seen.append(tuple((boundaries[1:] - boundaries[:-1]).tolist()))

    hooks = [block.register_forward_pre_hook(record, with_kwargs=True) for block in windowed.blocks]
    with torch.no_grad(), one_thread():
        windowed(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"])
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


if __name__ == "__main__":
    print(schedule_table())
