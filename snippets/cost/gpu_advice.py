# --8<-- [start:code]
"""What loading with the varlen (flash-attention) path saves at the sizes readers use, and what the window layout
costs under sdpa, from the committed GPU record (nothing runs on a GPU here). Run: python gpu_advice.py
(Needs: snippets/data/gpu_wall_times.json, or the H100 reference record h100-tf5.24.0-2026-11-25.json, from the
handbook.)
"""

import json
import statistics
from pathlib import Path

OWN = Path("snippets/data/gpu_wall_times.json")  # make bench-gpu
REFERENCE = Path("snippets/data/h100-tf5.24.0-2026-11-25.json")  # an equivalent script's record, until then
READER_SIDES = (476, 896, 1344)  # sizes readers use: the analysis' large image, and two larger


def load_record() -> dict:
    for path in (OWN, REFERENCE):
        if path.is_file():
            return json.loads(path.read_text())
    raise SystemExit(f"no GPU record: neither {OWN} nor {REFERENCE}; run from the handbook's root, or `make bench-gpu`")


def median(row: dict, layout: str, impl: str) -> float:
    return statistics.median(row["ms"][f"{layout}/{impl}"])


def ratio(row: dict, impl: str) -> float:
    """Window layout / all-full, same implementation: below 1, the windows save time."""
    return median(row, "window", impl) / median(row, "full", impl)


def row_at(record: dict, side: int) -> dict:
    return next(row for row in record["rows"] if row["side"] == side)


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
    print(advice())
