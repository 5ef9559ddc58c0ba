"""Every snippet runs on its own, and prints what its page shows."""

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.fences import exec_fences
from handbook.paths import ROOT, SNIPPETS

SCRIPTS = sorted(p for p in SNIPPETS.glob("*.py"))


@functools.cache  # each file runs once per session; several tests read its output
def run(path: Path) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1", "PYTHONPATH": ""}
    return subprocess.run(
        [sys.executable, str(path.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    ).stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_snippet_runs_as_a_file(script):
    run(script)  # check=True: a snippet that raises fails here


def exec_like_markdown_exec(code: str) -> str:
    """Run fence code as markdown-exec does: fresh globals, print captured, __name__ not __main__."""
    lines = []
    namespace = {"__name__": "_code_block", "print": lambda *a, **k: lines.append(" ".join(map(str, a)))}
    exec(compile(code, "<fence>", "exec"), namespace)
    return "\n".join(lines)


SINGLE_SNIPPET_FENCES = [f for f in exec_fences() if len(f.includes) == 1]


@pytest.mark.parametrize("fence", SINGLE_SNIPPET_FENCES, ids=lambda f: f.attrs["id"])
def test_page_result_equals_the_snippet_run_alone(fence):
    """Copying the page's code gives the page's result: the file run alone prints the same."""
    alone = run(SNIPPETS / fence.includes[0]).strip()
    in_page = exec_like_markdown_exec(fence.code).strip()
    assert alone == in_page


def test_vision_settings_table():
    out = run(SNIPPETS / "vision_settings.py")
    assert "| `window_size` | `112` | `112` | `112` | yes |" in out
    assert re.search(r"\| `hidden_size` \| `3584` \| `1280` \| `1280` \| \*\*no", out)
    assert re.search(r"\| `fullatt_block_indexes` \| `\[7, 15, 23, 31\]` .* yes \|", out)


def test_docstring_disagreements_are_found():
    out = run(SNIPPETS / "docstring_defaults.py")
    assert "| `window_size` | `11` | `112` |" in out
    assert "| `patch_size` |" not in out  # documented and coded defaults agree there


def test_derived_units_are_measured():
    out = run(SNIPPETS / "derived_units.py")
    assert "| attention window (largest) | 8x8 = 64 | 4x4 = 16 | 112x112 |" in out
    assert "| 28 |" in out and "| 28x28 |" in out


def test_window_size_calculation_report():
    out = run(SNIPPETS / "window_size_calculation.py")
    assert "= **4** merged tokens" in out
    assert "| `src/transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py` | 442 |" in out
    assert re.search(r"\| `src/transformers/vision_utils.py` \| \d+ \| found in the installed source", out)


def test_figure_is_accessible_and_theme_neutral():
    out = run(SNIPPETS / "window_anatomy.py")
    assert out.startswith('<figure class="handbook-figure">')
    assert 'role="img" aria-label="A 112 by 112 pixel square' in out and "<title>" in out
    assert "#000000" not in out and "currentColor" in out
    assert "<figcaption>" in out
