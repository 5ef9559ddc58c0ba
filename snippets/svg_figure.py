"""Turn a matplotlib figure into an inline SVG that reads well in the light and the dark theme.

Figure snippets end with `print(svg_figure(fig, alt=..., caption=...))` inside an `html="on"` fence.
Text and axes are drawn in pure black and then switched to `currentColor`, so the SVG takes the
page's text colour (dark on the light theme, light on the dark one); the background is transparent;
data colours should be mid-tone so they read on both. Ids and metadata are pinned so two builds
produce the same bytes.
"""

import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

INK = "#000000"  # replaced by currentColor below: never use it as a data colour
# Mid-tone colours, legible on white and on Material's slate background (Okabe-Ito based).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#B8A400", "#7F7F7F"]

plt.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "qwen25vl-handbook",
    "font.family": "sans-serif",
    "font.size": 10,
    "text.color": INK, "axes.labelcolor": INK, "axes.edgecolor": INK,
    "xtick.color": INK, "ytick.color": INK, "axes.titlecolor": INK,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
})


def svg_figure(fig, alt: str, caption: str = "") -> str:
    """Inline SVG wrapped in <figure>, with alt text as the accessible name and a <title>."""
    # Layout engines (constrained, tight) solve positions in floating point, and their last digits have
    # differed between two builds of the same commit, changing matplotlib's clip-path ids. Run the engine
    # once, then freeze every axes at a rounded position so the bytes only depend on the drawing.
    fig.canvas.draw()
    fig.set_layout_engine("none")
    for ax in fig.axes:
        ax.set_position([round(value, 4) for value in ax.get_position().bounds])
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", transparent=True, bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):].replace(INK, "currentColor")
    alt_attr = html.escape(alt, quote=True)
    # Text drawn in black carries no fill attribute; inheriting currentColor from the root recolours it.
    text = text.replace("<svg ", f'<svg role="img" aria-label="{alt_attr}" style="fill: currentColor" ', 1)
    text = text.replace(">", f"><title>{html.escape(alt)}</title>", 1)
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="handbook-figure">\n{text}\n{caption_html}</figure>'
