# --8<-- [start:code]
"""Ratios of the GPU record's medians: window layout over all-full per attention implementation, where each starts
to pay, and the record's noise. From a committed record; nothing runs on a GPU here. Run: python gpu_ratios.py
(Needs: snippets/data/gpu_wall_times.json, or the H100 reference record h100-tf5.24.0-2026-11-25.json, from the
handbook.)
"""

import json
import statistics
from pathlib import Path

OWN = Path("snippets/data/gpu_wall_times.json")  # make bench-gpu
REFERENCE = Path("snippets/data/h100-tf5.24.0-2026-11-25.json")  # an equivalent script's record, until then
IMPLS = ("sdpa", "varlen", "padded", "flash_attention_2")
READER_SIDES = (476, 896, 1344)  # sizes readers use: the analysis' large image, and two larger


def load_record() -> dict:
    for path in (OWN, REFERENCE):
        if path.is_file():
            return json.loads(path.read_text())
    raise SystemExit(f"no GPU record: neither {OWN} nor {REFERENCE}; run from the handbook's root, or `make bench-gpu`")


def impls(record: dict) -> list:
    return [impl for impl in IMPLS if f"window/{impl}" in record["rows"][0]["ms"]]


def median(row: dict, layout: str, impl: str) -> float:
    return statistics.median(row["ms"][f"{layout}/{impl}"])


def ratio(row: dict, impl: str) -> float:
    """Window layout / all-full, same implementation: below 1, the windows save time."""
    return median(row, "window", impl) / median(row, "full", impl)


def row_at(record: dict, side: int) -> dict:
    return next(row for row in record["rows"] if row["side"] == side)


def ratio_table(record=None) -> str:
    record = record or load_record()
    names = impls(record)
    lines = [
        "| side (px) | windows | "
        + " | ".join(f"window / full, `{impl}`" for impl in names)
        + " | window `varlen` / window `sdpa` |",
        "|---|---|" + "---|" * (len(names) + 1),
    ]
    for row in record["rows"]:
        ratios = " | ".join(f"{ratio(row, impl):.2f}" for impl in names)
        speed = median(row, "window", "varlen") / median(row, "window", "sdpa")
        lines.append(f"| {row['side']} | {row['windows']} | {ratios} | {speed:.2f} |")
    return "\n".join(lines)


def crossover(record: dict, impl: str) -> tuple:
    """(last side where the window layout was slower, first side from which it was faster at every larger side)."""
    rows = [row for row in record["rows"] if row["windows"] > 1]
    first = len(rows)
    while first > 0 and ratio(rows[first - 1], impl) < 1:
        first -= 1
    if first == len(rows):
        return rows[-1]["side"], None
    return (rows[first - 1]["side"] if first else None), rows[first]["side"]


def crossover_sentences(record=None) -> str:
    record = record or load_record()
    sentences = []
    for impl in impls(record):
        slower, faster = crossover(record, impl)
        if faster is None:
            sentences.append(f"With `{impl}`, the window layout was never faster than all-full up to {slower} px.")
        elif slower is None:
            sentences.append(
                f"With `{impl}`, the window layout was faster than all-full at every size with more "
                f"than one window, from {faster} px."
            )
        else:
            sentences.append(
                f"With `{impl}`, the window layout was faster than all-full from {faster} px on, "
                f"and slower at {slower} px: it starts to pay between the two."
            )
    return " ".join(sentences)


def noise_sentence(record=None) -> str:
    """One-window sizes run the same computation in both layouts: their ratio is the record's noise."""
    record = record or load_record()
    same = [ratio(row, impl) for row in record["rows"] if row["windows"] == 1 for impl in impls(record)]
    first, mid = record["rows"][0], row_at(record, READER_SIDES[1])
    return (
        f"At the one-window sizes both layouts run the same computation, and their ratios still ranged "
        f"{min(same):.2f}–{max(same):.2f}: differences of that size are noise. All-full with `sdpa` took "
        f"{median(first, 'full', 'sdpa'):.0f} ms at {first['side']} px and {median(mid, 'full', 'sdpa'):.0f} ms "
        f"at {mid['side']} px, with {mid['patches'] // first['patches']} times the patches: up to there a fixed "
        f"cost per forward pass sets most of the time, which is why the curves start flat."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(ratio_table())
    print()
    print(noise_sentence())
    print()
    print(crossover_sentences())
