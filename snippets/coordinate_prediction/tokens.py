# --8<-- [start:code]
"""What the language model receives for an 84x84 and a 476x476 image: real processor, default settings.

Prints the resized size, patch grid and token grid of each. Run: python tokens.py
"""

from PIL import Image
from transformers import Qwen2VLImageProcessor


def visual_tokens(side: int, processor=None) -> dict:
    """Resized size, patch grid and LLM token grid of a side x side image, as the processor makes them."""
    processor = processor or Qwen2VLImageProcessor()
    _, rows, cols = processor(images=Image.new("RGB", (side, side)), return_tensors="pt")["image_grid_thw"][0].tolist()
    merge = processor.merge_size
    return {
        "side": side,
        "resized": (rows * processor.patch_size, cols * processor.patch_size),
        "patches": (rows, cols),
        "tokens": (rows // merge, cols // merge),
        "token_px": processor.patch_size * merge,
    }


def table(sides=(84, 476)) -> str:
    processor = Qwen2VLImageProcessor()
    lines = [
        "| input image | resized to | patches | LLM tokens (grid) | LLM tokens | one token covers |",
        "|---|---|---|---|---|---|",
    ]
    for side in sides:
        v = visual_tokens(side, processor)
        (h, w), (ph, pw), (th, tw), px = v["resized"], v["patches"], v["tokens"], v["token_px"]
        lines.append(f"| {side}x{side} | {h}x{w} | {ph}x{pw} | {th}x{tw} | **{th * tw}** | {px}x{px} px |")
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(table())
