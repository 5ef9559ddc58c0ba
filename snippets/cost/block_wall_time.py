# --8<-- [start:code]
"""CPU wall time of one window block against one full block at the released checkpoint's width, from a record.

Timing is not part of the build: `make bench` (scripts/bench.py) calls `measure()` and commits the result, with
the machine it ran on, to snippets/data/block_wall_times.json. This prints that record next to the FLOP ratios
computed now. Run: python block_wall_time.py
(Needs: snippets/data/block_wall_times.json and released_vision_configs.json from the handbook.)
"""

import json
import statistics
import time
from pathlib import Path

import torch
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VLVisionBlock, Qwen2_5_VLVisionRotaryEmbedding
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize
from transformers.vision_utils import get_vision_attention_seqlens, get_vision_position_ids, get_vision_window_index

DATA = Path("snippets/data/released_vision_configs.json")
RECORD = Path("snippets/data/block_wall_times.json")  # written by `make bench`
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
CHECKPOINT = json.loads(DATA.read_text())["checkpoints"]["Qwen2.5-VL-7B-Instruct"]
WALL_SIDES = (112, 224, 476, 980)  # one window; small; the analysis' large image; the default budget's largest
KINDS = ("window", "full")
PARTS = ("block", "attention module")


def checkpoint_config(**overrides) -> Qwen2_5_VLVisionConfig:
    """The installed config class with the released checkpoint's vision dimensions."""
    return Qwen2_5_VLVisionConfig(**{**CHECKPOINT, **overrides})


def resized(height: int, width: int, config) -> tuple:
    """The size the processor resizes an image to: the real smart_resize, the processor's default bounds."""
    size = Qwen2VLImageProcessor().size
    factor = config.patch_size * config.spatial_merge_size
    return smart_resize(height, width, factor, min_pixels=size["shortest_edge"], max_pixels=size["longest_edge"])


def grid_thw(height: int, width: int, config) -> torch.Tensor:
    """Patch grid of a resized image, as the processor reports it in image_grid_thw."""
    return torch.tensor([[1, height // config.patch_size, width // config.patch_size]])


def block_flops(config, grid: torch.Tensor) -> dict:
    """Closed-form FLOPs (2 per multiply-add) of one window and one full block, whole and attention module alone.

    Both kinds run the same linear layers on the same N patches; only the attention segments differ.
    """
    d, inner = config.hidden_size, config.intermediate_size
    cu_seqlens, _ = get_vision_attention_seqlens(grid, config)
    _, cu_window_seqlens = get_vision_window_index(
        grid, config.spatial_merge_size, config.window_size, config.patch_size
    )
    lengths = {"full": torch.diff(cu_seqlens).tolist(), "window": torch.diff(cu_window_seqlens).tolist()}
    n = sum(lengths["full"])
    scores = {kind: 4 * d * sum(s * s for s in lengths[kind]) for kind in ("window", "full")}
    return {
        "block": {kind: 2 * n * (4 * d * d + 3 * d * inner) + scores[kind] for kind in scores},
        "attention module": {kind: 2 * n * 4 * d * d + scores[kind] for kind in scores},
    }


def measure(sides=WALL_SIDES, repeats: int = 5, threads: int = 1) -> list:
    """Seconds per call of one block and of its attention module, window and full segments interleaved.

    Random weights and inputs: the time depends on shapes only. One untimed round warms up first. One
    thread by default: on a shared machine a second thread mostly waits for a busy core.
    """
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _measure(sides, repeats)
    finally:
        torch.set_num_threads(previous_threads)


def _measure(sides, repeats: int) -> list:
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
    config = checkpoint_config()
    lines = [
        "| image (resized) | windows | part | window (s) | full (s) | window / full: time, median (range) | "
        "window / full: FLOPs |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in record["rows"]:
        h, w = row["resized"]
        flops = block_flops(config, grid_thw(h, w, config))
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
    config = checkpoint_config()
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
    flops = block_flops(config, grid_thw(*last["resized"], config))["block"]
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


if __name__ == "__main__":
    print(provenance(load_record()))
    print()
    print(wall_time_table())
    print()
    print(repeat_summary())
