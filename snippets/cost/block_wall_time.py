# --8<-- [start:code]
"""CPU wall time of one window block against one full block at the released checkpoint's width, from the record
`make bench` writes with measure() (end of this file), next to the FLOP ratios computed now from the record's
segment lengths. Run: python block_wall_time.py
(Needs: snippets/data/block_wall_times.json and snippets/data/released_vision_configs.json, from the handbook.)
"""

import json
import statistics
from pathlib import Path

DATA = Path("snippets/data/released_vision_configs.json")
RECORD = Path("snippets/data/block_wall_times.json")  # written by `make bench`
MISSING = [str(path) for path in (DATA, RECORD) if not path.is_file()]
if MISSING:
    raise SystemExit("; ".join(f"{path} is missing" for path in MISSING) + ": run this from the handbook's root")
CHECKPOINT = json.loads(DATA.read_text())["checkpoints"]["Qwen2.5-VL-7B-Instruct"]
KINDS = ("window", "full")
PARTS = ("block", "attention module")


def block_flops(patches: int, window_lengths: list) -> dict:
    """Closed-form FLOPs (2 per multiply-add) of one window and one full block over one image, whole and attention
    module alone: the same linear layers on the same N patches, attention over Σ n² or N² score entries."""
    d, inner = CHECKPOINT["hidden_size"], CHECKPOINT["intermediate_size"]
    scores = {"window": 4 * d * sum(n * n for n in window_lengths), "full": 4 * d * patches * patches}
    return {
        "block": {kind: 2 * patches * (4 * d * d + 3 * d * inner) + scores[kind] for kind in scores},
        "attention module": {kind: 2 * patches * 4 * d * d + scores[kind] for kind in scores},
    }


def load_record() -> dict:
    if not RECORD.is_file():
        raise SystemExit(f"{RECORD} is missing: run from the handbook's root, or write it with `make bench`")
    return json.loads(RECORD.read_text())


def median(row: dict, kind: str, part: str) -> float:
    return statistics.median(row["seconds"][f"{kind} {part}"])


def repeat_ratios(row: dict, part: str) -> list:
    """Window / full time of each repeat: the two were timed back to back, under the same load."""
    return [w / f for w, f in zip(row["seconds"][f"window {part}"], row["seconds"][f"full {part}"])]


def provenance(record: dict) -> str:
    m, v = record["machine"], record["versions"]
    return (
        f"Measured by `make bench` on {record['date']} (not during this build): {m['cpu']}, {m['cores']} "
        f"cores, {m['memory_gib']} GiB memory, {record['torch_threads']} torch thread(s); load average "
        f"{m['load_average_before']} before and {m['load_average_after']} after. Python {v['python']}, "
        f"torch {v['torch']}, transformers {v['transformers']}. Median of {record['repeats']} repeats."
    )


def wall_time_table(record=None) -> str:
    record = record or load_record()
    lines = [
        "| image (resized) | windows | part | window (s) | full (s) | window / full: time, median (range) | "
        "window / full: FLOPs |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        h, w = row["resized"]
        flops = block_flops(row["patches"], row["window_lengths"])
        for part in PARTS:
            ratios = repeat_ratios(row, part)
            lines.append(
                f"| {h}x{w} | {len(row['window_lengths'])} | {part} | {median(row, 'window', part):.3f} | "
                f"{median(row, 'full', part):.3f} | {statistics.median(ratios):.2f} "
                f"({min(ratios):.2f}–{max(ratios):.2f}) | "
                f"{flops[part]['window'] / flops[part]['full']:.2f} |"
            )
    return "\n".join(lines)


def repeat_summary(record=None) -> str:
    """What holds in every repeat, and how far apart the same computation timed twice can land."""
    record = record or load_record()
    verdicts = {
        "faster than the full block in every repeat": [],
        "slower in every repeat": [],
        "neither consistently": [],
    }
    control = []
    for row in record["rows"]:
        ratios = repeat_ratios(row, "block")
        if len(row["window_lengths"]) == 1:
            control += ratios
            continue
        key = list(verdicts)[0 if max(ratios) < 1 else 1 if min(ratios) > 1 else 2]
        verdicts[key].append(f"{row['side']}x{row['side']}")
    found = "; ".join(f"{key} at {', '.join(sides)}" for key, sides in verdicts.items() if sides)
    last = record["rows"][-1]
    flops = block_flops(last["patches"], last["window_lengths"])["block"]
    sentences = [f"The whole window block was {found}."]
    if control:
        sentences.append(
            f"The one-window image runs the same computation both ways, and its ratios still "
            f"ranged {min(control):.2f}–{max(control):.2f}: that is the noise of this record."
        )
    sentences.append(
        f"At {last['side']}x{last['side']} the median time ratio of the block is "
        f"{statistics.median(repeat_ratios(last, 'block')):.2f}, its FLOP ratio "
        f"{flops['window'] / flops['full']:.2f}."
    )
    return " ".join(sentences)


# --8<-- [end:code]


# What `make bench` runs to write the record (scripts/bench.py); the page shows only the code above.
WALL_SIDES = (112, 224, 476, 980)  # one window; small; the analysis' large image; the default budget's largest


def measure(sides=WALL_SIDES, repeats: int = 5, threads: int = 1) -> list:
    """Seconds per call of one block and of its attention module, window and full segments interleaved.

    Random weights and inputs: the time depends on shapes only. One untimed round warms up first. One
    thread by default: on a shared machine a second thread mostly waits for a busy core.
    """
    import torch

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _measure(sides, repeats)
    finally:
        torch.set_num_threads(previous_threads)


def _measure(sides, repeats: int) -> list:
    import time

    import torch
    from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import (
        Qwen2_5_VLVisionBlock,
        Qwen2_5_VLVisionRotaryEmbedding,
    )
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
    from transformers.vision_utils import get_vision_attention_seqlens, get_vision_position_ids, get_vision_window_index

    config = Qwen2_5_VLVisionConfig(**CHECKPOINT, attn_implementation="sdpa")  # the default on a CPU
    bounds, factor = Qwen2VLImageProcessor().size, config.patch_size * config.spatial_merge_size
    torch.manual_seed(0)
    block = Qwen2_5_VLVisionBlock(config).eval()
    rotary = Qwen2_5_VLVisionRotaryEmbedding(config)
    rows = []
    for side in sides:
        h, w = smart_resize(side, side, factor, min_pixels=bounds["shortest_edge"], max_pixels=bounds["longest_edge"])
        grid = torch.tensor([[1, h // config.patch_size, w // config.patch_size]])
        hidden = torch.randn(int(grid.prod()), config.hidden_size)
        position_embeddings = rotary(hidden, get_vision_position_ids(grid, config.spatial_merge_size))
        cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
        _, cu_window_seqlens = get_vision_window_index(
            grid, config.spatial_merge_size, config.window_size, config.patch_size
        )
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
        rows.append(
            {
                "side": side,
                "resized": [h, w],
                "patches": hidden.shape[0],
                "window_lengths": torch.diff(cu_window_seqlens).tolist(),
                "seconds": seconds,
            }
        )
    return rows


if __name__ == "__main__":
    print(provenance(load_record()))
    print()
    print(wall_time_table())
    print()
    print(repeat_summary())
