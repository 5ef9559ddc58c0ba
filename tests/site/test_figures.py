"""handbook/figures.py: the SVG compaction every figure goes through keeps the drawing and is deterministic."""

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from handbook.figures import compact, svg_figure  # noqa: E402


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


def _laid_out_figure():
    fig, axes = plt.subplots(1, 2, figsize=(4, 2), layout="constrained")
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set(title="a title", xlabel="a label along x", ylabel="a long label along y")
    return fig


def test_svg_figure_keeps_the_layout_engine_positions_rounded():
    """The layout engine runs before the axes are frozen: each axes sits where constrained layout puts it, to 4
    decimals, and not where the figure's default subplot parameters would (labels would then overlap)."""
    reference = _laid_out_figure()
    reference.draw_without_rendering()  # a whole draw runs the engine too
    expected = [tuple(round(v, 4) for v in ax.get_position().bounds) for ax in reference.axes]
    plt.close(reference)
    fig = _laid_out_figure()
    default = [ax.get_position(original=True).bounds for ax in fig.axes]
    svg_figure(fig, alt="two plots laid out by constrained layout")
    placed = [ax.get_position().bounds for ax in fig.axes]
    assert np.allclose(placed, expected, rtol=0, atol=1e-12)
    assert not np.allclose(placed, default, atol=1e-3)
