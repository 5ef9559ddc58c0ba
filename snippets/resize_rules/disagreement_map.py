# --8<-- [start:code]
"""Figure: where qwen-vl-utils' and transformers' smart_resize pick different sizes, cell by cell on log axes.
Left: both given the released checkpoints' bounds. Right: each library with its own defaults, read from the code.
Run: python disagreement_map.py
(Needs: snippets/data/released_vision_configs.json, the released checkpoints' bounds, from the handbook.)
"""

import inspect
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from qwen_vl_utils import vision_process as qwen_utils
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_vl import image_processing_qwen2_vl as torchvision_module

DATA = Path("snippets/data/released_vision_configs.json")
if not DATA.is_file():
    raise SystemExit(f"{DATA} is missing: run this from the handbook repository's root, where it is committed")
RELEASED = json.loads(DATA.read_text())["preprocessor_config"]
FACTOR = Qwen2_5_VLVisionConfig().patch_size * Qwen2_5_VLVisionConfig().spatial_merge_size
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]
SIDES = np.unique(np.round(np.geomspace(1, 4096, 240)).astype(int))
# (label, colour, hatch) per outcome; hatches keep the map readable without colour.
OUTCOMES = [
    ("same size", "#7F7F7F33", ""),
    ("transformers picks more pixels", PALETTE[0], "//"),
    ("qwen-vl-utils picks more pixels", PALETTE[1], "||"),
    ("same pixels, other shape", PALETTE[2], "xx"),
    ("both refuse (aspect ratio > 200)", "#7F7F7F99", "\\\\"),
]


def outcome(q, t) -> int:
    if q is None and t is None:
        return 4
    if q == t:
        return 0
    area_q, area_t = q[0] * q[1], t[0] * t[1]
    return 1 if area_t > area_q else 2 if area_q > area_t else 3


def run(rule, height, width, bounds):
    try:
        return tuple(rule(height, width, FACTOR, *bounds))
    except ValueError:
        return None


def outcome_map(qwen_bounds, transformers_bounds) -> np.ndarray:
    sides = SIDES.tolist()  # Python ints: the rules' arithmetic on NumPy scalars is several times slower
    return np.array(
        [
            [
                outcome(
                    run(qwen_utils.smart_resize, h, w, qwen_bounds),
                    run(torchvision_module.smart_resize, h, w, transformers_bounds),
                )
                for w in sides
            ]
            for h in sides
        ]
    )


def own_defaults():
    """(min, max) each library uses when the caller passes nothing."""
    image_factor = inspect.signature(qwen_utils.fetch_image).parameters["image_patch_size"].default * 2
    qwen = (qwen_utils.IMAGE_MIN_TOKEN_NUM * image_factor**2, qwen_utils.IMAGE_MAX_TOKEN_NUM * image_factor**2)
    size = Qwen2VLImageProcessor.size
    return qwen, (size["shortest_edge"], size["longest_edge"])


def draw():
    released = (RELEASED["min_pixels"], RELEASED["max_pixels"])
    qwen_default, transformers_default = own_defaults()
    panels = [
        (f"Same bounds: min {released[0]:,}, max {released[1]:,} px", outcome_map(released, released)),
        (
            f"Own defaults: max {qwen_default[1]:,} (qwen-vl-utils)\nvs {transformers_default[1]:,} px "
            f"(transformers processor)",
            outcome_map(qwen_default, transformers_default),
        ),
    ]
    cmap = ListedColormap([colour for _, colour, _ in OUTCOMES])
    edges = np.concatenate([[SIDES[0] * 0.9], np.sqrt(SIDES[:-1] * SIDES[1:]), [SIDES[-1] * 1.1]])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), dpi=150, sharey=True, layout="constrained")
    for ax, (title, grid) in zip(axes, panels):
        ax.pcolormesh(
            edges, edges, grid, cmap=cmap, vmin=-0.5, vmax=len(OUTCOMES) - 0.5, shading="flat", rasterized=True
        )  # one embedded bitmap instead of 57,600 vector cells
        for value, (_, _, hatch) in enumerate(OUTCOMES):
            if hatch and (grid == value).any():
                ax.contourf(
                    SIDES, SIDES, (grid == value).astype(float), levels=[0.5, 1.5], colors="none", hatches=[hatch]
                )
        ax.set(xscale="log", yscale="log", title=title, xlabel="image width (px)")
        ax.axhline(14, color=PALETTE[4], linestyle="--", linewidth=0.8)
        ax.axvline(14, color=PALETTE[4], linestyle="--", linewidth=0.8)
    axes[0].set_ylabel("image height (px)")
    axes[0].annotate(
        "14 px: sides at or below it round to 0\nin transformers, to 28 in qwen-vl-utils",
        xy=(14, 1500),
        xytext=(40, 1500),
        fontsize=8,
        va="center",
        arrowprops={"arrowstyle": "->", "color": PALETTE[4]},
    )
    present = {int(v) for _, grid in panels for v in np.unique(grid)}
    fig.legend(
        handles=[
            Patch(facecolor=colour, hatch=hatch, label=label, edgecolor="#7F7F7F")
            for value, (label, colour, hatch) in enumerate(OUTCOMES)
            if value in present
        ],
        loc="outside lower center",
        ncols=3,
        fontsize=8,
    )
    return fig


fig = draw()
ALT = (
    "Two maps of image height against width, both log scale from 1 to 4096 pixels. Left, with equal "
    "bounds, the two resize rules differ only in thin strips where one side is 14 pixels or less. "
    "Right, with each library's defaults, they also differ for every image above about a million pixels, "
    "where qwen-vl-utils keeps more pixels."
)
CAPTION = (
    "Where qwen-vl-utils' and transformers' smart_resize pick different sizes, computed cell by cell. "
    "Dashed lines: 14 px."
)
# --8<-- [end:code]


if __name__ == "__main__":
    fig.savefig("disagreement_map.svg")
    print("wrote disagreement_map.svg")
