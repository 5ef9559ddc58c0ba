"""Chapters 3-5: the headline numbers of window padding, spatial merge and attention windows, pinned.

Each test fails if the installed code stops behaving as the pages say; the last ones change the window
size in the config the checks read and show that the verdicts and numbers follow it.
"""

import block_schedule
import padding_trace
import patch_merge
import pytest
import token_table
import window_equivalence
import window_occupancy
import window_size_calculation
from padding_trace import SIZES, checks, trace
from transformers import Qwen2_5_VLVisionConfig

import handbook.claims.attention_windows as s5
import handbook.claims.spatial_merge as s4
import handbook.claims.window_padding as s3
from handbook import claims

CACHED = [
    padding_trace.trace,
    window_equivalence.models,
    window_equivalence.compare,
    block_schedule.segments_per_block,
    patch_merge.merge_shapes,
    patch_merge.processed,
    token_table.token_row,
    claims.evaluate,
]


def clear_caches():
    for function in CACHED:
        function.cache_clear()


# Chapter 3: the -100 padding


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


def test_recorder_leaves_vision_utils_untouched():
    import torch
    import torch.nn.functional as F
    import transformers.vision_utils as vision_utils

    padding_trace.trace.cache_clear()
    trace(84, 84)
    assert vision_utils.F is F and vision_utils.torch is torch


def test_partition_figure_is_accessible():
    from test_snippets import run

    from handbook.fences import SNIPPETS

    out = run(SNIPPETS / "window_partition.py")
    assert 'role="img"' in out and "476x476 px: 17x17 tokens in 25 window(s)" in out
    assert "#000000" not in out and "<figcaption>" in out


# Chapter 4: the merge


def test_processor_writes_2x2_groups_as_consecutive_rows():
    assert patch_merge.every_group_is_2x2(84) and patch_merge.every_group_is_2x2(476)
    assert patch_merge.row_positions(84)[:4] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_merger_shapes():
    shapes = {step: shape for step, _, shape in patch_merge.merge_shapes(84)}
    hidden = patch_merge.tiny_config().hidden_size
    assert shapes["pixel_values (processor)"] == (36, 3 * 2 * 14 * 14)
    assert shapes["merger.ln_q"] == (36, hidden)
    assert shapes["merger.mlp[0]"] == (9, 4 * hidden)
    assert shapes["merger"] == (9, patch_merge.tiny_config().out_hidden_size)


def test_every_size_pays_the_same_merge():
    rows = [token_table.token_row(side) for side in token_table.SIDES]
    assert {r["resized_px_per_token"] for r in rows} == {28 * 28}
    assert token_table.token_row(28)["resized"] == (56, 56)  # enlarged to min_pixels before any merge
    assert token_table.token_row(1344)["resized"][0] < 1344  # shrunk to max_pixels


# Chapter 5: windows and full attention


def test_full_blocks_are_the_configs():
    segments = block_schedule.segments_per_block()
    full = [i for i, s in enumerate(segments) if len(s) == 1]
    assert full == list(Qwen2_5_VLVisionConfig().fullatt_block_indexes) == [7, 15, 23, 31]
    assert len(segments) == 32


@pytest.mark.parametrize("size", window_equivalence.SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_window_blocks_equal_full_attention_exactly_when_one_window(size):
    result = window_equivalence.compare(*size)
    assert result["identical"] == (result["windows"] == 1)
    assert (result["max_abs_diff"] == 0) == result["identical"]
    fits = result["merged"][0] <= 4 and result["merged"][1] <= 4
    assert result["identical"] == fits
    assert result["dtype"] == "torch.float32"


def test_equivalence_is_deterministic():
    assert window_equivalence.compare(84, 84, repeat=True)["deterministic"] is True
    assert window_equivalence.compare(476, 476, repeat=True)["deterministic"] is True
    assert window_equivalence.models()[0].config._attn_implementation == "sdpa"


def test_where_the_analysis_percentages_come_from():
    readings = window_occupancy.readings()
    assert readings["real tokens / padded index grid (area)"] == {84: 56.25, 476: 72.25}
    assert readings["real side / padded side (one dimension)"][476] == 85.0
    assert readings["real tokens inside the windows the blocks use"] == {84: 100.0, 476: 100.0}
    occupancy = window_occupancy.occupancy(476)
    assert occupancy["windows"] == 25 and occupancy["smallest"] == 1 and occupancy["padding_in_windows"] == 0


# A deliberate change of the window size in the config changes verdicts and numbers.


@pytest.fixture
def window_224(monkeypatch):
    real = Qwen2_5_VLVisionConfig

    def patched(**kwargs):
        return real(**{"window_size": 224, **kwargs})

    import handbook.claims.window_size_calculation as s2

    for module in (
        padding_trace,
        window_equivalence,
        window_occupancy,
        patch_merge,
        token_table,
        window_size_calculation,
        s4,
        s2,
    ):
        monkeypatch.setattr(module, "Qwen2_5_VLVisionConfig", patched)
    clear_caches()
    yield
    clear_caches()


def test_window_size_change_moves_the_numbers(window_224):
    assert trace(476, 476).window_side == 8
    assert len(trace(476, 476).window_patches) == 9  # was 25
    assert window_occupancy.occupancy(476)["windows"] == 9
    assert window_equivalence.compare(224, 224)["identical"]  # 8x8 merged tokens now fit one window
    assert not window_equivalence.compare(476, 476)["identical"]


def test_window_size_change_flips_verdicts(window_224):
    """Each verdict listed here is pinned differently on the installed config; 224 px windows move it."""
    from test_claims import PINNED

    flipped = {
        "s5-fixed-4x4-windows": "refuted",  # windows are now 8x8 merged tokens
        "s3-17-is-4x4-plus-1x1": "refuted",  # 17 = 2 x 8 + 1, not 4 x 4 + 1
        "s2-value-4": "refuted",
    }  # 224 // 2 // 14 = 8
    for claim_id, verdict in flipped.items():
        claim = next(c for c in claims.all_claims() if c.id == claim_id)
        assert PINNED[claim_id] != verdict
        assert claim.check().verdict == verdict, claim_id
    assert "holds 9 merged tokens (36 patches), not 64" in s5.check_84_padded_to_4x4().evidence
    assert "17 = 2 x 8 + 1" in s3.check_minimal_padding().evidence
