# --8<-- [start:code]
"""How 2x2 patches become one LLM token: the processor's row order and the merger's shapes, measured.

1. Layout: an image whose every 14x14 patch is painted with its own (row, column) is run through the
   real Qwen2VLImageProcessor; reading the colours back from `pixel_values` shows which patch each
   row holds. Rows come in runs of four that form one 2x2 group.
2. Shapes: a tiny random-weight Qwen2_5_VisionTransformerPretrainedModel (real classes, small widths)
   runs on those pixel values with forward hooks on the patch embedding, the merger's norm, its first
   linear layer and the merger itself.
Prints a table of each. Run: python layout.py
"""

import functools
from contextlib import contextmanager

import numpy as np
import torch
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel


@contextmanager
def one_thread():
    """Tiny models are bound by per-op overhead: one thread is faster on a shared CPU, and restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def colour_step(side: int) -> int:
    """Colour step between neighbouring patch rows/columns: as large as 8 bits allow for this many patches."""
    return 255 // max(side // Qwen2_5_VLVisionConfig().patch_size - 1, 1)


def position_image(side: int) -> Image.Image:
    """A side x side image (a multiple of 28, so not resized) whose patch (r, c) has red ~ r, green ~ c."""
    patch, step = Qwen2_5_VLVisionConfig().patch_size, colour_step(side)
    rows, cols = np.indices((side, side)) // patch
    pixels = np.stack([rows * step, cols * step, np.full_like(rows, 200)], axis=-1)
    return Image.fromarray(pixels.astype(np.uint8))


@functools.cache
def processed(side: int):
    return Qwen2VLImageProcessor()(images=position_image(side), return_tensors="pt")


def row_positions(side: int) -> list:
    """(patch row, patch column) held by each row of pixel_values, decoded from the colours."""
    processor = Qwen2VLImageProcessor()
    values = processed(side)["pixel_values"]
    channels = values.reshape(len(values), 3, -1).mean(-1)  # a row is (channel, time, 14, 14) flattened
    mean, std = torch.tensor(processor.image_mean), torch.tensor(processor.image_std)
    colour = (channels * std + mean) / processor.rescale_factor
    step = colour_step(side)
    return [(round(float(red) / step), round(float(green) / step)) for red, green, _ in colour]


def layout_table(side: int = 84, tokens: int = 4) -> str:
    merge_unit = Qwen2_5_VLVisionConfig().spatial_merge_size ** 2
    positions = row_positions(side)
    rows = ["| `pixel_values` rows | patches they hold (row, column) | one 2x2 group? |", "|---|---|---|"]
    for token in range(tokens):
        group = positions[token * merge_unit : (token + 1) * merge_unit]
        rs, cs = {r for r, _ in group}, {c for _, c in group}
        square = len(rs) == len(cs) == 2 and max(rs) - min(rs) == 1 and max(cs) - min(cs) == 1
        rows.append(
            f"| {token * merge_unit}–{(token + 1) * merge_unit - 1} | {', '.join(map(str, group))} "
            f"| {'yes' if square else 'no'} |"
        )
    return "\n".join(rows)


def every_group_is_2x2(side: int) -> bool:
    merge = Qwen2_5_VLVisionConfig().spatial_merge_size
    positions = row_positions(side)
    for start in range(0, len(positions), merge * merge):
        group = positions[start : start + merge * merge]
        corner = min(group)
        expected = {(corner[0] + i, corner[1] + j) for i in range(merge) for j in range(merge)}
        if set(group) != expected:
            return False
    return True


def tiny_config(**changes) -> Qwen2_5_VLVisionConfig:
    """The installed config with small widths; image handling (patch, merge, window) is left as is."""
    return Qwen2_5_VLVisionConfig(
        **{
            "depth": 2,
            "hidden_size": 32,
            "num_heads": 2,
            "intermediate_size": 64,
            "out_hidden_size": 16,
            "fullatt_block_indexes": [1],
            **changes,
        }
    )


@functools.cache
def merge_shapes(side: int = 84) -> tuple:
    """(step, module, output shape) through a real forward pass, recorded by hooks."""
    torch.manual_seed(0)
    model = Qwen2_5_VisionTransformerPretrainedModel(tiny_config()).eval()
    inputs = processed(side)
    seen = []
    hooks = [
        module.register_forward_hook(lambda mod, args, out, name=name: seen.append((name, tuple(out.shape))))
        for name, module in [
            ("patch_embed", model.patch_embed),
            ("blocks[-1]", model.blocks[-1]),
            ("merger.ln_q", model.merger.ln_q),
            ("merger.mlp[0]", model.merger.mlp[0]),
            ("merger", model.merger),
        ]
    ]
    with torch.no_grad(), one_thread():
        model(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"])
    for hook in hooks:
        hook.remove()
    return (("pixel_values (processor)", "input", tuple(inputs["pixel_values"].shape)),) + tuple(
        (name, name, shape) for name, shape in seen
    )


def shapes_table(side: int = 84) -> str:
    config = tiny_config()
    notes = {
        "patch_embed": f"one vector of width hidden_size={config.hidden_size} per patch",
        "blocks[-1]": "the transformer blocks keep one vector per patch",
        "merger.ln_q": "normalised, still per patch",
        "merger.mlp[0]": f"four consecutive patch vectors side by side: 4 x {config.hidden_size}",
        "merger": f"one vector per LLM token, width out_hidden_size={config.out_hidden_size}",
    }
    rows = [f"| step ({side}x{side} image) | output shape (rows, width) | what it is |", "|---|---|---|"]
    for step, _, shape in merge_shapes(side):
        rows.append(f"| `{step}` | {shape} | {notes.get(step, 'patches x (channels x time x 14 x 14)')} |")
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(layout_table())
    print()
    print(shapes_table())
