"""Chapter 6, coordinate prediction: the grounding recipe against the real processor, tokens, positions and
frames of a small image, the prose's numbers, and the ledger's window check driven to "confirmed". That each
snippet file copied alone prints what the page shows is the copy test's (tests/site/test_snippets.py)."""

import re
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from transformers import Qwen2VLImageProcessor

from handbook.page_tests import fence_output, run_alone
from handbook.paths import DOCS
from handbook.snippets import load, path_of

gc = load("coordinate_prediction/recipe")
RECIPE = path_of("coordinate_prediction/recipe")
FIX = path_of("coordinate_prediction/fix_boxes")

BOUNDS = {  # name: (min_pixels, max_pixels)
    "class default": (56 * 56, 28 * 28 * 1280),
    "recipe": (gc.MIN_PIXELS, gc.MAX_PIXELS),
    "released": (3136, 12845056),
    "tight max": (3136, 256 * 28 * 28),
    "large min": (1024 * 28 * 28, 4096 * 28 * 28),
}
# (height, width): tiny, flat, sides on a rounding half (x.5 multiples of 28: 14, 42, 70, 98, 126), ordinary.
SIZES = [
    (10, 10),
    (1, 50),
    (50, 1),
    (3, 600),
    (14, 42),
    (42, 14),
    (28, 28),
    (42, 42),
    (70, 70),
    (98, 98),
    (126, 126),
    (70, 98),
    (98, 70),
    (84, 84),
    (112, 112),
    (120, 200),
    (333, 99),
    (476, 476),
    (480, 640),
    (1080, 1920),
]


def processor_for(bounds):
    low, high = bounds
    return Qwen2VLImageProcessor(size={"shortest_edge": low, "longest_edge": high})


@pytest.mark.parametrize("bounds", BOUNDS.values(), ids=BOUNDS.keys())
def test_recipe_frame_equals_the_processor_grid(bounds):
    """model_input_size() must be the size the real processor produces (image_grid_thw * 14)."""
    processor = processor_for(bounds)
    for height, width in SIZES:
        grid = processor(images=Image.new("RGB", (width, height)), return_tensors="pt")["image_grid_thw"][0]
        assert gc.input_size_from_grid(grid) == gc.model_input_size(height, width, *bounds), (height, width)


def test_rounding_halves_and_tiny_images_are_really_edge_cases():
    """The sizes above do exercise the awkward branches: round-half-to-even and the min_pixels upscale."""
    low, high = BOUNDS["class default"]
    assert gc.model_input_size(70, 70, low, high) == (56, 56)  # 2.5 x 28 rounds down to 2 x 28
    assert gc.model_input_size(98, 98, low, high) == (112, 112)  # 3.5 x 28 rounds up to 4 x 28
    assert gc.model_input_size(10, 10, low, high) == (56, 56)  # round() gives 0; min_pixels lifts it
    assert gc.model_input_size(1, 50, low, high) == (28, 420)


