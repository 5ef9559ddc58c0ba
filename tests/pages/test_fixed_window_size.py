"""Chapter 1, fixed window size: the settings table, the units, the window figure and the docstring check, as
the page shows them and as each file prints them when it runs alone."""

import re

import pytest
from transformers import Qwen2_5_VLVisionConfig

from handbook.page_tests import fence_output, run_alone
from handbook.snippets import load

PAGE = "chapters/1-fixed-window-size.md"
RELEASED = "released_vision_configs.json"
# (snippet, fence id, data files it needs)
TEXT_SNIPPETS = [
    ("fixed_window_size/settings", "ch1-settings", (RELEASED,)),
    ("fixed_window_size/units", "ch1-units", ()),
    ("fixed_window_size/docstring_defaults", "ch1-docstring", ()),
]


@pytest.mark.parametrize(("name", "fence_id", "data"), TEXT_SNIPPETS, ids=[t[0] for t in TEXT_SNIPPETS])
def test_file_run_alone_prints_what_the_page_shows(name, fence_id, data, tmp_path):
    assert run_alone(name, tmp_path, data).stdout == fence_output(PAGE, fence_id)


def test_settings_without_its_data_file_says_what_is_missing(tmp_path):
    done = run_alone("fixed_window_size/settings", tmp_path, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "snippets/data/released_vision_configs.json is missing" in done.stderr


def test_vision_settings_table():
    out = fence_output(PAGE, "ch1-settings")
    assert "| `window_size` | `112` | `112` | `112` | yes |" in out
    assert re.search(r"\| `hidden_size` \| `3584` \| `1280` \| `1280` \| \*\*no", out)
    assert re.search(r"\| `fullatt_block_indexes` \| `\[7, 15, 23, 31\]` .* yes \|", out)
    # one column per released checkpoint of the data file, one row per field
    settings = load("fixed_window_size/settings")
    assert all(f" | {name} | " in out.splitlines()[0] for name in settings.released())
    assert len(out.strip().splitlines()) == 2 + len(settings.FIELDS)


def test_docstring_disagreements_are_found():
    out = fence_output(PAGE, "ch1-docstring")
    assert "| `window_size` | `11` | `112` |" in out
    assert "| `patch_size` |" not in out  # documented and coded defaults agree there
    docstring = load("fixed_window_size/docstring_defaults")
    checked = len(docstring.documented_defaults(Qwen2_5_VLVisionConfig))
    assert out.endswith(f"\n{checked} documented defaults checked against the code.\n") and checked > 5


def test_derived_units_are_measured():
    out = fence_output(PAGE, "ch1-units")
    assert "| attention window (largest) | 8x8 = 64 | 4x4 = 16 | 112x112 |" in out
    assert "| 28 |" in out and "| 28x28 |" in out


def test_figure_is_accessible_and_theme_neutral():
    out = fence_output(PAGE, "ch1-window-figure")
    assert out.startswith('<figure class="handbook-figure">')
    assert 'role="img" aria-label="A 112 by 112 pixel square' in out and "<title>" in out
    assert "#000000" not in out and "currentColor" in out
    assert "<figcaption>The largest attention window, drawn from the installed config: patch_size=14" in out


def test_figure_file_runs_alone_and_saves_the_figure(tmp_path):
    assert run_alone("fixed_window_size/window_figure", tmp_path).stdout == "wrote window_figure.svg\n"
    svg = (tmp_path / "window_figure.svg").read_text()
    assert "One attention window: 112x112 px = 8x8 patches = 4x4 LLM tokens" in svg
