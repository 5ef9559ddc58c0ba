"""Colour is never the only carrier of meaning in a figure: the proxy check (handbook/figure_colour.py)
applied to every figure of the built site, and shown to catch figures that rely on colour alone."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from test_built_site import SITE, built_pages  # noqa: E402

from handbook.figure_colour import figure_svgs, problems  # noqa: E402
from handbook.figures import PALETTE, svg_figure  # noqa: E402

A, B = PALETTE[0], PALETTE[1]


def svg_of(draw, text=True) -> str:
    fig, ax = plt.subplots(figsize=(3, 2))
    draw(ax)
    if not text:
        ax.set_axis_off()
    return figure_svgs(svg_figure(fig, alt="test figure"))[0]


def bars(**second):
    def draw(ax):
        ax.bar([0], [1], color=A, label="first")
        ax.bar([1], [2], color=B, label="second", **second)
        ax.legend()

    return draw


def lines(**second):
    def draw(ax):
        ax.plot([0, 1], [0, 1], color=A, label="first")
        ax.plot([0, 1], [1, 0], color=B, label="second", **second)
        ax.legend()

    return draw


def points(**second):
    def draw(ax):
        ax.scatter([0, 1], [0, 1], color=A, marker="o", label="first")
        ax.scatter([0, 1], [1, 0], color=B, label="second", **second)
        ax.legend()

    return draw


def same_hatch(ax):
    ax.bar([0], [1], color=A, hatch="//", label="first")
    ax.bar([1], [2], color=B, hatch="//", label="second")
    ax.legend()


@pytest.mark.parametrize(
    "draw",
    [bars(), same_hatch, lines(), lines(linewidth=1.7), points(marker="o")],
    ids=["bars-plain", "bars-same-hatch", "lines-same-style", "lines-similar-width", "points-same-marker"],
)
def test_colour_only_figures_are_caught(draw):
    found = problems(svg_of(draw))
    assert any("only by colour" in problem for problem in found), found


@pytest.mark.parametrize(
    "draw",
    [bars(hatch="//"), lines(linestyle="--"), lines(marker="s"), lines(linewidth=4), points(marker="^")],
    ids=["bars-hatched", "lines-dashed", "lines-marker", "lines-thick", "points-triangle"],
)
def test_figures_with_a_second_carrier_pass(draw):
    assert problems(svg_of(draw)) == []


def test_a_figure_without_words_is_caught():
    found = problems(svg_of(lambda ax: ax.bar([0], [1], color=A), text=False))
    assert any("no text" in problem for problem in found), found


def test_every_figure_on_the_site_carries_meaning_beyond_colour():
    checked, failures = 0, {}
    for _md, html in built_pages():
        for number, svg in enumerate(figure_svgs(html.read_text()), 1):
            checked += 1
            found = problems(svg)
            if found:
                failures[f"{html.relative_to(SITE)} figure {number}"] = found
    assert checked, "no figure found on the site: the figure pattern is broken"
    assert not failures, failures
