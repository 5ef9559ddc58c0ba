"""docs/beyond/cost.md: the closed-form FLOP count against torch's counter, the window/full cost ratio, and
the committed wall-time record against the installed code. `make bench`'s report logic, without timing."""

import math
import statistics
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from transformers import Qwen2VLImageProcessor

from attention_cost import (block_costs, checkpoint_config, grid_thw, largest_square_side, parting_point,
                            pixel_bounds, resized, segment_lengths)
from block_wall_time import KINDS, PARTS, load_record, median
from docs_fences import ROOT
from flop_counter_sdpa import run
from vit_flops import (attention_share, block_flops, checkpoint_max_side, closed_form, counted, counted_by_block,
                       savings)

sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402

CONFIG = checkpoint_config()
PREFIX = "Qwen2_5_VisionTransformerPretrainedModel."
GRIDS = {  # (t, h, w) in patches, one row per image
    "56x56": [[1, 4, 4]],
    "140x140": [[1, 10, 10]],
    "224x476 (not square)": [[1, 16, 34]],
    "476x476": [[1, 34, 34]],
    "two images": [[1, 8, 8], [1, 20, 34]],
}


def module_flops(counter) -> dict:
    return {name.removeprefix(PREFIX): sum(ops.values()) for name, ops in counter.get_flop_counts().items()}


@pytest.mark.parametrize("grid", GRIDS.values(), ids=GRIDS.keys())
def test_closed_form_equals_flop_counter_on_all_32_blocks(grid):
    grid = torch.tensor(grid)
    counter = counted(CONFIG, grid)
    expected = closed_form(CONFIG, grid)
    assert counter.get_total_flops() == expected["total"]
    by_module = module_flops(counter)
    assert by_module["patch_embed"] == expected["patch embedding"]
    assert by_module["merger"] == expected["patch merger"]
    full = [by_module[f"blocks.{i}"] for i in CONFIG.fullatt_block_indexes]
    window = [by_module[f"blocks.{i}"] for i in range(CONFIG.depth) if i not in CONFIG.fullatt_block_indexes]
    blocks = block_flops(CONFIG, grid)["block"]
    assert set(full) == {blocks["full"]} and set(window) == {blocks["window"]}


def test_two_block_count_assembles_to_the_32_block_count():
    grid = grid_thw(476, 476)
    assembled = counted_by_block(CONFIG, grid)
    assert assembled["total"] == counted(CONFIG, grid).get_total_flops() == closed_form(CONFIG, grid)["total"]
    assert assembled["window block"] < assembled["full block"]


@pytest.mark.parametrize("side", [224, 980])
def test_attention_module_count(side):
    two = checkpoint_config(depth=2, fullatt_block_indexes=[1])
    by_module = module_flops(counted(two, grid_thw(side, side)))
    expected = block_flops(CONFIG, grid_thw(side, side))["attention module"]
    assert by_module["blocks.0.attn"] == expected["window"] and by_module["blocks.1.attn"] == expected["full"]


def test_counter_misses_cpu_sdpa_attention_but_counts_meta_and_eager():
    cpu_sdpa, meta_sdpa, cpu_eager = run("cpu", "sdpa"), run("meta", "sdpa"), run("cpu", "eager")
    segments = sum(len(v) for v in segment_lengths(grid_thw(224, 224)).values())
    assert cpu_sdpa["attention FLOPs counted"] == 0 < cpu_sdpa["attention FLOPs, closed form"]
    assert cpu_sdpa["attention ops"] == {"aten._scaled_dot_product_flash_attention_for_cpu": segments}
    for seen in (meta_sdpa, cpu_eager):
        assert seen["attention FLOPs counted"] == seen["attention FLOPs, closed form"]
        assert seen["attention ops"] == {"aten.bmm": 2 * segments}  # QK^T and AV, once per segment


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 24), st.integers(1, 24))
def test_window_block_costs_the_full_block_exactly_when_one_window_holds_the_image(rows, cols):
    merge = CONFIG.spatial_merge_size
    grid = torch.tensor([[1, rows * merge, cols * merge]])
    cost = block_costs(grid)
    lengths = segment_lengths(grid)
    assert sum(lengths["window"]) == sum(lengths["full"]) == cost["patches"]
    fits = max(rows, cols) <= CONFIG.window_size // merge // CONFIG.patch_size
    assert (cost["window"] == cost["full"]) == fits
    assert cost["window"] <= cost["full"]


