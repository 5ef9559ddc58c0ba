# --8<-- [start:code]
"""The vision settings that decide how Qwen2.5-VL handles an image: installed defaults vs released checkpoints.

Reads the installed Qwen2_5_VLVisionConfig() defaults and the released checkpoints' vision_config and flags
every difference. Run: python settings.py
Needs: snippets/data/released_vision_configs.json (the checkpoints' values, with their sources), under the
current folder: run it from the handbook repository's root, or copy that file there.
"""

import json
from pathlib import Path

from transformers import Qwen2_5_VLVisionConfig

RELEASED_FILE = Path("snippets/data/released_vision_configs.json")
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


def released() -> dict:
    """Each released checkpoint's vision_config, by checkpoint name."""
    if not RELEASED_FILE.is_file():
        raise SystemExit(
            f"{RELEASED_FILE} is missing: run this from the root of the handbook repository, "
            "or copy that file from the repository into the same path under the current folder."
        )
    return json.loads(RELEASED_FILE.read_text())["checkpoints"]


def normalise(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def settings_table() -> str:
    installed = Qwen2_5_VLVisionConfig()
    checkpoints = released()
    names = list(checkpoints)
    rows = [
        "| setting | installed default | " + " | ".join(names) + " | installed default matches the checkpoints? |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    for field in FIELDS:
        default = normalise(getattr(installed, field))
        shipped = [normalise(checkpoints[name][field]) for name in names]
        same = all(value == default for value in shipped)
        verdict = "yes" if same else "**no — differs**"
        rows.append(f"| `{field}` | `{default}` | " + " | ".join(f"`{v}`" for v in shipped) + f" | {verdict} |")
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(settings_table())
