"""Chapter 4, spatial merge: the processor's row order, the merger's shapes and the token table, pinned,
and the page's snippets (snippets/spatial_merge/) checked against the page's conventions.
"""

import pytest
from transformers import Qwen2_5_VLVisionConfig

from handbook import page_tests
from handbook.snippets import load

layout = load("spatial_merge/layout")
token_table = load("spatial_merge/token_table")


def fence(fence_id: str):
    return page_tests.fence("chapters/4-spatial-merge.md", fence_id)


def run_fence(fence_id: str) -> str:
    """The fence's output, run as the build runs it (includes expanded, fresh globals, not __main__)."""
    return page_tests.fence_output("chapters/4-spatial-merge.md", fence_id)


# The merge


def test_processor_writes_2x2_groups_as_consecutive_rows():
    assert layout.every_group_is_2x2(84) and layout.every_group_is_2x2(476)
    assert layout.row_positions(84)[:4] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_merger_shapes():
    shapes = {step: shape for step, _, shape in layout.merge_shapes(84)}
    hidden = layout.tiny_config().hidden_size
    assert shapes["pixel_values (processor)"] == (36, 3 * 2 * 14 * 14)
    assert shapes["merger.ln_q"] == (36, hidden)
    assert shapes["merger.mlp[0]"] == (9, 4 * hidden)
    assert shapes["merger"] == (9, layout.tiny_config().out_hidden_size)


def test_one_thread_is_restored():
    import torch

    before = torch.get_num_threads()
    with layout.one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_every_size_pays_the_same_merge():
    rows = [token_table.token_row(side) for side in token_table.SIDES]
    assert {r["resized_px_per_token"] for r in rows} == {28 * 28}
    assert token_table.token_row(28)["resized"] == (56, 56)  # enlarged to min_pixels before any merge
    assert token_table.token_row(1344)["resized"][0] < 1344  # shrunk to max_pixels


def test_overlay_figure_is_accessible():
    out = run_fence("ch4-overlay-figure")
    assert 'role="img"' in out and "each LLM token covers 2x2 patches at both sizes" in out
    assert "#000000" not in out and "<figcaption>" in out


# The page's fences and files follow the snippet conventions.

FILES = ["layout", "token_table", "overlay_figure"]


def test_every_snippet_fence_includes_a_page_file():
    assert page_tests.included("chapters/4-spatial-merge.md") == page_tests.code_sections("spatial_merge", FILES)


@pytest.mark.parametrize("plumbing", ["ch4-verdicts", "ch4-patchify", "ch4-merger-source"])
def test_plumbing_fences_have_no_source_tab(plumbing):
    assert "source" not in fence(plumbing).attrs


# A deliberate change of the merge size in the config changes the layout check's numbers.


def test_merge_size_follows_the_config(monkeypatch):
    real = Qwen2_5_VLVisionConfig
    monkeypatch.setattr(layout, "Qwen2_5_VLVisionConfig", lambda **kw: real(**{"spatial_merge_size": 1, **kw}))
    assert "| 0–0 | (0, 0) | no |" in layout.layout_table(tokens=1)  # a merge unit of one patch is no 2x2 group
