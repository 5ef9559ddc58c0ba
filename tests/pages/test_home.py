"""The home page's figure and fix, computed by the real code, and the SVG compaction every figure goes through."""

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import grounding_coordinates as gc  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from small_vs_large_image import figure, summary  # noqa: E402
from test_snippets import run  # noqa: E402
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor  # noqa: E402
from transformers.vision_utils import get_vision_window_index  # noqa: E402

from handbook.figures import compact, svg_figure  # noqa: E402
from handbook.paths import SNIPPETS  # noqa: E402


def direct_counts(side: int) -> tuple:
    """Tokens and windows of a side x side image, straight from the processor and the window function."""
    config = Qwen2_5_VLVisionConfig()
    grid = Qwen2VLImageProcessor()(images=Image.new("RGB", (side, side)), return_tensors="pt")["image_grid_thw"]
    _, cu = get_vision_window_index(grid, config.spatial_merge_size, config.window_size, config.patch_size)
    t, h, w = grid[0].tolist()
    return t * h * w // config.spatial_merge_size**2, len(cu) - 1


def test_figure_counts_are_the_real_codes():
    for side in (84, 476):
        s = summary(side)
        assert (s["tokens"], s["windows"]) == direct_counts(side)
        assert s["window_px"] == Qwen2_5_VLVisionConfig().window_size
    # The home page's statement, one window against many and a few tokens against many more:
    assert (summary(84)["tokens"], summary(84)["windows"]) == (9, 1)
    assert (summary(476)["tokens"], summary(476)["windows"]) == (289, 25)


def test_figure_says_its_numbers_in_words():
    html = figure()
    label = re.search(r'aria-label="([^"]+)"', html).group(1)
    assert "3x3 = 9 tokens in 1 window" in label and "17x17 = 289 tokens in 25 windows" in label
    texts = " ".join(ET.fromstring(re.search(r"<svg\b.*</svg>", html, re.DOTALL).group()).itertext())
    assert "9 visual tokens, 1 window" in texts and "289 visual tokens, 25 windows" in texts


def test_fix_prints_what_the_recipe_computes():
    out = run(SNIPPETS / "fix_small_image_boxes.py")
    frame = gc.model_input_size(84, 84)
    box = gc.absolute_to_original((112, 56, 336, 280), frame, (84, 84))
    assert f"The model sees {frame[0]} x {frame[1]}" in out and str(box) in out
    assert frame == (448, 448) and box == (21.0, 10.5, 63.0, 52.5)


def test_compact_keeps_the_drawing_and_what_is_referenced():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1 / 3], [0, 2 / 3], label="a line")
    ax.bar([1], [1], hatch="//")
    raw_fig = svg_figure(fig, alt="a test figure with a line and a hatched bar")
    svg = re.search(r"<svg\b.*</svg>", raw_fig, re.DOTALL).group()
    root = ET.fromstring(svg)  # still well-formed
    referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert referenced <= ids, "a clip path, hatch or marker lost its id"
    assert not any(i.startswith(("patch_", "text_", "axes_", "figure_")) for i in ids), ids
    assert not re.search(r"\d\.\d{3,}", " ".join(re.findall(r'\bd="([^"]*)"', svg))), "coordinates not rounded"
    assert "<metadata>" not in svg


def test_compact_rounds_and_is_deterministic():
    raw = (
        '<svg viewBox="0 0 10.123456 5"><metadata>m</metadata><g id="patch_1">\n  <path d="M 0.333333 -0.0001 '
        'L 2.5 1.239999" clip-path="url(#c1)"/>\n  </g><clipPath id="c1"><rect x="0.3333" y="0"/></clipPath>'
        '<g id="unused"><text x="1.23456">3.14159</text></g></svg>'
    )
    once = compact(raw)
    assert once == compact(raw)
    assert 'viewBox="0 0 10.12 5"' in once and 'd="M 0.33 0 L 2.5 1.24"' in once
    assert 'id="c1"' in once and 'id="patch_1"' not in once and 'id="unused"' not in once
    assert ">3.14159<" in once, "text content is never rounded"
    assert np.isclose(float(re.search(r'x="([\d.]+)"', once).group(1)), 0.33)
