# --8<-- [start:code]
"""Grounding coordinates for Qwen2.5-VL and Qwen3-VL: the frame the model works in, and the way back.

Copy this file next to your inference code; it needs only `transformers` (for the processor's own
resize rule). Qwen2.5-VL answers in absolute pixels of the image *after* the processor resized it;
Qwen3-VL answers in relative coordinates on a 0-1000 scale. Either way, map to the original image
before drawing or scoring. Run alone (python recipe.py), it prints what the recipe does for an
84x84 image.
"""

from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

PATCH_SIZE, MERGE_SIZE = 14, 2  # Qwen2.5-VL (Qwen3-VL uses 16 and 2)
FACTOR = PATCH_SIZE * MERGE_SIZE  # resized sides are multiples of this; one LLM token covers FACTOR x FACTOR px
MIN_PIXELS = 256 * FACTOR * FACTOR  # at least 256 visual tokens: small images are upscaled (official README)
MAX_PIXELS = 1280 * FACTOR * FACTOR  # at most 1280 visual tokens
RELATIVE_SCALE = 1000  # Qwen3-VL's coordinate range


def model_input_size(height, width, min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS, factor=FACTOR):
    """(height, width) of the image the model sees, by the processor's own rule.

    Build the processor with the same bounds, e.g.
    `AutoProcessor.from_pretrained(model_id, min_pixels=min_pixels, max_pixels=max_pixels)`.
    """
    return smart_resize(height, width, factor=factor, min_pixels=min_pixels, max_pixels=max_pixels)


def input_size_from_grid(image_grid_thw, patch_size=PATCH_SIZE):
    """(height, width) the model saw, read from the processor's output `image_grid_thw` row (t, h, w)."""
    _, rows, cols = (int(v) for v in image_grid_thw)
    return rows * patch_size, cols * patch_size


def visual_tokens(height, width, merge_size=MERGE_SIZE, patch_size=PATCH_SIZE):
    """How many tokens the language model gets for an image already resized to height x width."""
    return (height // patch_size // merge_size) * (width // patch_size // merge_size)


def _scale(coords, sx, sy):
    """Scale flat (x, y, x, y, ...) coordinates: a point (x, y) or a box (x1, y1, x2, y2)."""
    return tuple(value * (sx if i % 2 == 0 else sy) for i, value in enumerate(coords))


def _clip(coords, width, height):
    return tuple(min(max(value, 0), width if i % 2 == 0 else height) for i, value in enumerate(coords))


# Qwen2.5-VL: absolute pixels of the resized image.
def absolute_to_original(coords, input_size, original_size, clip=True):
    """Box or point predicted by Qwen2.5-VL -> pixels of the original image.

    input_size and original_size are (height, width). Predictions can fall outside the resized
    image (QwenLM/Qwen3-VL#1035); clip=True keeps them on it.
    """
    (in_h, in_w), (orig_h, orig_w) = input_size, original_size
    if clip:
        coords = _clip(coords, in_w, in_h)
    return _scale(coords, orig_w / in_w, orig_h / in_h)


def original_to_absolute(coords, original_size, input_size):
    """Box or point on the original image -> the resized frame Qwen2.5-VL reads and writes."""
    (orig_h, orig_w), (in_h, in_w) = original_size, input_size
    return _scale(coords, in_w / orig_w, in_h / orig_h)


# Qwen3-VL: relative coordinates, 0-1000 on each axis, independent of the resize.
def relative_to_original(coords, original_size, clip=True):
    """Box or point predicted by Qwen3-VL (0-1000) -> pixels of the original image."""
    orig_h, orig_w = original_size
    if clip:
        coords = _clip(coords, RELATIVE_SCALE, RELATIVE_SCALE)
    return _scale(coords, orig_w / RELATIVE_SCALE, orig_h / RELATIVE_SCALE)


def original_to_relative(coords, original_size):
    """Box or point on the original image -> Qwen3-VL's 0-1000 frame."""
    orig_h, orig_w = original_size
    return _scale(coords, RELATIVE_SCALE / orig_w, RELATIVE_SCALE / orig_h)


def report(original_size=(84, 84), predicted_box=(112, 56, 336, 280), predicted_point=(224, 168)):
    """What the recipe does for one image: default bounds versus raised min_pixels, then the mapping."""
    orig_h, orig_w = original_size
    lines = ["| processor bounds | model sees (h x w) | visual tokens |", "|---|---|---|"]
    for name, low, high in (
        ("class default: min 56\\*56, max 1280\\*28\\*28", 56 * 56, 1280 * FACTOR * FACTOR),
        ("recipe: min 256\\*28\\*28, max 1280\\*28\\*28", MIN_PIXELS, MAX_PIXELS),
    ):
        h, w = model_input_size(orig_h, orig_w, low, high)
        lines.append(f"| {name} | {h} x {w} | {visual_tokens(h, w)} |")
    size = model_input_size(orig_h, orig_w)
    box = absolute_to_original(predicted_box, size, original_size)
    point = absolute_to_original(predicted_point, size, original_size)
    lines += [
        "",
        f"With the recipe's bounds a {orig_h} x {orig_w} image is seen as {size[0]} x {size[1]}. A Qwen2.5-VL box "
        f"{predicted_box} in that frame is {tuple(round(v, 2) for v in box)} on the original image; the point "
        f"{predicted_point} is {tuple(round(v, 2) for v in point)}. Back again: "
        f"{tuple(round(v, 2) for v in original_to_absolute(box, original_size, size))}.",
        f"A Qwen3-VL box (250, 250, 750, 750) is "
        f"{tuple(round(v, 2) for v in relative_to_original((250, 250, 750, 750), original_size))} on the original.",
    ]
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(report())
