# --8<-- [start:code]
"""Reference answers for the image-size calculator, computed by the installed transformers itself.

`reference(case)` runs the real code path for one input: `smart_resize` from the installed
Qwen2-VL image processing module with the processor's factor (patch_size * merge_size), the patch
grid and token count as the processor and `Qwen2VLProcessor` derive them, and, for a model with
window attention, the windows from `transformers.vision_utils.get_vision_window_index`. Where
transformers raises, the answer is the exception's type and message. `golden_cases()` is the wide
grid the test suite compares the page's JavaScript against. The model presets are read from the installed
transformers as presets.py reads them. Prints a Markdown table. Run: python reference.py
"""

import functools
import itertools

import torch
import transformers
from transformers import Qwen2_5_VLConfig, Qwen2VLConfig, Qwen2VLImageProcessor, Qwen3VLConfig
from transformers.models.auto.image_processing_auto import IMAGE_PROCESSOR_MAPPING_NAMES
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_window_index

MODELS = [  # (preset key, name shown, model_type, config class)
    ("qwen2-vl", "Qwen2-VL", "qwen2_vl", Qwen2VLConfig),
    ("qwen2.5-vl", "Qwen2.5-VL", "qwen2_5_vl", Qwen2_5_VLConfig),
    ("qwen3-vl", "Qwen3-VL", "qwen3_vl", Qwen3VLConfig),
]


def preset(key: str, name: str, model_type: str, config_class) -> dict:
    """Sizes from the model's vision config, default min/max pixels from the processor class transformers picks."""
    processor_class = getattr(transformers, IMAGE_PROCESSOR_MAPPING_NAMES[model_type]["torchvision"])
    vision = config_class().vision_config
    return {
        "key": key,
        "name": name,
        "patch_size": vision.patch_size,
        "merge_size": vision.spatial_merge_size,
        "window_size": getattr(vision, "window_size", None),  # None: no window attention
        "min_pixels": processor_class.size["shortest_edge"],
        "max_pixels": processor_class.size["longest_edge"],
    }


PRESETS = {key: preset(key, *rest) for key, *rest in MODELS}
# Above this many merged tokens the window index tensor gets large; such cases keep every other field.
MAX_INDEXED_TOKENS = 1_000_000
# Up to this many windows, the golden row lists every window's token count in the code's order.
MAX_LISTED_WINDOWS = 256


def case(preset: str, height: int, width: int, min_pixels=None, max_pixels=None) -> dict:
    p = PRESETS[preset]
    return {
        "preset": preset,
        "height": height,
        "width": width,
        "patch_size": p["patch_size"],
        "merge_size": p["merge_size"],
        "window_size": p["window_size"],
        "min_pixels": p["min_pixels"] if min_pixels is None else min_pixels,
        "max_pixels": p["max_pixels"] if max_pixels is None else max_pixels,
    }


def _processor_error(c: dict) -> str | None:
    """The real processor's own check on min/max pixels, which runs before smart_resize."""
    if c["min_pixels"] and c["max_pixels"]:
        return None
    processor = Qwen2VLImageProcessor(patch_size=c["patch_size"], merge_size=c["merge_size"])
    size = {"shortest_edge": c["min_pixels"], "longest_edge": c["max_pixels"]}
    try:
        processor(images=torch.zeros(3, 2, 2), size=size, return_tensors="pt")
    except ValueError as error:
        return f"ValueError: {error}"
    raise AssertionError(f"the processor accepted min/max pixels {size}")