def resized_image(batch, processor) -> torch.Tensor:
    """Undo the processor's patchify: the (3, H, W) image the model sees, from pixel_values."""
    _, rows, cols = batch["image_grid_thw"][0].tolist()
    m, p, t = processor.merge_size, processor.patch_size, processor.temporal_patch_size
    x = batch["pixel_values"].reshape(rows // m, cols // m, m, m, 3, t, p, p)[..., 0, :, :]
    return x.permute(4, 0, 2, 5, 1, 3, 6).reshape(3, rows * p, cols * p)


def drawn_box(height, width):
    """A rectangle in the middle half of the image (the whole extent of a 1-pixel side)."""

    def span(n):
        return (0, n) if n < 4 else (n // 4, n - n // 4)

    (x1, x2), (y1, y2) = span(width), span(height)
    return x1, y1, x2, y2


@pytest.mark.parametrize(
    "bounds",
    [BOUNDS["class default"], BOUNDS["recipe"], BOUNDS["tight max"]],
    ids=["class default", "recipe", "tight max"],
)
def test_a_drawn_box_comes_back_through_the_real_processor(bounds):
    """Draw a box, let the processor resize it, find it in the model's frame, map it back: same box."""
    processor = processor_for(bounds)
    for height, width in SIZES:
        box = drawn_box(height, width)
        image = Image.new("RGB", (width, height))
        ImageDraw.Draw(image).rectangle([box[0], box[1], box[2] - 1, box[3] - 1], fill=(255, 255, 255))
        batch = processor(images=image, return_tensors="pt")
        seen = resized_image(batch, processor)[0]
        mask = seen > (seen.max() + seen.min()) / 2
        ys, xs = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
        found = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)  # in the model's frame
        frame = gc.input_size_from_grid(batch["image_grid_thw"][0])
        back = gc.absolute_to_original(found, frame, (height, width))
        one_model_pixel = max(width / frame[1], height / frame[0])
        assert max(abs(a - b) for a, b in zip(back, box)) <= one_model_pixel + 0.25, (height, width, found, back)
        # And the way there: the original box lands where the processor put it.
        there = gc.original_to_absolute(box, (height, width), frame)
        tolerance = 1 + 0.25 / one_model_pixel  # the same tolerance, in pixels of the model's frame
        assert max(abs(a - b) for a, b in zip(there, found)) <= tolerance, (height, width, found, there)
        # Reading the answer in the wrong frame (the original size) would not pass whenever the frame changed.
        if frame != (height, width) and min(frame) >= 2 * max(height, width):
            wrong = found
            assert max(abs(a - b) for a, b in zip(wrong, box)) > one_model_pixel + 0.25


coordinate = st.floats(min_value=0, max_value=5000, allow_nan=False)
side = st.integers(min_value=1, max_value=5000)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    box=st.tuples(coordinate, coordinate, coordinate, coordinate),
    original=st.tuples(side, side),
    frame=st.tuples(side, side),
)
def test_absolute_mapping_round_trips(box, original, frame):
    there = gc.original_to_absolute(box, original, frame)
    back = gc.absolute_to_original(there, frame, original, clip=False)
    assert back == pytest.approx(box, rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(point=st.tuples(coordinate, coordinate), original=st.tuples(side, side))
def test_relative_mapping_round_trips(point, original):
    relative = gc.original_to_relative(point, original)
    assert gc.relative_to_original(relative, original, clip=False) == pytest.approx(point, rel=1e-9, abs=1e-6)


def test_mapping_scales_each_axis_and_clips():
    assert gc.absolute_to_original((0, 0, 448, 224), (224, 448), (84, 120)) == (0, 0, 120, 84)
    assert gc.absolute_to_original((500, -3), (224, 448), (84, 120)) == (120, 0)  # clipped to the frame
    assert gc.relative_to_original((500, 1000), (84, 120)) == (60, 84)
    assert gc.original_to_relative((60, 21), (84, 120)) == pytest.approx((500, 250))
    assert gc.visual_tokens(448, 448) == 256 and gc.visual_tokens(84, 84) == 9


@pytest.mark.parametrize(
    ("snippet", "fence_id", "printed"),
    [
        ("recipe", "ch6-recipe", "| 448 x 448 | 256 |"),
        ("fix_boxes", "ch6-recipe-in-use", "The model sees 448 x 448; its box (112, 56, 336, 280) is (21.0, 10.5"),
    ],
    ids=["recipe", "fix_boxes"],
)
def test_recipe_runs_alone_in_an_empty_folder(tmp_path, snippet, fence_id, printed):
    """The page's promise: the file, copied out alone, runs with the project's packages and prints what the page
    shows."""
    alone = run_alone(f"coordinate_prediction/{snippet}", tmp_path).stdout
    assert alone == fence_output("chapters/6-coordinate-prediction.md", fence_id) and printed in alone
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__") == [f"{snippet}.py"]


def test_recipe_imports_only_transformers_and_the_standard_library():
    imports = re.findall(r"^(?:from|import) (\w+)", RECIPE.read_text(), re.MULTILINE)
    assert set(imports) <= {"transformers", "math"} | set(sys.stdlib_module_names)
    imports = re.findall(r"^\s*(?:from|import) (\w+)", FIX.read_text(), re.MULTILINE)
    assert set(imports) <= {"transformers", "PIL"}


def test_fix_boxes_copy_of_the_recipe_agrees_with_the_recipe():
    """fix_boxes.py carries its own copy of the recipe's helpers (a snippet imports no other): same numbers."""
    fix = load("coordinate_prediction/fix_boxes")
    assert (fix.PATCH_SIZE, fix.MERGE_SIZE, fix.MIN_PIXELS, fix.MAX_PIXELS) == (
        gc.PATCH_SIZE,
        gc.MERGE_SIZE,
        gc.MIN_PIXELS,
        gc.MAX_PIXELS,
    )
    for grid in ([1, 32, 32], [1, 6, 4], [1, 2, 300]):
        assert fix.input_size_from_grid(grid) == gc.input_size_from_grid(grid)
    for coords in [(112, 56, 336, 280), (500, -3), (0, 0, 448, 224), (-1.5, 7.25, 1e4, 3)]:
        for frame, original in [((448, 448), (84, 84)), ((224, 448), (84, 120)), ((28, 420), (1, 50))]:
            assert fix.absolute_to_original(coords, frame, original) == gc.absolute_to_original(coords, frame, original)


# Chapter 6: tokens, positions, frames.


def test_small_and_large_images_token_counts():
    visual_tokens = load("coordinate_prediction/tokens").visual_tokens

    assert visual_tokens(84)["tokens"] == (3, 3) and visual_tokens(476)["tokens"] == (17, 17)
    assert visual_tokens(84)["token_px"] == 28


def test_mrope_positions_from_get_rope_index():
    positions = load("coordinate_prediction/mrope").positions

    small = positions((6, 6))
    image = small["image"] - small["image"].min()
    assert image[1].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]  # rows
    assert image[2].tolist() == [0, 1, 2] * 3  # columns
    assert image[0].tolist() == [0] * 9  # one still image: one time step
    large = positions((34, 34))
    assert int(large["image"][1].max() - large["image"][1].min()) == 16
    # The text after the image continues from the image's longer side, not its token count.
    assert int(large["after_image"][0, 0]) == int(large["image"].min()) + 17 + 1


