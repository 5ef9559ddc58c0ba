"""Chapter 1, fixed window size: the settings table, the units, the window figure and the docstring check, as
the page shows them. That each file, run alone, prints what the page shows (writes its SVG; says which data file
it misses) is the copy test's (tests/site/test_snippets.py, for every snippet a page includes)."""

import re

from transformers import Qwen2_5_VLVisionConfig

from handbook.page_tests import fence_output, run_alone
from handbook.snippets import load

PAGE = "chapters/1-fixed-window-size.md"


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
    assert "One attention window: 112x112 px = 8x8 patches = 4x4 LLM tokens" in out


def test_settings_without_its_data_file_says_what_is_missing(tmp_path):
    done = run_alone("fixed_window_size/settings", tmp_path, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "snippets/data/released_vision_configs.json is missing" in done.stderr


def test_figure_file_runs_alone_and_saves_the_figure(tmp_path):
    """What the copy test does not read: the words the file's own SVG carries."""
    assert run_alone("fixed_window_size/window_figure", tmp_path).stdout == "wrote window_figure.svg\n"
    svg = (tmp_path / "window_figure.svg").read_text()
    assert "One attention window: 112x112 px = 8x8 patches = 4x4 LLM tokens" in svg
