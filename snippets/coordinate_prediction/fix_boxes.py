# --8<-- [start:code]
"""Boxes on small images, fixed in three steps: raise the processor's min_pixels, read the frame the model
answers in, map the model's box back to your image. The helpers are the few lines of chapter 6's recipe.py
that this needs. Prints where a box lands on an 84x84 image. Run: python fix_boxes.py
"""

from PIL import Image
from transformers import Qwen2VLImageProcessor

PATCH_SIZE, MERGE_SIZE = 14, 2  # Qwen2.5-VL
FACTOR = PATCH_SIZE * MERGE_SIZE  # one LLM token covers FACTOR x FACTOR px of the resized image
MIN_PIXELS = 256 * FACTOR * FACTOR  # at least 256 visual tokens: small images are upscaled (official README)
MAX_PIXELS = 1280 * FACTOR * FACTOR  # at most 1280 visual tokens


def input_size_from_grid(image_grid_thw, patch_size=PATCH_SIZE):
    """(height, width) the model saw, read from the processor's output `image_grid_thw` row (t, h, w)."""
    _, rows, cols = (int(v) for v in image_grid_thw)
    return rows * patch_size, cols * patch_size


def absolute_to_original(coords, input_size, original_size):
    """Box (x1, y1, x2, y2) or point (x, y) in the model's frame -> pixels of the original image.

    Sizes are (height, width). Predictions can fall outside the frame; they are clipped to it first.
    """
    (in_h, in_w), (orig_h, orig_w) = input_size, original_size
    clipped = (min(max(v, 0), in_w if i % 2 == 0 else in_h) for i, v in enumerate(coords))
    return tuple(v * (orig_w / in_w if i % 2 == 0 else orig_h / in_h) for i, v in enumerate(clipped))


# --8<-- [end:code]


if __name__ == "__main__":
    image = Image.new("RGB", (84, 84))  # your image
    # 1. Set the processor's bounds: a small image is upscaled to at least 256 visual tokens.
    processor = Qwen2VLImageProcessor(min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS)
    # 2. Read the frame the model answers in, (height, width): image_grid_thw x patch size.
    frame = input_size_from_grid(processor(images=image, return_tensors="pt")["image_grid_thw"][0])
    # 3. Map the box the model wrote in that frame, (x1, y1, x2, y2), back to your image.
    box = (112, 56, 336, 280)
    print(
        f"The model sees {frame[0]} x {frame[1]}; its box {box} is "
        f"{absolute_to_original(box, frame, (image.height, image.width))} on your image."
    )
