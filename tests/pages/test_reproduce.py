"""The reproduce notebook: stored without outputs, executed by the build, and in agreement with the chapters.

The numbers compared are the ones the built page shows (the build executed the notebook), against the
chapters' own snippet functions computed here.
"""

import html
import json
import re

import pytest

from handbook.paths import DOCS, ROOT, SITE
from handbook.snippets import load

recipe = load("coordinate_prediction/recipe")
absolute_to_original, model_input_size, visual_tokens = (
    recipe.absolute_to_original,
    recipe.model_input_size,
    recipe.visual_tokens,
)
checks, trace = load("window_padding/trace").checks, load("window_padding/trace").trace
compare = load("attention_windows/equivalence").compare

NOTEBOOK = DOCS / "notebooks" / "reproduce.ipynb"
PAGE = SITE / "notebooks" / "reproduce" / "index.html"


def test_notebook_is_stored_without_outputs():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert code, "no code cells"
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)


def test_notebook_imports_only_the_pinned_packages():
    source = "\n".join("".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"])
    modules = {m.split(".")[0] for m in re.findall(r"^(?:from|import) ([\w.]+)", source, re.MULTILINE)}
    assert modules <= {"json", "platform", "warnings", "numpy", "torch", "transformers", "PIL"}, modules
    assert "from_pretrained" not in source


@pytest.fixture(scope="module")
def shown():
    """The JSON the executed notebook printed in its last cell, read from the built page."""
    if not PAGE.exists():
        pytest.fail("site/ is not built: run `make test`, which builds it first")
    text = html.unescape(re.sub(r"<[^>]+>", "", PAGE.read_text()))
    start = text.rindex('{\n "476x476"')
    return json.JSONDecoder().raw_decode(text[start:])[0]


def test_page_offers_the_notebook_for_download():
    page = PAGE.read_text()
    assert 'href="reproduce.ipynb" download' in page
    assert (PAGE.parent / "reproduce.ipynb").read_bytes() == NOTEBOOK.read_bytes()
    assert 'class="provenance"' in page


def test_page_carries_no_bundled_jupyterlab_css():
    """mkdocs-jupyter copies JupyterLab's stylesheet (about 575 kB) into the page; the build hook strips it
    and docs/stylesheets/notebook.css styles the cells. Nothing may point at a CDN either."""
    page = PAGE.read_text()
    assert ".jupyter-wrapper{--md-red-50" not in page and "--jp-mirror-editor" not in page
    assert "cdnjs" not in page and "mermaid.esm" not in page
    assert '<div class="highlight hl-python">' in page, "code cells lost Material's highlight class"
    assert PAGE.stat().st_size < 300 * 1000


@pytest.mark.parametrize("side", [84, 476])
def test_tokens_and_windows_agree_with_chapter_3(shown, side):
    tr = trace(side, side)
    row = shown[f"{side}x{side}"]
    assert row["patch_grid"] == list(tr.grid_thw[1:])
    assert row["llm_tokens"] == tr.merged[0] * tr.merged[1]
    assert row["windows"] == len(tr.window_patches)
    assert row["smallest_window_patches"] == min(tr.window_patches)
    assert row["full_windows"] == sum(n == tr.window_side**2 * tr.merge_unit for n in tr.window_patches)


@pytest.mark.parametrize("side", [84, 476, 448])
def test_padding_check_agrees_with_chapter_3(shown, side):
    page, chapter = shown[f"padding_{side}"], checks(trace(side, side))
    assert page["pad_index_entries"] == chapter["pad entries in the index grid"]
    assert page["no_pad_in_window_index"] is chapter["no pad value in window_index"] is True
    assert page["window_index_is_permutation"] is chapter["window_index is a permutation"] is True
    assert page["windows_add_up_to_patches"] is chapter["windows add up to the patches"] is True
    assert page["no_empty_window"] is chapter["no empty window left"] is True


def test_equivalence_agrees_with_chapter_5(shown):
    for size, identical in shown["equivalence"].items():
        assert identical == compare(int(size), int(size))["identical"], size
    assert set(shown["equivalence"].values()) == {True, False}  # both outcomes occur


def test_recipe_agrees_with_chapter_6(shown):
    recipe = shown["recipe_84x84"]
    height, width = model_input_size(84, 84)
    assert recipe["input_size"] == [width, height]
    assert recipe["llm_tokens"] == visual_tokens(height, width)
    box = (width * 0.25, height * 0.25, width * 0.75, height * 0.75)
    expected = absolute_to_original(box, (height, width), (84, 84))
    assert recipe["box_in_original"] == [round(v, 3) for v in expected]


def test_page_shows_no_warning_or_local_path():
    page = PAGE.read_text()
    assert "TqdmWarning" not in page
    assert str(ROOT) not in page  # nothing machine-specific leaks into the published page
