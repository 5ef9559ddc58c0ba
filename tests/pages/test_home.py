"""The home page (docs/index.md): its figure and its fix, computed by the real code, and the verdict counts. That
the figure's and the fix's files, copied alone, write the SVG and print what the page shows is the copy test's
(tests/site/test_snippets.py)."""

import re
import xml.etree.ElementTree as ET

from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index

from handbook.claims import all_claims, verdict_counts
from handbook.page_tests import fence_output, run_alone
from handbook.snippets import load

PAGE = "index.md"
figure = load("home/small_vs_large_image")


def direct_counts(side: int) -> tuple:
    """Tokens and windows of a side x side image, straight from the processor and the window function."""
    config = Qwen2_5_VLVisionConfig()
    grid = Qwen2VLImageProcessor()(images=Image.new("RGB", (side, side)), return_tensors="pt")["image_grid_thw"]
    _, cu = get_vision_window_index(grid, config.spatial_merge_size, config.window_size, config.patch_size)
    t, h, w = grid[0].tolist()
    return t * h * w // config.spatial_merge_size**2, len(cu) - 1


def test_figure_counts_are_the_real_codes():
    for side in (84, 476):
        s = figure.summary(side)
        assert (s["tokens"], s["windows"]) == direct_counts(side)
        assert s["window_px"] == Qwen2_5_VLVisionConfig().window_size
        # every window the drawing outlines holds the tokens the window index put in it
        assert sorted(set(s["window_of_token"].ravel().tolist())) == list(range(s["windows"]))
    # The home page's statement, one window against many and a few tokens against many more:
    assert (figure.summary(84)["tokens"], figure.summary(84)["windows"]) == (9, 1)
    assert (figure.summary(476)["tokens"], figure.summary(476)["windows"]) == (289, 25)


def test_figure_says_its_numbers_in_words():
    html = fence_output(PAGE, "home-figure")
    assert html.startswith('<figure class="handbook-figure">')
    label = re.search(r'aria-label="([^"]+)"', html).group(1)
    assert "3x3 = 9 tokens in 1 window" in label and "17x17 = 289 tokens in 25 windows" in label
    assert label == figure.ALT.replace("'", "&#x27;")
    texts = " ".join(ET.fromstring(re.search(r"<svg\b.*</svg>", html, re.DOTALL).group()).itertext())
    assert "9 visual tokens, 1 window" in texts and "289 visual tokens, 25 windows" in texts
    assert f"<figcaption>{figure.CAPTION}</figcaption>" in html


def test_fix_prints_what_the_recipe_computes():
    recipe = load("coordinate_prediction/recipe")
    out = fence_output(PAGE, "home-fix")
    frame = recipe.model_input_size(84, 84)
    box = recipe.absolute_to_original((112, 56, 336, 280), frame, (84, 84))
    assert f"The model sees {frame[0]} x {frame[1]}" in out and str(box) in out
    assert frame == (448, 448) and box == (21.0, 10.5, 63.0, 52.5)


def test_verdict_counts_add_up_to_the_ledger():
    out = fence_output(PAGE, "home-verdict-counts")
    assert out.startswith(f"{len(all_claims())} claims checked.\n")
    rows = dict(re.findall(r"^\| ([a-z ]+) \| (\d+) \|$", out, re.MULTILINE))
    assert {verdict: int(n) for verdict, n in rows.items()} == dict(verdict_counts())
    assert sum(map(int, rows.values())) == len(all_claims())


def test_figure_file_runs_alone_and_saves_the_figure(tmp_path):
    """What the copy test does not read: the words the file's own SVG carries."""
    out = run_alone("home/small_vs_large_image", tmp_path).stdout
    assert out == "wrote small_vs_large_image.svg\n"
    svg = (tmp_path / "small_vs_large_image.svg").read_text()
    assert "9 visual tokens, 1 window" in svg and "289 visual tokens, 25 windows" in svg
