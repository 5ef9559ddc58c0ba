# --8<-- [start:code]
"""Figure: GPU wall time of the vision encoder against image side, one line per layout and implementation, from
the record (no GPU runs here). Run: python gpu_figure.py  (Needs: snippets/data/gpu_wall_times.json, else the
H100 reference record h100-tf5.24.0-2026-11-25.json, from the handbook.)
"""

import json
import statistics
from pathlib import Path

import matplotlib.pyplot as plt

OWN = Path("snippets/data/gpu_wall_times.json")  # make bench-gpu
FIRST_RUN = Path("snippets/data/gpu_wall_times.run1.json")  # an earlier run on the same machine, if kept
REFERENCE = Path("snippets/data/h100-tf5.24.0-2026-11-25.json")  # an equivalent script's record, until then
IMPLS = ("sdpa", "varlen", "padded", "flash_attention_2")
READER_SIDES = (476, 896, 1344)  # sizes readers use: the analysis' large image, and two larger
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]


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


def crossover(record: dict, impl: str) -> tuple:
    """(last side where the window layout was slower, first side from which it was faster at every larger side)."""
    rows = [row for row in record["rows"] if row["windows"] > 1]
    first = len(rows)
    while first > 0 and ratio(rows[first - 1], impl) < 1:
        first -= 1
    if first == len(rows):
        return rows[-1]["side"], None
    return (rows[first - 1]["side"] if first else None), rows[first]["side"]


record = load_record()
names = impls(record)
sides = [row["side"] for row in record["rows"]]
markers = dict(zip(names, "os^D"))
fig, ax = plt.subplots(figsize=(7.2, 4.6))
for colour, impl in zip(PALETTE, names):
    for layout, dash in (("window", "-"), ("full", "--")):
        ax.plot(
            sides,
            [median(row, layout, impl) for row in record["rows"]],
            color=colour,
            ls=dash,
            marker=markers[impl],
            ms=4,
            mfc="none" if layout == "full" else colour,
            label=f"{layout} layout, {impl}",
        )
ax.set_xscale("log")
ax.set_yscale("log")
ticks = [side for side in sides if side in (sides[0], 224, *READER_SIDES, 1792, sides[-1])]
ax.set_xticks(ticks, labels=[str(side) for side in ticks])
ax.minorticks_off()
ax.set_xlabel("side of the square image (px, log scale)")
ax.set_ylabel("forward pass, median (ms, log scale)")
ax.set_title(f"Qwen2.5-VL vision encoder at 7B dimensions, {record['device']}, bf16", fontsize=10)
ax.legend(loc="upper left", fontsize=8, ncol=2)
ax.grid(True, which="major", alpha=0.3)

last = record["rows"][-1]
small = [
    (median(row, layout, impl), f"{layout} with {impl}")
    for row in record["rows"]
    if row["side"] <= 896
    for layout in ("window", "full")
    for impl in names
]
pays = "; ".join(f"{impl} from {crossover(record, impl)[1]} px" for impl in names)
ALT = (
    f"Log-log line chart of the encoder's time against image side, {sides[0]} to {sides[-1]} px, solid lines "
    f"for the window layout and dashed for all-full, one colour and marker per implementation "
    f"({', '.join(names)}). Up to 896 px all lines stay between {min(small)[0]:.0f} and "
    f"{max(small)[0]:.0f} ms, {max(small)[1]} the highest. The window layout is faster than all-full: {pays}. At {sides[-1]} px: "
    + ", ".join(
        f"{layout} {impl} {median(last, layout, impl):.0f} ms" for impl in names for layout in ("window", "full")
    )
    + "."
)
CAPTION = (
    f"Medians of {'the second of two runs' if OWN.is_file() and FIRST_RUN.is_file() else 'one run'} on "
    f"{record['device']} (random weights, torch {record['torch']}, transformers {record['transformers']}); the "
    f"table above gives ranges. Same weights in both layouts: only fullatt_block_indexes differs."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("gpu_figure.svg")
    print("wrote gpu_figure.svg")
