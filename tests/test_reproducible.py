"""Two builds of the same sources are byte-identical: this test builds the site a second time, into a
temporary directory, with the environment `make test` built site/ with (SOURCE_DATE_EPOCH, the last
commit's time, exported by the Makefile; offline), and compares every file.

What SOURCE_DATE_EPOCH pins: without it the build date is the clock's, so builds on different days
differ in exactly these places, all derived from that date: the provenance line of every page, the
same text in search/search_index.json, <lastmod> in sitemap.xml, and sitemap.xml.gz. Nothing else is
volatile: figures are SVG with fixed ids and no timestamp (snippets/svg_figure.py), tiny models are
seeded, no page prints a timing, and the executed notebook's printed output is merged into one block
per cell after execution (mkdocs_hooks.py; the kernel otherwise splits it wherever it happened to flush).
"""

import datetime
import difflib
import filecmp
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"


def files(root: Path) -> set:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def first_difference(a: Path, b: Path) -> str:
    try:
        left, right = a.read_text().splitlines(), b.read_text().splitlines()
    except UnicodeDecodeError:
        return "binary files differ"
    diff = difflib.unified_diff(left, right, "site/", "second build/", n=0, lineterm="")
    return "\n".join(line[:300] for line in list(diff)[:8])


def test_a_second_build_is_byte_identical(tmp_path):
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        pytest.fail("SOURCE_DATE_EPOCH is not set: run through `make test`, which exports it and builds site/ with it")
    date = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%d")
    assert f'data-built="{date}"' in (SITE / "index.html").read_text(), \
        "site/ was not built with this SOURCE_DATE_EPOCH: rebuild it (make test does)"

    second = tmp_path / "site"
    # The same entry point as the Makefile's build (.venv/bin/mkdocs), so both run the same interpreter path.
    mkdocs = Path(sys.executable).parent / "mkdocs"
    command = [str(mkdocs)] if mkdocs.exists() else [sys.executable, "-m", "mkdocs"]
    build = subprocess.run(command + ["build", "--strict", "--site-dir", str(second)],
                           cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stderr[-3000:]

    assert files(SITE) == files(second), f"file sets differ: {sorted(files(SITE) ^ files(second))[:10]}"
    differing = [name for name in sorted(files(SITE))
                 if not filecmp.cmp(SITE / name, second / name, shallow=False)]
    report = {name: first_difference(SITE / name, second / name) for name in differing[:3]}
    assert not differing, f"{len(differing)} files differ between two builds, e.g. {report}"


def test_the_build_date_follows_source_date_epoch(monkeypatch):
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "mkdocs_hooks.py")
    mkdocs_hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mkdocs_hooks)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert mkdocs_hooks.build_date() == "1970-01-02"