def test_resize_table_uses_the_processor_with_size_bounds():
    processed_size = load("coordinate_prediction/resize_frames").processed_size

    assert processed_size(84, 84, *BOUNDS["recipe"]) == (448, 448)
    assert processed_size(1536, 2048, *BOUNDS["released"]) == (1540, 2044)  # only rounded to multiples of 28
    assert processed_size(1536, 2048, *BOUNDS["class default"]) == gc.model_input_size(
        1536, 2048, *BOUNDS["class default"]
    )
    assert gc.visual_tokens(*processed_size(1536, 2048, *BOUNDS["class default"])) <= 1280


def page(name: str) -> str:
    return " ".join((DOCS / "chapters" / name).read_text().split())


def test_chapter_6_prose_numbers_are_the_computed_ones():
    text = page("6-coordinate-prediction.md")
    low, high = BOUNDS["class default"]
    h70, h98 = gc.model_input_size(70, 70, low, high)[0], gc.model_input_size(98, 98, low, high)[0]
    assert f"a side of 70 px (2.5 x 28) becomes {h70} while 98 px (3.5 x 28) becomes {h98}" in text
    before = gc.visual_tokens(*gc.model_input_size(84, 84, low, high))
    size = gc.model_input_size(84, 84)
    assert f"turns 84x84 ({before} tokens) into {size[0]}x{size[1]} ({gc.visual_tokens(*size)} tokens)" in text
    assert (
        f"`min_pixels = {gc.MIN_PIXELS // 784}*28*28`" in text
        and f"`max_pixels = {gc.MAX_PIXELS // 784}*28*28`" in text
    )


# The ledger's check can fail.


def test_padding_check_would_see_padding_reach_attention(monkeypatch):
    import handbook.claims.coordinate_prediction as s6

    real = s6.get_vision_window_index

    def leaky(*args, **kwargs):
        index, cu = real(*args, **kwargs)
        return torch.cat([index, torch.full((20,), -100)]), cu  # more padding than the 9 real tokens

    s6.processed.cache_clear()
    monkeypatch.setattr(s6, "get_vision_window_index", leaky)
    try:
        assert s6.check_windows_mostly_padding().verdict == "confirmed"
    finally:
        s6.processed.cache_clear()


def test_constructor_still_accepts_min_and_max_pixels():
    """Chapter 6 says the old keywords still work in the constructor and land in size=."""
    old = Qwen2VLImageProcessor(min_pixels=gc.MIN_PIXELS, max_pixels=gc.MAX_PIXELS)
    new = processor_for((gc.MIN_PIXELS, gc.MAX_PIXELS))
    assert (old.size.shortest_edge, old.size.longest_edge) == (gc.MIN_PIXELS, gc.MAX_PIXELS)
    assert (new.size.shortest_edge, new.size.longest_edge) == (gc.MIN_PIXELS, gc.MAX_PIXELS)
