"""Ledger entries for section 6 of the analysis, "Why Coordinate Prediction Fails".

What code can check here is the machinery: which tokens and positions the language model receives,
and whether the window code changes anything for a small image. What trained weights do with that
(how accurate the boxes are) cannot be measured without the real checkpoint; those entries have the
basis "cited": their verdict is what the cited sources support (usually "unsupported"), and the
numbers in their evidence are context, not what decides the verdict.
"""

import functools

import numpy as np
import torch
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_position_ids, get_vision_window_index

from handbook.claims import Claim, Result
from handbook.snippets import load

ISSUES = "https://github.com/QwenLM/Qwen3-VL/issues/"
REPORT = "[the Qwen2.5-VL technical report, arXiv:2502.13923](https://arxiv.org/abs/2502.13923)"
SMALL, LARGE = 84, 476


def cite(number: int) -> str:
    return f"[QwenLM/Qwen3-VL#{number}]({ISSUES}{number})"


CITED_721 = (
    f"Cited, not measured: a maintainer ({cite(721)}) says very small or very large images (below about "
    f"320x320 or above about 4k x 4k) tend to give *biased* boxes, which points at the sizes seen in "
    f"training, not at window padding."
)


@functools.cache
def processed(side: int) -> dict:
    """Real processor on a side x side noise image: pixel values, grid, and the encoder's window partition."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.random.default_rng(side).integers(0, 256, (side, side, 3), dtype=np.uint8))
    batch = Qwen2VLImageProcessor()(images=image, return_tensors="pt")
    grid = batch["image_grid_thw"]
    window_index, cu = get_vision_window_index(grid, config.spatial_merge_size, config.window_size, config.patch_size)
    _, rows, cols = grid[0].tolist()
    return {
        "pixel_values": batch["pixel_values"],
        "grid": grid,
        "patches": rows * cols,
        "tokens": rows * cols // config.spatial_merge_size**2,
        "token_grid": (rows // 2, cols // 2),
        "window_index": window_index,
        "window_patches": (cu[1:] - cu[:-1]).tolist(),
    }


@functools.cache
def windowed_minus_full(side: int) -> float:
    """Largest output difference between a tiny encoder with only windowed layers and the same weights with only
    full-attention layers: zero means the windows changed nothing for this image."""
    outputs = []
    for full in ([], [0, 1]):
        config = Qwen2_5_VLVisionConfig(
            depth=2, hidden_size=32, num_heads=2, intermediate_size=64, out_hidden_size=16, fullatt_block_indexes=full
        )
        torch.manual_seed(0)  # same seed, same weights: only the attention pattern differs
        model = Qwen2_5_VisionTransformerPretrainedModel(config).eval()
        with torch.no_grad():
            outputs.append(model(processed(side)["pixel_values"], grid_thw=processed(side)["grid"]).pooler_output)
    return float((outputs[0] - outputs[1]).abs().max())


def llm_positions(side: int):
    """(row, column) MRoPE ids of an image's visual tokens, from the real get_rope_index (tiny model)."""
    positions = load("coordinate_prediction/mrope").positions

    image = positions(tuple(processed(side)["grid"][0, 1:].tolist()))["image"]
    start = int(image.min())
    return image[1] - start, image[2] - start


def check_relies_on_attention_patterns() -> Result:
    small, large = processed(SMALL), processed(LARGE)
    return Result(
        "unsupported",
        (
            f"What trained weights rely on cannot be measured without the checkpoint. The code shows the coordinates are "
            f"written by the language model, which receives {small['tokens']} visual tokens for {SMALL}x{SMALL} and "
            f"{large['tokens']} for {LARGE}x{LARGE}; it has no attention windows. {CITED_721}"
        ),
    )


def check_positional_within_windows(vit_position_ids=get_vision_position_ids, llm_position_ids=None) -> Result:
    config = Qwen2_5_VLVisionConfig()
    window_side = config.window_size // config.patch_size  # patches per window side
    grid = processed(LARGE)["grid"]
    vit = vit_position_ids(grid, config.spatial_merge_size)  # (patches, 2): row, column in the whole grid
    vit_rows = int(vit[:, 0].max()) + 1
    rows, cols = (llm_position_ids or llm_positions)(LARGE)
    llm_rows = int(rows.max()) + 1
    # Positions restarting at every window would stay below the window side.
    global_positions = vit_rows > window_side and llm_rows > window_side // config.spatial_merge_size
    verdict = "refuted" if global_positions else "confirmed"
    return Result(
        verdict,
        (
            f"Positions are image-wide, not per window. For {LARGE}x{LARGE}, the encoder's rotary position ids "
            f"(`get_vision_position_ids`) run over rows 0..{vit_rows - 1} of the whole patch grid although a window is "
            f"{window_side} patches high; the language model's MRoPE ids (`get_rope_index`) run over rows "
            f"0..{llm_rows - 1} and columns 0..{int(cols.max())}. The language model, which writes the coordinates, "
            f"has no windows at all."
        ),
    )


def check_features_coherent() -> Result:
    return Result(
        "unsupported",
        (
            f"A statement about trained features, not testable with random weights. The window code cannot make them "
            f"incoherent for a small image: a tiny encoder gives the same output for {SMALL}x{SMALL} with windowed or "
            f"full attention (largest difference {windowed_minus_full(SMALL):g}). {CITED_721}"
        ),
    )


