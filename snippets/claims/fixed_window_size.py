"""Ledger entries for section 1 of the analysis, "Fixed Window Size Architecture"."""

import json
from pathlib import Path

import torch
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_window_index

from claims import Claim, Result

DATA = Path(__file__).resolve().parent.parent / "data" / "released_vision_configs.json"


def released() -> dict:
    return json.loads(DATA.read_text())["checkpoints"]


def _value_claim(field: str, stated: int):
    """A check that the installed default and every released checkpoint have `field == stated`."""

    def check() -> Result:
        default = getattr(Qwen2_5_VLVisionConfig(), field)
        shipped = {name: config[field] for name, config in released().items()}
        matches = [default == stated] + [value == stated for value in shipped.values()]
        verdict = "confirmed" if all(matches) else "partly true" if any(matches) else "refuted"
        listed = ", ".join(f"{name}: {value}" for name, value in shipped.items())
        return Result(verdict, f"Installed `Qwen2_5_VLVisionConfig().{field}` = {default}; released checkpoints: "
                               f"{listed}.")

    return check


def check_window_size_is_fixed() -> Result:
    """'fixed': the released weights all use one value, but does the code hard-wire it?"""
    config = Qwen2_5_VLVisionConfig(window_size=224, depth=1, hidden_size=16, num_heads=1,
                                    intermediate_size=16, out_hidden_size=16, fullatt_block_indexes=[])
    model_reads_config = Qwen2_5_VisionTransformerPretrainedModel(config).window_size == 224
    grid = torch.tensor([[1, 32, 32]])  # a 448x448 image
    counts = {}
    for window in (112, 224):
        _, cu = get_vision_window_index(grid, config.spatial_merge_size, window, config.patch_size)
        counts[window] = len(cu) - 1
    shipped = {config["window_size"] for config in released().values()}
    configurable = model_reads_config and counts[112] != counts[224]
    if not configurable:
        return Result("confirmed", "The model ignores `config.window_size`: the partition does not change.")
    return Result(
        "partly true",
        f"Every released checkpoint uses {sorted(shipped)}, so it is fixed for those weights; but it is a config "
        f"field the model reads (`model.window_size` follows the config), and a 448x448 image gets "
        f"{counts[112]} windows with 112 versus {counts[224]} with 224.")


CLAIMS = [
    Claim("s1-window-size-112", "1", "window_size = 112", _value_claim("window_size", 112)),
    Claim("s1-window-size-fixed", "1", "window_size = 112 (fixed parameter)", check_window_size_is_fixed),
    Claim("s1-patch-size-14", "1", "patch_size = 14", _value_claim("patch_size", 14)),
    Claim("s1-merge-size-2", "1", "spatial_merge_size = 2", _value_claim("spatial_merge_size", 2)),
]
