"""Chapter 3, window padding: the trace of the installed window code, pinned, and the page's snippets.

The numbers the page prints come from snippets/window_padding/ (trace.py, and padded_grid.py, boundaries.py
and partition_figure.py, which repeat the few lines of the trace they need so that each runs alone); the
tests pin the trace and require the copies to agree with it. The last tests change the window size in the
config the trace reads and show that the numbers and verdicts follow it.
"""

import numpy as np
import pytest
from transformers import Qwen2_5_VLVisionConfig

import handbook.claims.window_padding as s3
from handbook import claims, page_tests
from handbook.snippets import load

padding_trace = load("window_padding/trace")
SIZES, checks, trace = padding_trace.SIZES, padding_trace.checks, padding_trace.trace


def fence(fence_id: str):
    return page_tests.fence("chapters/3-window-padding.md", fence_id)


def run_fence(fence_id: str) -> str:
    """The fence's output, run as the build runs it (includes expanded, fresh globals, not __main__)."""
    return page_tests.fence_output("chapters/3-window-padding.md", fence_id)


# The -100 padding


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_padding_never_reaches_attention(size):
    tr = trace(*size)
    assert tr.pad_value == -100  # the constant F.pad was really called with
    assert (tr.padded_index == -100).any()  # every size gets some padding in the index grid
    assert checks(tr) == {
        **checks(tr),
        "no pad value in window_index": True,
        "window_index is a permutation": True,
        "windows add up to the patches": True,
        "no empty window left": True,
    }


def test_grids_of_the_analysis_sizes():
    assert trace(84, 84).grid_thw == (1, 6, 6) and trace(84, 84).merged == (3, 3)
    assert trace(476, 476).grid_thw == (1, 34, 34) and trace(476, 476).merged == (17, 17)
    assert trace(300, 200).resized == (308, 196)  # non-square: each side rounded to a multiple of 28


def test_window_counts():
    assert trace(84, 84).window_patches == [36]
    big = trace(476, 476)
    assert len(big.window_patches) == 25
    assert sorted(set(big.window_tokens)) == [1, 4, 16]
    assert big.window_of_token()[16, 16] == 24 and big.window_tokens[24] == 1  # the corner window: one token


def test_476_gets_more_padding_than_84():
    # Chapter 3 says so in prose.
    assert (
        checks(trace(476, 476))["pad entries in the index grid"]
        > checks(trace(84, 84))["pad entries in the index grid"]
    )


def test_a_grid_that_fits_still_gets_a_full_pad():
    tr = trace(112, 112)
    assert tr.merged == (4, 4) and tr.pad == (tr.window_side, tr.window_side) == (4, 4)
    assert tr.cu_before_unique.tolist() == [0, 64, 64, 64, 64]
    assert tr.cu_window_seqlens.tolist() == [0, 64] and tr.empty_windows == 3
    assert trace(224, 224).empty_windows == 5 and len(trace(224, 224).window_patches) == 4
    # Chapter 3: sizes that are multiples of the window get "the largest pad there is" (a whole window per side).
    window_px = Qwen2_5_VLVisionConfig().window_size
    for side in (window_px, 2 * window_px):
        assert trace(side, side).pad[0] == max(tr.window_side - r for r in range(tr.window_side))


def test_window_side_is_the_installed_statement(monkeypatch):
    """trace.py's copy of merger_window_size evaluates the installed statement with the config's values, even
    while the ledger's drivers stand another window function in for the trace's (tests/site/test_claims.py)."""
    config = Qwen2_5_VLVisionConfig()
    assert padding_trace.merger_window_size() == config.window_size // config.spatial_merge_size // config.patch_size
    assert padding_trace.merger_window_size(Qwen2_5_VLVisionConfig(window_size=224)) == 8
    monkeypatch.setattr(padding_trace, "get_vision_window_index", lambda *args, **kwargs: None)
    assert padding_trace.merger_window_size() == 4


