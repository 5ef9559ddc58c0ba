"""Every built page weighs at most 300 kB (the target BENCHMARKS.md reports), the notebook page included."""

from pathlib import Path

import pytest

from handbook.paths import SITE
from handbook.snippets import load_script

bench = load_script("bench")  # the same module test_cost.py loads, not a second copy


def heavy_pages(site: Path, limit: int) -> dict:
    return {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html") if p.stat().st_size > limit}


def test_every_page_is_within_the_target():
    if not (SITE / "index.html").exists():
        pytest.fail("site/ is not built: run `make test`, which builds it first")
    assert bench.PAGE_TARGET_BYTES == 300 * 1000
    assert not heavy_pages(SITE, bench.PAGE_TARGET_BYTES), "pages over 300 kB (kB = 1000 bytes)"


def test_bench_page_table_marks_heavy_pages():
    rows = bench.page_table({"a/index.html": 120_000, "b/index.html": 300_001})
    assert rows[0] == "| page | size (kB) | <= 300 kB |"
    assert "| `a/index.html` | 120.0 | yes |" in rows and "| `b/index.html` | 300.0 | **no** |" in rows


def test_heavy_page_rule_catches_a_heavy_page(tmp_path):
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "index.html").write_bytes(b"x" * 300_001)
    (tmp_path / "index.html").write_bytes(b"x" * 10)
    assert heavy_pages(tmp_path, bench.PAGE_TARGET_BYTES) == {"big/index.html": 300_001}
