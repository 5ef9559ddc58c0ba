"""Turn a matplotlib figure into an inline SVG that reads well in the light and the dark theme.

Figure snippets end with `print(svg_figure(fig, alt=..., caption=...))` inside an `html="on"` fence.
Text and axes are drawn in pure black and then switched to `currentColor`, so the SVG takes the
page's text colour (dark on the light theme, light on the dark one); the background is transparent;
data colours should be mid-tone so they read on both. Ids and metadata are pinned so two builds
produce the same bytes.
"""

import html
import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

INK = "#000000"  # replaced by currentColor below: never use it as a data colour
# Mid-tone colours, legible on white and on Material's slate background (Okabe-Ito based).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "qwen25vl-handbook",
        "font.family": "sans-serif",
        "font.size": 10,
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.titlecolor": INK,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "legend.frameon": False,
    }
)


# Ids the colour check (handbook/figure_colour.py, tests/site/test_figure_colour.py) reads to tell lines, scatter
# points, colour maps and axes apart.
KEPT_IDS = ("line2d_", "PathCollection", "QuadMesh", "matplotlib.axis", "image", "legend_frame")
GEOMETRY = re.compile(r'\b(d|transform|x|y|x1|y1|x2|y2|width|height|viewBox|points|style)="([^"]*)"')
FONTS = "'DejaVu Sans', Verdana, Arial, sans-serif"  # matplotlib measured the text in DejaVu Sans
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?")


def _round(match) -> str:
    """A coordinate to 2 decimals (1/100 pt, far below a pixel), without trailing zeros."""
    text = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def compact(svg: str) -> str:
    """Smaller markup, same drawing: no metadata, coordinates to 2 decimals, no id nothing refers to,
    no indentation. Deterministic, so two builds still give the same bytes."""
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = GEOMETRY.sub(lambda m: f'{m.group(1)}="{" ".join(NUMBER.sub(_round, m.group(2)).split())}"', svg)
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
    svg = re.sub(
        r'\s+id="([^"]+)"', lambda m: m.group() if m.group(1) in used or m.group(1).startswith(KEPT_IDS) else "", svg
    )
    svg = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", svg)  # a text turned by no angle
    svg = re.sub(r"font-family: [^;\"]*sans-serif", f"font-family: {FONTS}", svg)
    svg = re.sub(r"<g>\s*(<(?:path|use|rect|text)\b[^>]*/>)\s*</g>", r"\1", svg)  # a bare group of one mark
    return re.sub(r"\n\s+", "\n", svg)


def svg_figure(fig, alt: str, caption: str = "") -> str:
    """Inline SVG wrapped in <figure>, with alt text as the accessible name and a <title>."""
    # Layout engines (constrained, tight) solve positions in floating point, and their last digits have
    # differed between two builds of the same commit, changing matplotlib's clip-path ids. Run the engine
    # once, then freeze every axes at a rounded position so the bytes only depend on the drawing. Only the engine
    # runs here, not a whole draw: savefig below draws the figure twice anyway (once to measure the tight bounding
    # box, once into the SVG). A draw here as well, even one that renders nothing (fig.draw_without_rendering()),
    # cost a third of the figure fences' CPU (7.9 s -> 5.3 s for the site's ten figures) and changed no byte,
    # except in one figure whose legend sits outside its axes (0.24 pt of height).
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    fig.set_layout_engine("none")
    for ax in fig.axes:
        ax.set_position([round(value, 4) for value in ax.get_position().bounds])
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", transparent=True, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = compact(text[text.index("<svg") :].replace(INK, "currentColor"))
    alt_attr = html.escape(alt, quote=True)
    # Text drawn in black carries no fill attribute; inheriting currentColor from the root recolours it.
    text = text.replace("<svg ", f'<svg role="img" aria-label="{alt_attr}" style="fill: currentColor" ', 1)
    text = text.replace(">", f"><title>{html.escape(alt)}</title>", 1)
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="handbook-figure">\n{text}\n{caption_html}</figure>'