def check_windows_mostly_padding(side: int = SMALL) -> Result:
    small = processed(side)
    index = small["window_index"]
    padding_in_attention = int((index < 0).sum())
    covered = sum(small["window_patches"])
    # a consequence, judged on what attention sees: "mostly" = more padding entries than real merged tokens
    verdict = "confirmed" if padding_in_attention > small["tokens"] else "refuted"
    return Result(
        verdict,
        (
            f"{side}x{side} gives {small['patches']} patches in {len(small['window_patches'])} window(s) of "
            f"{small['window_patches']} patches ({covered} in all). The `-100` entries pad an index array; the window "
            f"index handed to attention holds {padding_in_attention} of them for {small['tokens']} real merged tokens "
            f"(`window_index.min()` = {int(index.min())})."
        ),
    )


def check_spatial_relationships_obscured(side: int = SMALL) -> Result:
    """The computed part: do the attention windows hide any relationship at this size?"""
    small = processed(side)
    one_window = len(small["window_patches"]) == 1 and small["window_patches"][0] == small["patches"]
    same = windowed_minus_full(side) == 0.0
    rows, cols = small["token_grid"]
    config = Qwen2_5_VLVisionConfig()
    px = config.patch_size * config.spatial_merge_size
    verdict = "refuted" if one_window and same else "confirmed"
    return Result(
        verdict,
        (
            f"{side}x{side} is {len(small['window_patches'])} window(s) for {small['patches']} patches; windowed minus full "
            f"attention on a tiny encoder: {windowed_minus_full(side):g}"
            + (
                ", so the windows hide nothing. "
                if verdict == "refuted"
                else ", so windows do limit who attends to whom. "
            )
            + f"What the input does have is a coarse layout: the language model gets a {rows}x{cols} grid of tokens, one "
            f"per {px}x{px} px, versus {processed(LARGE)['token_grid'][0]}x{processed(LARGE)['token_grid'][1]} for "
            f"{LARGE}x{LARGE}."
        ),
    )


def cited_spatial_relationships() -> Result:
    return Result(
        "unsupported",
        (
            f"Whether the trained model represents spatial relationships worse for small images needs the trained "
            f"weights. {CITED_721} No source says the relationships are obscured."
        ),
    )


def check_features_noisy() -> Result:
    return Result(
        "unsupported",
        (
            f"Noise in trained features needs the trained weights. The window code adds none at this size: windowed "
            f"minus full attention is {windowed_minus_full(SMALL):g} for {SMALL}x{SMALL} (and "
            f"{windowed_minus_full(LARGE):.2g} for {LARGE}x{LARGE}, where windows do differ). {CITED_721}"
        ),
    )


def check_predictions_random() -> Result:  # cited
    return Result(
        "unsupported",
        (
            f"Accuracy needs the real model, so nothing here measures it. Cited, not measured: maintainers describe "
            f"*biased* boxes for very small images ({cite(721)}), not random ones, and boxes that look wrong because "
            f"they are read in the wrong frame: coordinates refer to the image after the processor's resize "
            f"({cite(676)}, {cite(636)}, {cite(957)}) and shift if min_pixels/max_pixels change without rescaling."
        ),
    )


CR = ("confirmed", "refuted")
UNSUPPORTED = ("unsupported",)
CLAIMS = [
    Claim(
        "s6-relies-attention-patterns",
        "6",
        "The model's coordinate prediction relies on: Spatial attention patterns between patches",
        check_relies_on_attention_patterns,
        basis="cited",
        verdicts=UNSUPPORTED,
    ),
    Claim(
        "s6-positional-within-windows",
        "6",
        "The model's coordinate prediction relies on: Positional relationships within attention windows",
        check_positional_within_windows,
        verdicts=CR,
    ),
    Claim(
        "s6-coherent-features",
        "6",
        "The model's coordinate prediction relies on: Coherent feature representations across the image",
        check_features_coherent,
        basis="cited",
        verdicts=UNSUPPORTED,
    ),
    Claim(
        "s6-windows-mostly-padding",
        "6",
        "With small images: Attention windows are mostly padding",
        check_windows_mostly_padding,
        verdicts=CR,
    ),
    Claim(
        "s6-spatial-obscured",
        "6",
        "With small images: Spatial relationships are obscured [by the attention windows]",
        check_spatial_relationships_obscured,
        verdicts=CR,
    ),
    Claim(
        "s6-spatial-obscured-trained",
        "6",
        "With small images: Spatial relationships are obscured [in what the trained model represents]",
        cited_spatial_relationships,
        basis="cited",
        verdicts=UNSUPPORTED,
    ),
    Claim(
        "s6-features-noisy",
        "6",
        "With small images: Feature representations become noisy",
        check_features_noisy,
        basis="cited",
        verdicts=UNSUPPORTED,
    ),
    Claim(
        "s6-predictions-random",
        "6",
        "With small images: Coordinate predictions become random",
        check_predictions_random,
        basis="cited",
        verdicts=UNSUPPORTED,
    ),
]
