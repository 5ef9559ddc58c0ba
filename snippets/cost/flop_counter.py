# --8<-- [start:code]
"""What torch's FlopCounterMode sees of the vision attention: one call per window, and with sdpa on the CPU,
nothing. A tiny two-block encoder (block 0 windowed, block 1 full) runs three ways. Run: python flop_counter.py
(Needs: snippets/data/released_vision_configs.json, from the handbook.)
"""

import collections
import json
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode, flop_registry
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_attention_seqlens, get_vision_position_ids, get_vision_window_index

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
CHECKPOINT = json.loads(DATA.read_text())["checkpoints"]["Qwen2.5-VL-7B-Instruct"]
SIDE = 224
LINEAR_OPS = {"aten.addmm", "aten.convolution"}  # everything else the counter counts here is attention


class OpRecorder(TorchDispatchMode):
    """Counts the aten ops that reach the backend, by name."""

    def __init__(self):
        super().__init__()
        self.calls = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.calls[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))


def tiny_two_block_config(attn_implementation: str):
    tiny = {"depth": 2, "fullatt_block_indexes": [1], "hidden_size": 64, "num_heads": 2, "intermediate_size": 96}
    return Qwen2_5_VLVisionConfig(
        **{**CHECKPOINT, **tiny, "out_hidden_size": 32}, attn_implementation=attn_implementation
    )


def segment_lengths(grid: torch.Tensor, config) -> dict:
    """Lengths (in patches) of the segments a full block and a window block attend within."""
    cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
    _, cu_window_seqlens = get_vision_window_index(
        grid, config.spatial_merge_size, config.window_size, config.patch_size
    )
    return {"full": torch.diff(cu_seqlens).tolist(), "window": torch.diff(cu_window_seqlens).tolist()}


def run(device: str, attn_implementation: str, side: int = SIDE) -> dict:
    """Ops seen and FLOPs counted for one forward pass."""
    config = tiny_two_block_config(attn_implementation)
    torch.manual_seed(0)
    model = Qwen2_5_VisionTransformerPretrainedModel(config).eval().to(device)
    grid = torch.tensor([[1, side // config.patch_size, side // config.patch_size]])
    pixels = torch.randn(int(grid.prod()), 3 * 2 * 14 * 14).to(device)
    position_ids = get_vision_position_ids(grid, config.spatial_merge_size).to(device)
    with torch.no_grad():
        with OpRecorder() as recorder:
            model(pixels, grid, position_ids=position_ids)
        with FlopCounterMode(display=False) as counter:
            model(pixels, grid, position_ids=position_ids)
    counted = {str(op): flops for op, flops in counter.get_flop_counts()["Global"].items()}
    lengths = segment_lengths(grid, config)
    return {
        "attention ops": {op: n for op, n in recorder.calls.items() if "attention" in op or op == "aten.bmm"},
        "attention FLOPs counted": sum(flops for op, flops in counted.items() if op not in LINEAR_OPS),
        "attention FLOPs, closed form": 4
        * config.hidden_size
        * sum(n * n for kind in ("window", "full") for n in lengths[kind]),
    }


def counter_table() -> str:
    lines = [
        "| device | attention implementation | attention ops that ran (calls) | "
        "attention FLOPs counted | closed form | counted right? |",
        "|---|---|---|---|---|---|",
    ]
    for device, implementation in (("cpu", "sdpa"), ("meta", "sdpa"), ("cpu", "eager")):
        seen = run(device, implementation)
        ops = ", ".join(f"`{op}` ({n})" for op, n in sorted(seen["attention ops"].items()))
        ok = "yes" if seen["attention FLOPs counted"] == seen["attention FLOPs, closed form"] else "**no**"
        lines.append(
            f"| {device} | {implementation} | {ops} | {seen['attention FLOPs counted']:,} | "
            f"{seen['attention FLOPs, closed form']:,} | {ok} |"
        )
    return "\n".join(lines)


def registry_note() -> str:
    cpu_kernel = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu
    known = cpu_kernel in flop_registry
    config = tiny_two_block_config("sdpa")
    grid = torch.tensor([[1, SIDE // config.patch_size, SIDE // config.patch_size]])
    lengths = segment_lengths(grid, config)
    segments = len(lengths["window"]) + len(lengths["full"])
    return (
        f"`{cpu_kernel}` in `torch.utils.flop_counter.flop_registry` (torch {torch.__version__}): "
        f"**{known}**. One {SIDE}x{SIDE} image is {segments} attention segments here: "
        f"the windows of block 0 plus the whole image in block 1."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(counter_table())
    print()
    print(registry_note())
