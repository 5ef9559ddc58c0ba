# --8<-- [start:code]
"""GPU wall time of the whole vision encoder, window layout against all-full blocks, per attention implementation.

Prints a committed record; nothing runs on a GPU here. The record is snippets/data/gpu_wall_times.json, which
`make bench-gpu` (scripts/gpu_wall_time.py) writes on a CUDA machine; without it, the H100 reference record
snippets/data/h100-tf5.24.0-2026-11-25.json and its .source.json. Run: python gpu_table.py
(Needs: one of those records, from the handbook.)
"""

import json
import statistics
from pathlib import Path

OWN = Path("snippets/data/gpu_wall_times.json")  # make bench-gpu
FIRST_RUN = Path("snippets/data/gpu_wall_times.run1.json")  # an earlier run on the same machine, if kept
REFERENCE = Path("snippets/data/h100-tf5.24.0-2026-11-25.json")  # an equivalent script's record
IMPLS = ("sdpa", "varlen", "padded", "flash_attention_2")


def load_record() -> dict:
    if OWN.is_file():
        return json.loads(OWN.read_text())
    if not REFERENCE.is_file():
        raise SystemExit(
            f"no GPU record: neither {OWN} nor {REFERENCE}; run from the handbook's root, or `make bench-gpu`"
        )
    return {
        **json.loads(REFERENCE.read_text()),
        "source": json.loads(REFERENCE.with_suffix(".source.json").read_text()),
    }


def impls(record: dict) -> list:
    return [impl for impl in IMPLS if f"window/{impl}" in record["rows"][0]["ms"]]


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


# --8<-- [end:code]


if __name__ == "__main__":
    print(provenance(load_record()))
    print()
    print(wall_time_table())