def test_recorder_leaves_vision_utils_untouched():
    import torch
    import torch.nn.functional as F
    import transformers.vision_utils as vision_utils

    padding_trace.trace.cache_clear()
    trace(84, 84)
    assert vision_utils.F is F and vision_utils.torch is torch
    load("window_padding/padded_grid").padded_index(84, 84)
    load("window_padding/boundaries").boundaries(112, 112)
    assert vision_utils.F is F and vision_utils.torch is torch


# The small files repeat the trace's lines: they must agree with it.


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_copies_agree_with_the_trace(size):
    tr = trace(*size)
    assert load("window_padding/padded_grid").padded_grid_markdown(*size) == padding_trace.padded_grid_markdown(*size)
    assert load("window_padding/boundaries").boundaries_markdown(*size) == padding_trace.boundaries_markdown(*size)
    drawn = load("window_padding/partition_figure").partition(*size)
    assert np.array_equal(drawn.padded_index, tr.padded_index) and drawn.pad_value == tr.pad_value
    assert np.array_equal(drawn.windows, tr.window_of_token())
    assert drawn.merged == tr.merged and drawn.window_tokens == tr.window_tokens


def test_grid_84_fence_shows_the_padded_grid():
    out = run_fence("ch3-grid-84")
    assert out.strip() == padding_trace.padded_grid_markdown(84, 84)
    assert "| row 3 | **-100** | **-100** | **-100** | **-100** |" in out


def test_divisible_fences_show_the_excerpt_then_the_boundaries():
    excerpt, listed = run_fence("ch3-divisible-source"), run_fence("ch3-divisible")
    assert "torch.unique_consecutive(cu_window_seqlens)" in excerpt
    assert listed.splitlines() == [padding_trace.boundaries_markdown(s, s) for s in (84, 112, 224)]
    assert "`[0, 64, 64, 64, 64]` → after `torch.unique_consecutive` `[0, 64]` (3 empty window(s)" in listed


def test_partition_figure_is_accessible():
    out = run_fence("ch3-partition-figure")
    assert 'role="img"' in out and "476x476 px: 17x17 tokens in 25 window(s)" in out
    assert "#000000" not in out and "<figcaption>" in out


# The page's fences and files follow the snippet conventions.

FILES = ["trace", "padded_grid", "boundaries", "partition_figure"]


def test_every_snippet_fence_includes_a_page_file():
    assert page_tests.included("chapters/3-window-padding.md") == page_tests.code_sections("window_padding", FILES)


@pytest.mark.parametrize("plumbing", ["ch3-verdicts", "ch3-source", "ch3-divisible-source"])
def test_plumbing_fences_have_no_source_tab(plumbing):
    assert "source" not in fence(plumbing).attrs


# A deliberate change of the window size in the config changes verdicts and numbers.

CACHED = [padding_trace.trace, claims.evaluate]


def clear_caches():
    for function in CACHED:
        function.cache_clear()


def set_window_224(monkeypatch):
    """The trace's config class gives window_size=224 unless told otherwise (the ledger reads the same module)."""
    real = Qwen2_5_VLVisionConfig

    def patched(**kwargs):
        return real(**{"window_size": 224, **kwargs})

    monkeypatch.setattr(padding_trace, "Qwen2_5_VLVisionConfig", patched)
    clear_caches()


@pytest.fixture
def window_224(monkeypatch):
    set_window_224(monkeypatch)
    yield
    clear_caches()


def test_window_size_change_moves_the_numbers(window_224):
    assert trace(476, 476).window_side == 8
    assert len(trace(476, 476).window_patches) == 9  # was 25


def test_window_size_change_flips_verdicts(monkeypatch):
    """s3-17-is-4x4-plus-1x1 is partly true on the installed config; 224 px windows make it refuted."""
    claim = next(c for c in claims.all_claims() if c.id == "s3-17-is-4x4-plus-1x1")
    clear_caches()
    assert claim.check().verdict == "partly true"
    set_window_224(monkeypatch)
    try:
        assert claim.check().verdict == "refuted"  # 17 = 2 x 8 + 1, not 4 x 4 + 1
        assert "17 = 2 x 8 + 1" in s3.check_minimal_padding().evidence
    finally:
        monkeypatch.undo()
        clear_caches()
