"""How full the attention windows are for 84x84 and 476x476, and where the analysis' percentages come from.

Window contents are read from the real window code (`padding_trace.trace`, which runs the installed
`get_vision_window_index`): every window holds only real merged tokens, so "occupancy" here means
tokens held versus the largest window the config allows. The second table recomputes the analysis'
"~56% real" (84x84) and "~85% real" (476x476) under each reading of "real data" we could think of.
Run from the repository root: python snippets/window_occupancy.py
"""

from collections import Counter

from padding_trace import trace
from transformers import Qwen2_5_VLVisionConfig

ANALYSIS_REAL_PERCENT = {84: 56, 476: 85}  # the analysis, section 5: "~56% real data", "~85% real data"


def window_capacity() -> int:
    """Merged tokens in the largest window the installed config allows."""
    config = Qwen2_5_VLVisionConfig()
    side = config.window_size // config.spatial_merge_size // config.patch_size
    return side * side


def occupancy(side: int) -> dict:
    tr = trace(side, side)
    tokens = tr.window_tokens
    smallest = min(range(len(tokens)), key=tokens.__getitem__)
    cells = (tr.window_of_token() == smallest).nonzero()
    return {
        "side": side,
        "merged": tr.merged,
        "windows": len(tokens),
        "sizes": Counter(tokens),
        "smallest": tokens[smallest],
        "smallest_at": (int(cells[0].min()), int(cells[1].min())),
        "largest": max(tokens),
        "tokens": sum(tokens),
        "padding_in_windows": int((tr.window_index == tr.pad_value).sum()),
        "fill": sum(tokens) / (len(tokens) * window_capacity()),
    }


def occupancy_table(sides=(84, 476)) -> str:
    rows = [
        "| image (px) | merged tokens | windows | windows by size (tokens: count) | smallest window "
        "| padding tokens in windows | tokens / (windows x capacity) |",
        "|---|---|---|---|---|---|---|",
    ]
    for side in sides:
        o = occupancy(side)
        sizes = ", ".join(f"{size}: {count}" for size, count in sorted(o["sizes"].items(), reverse=True))
        rows.append(
            f"| {side}x{side} | {o['merged'][0]}x{o['merged'][1]} = {o['tokens']} | {o['windows']} | {sizes} "
            f"| {o['smallest']} token(s), starting at row {o['smallest_at'][0]}, column {o['smallest_at'][1]} "
            f"| {o['padding_in_windows']} | {o['fill']:.2%} |"
        )
    return "\n".join(rows)


def readings() -> dict:
    """Candidate meanings of 'real data share' -> {side: percent}, each computed from the trace."""
    out = {}
    for side in ANALYSIS_REAL_PERCENT:
        tr = trace(side, side)
        real = tr.merged[0] * tr.merged[1]
        padded = tr.padded_index.size
        out.setdefault("real tokens / padded index grid (area)", {})[side] = 100 * real / padded
        out.setdefault("real side / padded side (one dimension)", {})[side] = (
            100 * tr.merged[0] / tr.padded_index.shape[0]
        )
        out.setdefault("real tokens / (windows x capacity)", {})[side] = 100 * occupancy(side)["fill"]
        out.setdefault("real tokens inside the windows the blocks use", {})[side] = 100 * real / sum(tr.window_tokens)
    return out


def matches(percent: float, side: int) -> bool:
    return abs(percent - ANALYSIS_REAL_PERCENT[side]) < 1  # the analysis rounds to whole percent


def readings_table() -> str:
    sides = list(ANALYSIS_REAL_PERCENT)
    rows = [
        "| reading of 'real data' | "
        + " | ".join(f"{s}x{s} (analysis: ~{ANALYSIS_REAL_PERCENT[s]}%)" for s in sides)
        + " |",
        "|---|" + "---|" * len(sides),
    ]
    for name, values in readings().items():
        cells = [f"{values[s]:.2f}%" + (" ← matches" if matches(values[s], s) else "") for s in sides]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(occupancy_table())
    print()
    print(readings_table())