def windows(grid_h: int, grid_w: int, c: dict) -> dict | None:
    if c["window_size"] is None:
        return None
    merge = c["merge_size"]
    if (grid_h // merge) * (grid_w // merge) > MAX_INDEXED_TOKENS:
        return {"indexed": False}
    sizes = list(window_sizes(grid_h, grid_w, merge, c["window_size"], c["patch_size"]))
    side = c["window_size"] // merge // c["patch_size"]
    return {
        "count": len(sizes),
        "full": sum(s == side * side for s in sizes),
        "smallest": min(sizes),
        "largest": max(sizes),
        "equals_full_attention": len(sizes) == 1,
        "sizes": sizes if len(sizes) <= MAX_LISTED_WINDOWS else None,
    }


@functools.cache  # many inputs resize to the same grid: transformers is asked once per grid
def window_sizes(grid_h: int, grid_w: int, merge: int, window_size: int, patch_size: int) -> tuple:
    """Merged tokens per attention window, in transformers' order (get_vision_window_index)."""
    _, cu_seqlens = get_vision_window_index(torch.tensor([[1, grid_h, grid_w]]), merge, window_size, patch_size)
    return tuple((torch.diff(cu_seqlens) // merge**2).tolist())


def reference(c: dict) -> dict:
    error = _processor_error(c)
    if error:
        return {"error": error}
    factor = c["patch_size"] * c["merge_size"]
    try:
        h_bar, w_bar = smart_resize(
            c["height"], c["width"], factor=factor, min_pixels=c["min_pixels"], max_pixels=c["max_pixels"]
        )
    except (ValueError, ZeroDivisionError) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    grid_h, grid_w = h_bar // c["patch_size"], w_bar // c["patch_size"]  # the processor's image_grid_thw
    return {
        "resized": [h_bar, w_bar],
        "grid": [grid_h, grid_w],
        "tokens": grid_h * grid_w // c["merge_size"] ** 2,  # Qwen2VLProcessor: grid.prod() // merge_size**2
        "scale": [h_bar / c["height"], w_bar / c["width"]],
        "windows": windows(grid_h, grid_w, c),
    }


def golden_cases() -> list:
    """Sides around every rounding edge, 1 px, thin and huge images, ratios either side of 200."""
    sides = sorted(
        {
            1,
            2,
            3,
            7,
            13,
            14,
            15,
            16,
            17,
            27,
            28,
            29,
            31,
            32,
            33,
            41,
            42,
            43,
            47,
            48,
            49,
            55,
            56,
            57,
            69,
            70,
            71,
            80,
            84,
            98,
            111,
            112,
            113,
            126,
            140,
            200,
            208,
            223,
            224,
            225,
            250,
            333,
            336,
            448,
            476,
            481,
            500,
            512,
            640,
            720,
            999,
            1000,
            1024,
            1040,
            1078,
            1080,
            1920,
            2048,
            3000,
            4096,
            10_000,
            50_000,
            200_000,
            1_000_000,
        }
    )
    settings = [
        (None, None),  # the preset's defaults
        (3136, 12845056),  # released Qwen2.5-VL preprocessor_config (snippets/data)
        (256 * 28 * 28, 1280 * 28 * 28),  # the Qwen2.5-VL README's token range
        (65536, 16777216),
        (1, 1),  # max below one factor squared: sides clamp at one factor
        (5000, 1000),  # min_pixels above max_pixels: transformers does not check
        (1_000_000, 3136),
    ]
    cases = [
        case(preset, h, w, lo, hi)
        for preset in PRESETS
        for lo, hi in settings
        for h, w in itertools.product(sides, sides)
    ]
    thin = [
        (1, 199),
        (1, 200),
        (1, 201),
        (2, 400),
        (2, 401),
        (3, 600),
        (3, 601),
        (3, 602),
        (7, 1400),
        (7, 1401),
        (14, 2800),
        (14, 2801),
        (140, 28000),
        (140, 28001),
        (4999, 1_000_000),
        (5000, 1_000_000),
        (5001, 1_000_000),
        (1, 1_000_000),
    ]
    large = [(1, 12845056 * 4), (100, 10**12), (10**12, 3136), (10**12, 10**12)]
    for preset in PRESETS:
        for h, w in thin:
            for lo, hi in [(None, None), (3136, 12845056), (65536, 16777216)]:
                cases += [case(preset, h, w, lo, hi), case(preset, w, h, lo, hi)]
        for lo, hi in large:
            cases += [
                case(preset, h, w, lo, hi)
                for h, w in [(1, 1), (1, 200), (333, 1), (1_000_000, 1_000_000), (1_000_000, 5000), (123_457, 98_765)]
            ]
        for lo, hi in [(0, 1003520), (3136, 0), (0, 0)]:  # the processor refuses a zero bound
            cases += [case(preset, h, w, lo, hi) for h, w in [(1, 1), (28, 28), (1, 500)]]
        cases += [case(preset, h, w) for h, w in [(0, 5), (5, 0), (0, 0)]]  # zero sides: ZeroDivisionError
    return cases


def reference_table(sizes=((84, 84), (112, 112), (113, 113), (476, 476), (640, 480), (1920, 1080))) -> str:
    """A few answers on the page, straight from transformers, to check the calculator by eye."""
    rows = [
        "| model | width x height | resized to (w x h) | patch grid (w x h) | LLM tokens | windows (full) | "
        "smallest window | window = full attention |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for preset in PRESETS:
        for width, height in sizes:
            r = reference(case(preset, height, width))
            win = r["windows"]
            cells = [
                PRESETS[preset]["name"],
                f"{width}x{height}",
                f"{r['resized'][1]}x{r['resized'][0]}",
                f"{r['grid'][1]}x{r['grid'][0]}",
                str(r["tokens"]),
            ]
            cells += (
                [
                    f"{win['count']} ({win['full']})",
                    f"{win['smallest']} tokens",
                    "yes" if win["equals_full_attention"] else "no",
                ]
                if win
                else ["no windows", "-", "-"]
            )
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(reference_table())
