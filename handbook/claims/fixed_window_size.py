"""Ledger entries for section 1 of the analysis, "Fixed Window Size Architecture"."""

import json
from pathlib import Path

import torch
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel

from handbook.claims import Claim, Result

DATA = Path(__file__).resolve().parents[2] / "snippets" / "data" / "released_vision_configs.json"
GRID = (1, 32, 32)  # patches of a 448x448 image: several windows at 112 px, fewer at 224 px


def released() -> dict:
    return json.loads(DATA.read_text())["checkpoints"]


def _value_claim(field: str, stated: int):
    """A check that the installed default and every released checkpoint have `field == stated`."""

    def check(config=None, checkpoints=None) -> Result:
        default = getattr(config or Qwen2_5_VLVisionConfig(), field)
        shipped = {name: values[field] for name, values in (checkpoints or released()).items()}
        matches = [default == stated] + [value == stated for value in shipped.values()]
        verdict = "confirmed" if all(matches) else "partly true" if any(matches) else "refuted"
        listed = ", ".join(f"{name}: {value}" for name, value in shipped.items())
        return Result(
            verdict, f"Installed `Qwen2_5_VLVisionConfig().{field}` = {default}; released checkpoints: {listed}."
        )

    return check


def forward_window_bounds(window_size: int, model_class=Qwen2_5_VisionTransformerPretrainedModel, grid=GRID) -> list:
    """The window boundaries the encoder's own forward pass hands to its first windowed block, for a tiny
    model built from a config with this `window_size` (recorded by a forward pre-hook; the pass stops there)."""

    class Seen(Exception):
        pass

    config = Qwen2_5_VLVisionConfig(
        window_size=window_size,
        depth=2,
        hidden_size=16,
        num_heads=1,
        intermediate_size=16,
        out_hidden_size=16,
        fullatt_block_indexes=[1],
    )
    torch.manual_seed(0)
    model = model_class(config).eval()
    seen = {}

    def record(module, args, kwargs):
        seen["cu"] = kwargs["cu_seqlens"].tolist()
        raise Seen

    hook = model.blocks[0].register_forward_pre_hook(record, with_kwargs=True)
    grid_thw = torch.tensor([grid])
    pixels = torch.zeros(int(grid_thw.prod()), config.in_channels * config.temporal_patch_size * config.patch_size**2)
    try:
        with torch.no_grad():
            model(pixels, grid_thw=grid_thw)
    except Seen:
        pass
    finally:
        hook.remove()
    return seen["cu"]


def check_window_size_is_fixed(
    checkpoints=None, model_class=Qwen2_5_VisionTransformerPretrainedModel, sizes=(112, 224)
) -> Result:
    """'fixed': is the value hard-wired in the code, and is it one value across the released weights?

    Two tiny encoders that differ only in `config.window_size` run their own forward pass on the same
    patch grid; a hook on the first (windowed) block records the boundaries the forward pass computed."""
    bounds = {size: forward_window_bounds(size, model_class) for size in sizes}
    follows_config = len({tuple(b) for b in bounds.values()}) == len(sizes)
    shipped = sorted({values["window_size"] for values in (checkpoints or released()).values()})
    counts = ", ".join(f"{len(b) - 1} window(s) with `window_size={size}`" for size, b in bounds.items())
    evidence = (
        f"The encoder's forward pass on a {GRID[1]}x{GRID[2]}-patch grid hands its first block {counts}: "
        f"{'the partition follows' if follows_config else 'the partition ignores'} the config value. "
        f"Released checkpoints use {shipped}."
    )
    if not follows_config:
        return Result("confirmed", evidence)
    return Result(
        "partly true" if len(shipped) == 1 else "refuted",
        evidence + (" Fixed for the released weights, a setting for the code." if len(shipped) == 1 else ""),
    )


VALUE = ("confirmed", "partly true", "refuted")
CLAIMS = [
    Claim("s1-window-size-112", "1", "window_size = 112", _value_claim("window_size", 112), verdicts=VALUE),
    Claim(
        "s1-window-size-fixed", "1", "window_size = 112 (fixed parameter)", check_window_size_is_fixed, verdicts=VALUE
    ),
    Claim("s1-patch-size-14", "1", "patch_size = 14", _value_claim("patch_size", 14), verdicts=VALUE),
    Claim("s1-merge-size-2", "1", "spatial_merge_size = 2", _value_claim("spatial_merge_size", 2), verdicts=VALUE),
]