def test_parting_point_is_the_window_size():
    same, cheaper = parting_point()
    assert same == CONFIG.window_size
    assert cheaper == CONFIG.window_size + CONFIG.patch_size * CONFIG.spatial_merge_size


@pytest.mark.parametrize("side", [28, 84, 476, 1200])
def test_smart_resize_sizes_are_what_the_processor_makes(side):
    processor = Qwen2VLImageProcessor()
    _, rows, cols = processor(images=Image.new("RGB", (side, side)), return_tensors="pt")["image_grid_thw"][0].tolist()
    assert (rows * processor.patch_size, cols * processor.patch_size) == resized(side, side)


def test_largest_square_is_the_default_budget_edge():
    min_pixels, max_pixels = pixel_bounds()
    side, step = largest_square_side(), CONFIG.patch_size * CONFIG.spatial_merge_size
    assert side * side <= max_pixels < (side + step) ** 2
    assert resized(28, 28)[0] ** 2 >= min_pixels


def test_what_the_prose_says():
    same, _ = parting_point()
    assert savings(same) == 0  # "for an image that fits in one window they change nothing at all"
    big = largest_square_side()
    assert block_costs(grid_thw(big, big))["ratio"] < 0.5  # "they remove most of the attention work"
    huge = grid_thw(checkpoint_max_side(), checkpoint_max_side())
    assert attention_share(closed_form(CONFIG, huge)) > 0.5 and savings(checkpoint_max_side()) > 0.5
    assert checkpoint_max_side() > big  # "much larger than the class default"


def test_wall_time_record_matches_the_installed_code():
    record = load_record()
    assert record["machine"]["cpu"] and record["machine"]["cores"] >= 1 and record["date"]
    for row in record["rows"]:
        h, w = resized(row["side"], row["side"])
        assert row["resized"] == [h, w]
        lengths = segment_lengths(grid_thw(h, w))
        assert row["window_lengths"] == lengths["window"] and row["patches"] == sum(lengths["full"])
        for kind in KINDS:
            for part in PARTS:
                assert len(row["seconds"][f"{kind} {part}"]) == record["repeats"]
                assert median(row, kind, part) == statistics.median(row["seconds"][f"{kind} {part}"]) > 0


# -- make bench: the report, from made-up results (no timing here) ------------------------------------

def fake_results(build_seconds: float, largest_page: int) -> dict:
    return {"date": "today", "machine": bench.machine(), "versions": {"python": "3"}, "load_before": "1",
            "load_after": "1", "floor": {"code": "import torch", "seconds": [4.0, 4.0, 4.0], "median": 4.0},
            "build": {"seconds": build_seconds, "ok": True},
            "sizes": {"pages": {"index.html": 1000, "big/index.html": largest_page}, "site_bytes": 10 ** 6,
                      "site_files": 9}}


def test_bench_report_judges_the_targets():
    passing = bench.report(fake_results(build_seconds=9.9, largest_page=290_000))
    assert "| cold build <= 2.5 x import floor | 9.9 s = 2.5 x 4.0 s | **pass** |" in passing
    assert "`big/index.html`: 290.0 kB | **pass** |" in passing
    failing = bench.report(fake_results(build_seconds=30.0, largest_page=600_000))
    assert "7.5 x 4.0 s | **fail** |" in failing and "600.0 kB | **fail** |" in failing


def test_bench_import_floor_names_real_modules():
    import importlib.util

    for module in bench.toolchain_modules():
        assert importlib.util.find_spec(module) is not None, module
    statements = bench.snippet_import_statements()
    assert any("modeling_qwen2_5_vl" in s for s in statements)
    assert not any(s.startswith(("import json", "from attention_cost", "from svg_figure")) for s in statements)


def test_readme_links_the_committed_report():
    assert "(BENCHMARKS.md)" in (ROOT / "README.md").read_text()
    assert "## Targets" in (ROOT / "BENCHMARKS.md").read_text()
    assert "scripts/bench.py" in (ROOT / "Makefile").read_text()
    assert math.isfinite(bench.memory_gib())
