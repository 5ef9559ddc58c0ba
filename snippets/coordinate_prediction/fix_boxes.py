from grounding_coordinates import MAX_PIXELS, MIN_PIXELS, absolute_to_original, input_size_from_grid
from PIL import Image
from transformers import Qwen2VLImageProcessor

image = Image.new("RGB", (84, 84))  # your image; the helpers come from chapter 6's grounding_coordinates.py
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
