# --8<-- [start:code]
"""The knob that matters: min_pixels / max_pixels, and the range of LLM tokens each setting gives.

Token counts come from transformers' smart_resize (the processor's rule) over a spread of input sizes from
10 to 4000 px a side and aspect ratios up to 1:16. Prints a Markdown table. Run: python token_budget.py
"""

from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

FACTOR = 28  # patch_size 14 x spatial_merge_size 2: one LLM token per 28x28 px
TOKEN = FACTOR * FACTOR
SETTINGS = (  # (name, min_pixels, max_pixels)
    ("class default (`Qwen2VLImageProcessor()`)", 56 * 56, 28 * 28 * 1280),
    ("released `preprocessor_config.json`", 3136, 12845056),
    ("README example: 256-1280 tokens", 256 * TOKEN, 1280 * TOKEN),
    ("at least 256 tokens, released max", 256 * TOKEN, 12845056),
    ("at least 1024 tokens, at most 4096", 1024 * TOKEN, 4096 * TOKEN),
)
SIDES = (10, 28, 50, 84, 112, 200, 320, 476, 640, 1000, 1500, 2000, 3000, 4000)
EXAMPLES = ((84, 84), (476, 476), (1080, 1920))


def tokens(height: int, width: int, min_pixels: int, max_pixels: int) -> int:
    h, w = smart_resize(height, width, factor=FACTOR, min_pixels=min_pixels, max_pixels=max_pixels)
    return h * w // TOKEN


def token_range(min_pixels: int, max_pixels: int) -> tuple:
    counts = [tokens(h, w, min_pixels, max_pixels) for h in SIDES for w in SIDES if max(h, w) / min(h, w) <= 16]
    return min(counts), max(counts)


def table() -> str:
    head = (
        "| setting | min_pixels | max_pixels | = tokens | tokens seen over the sample | "
        + " | ".join(f"{h}x{w}" for h, w in EXAMPLES)
        + " |"
    )
    lines = [head, "|---" * (5 + len(EXAMPLES)) + "|"]
    for name, low, high in SETTINGS:
        lo, hi = token_range(low, high)
        examples = " | ".join(str(tokens(h, w, low, high)) for h, w in EXAMPLES)
        lines.append(f"| {name} | {low:,} | {high:,} | {low / TOKEN:g}-{high / TOKEN:g} | {lo}-{hi} | {examples} |")
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(table())
