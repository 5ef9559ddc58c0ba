"""Chapter 5, attention windows: the block schedule, window versus full attention, window occupancy, pinned.

Each test fails if the installed code stops behaving as the page says; the last ones change the window
size in the config the checks read and show that the verdicts and numbers follow it. That each snippet file,
copied alone into an empty folder, prints what the page shows (or writes its SVG) is the copy test's
(tests/site/test_snippets.py, for every snippet a page includes).
"""

import functools
import sys
from pathlib import Path

import pytest
from transformers import Qwen2_5_VLVisionConfig

import handbook.claims.attention_windows as s5
import handbook.claims.spatial_merge as s4
import handbook.claims.window_padding as s3
import handbook.claims.window_size_calculation as s2
from handbook import claims
from handbook.page_tests import fence_output, run_alone
from handbook.snippets import load

schedule = load("attention_windows/schedule")
equivalence = load("attention_windows/equivalence")
occupancy = load("attention_windows/occupancy")
trace_module = load("window_padding/trace")
trace = trace_module.trace


def clear_caches():
    """Every cached function of every loaded snippet, and the ledger's."""
    for module in snippet_modules():
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
    claims.evaluate.cache_clear()


def snippet_modules():
    return [m for m in list(sys.modules.values()) if "snippets" in Path(getattr(m, "__file__", None) or "").parts]


def test_full_blocks_are_the_configs():
    segments = schedule.segments_per_block()
    full = [i for i, s in enumerate(segments) if len(s) == 1]
    assert full == list(Qwen2_5_VLVisionConfig().fullatt_block_indexes) == [7, 15, 23, 31]
    assert len(segments) == 32


@pytest.mark.parametrize("size", equivalence.SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_window_blocks_equal_full_attention_exactly_when_one_window(size):
    result = equivalence.compare(*size)
    assert result["identical"] == (result["windows"] == 1)
    assert (result["max_abs_diff"] == 0) == result["identical"]
    fits = result["merged"][0] <= 4 and result["merged"][1] <= 4
    assert result["identical"] == fits
    assert result["dtype"] == "torch.float32"


def test_equivalence_is_deterministic():
    assert equivalence.compare(84, 84, repeat=True)["deterministic"] is True
    assert equivalence.compare(476, 476, repeat=True)["deterministic"] is True
    assert equivalence.models()[0].config._attn_implementation == "sdpa"


def test_where_the_analysis_percentages_come_from():
    readings = occupancy.readings()
    assert readings["real tokens / padded index grid (area)"] == {84: 56.25, 476: 72.25}
    assert readings["real side / padded side (one dimension)"][476] == 85.0
    assert readings["real tokens inside the windows the blocks use"] == {84: 100.0, 476: 100.0}
    found = occupancy.occupancy(476)
    assert found["windows"] == 25 and found["smallest"] == 1 and found["padding_in_windows"] == 0


def test_occupancy_reads_the_same_windows_as_the_padding_trace():
    """occupancy.py records F.pad itself (a snippet imports no other snippet): it must see what chapter 3's trace sees."""
    for side in (84, 112, 224, 476):
        own, tr = occupancy.windows(side), trace(side, side)
        assert own.pad_value == tr.pad_value == -100
        assert (own.padded_index == tr.padded_index).all() and (own.window_index == tr.window_index).all()
        assert own.window_tokens == tr.window_tokens and (own.window_of_token() == tr.window_of_token()).all()


def test_occupancy_recorder_leaves_vision_utils_untouched():
    import torch.nn.functional as F
    import transformers.vision_utils as vision_utils

    occupancy.windows.cache_clear()
    occupancy.windows(84)
    assert vision_utils.F is F


def test_pattern_figure_is_accessible():
    from handbook.figures import svg_figure

    figure = load("attention_windows/pattern_figure")
    out = svg_figure(figure.fig, alt=figure.ALT, caption=figure.CAPTION)
    assert 'role="img"' in out and "476x476 window blocks: 25 square(s)" in out
    assert "#000000" not in out and "<figcaption>" in out
    assert "window blocks get 1 segment(s) and the full blocks 1" in figure.CAPTION


# A deliberate change of the window size in the config changes verdicts and numbers.


@pytest.fixture
def window_224(monkeypatch):
    real = Qwen2_5_VLVisionConfig

    def patched(**kwargs):
        return real(**{"window_size": 224, **kwargs})

    for module in [*snippet_modules(), s4, s2]:  # every snippet that builds a config, and the ledger's own
        if getattr(module, "Qwen2_5_VLVisionConfig", None) is real:
            monkeypatch.setattr(module, "Qwen2_5_VLVisionConfig", patched)
    assert occupancy.Qwen2_5_VLVisionConfig is patched and trace_module.Qwen2_5_VLVisionConfig is patched
    clear_caches()
    yield
    clear_caches()


def test_window_size_change_moves_the_numbers(window_224):
    assert trace(476, 476).window_side == 8
    assert len(trace(476, 476).window_patches) == 9  # was 25
    assert occupancy.occupancy(476)["windows"] == 9
    assert equivalence.compare(224, 224)["identical"]  # 8x8 merged tokens now fit one window
    assert not equivalence.compare(476, 476)["identical"]


def test_window_size_change_flips_verdicts(window_224):
    """Each verdict listed here is pinned differently on the installed config; 224 px windows move it."""
    from handbook.claims._pinned import PINNED

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


PAGE = "chapters/5-attention-windows.md"


def test_the_page_shows_the_pattern_figure():
    out = fence_output(PAGE, "ch5-pattern-figure")
    assert 'role="img"' in out and "476x476 window blocks: 25 square(s)" in out


def test_pattern_figure_alone_writes_its_svg(tmp_path):
    assert run_alone("attention_windows/pattern_figure", tmp_path).stdout == "wrote pattern_figure.svg\n"
    assert "<svg" in (tmp_path / "pattern_figure.svg").read_text()
