"""CPU wall time of one window block versus one full block at the released checkpoint's width.

Measuring is not part of the build: it takes minutes and its numbers depend on the machine and on what
else runs on it. `make bench` (scripts/bench.py) calls `measure()` and commits the result, with the
machine it ran on, to snippets/data/block_wall_times.json; this file renders that record next to the
FLOP ratios computed now from the installed code.
Run from the repository root: python snippets/block_wall_time.py
"""

import json
import statistics
import time
from pathlib import Path

import torch
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import (Qwen2_5_VLVisionBlock,
                                                                Qwen2_5_VLVisionRotaryEmbedding)
from transformers.vision_utils import (get_vision_attention_seqlens, get_vision_position_ids,
                                       get_vision_window_index)

from attention_cost import checkpoint_config, grid_thw, resized
from vit_flops import block_flops

HERE = Path(__file__).parent if "__file__" in globals() else Path("snippets")
RECORD = HERE / "data" / "block_wall_times.json"
WALL_SIDES = (112, 224, 476, 980)  # one window; small; the analysis' large image; the default budget's largest
KINDS = ("window", "full")
PARTS = ("block", "attention module")


def measure(sides=WALL_SIDES, repeats: int = 5) -> list:
    """Seconds per call of one block and of its attention module, window and full segments interleaved.

    Random weights and inputs: the time depends on shapes only. One untimed round warms up first.
    """
    config = checkpoint_config(attn_implementation="sdpa")  # what the model picks by default on a CPU
    torch.manual_seed(0)
    block = Qwen2_5_VLVisionBlock(config).eval()
    rotary = Qwen2_5_VLVisionRotaryEmbedding(config)
    rows = []
    for side in sides:
        h, w = resized(side, side, config)
        grid = grid_thw(h, w, config)
        hidden = torch.randn(int(grid.prod()), config.hidden_size)
        position_embeddings = rotary(hidden, get_vision_position_ids(grid, config.spatial_merge_size))
        cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
        _, cu_window_seqlens = get_vision_window_index(grid, config.spatial_merge_size, config.window_size,
                                                       config.patch_size)
        segments = {"window": cu_window_seqlens, "full": cu_seqlens}
        seconds = {f"{kind} {part}": [] for kind in KINDS for part in PARTS}
        with torch.no_grad():
            for repeat in range(repeats + 1):
                for kind in KINDS:
                    for part, module in (("block", block), ("attention module", block.attn)):
                        start = time.perf_counter()
                        module(hidden, cu_seqlens=segments[kind], position_embeddings=position_embeddings)
                        if repeat:
                            seconds[f"{kind} {part}"].append(round(time.perf_counter() - start, 5))
        rows.append({"side": side, "resized": [h, w], "patches": hidden.shape[0],
                     "window_lengths": torch.diff(cu_window_seqlens).tolist(), "seconds": seconds})
    return rows


def load_record() -> dict:
    return json.loads(RECORD.read_text())


def median(row: dict, kind: str, part: str) -> float:
    return statistics.median(row["seconds"][f"{kind} {part}"])


def provenance(record: dict) -> str:
    m, v = record["machine"], record["versions"]
    return (f"Measured by `make bench` on {record['date']} (not during this build): {m['cpu']}, {m['cores']} "
            f"cores, {m['memory_gib']} GiB memory, {record['torch_threads']} torch threads; load average "
            f"{m['load_average_before']} before and {m['load_average_after']} after. Python {v['python']}, "
            f"torch {v['torch']}, transformers {v['transformers']}. Median of {record['repeats']} repeats.")


def wall_time_table(record=None) -> str:
    record = record or load_record()
    config = checkpoint_config()
    lines = ["| image (resized) | patches | windows | part | window (s) | full (s) | "
             "window / full: time | window / full: FLOPs |", "|---|---|---|---|---|---|---|---|"]
    for row in record["rows"]:
        h, w = row["resized"]
        flops = block_flops(config, grid_thw(h, w, config))
        for part in PARTS:
            window, full = median(row, "window", part), median(row, "full", part)
            lines.append(f"| {h}x{w} | {row['patches']:,} | "
                         f"{len(row['window_lengths'])} | {part} | {window:.3f} | {full:.3f} | {window / full:.2f} | "
                         f"{flops[part]['window'] / flops[part]['full']:.2f} |")
    return "\n".join(lines)


def time_ratio(row: dict, part: str) -> float:
    return median(row, "window", part) / median(row, "full", part)


def noise_summary(record=None) -> str:
    """Read the record against its own control: a one-window image runs the same computation both ways."""
    record = record or load_record()
    rows = record["rows"]
    control = [row for row in rows if len(row["window_lengths"]) == 1]
    if not control:
        return "The record has no one-window image to judge its noise by."
    ratios = [time_ratio(row, part) for row in control for part in PARTS]
    low, high = min(ratios), max(ratios)
    verdicts = {"faster than the full block": [], "slower than the full block": [],
                "indistinguishable from the full block": []}
    for row in rows:
        if len(row["window_lengths"]) > 1:
            ratio = time_ratio(row, "block")
            key = list(verdicts)[0 if ratio < low else 1 if ratio > high else 2]
            verdicts[key].append(f"{row['side']}x{row['side']}")
    found = ", and ".join(f"{key} at {', '.join(sides)}" for key, sides in verdicts.items() if sides)
    return (f"The one-window row times the same computation twice, so its window / full ratios "
            f"({low:.2f} to {high:.2f}) show this record's noise. Against that band, the whole window block "
            f"was {found}.")


if __name__ == "__main__":
    print(provenance(load_record()))
    print()
    print(wall_time_table())
    print()
    print(noise_summary())
