"""Figure: GPU wall time of the whole vision encoder against image side, one line per layout and implementation.

Renders the committed record (see gpu_wall_time_table.py); nothing is timed in the build.
Run from the repository root: python snippets/gpu_wall_time_figure.py
"""

import matplotlib.pyplot as plt
from gpu_wall_time_table import READER_SIDES, crossover, impls, load_record, median

from handbook.figures import PALETTE, svg_figure

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
print(
    svg_figure(
        fig,
        alt=(
            f"Log-log line chart of the encoder's time against image side, {sides[0]} to {sides[-1]} px, solid lines "
            f"for the window layout and dashed for all-full, one colour and marker per implementation "
            f"({', '.join(names)}). Up to 896 px all lines stay between {min(small)[0]:.0f} and "
            f"{max(small)[0]:.0f} ms, {max(small)[1]} the highest. The window layout is faster than all-full: {pays}. At {sides[-1]} px: "
            + ", ".join(
                f"{layout} {impl} {median(last, layout, impl):.0f} ms"
                for impl in names
                for layout in ("window", "full")
            )
            + "."
        ),
        caption=(
            f"Medians of one run on {record['device']} (random weights, torch {record['torch']}, transformers "
            f"{record['transformers']}); the table above gives ranges. Same weights in both layouts: only "
            f"fullatt_block_indexes differs."
        ),
    )
)
