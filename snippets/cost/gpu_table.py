# --8<-- [start:code]
"""GPU wall time of the vision encoder, window layout against all-full per attention implementation: the times,
their ratios, where the windows start to pay and what the varlen path saves. From a record (no GPU runs here):
snippets/data/gpu_wall_times.json (`make bench-gpu`) with its first run snippets/data/gpu_wall_times.run1.json, else
the H100 reference record h100-tf5.24.0-2026-11-25.json with its .source.json. Run: python gpu_table.py
(Needs: one of those records, from the handbook.)
"""

import json
import statistics
from itertools import takewhile
from pathlib import Path

OWN = Path("snippets/data/gpu_wall_times.json")  # make bench-gpu
FIRST_RUN = Path("snippets/data/gpu_wall_times.run1.json")  # an earlier run on the same machine, if kept
REFERENCE = Path("snippets/data/h100-tf5.24.0-2026-11-25.json")  # an equivalent script's record
IMPLS = ("sdpa", "varlen", "padded", "flash_attention_2")
READER_SIDES = (476, 896, 1344)  # sizes readers use: the analysis' large image, and two larger


def load_record() -> dict:
    if OWN.is_file():
        return json.loads(OWN.read_text())
    if not REFERENCE.is_file():
        raise SystemExit(
            f"no GPU record: neither {OWN} (with its first run {FIRST_RUN}) nor {REFERENCE}; run from the handbook's "
            "root, or `make bench-gpu`"
        )
    return {
        **json.loads(REFERENCE.read_text()),
        "source": json.loads(REFERENCE.with_suffix(".source.json").read_text()),
    }


def impls(record: dict) -> list:
    return [impl for impl in IMPLS if f"window/{impl}" in record["rows"][0]["ms"]]


def median(row: dict, layout: str, impl: str) -> float:
    return statistics.median(row["ms"][f"{layout}/{impl}"])


def ratio(row: dict, impl: str) -> float:
    """Window layout / all-full, same implementation: below 1, the windows save time."""
    return median(row, "window", impl) / median(row, "full", impl)


def row_at(record: dict, side: int) -> dict:
    return next(row for row in record["rows"] if row["side"] == side)


def run_spread(record: dict, first: dict) -> str:
    """How far the medians of two runs on the same machine lie apart, over every point both timed."""
    apart = []
    for row, earlier in zip(record["rows"], first["rows"]):
        for key, ms in row["ms"].items():
            apart.append((abs(statistics.median(earlier["ms"][key]) / statistics.median(ms) - 1), row["side"], key))
    worst, side, key = max(apart)
    layout, impl = key.split("/")
    return (
        f"A first run on the same machine is kept (`{FIRST_RUN}`): its medians differ from these by "
        f"{statistics.median(a for a, _, _ in apart):.0%} at the median of the {len(apart)} points, and by at most "
        f"{worst:.0%} ({side} px, {layout} layout, `{impl}`)."
    )


def provenance(record: dict) -> str:
    repeats = sorted({len(ms) for row in record["rows"] for ms in row["ms"].values()}, reverse=True)
    first = json.loads(FIRST_RUN.read_text()) if "source" not in record and FIRST_RUN.is_file() else None
    what = (
        f"{record['device']}, torch {record['torch']}, transformers {record['transformers']}, "
        f"{record['dtype'].removeprefix('torch.')}, random weights at the 7B checkpoint's vision dimensions, "
        f"{'the second of two runs' if first else 'one run'} ({' or '.join(map(str, repeats))} timed forwards "
        f"per point after warm-up)"
    )
    source = record.get("source")
    if source:
        return (
            f"Measured on {source['date']} by an equivalent script, not this project's own: {what}. The "
            f"record comes from the project's research folder, shared/research/gpu/, copied unchanged to "
            f"`snippets/data/{source['record']}`. It awaits a rerun with the project's script "
            f"(`make bench-gpu`, `scripts/gpu_wall_time.py`)."
        )
    spread = f" {run_spread(record, first)}" if first else ""
    return (
        f"Measured on {record['date']} by `make bench-gpu` (`scripts/gpu_wall_time.py`): {what}, "
        f"driver {record['driver']}.{spread}"
    )


def cell(row: dict, layout: str, impl: str) -> str:
    ms = row["ms"][f"{layout}/{impl}"]
    return f"{statistics.median(ms):.0f} ({min(ms):.0f}–{max(ms):.0f})"


def wall_time_table(record=None) -> str:
    record = record or load_record()
    names = impls(record)
    lines = [
        "| side (px) | patches | windows | layout | " + " | ".join(f"`{impl}` (ms)" for impl in names) + " |",
        "|---|---|---|---|" + "---|" * len(names),
    ]
    for row in record["rows"]:
        for layout in ("window", "full"):
            first = f"{row['side']} | {row['patches']} | {row['windows']}" if layout == "window" else "| |"
            lines.append(f"| {first} | {layout} | " + " | ".join(cell(row, layout, impl) for impl in names) + " |")
    return "\n".join(lines)


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
    first = record["rows"][0]
    # The largest size up to which all-full with sdpa took less than twice the smallest size's time.
    flat = takewhile(lambda row: median(row, "full", "sdpa") < 2 * median(first, "full", "sdpa"), record["rows"])
    mid = list(flat)[-1]
    return (
        f"At the one-window sizes both layouts run the same computation, and their ratios still ranged "
        f"{min(same):.2f}–{max(same):.2f}: differences of that size are noise. All-full with `sdpa` took "
        f"{median(first, 'full', 'sdpa'):.0f} ms at {first['side']} px and {median(mid, 'full', 'sdpa'):.0f} ms "
        f"at {mid['side']} px, with {mid['patches'] // first['patches']} times the patches: up to there a fixed "
        f"cost per forward pass sets most of the time, which is why the curves start flat."
    )


def advice(record=None) -> str:
    """What loading with the varlen (flash-attention) path saves at the sizes readers use, and what the window
    layout costs under sdpa."""
    record = record or load_record()
    saved, costs = [], []
    for side in READER_SIDES:
        row = row_at(record, side)
        varlen, sdpa = median(row, "window", "varlen"), median(row, "window", "sdpa")
        saved.append(f"{varlen:.0f} ms against {sdpa:.0f} ms at {side} px ({1 - varlen / sdpa:.0%} less)")
        costs.append(f"{ratio(row, 'sdpa'):.1f} times at {side} px")
    several = [row for row in record["rows"] if row["windows"] > 1]
    won = [row["side"] for row in several if median(row, "window", "varlen") < median(row, "window", "sdpa")]
    largest = record["rows"][-1]
    fastest, full_sdpa = median(largest, "window", "varlen"), median(largest, "full", "sdpa")
    return (
        f"The window layout ran faster with `varlen` than with `sdpa` at {len(won)} of the {len(several)} "
        f"sizes with more than one window. It took, with `varlen` against `sdpa`: "
        f"{'; '.join(saved)}. Under `sdpa`, the window layout took as long as the same weights with every "
        f"block full {', '.join(costs)}. At {largest['side']} px, window / `varlen` took {fastest:.0f} ms, "
        f"{full_sdpa / fastest:.1f}x faster than all-full with `sdpa` ({full_sdpa:.0f} ms)."
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(provenance(load_record()))
    print()
    print(wall_time_table())
    print()
    print(ratio_table())
    print()
    print(noise_sentence())
    print()
    print(crossover_sentences())
    print()
    print(advice())
