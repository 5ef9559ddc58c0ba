# --8<-- [start:code]
"""The calculator's model presets, read from the installed transformers when the site is built.

For each model: the image processor class that AutoImageProcessor picks for it, that class's default
min/max pixels, and patch size, merge size and window size from the model's vision config. The
resize factor is patch_size * merge_size, as the processor computes it. The page's JavaScript reads
the JSON block printed here; nothing in the calculator is typed in by hand.
Prints an HTML table and the JSON block. Run: python presets.py
"""

import json

import transformers
from transformers import Qwen2_5_VLConfig, Qwen2VLConfig, Qwen3VLConfig
from transformers.models.auto.image_processing_auto import IMAGE_PROCESSOR_MAPPING_NAMES

MODELS = [  # (preset key, name shown, model_type, config class)
    ("qwen2-vl", "Qwen2-VL", "qwen2_vl", Qwen2VLConfig),
    ("qwen2.5-vl", "Qwen2.5-VL", "qwen2_5_vl", Qwen2_5_VLConfig),
    ("qwen3-vl", "Qwen3-VL", "qwen3_vl", Qwen3VLConfig),
]
DEFAULT_PRESET = "qwen2.5-vl"
# The site's figure colours (Okabe-Ito based), handed to the calculator's drawing with the presets.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]


def presets() -> list:
    out = []
    for key, name, model_type, config_class in MODELS:
        processor_class = getattr(transformers, IMAGE_PROCESSOR_MAPPING_NAMES[model_type]["torchvision"])
        vision = config_class().vision_config
        out.append(
            {
                "key": key,
                "name": name,
                "processor": processor_class.__name__,
                "vision_config": type(vision).__name__,
                "patch_size": vision.patch_size,
                "merge_size": vision.spatial_merge_size,
                "factor": vision.patch_size * vision.spatial_merge_size,
                # None: this model's vision encoder has no window attention (no window_size in its config).
                "window_size": getattr(vision, "window_size", None),
                "min_pixels": processor_class.size["shortest_edge"],
                "max_pixels": processor_class.size["longest_edge"],
                # The class's own patch/merge defaults, shown so a mismatch with the config is visible.
                "processor_patch_size": processor_class.patch_size,
                "processor_merge_size": processor_class.merge_size,
            }
        )
    return out


def presets_table(rows: list) -> str:
    head = (
        "model (vision config)",
        "image processor",
        "patch size",
        "merge size",
        "resize factor",
        "window size",
        "default min_pixels",
        "default max_pixels",
    )
    lines = ["<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    for p in rows:
        model = f"{p['name']}<br><small><code>{p['vision_config']}</code></small>"
        patch = str(p["patch_size"])
        if p["processor_patch_size"] != p["patch_size"]:
            patch += f"<br><small>processor class default: {p['processor_patch_size']}</small>"
        window = f"{p['window_size']} px" if p["window_size"] else "none: full attention in every layer"
        cells = (
            model,
            f"<code>{p['processor']}</code>",
            patch,
            p["merge_size"],
            p["factor"],
            window,
            f"{p['min_pixels']:,}",
            f"{p['max_pixels']:,}",
        )
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def presets_script(rows: list) -> str:
    """The JSON the calculator reads (`<` escaped so the block can never close the script early)."""
    data = {"transformers": transformers.__version__, "default": DEFAULT_PRESET, "palette": PALETTE, "presets": rows}
    text = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="calculator-presets">{text}</script>'


# --8<-- [end:code]


if __name__ == "__main__":
    print(presets_table(presets()))
    print(presets_script(presets()))
