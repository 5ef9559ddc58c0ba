"""docs/chapters/7-optimal-image-sizes.md: the sweep, the smart_resize check, the token budget, the prose's
numbers and the chapter's ledger check."""

import pytest
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

from handbook.paths import DOCS
from handbook.snippets import load

sweep = load("optimal_image_sizes/sweep")

CLASS_DEFAULT = (56 * 56, 28 * 28 * 1280)  # Qwen2VLImageProcessor() bounds


def page(name: str) -> str:
    return " ".join((DOCS / "chapters" / name).read_text().split())


def test_smart_resize_agrees_with_the_processor_on_the_sample():
    same, total = load("optimal_image_sizes/agreement").agreement()
    assert same == total > 20


def test_sweep_layouts():
    layout = sweep.layout
    assert layout(448, 448)["full_share"] == 1 and layout(448, 448)["windows"] == 16
    r476 = layout(476, 476)
    assert (r476["tokens"], r476["windows"], r476["smallest"]) == (289, 25, 1)
    assert layout(84, 84)["windows"] == 1 and layout(84, 84)["per_window"] == [9]
    assert layout(28, 28)["resized"] == (56, 56)  # min_pixels lifts the smallest inputs


@pytest.mark.parametrize("figure", ["optimal_image_sizes/sweep_figure", "optimal_image_sizes/size_map"])
def test_figures_compute_the_sweeps_layout(figure):
    """The two figure snippets carry their own copy of sweep.py's layout (a snippet imports no other snippet):
    same constants, and the same answer on every field they read, at sizes with full, partial and single windows."""
    copy = load(figure)
    for name in ("PATCH", "MERGE", "WINDOW", "FACTOR", "FULL_WINDOW", "RELEASED", "SIDES"):
        assert getattr(copy, name) == getattr(sweep, name), name
    for height, width in [(28, 28), (84, 84), (448, 448), (476, 476), (112, 1344), (1344, 1316), (1, 50)]:
        mine = copy.layout(height, width)
        assert mine == {key: sweep.layout(height, width)[key] for key in mine}, (height, width)
    assert copy.ALT and copy.CAPTION and copy.fig.axes


def test_figures_alt_text_and_caption():
    figure, size_map = load("optimal_image_sizes/sweep_figure"), load("optimal_image_sizes/size_map")
    assert "(112, 224, 336, 448, 560, 672, 784, 896, 1008, 1120, 1232, 1344)" in figure.ALT
    assert "A full window holds 16 LLM tokens." in figure.CAPTION
    assert "48 x 48 input sizes" in size_map.CAPTION
    assert "all with both sides multiples of 112" in size_map.ALT


def test_token_budget_respects_its_bounds():
    token_budget = load("optimal_image_sizes/token_budget")
    for _, low, high in token_budget.SETTINGS:
        lo, hi = token_budget.token_range(low, high)
        assert low // 784 <= lo <= hi <= high // 784


def test_chapter_7_prose_numbers_are_the_computed_ones():
    text = page("7-optimal-image-sizes.md")
    low, high = CLASS_DEFAULT

    def resized(side):  # the processor's rule, as the chapter 6 recipe's model_input_size calls it
        return smart_resize(side, side, factor=sweep.FACTOR, min_pixels=low, max_pixels=high)

    shrunk = [s for s in sweep.SIDES if s % 112 == 0 and resized(s) != (s, s)]
    assert all(resized(s)[0] % 112 for s in shrunk)
    assert f"the square inputs from {shrunk[0]} px up are shrunk" in text
    assert shrunk == [s for s in sweep.SIDES if s % 112 == 0 and s >= shrunk[0]]


def test_fit_check_follows_the_window_size(monkeypatch):
    """With 224-pixel windows in the config, multiples of 112 would no longer fill every window."""
    import handbook.claims.optimal_image_sizes as s7

    monkeypatch.setattr(sweep, "WINDOW", 224)
    monkeypatch.setattr(sweep, "FULL_WINDOW", (224 // 28) ** 2)
    assert sweep.layout(336, 336)["full_share"] < 1
    assert s7.check_fits_cleanly().verdict == "refuted"
