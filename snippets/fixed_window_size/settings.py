"""The vision settings that decide how Qwen2.5-VL handles an image: installed defaults vs released checkpoints.

Reads the installed Qwen2_5_VLVisionConfig() defaults and the released checkpoints' vision_config
(snippets/data/released_vision_configs.json, with its sources) and flags every difference.
Run from the repository root: python snippets/vision_settings.py
"""

import json
from pathlib import Path

from transformers import Qwen2_5_VLVisionConfig

HERE = Path(__file__).parent if "__file__" in globals() else Path("snippets")
RELEASED = json.loads((HERE / "data" / "released_vision_configs.json").read_text())["checkpoints"]
FIELDS = [
    "patch_size",
    "spatial_merge_size",
    "window_size",
    "fullatt_block_indexes",
    "depth",
    "hidden_size",
    "temporal_patch_size",
    "num_heads",
    "intermediate_size",
    "out_hidden_size",
    "tokens_per_second",
]


def normalise(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def settings_table() -> str:
    installed = Qwen2_5_VLVisionConfig()
    names = list(RELEASED)
    rows = [
        "| setting | installed default | " + " | ".join(names) + " | installed default matches the checkpoints? |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    for field in FIELDS:
        default = normalise(getattr(installed, field))
        shipped = [normalise(RELEASED[name][field]) for name in names]
        same = all(value == default for value in shipped)
        verdict = "yes" if same else "**no — differs**"
        rows.append(f"| `{field}` | `{default}` | " + " | ".join(f"`{v}`" for v in shipped) + f" | {verdict} |")
    return "\n".join(rows)


print(settings_table())
