"""The calculator page's JavaScript gives exactly what the installed transformers gives.

The JavaScript file the page loads (docs/javascripts/calculator.js) runs under node through
handbook/calculator_node.mjs; the answers are compared, field by field and float by float, with
snippets/calculator_golden.py, which calls transformers' own smart_resize and get_vision_window_index.
"""

import json
import queue
import shutil
import subprocess
import threading

import calculator_golden
import pytest
import torch
from calculator_golden import MAX_INDEXED_TOKENS, MAX_LISTED_WINDOWS, PRESETS, case, golden_cases, reference
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import Qwen2VLImageProcessor

from handbook.paths import ROOT
from handbook.window_layout import window_layout

HARNESS = ROOT / "handbook" / "calculator_node.mjs"
CHUNK = 5000
ANSWER_TIMEOUT_S = 120  # one batch takes well under a second; a hung node fails the test instead of the run


class NodeCalculator:
    """One long-lived node process; each call sends a batch of inputs as one line."""

    def __init__(self):
        node = shutil.which("node")
        if node is None:
            pytest.fail("node is not on PATH: the calculator's JavaScript cannot be tested")
        self.proc = subprocess.Popen(
            [node, str(HARNESS), str(MAX_LISTED_WINDOWS)],
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        # Lines are read on a thread so that a node that hangs cannot block the run: a read has a timeout.
        self.lines = queue.Queue()
        threading.Thread(
            target=lambda: [self.lines.put(line) for line in self.proc.stdout] + [self.lines.put("")], daemon=True
        ).start()

    def readline(self) -> str:
        try:
            return self.lines.get(timeout=ANSWER_TIMEOUT_S)
        except queue.Empty:
            self.proc.kill()
            pytest.fail(f"node gave no answer in {ANSWER_TIMEOUT_S} s")

    def __call__(self, cases: list) -> list:
        answers = []
        for start in range(0, len(cases), CHUNK):
            self.proc.stdin.write(json.dumps(cases[start : start + CHUNK]) + "\n")
            self.proc.stdin.flush()
            line = self.readline()
            assert line, f"node exited with {self.proc.poll()}"
            answers += json.loads(line)
        return answers

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=ANSWER_TIMEOUT_S) == 0


@pytest.fixture(scope="module")
def node_calculator():
    calculator = NodeCalculator()
    yield calculator
    calculator.close()


def differences(cases: list, answers: list, expected: list | None = None) -> list:
    """(case, python, javascript) for every input where the page would show something else."""
    found = []
    expected = expected or [reference(c) for c in cases]
    for c, py, js in zip(cases, expected, answers, strict=True):
        if py.get("windows") == {"indexed": False}:  # too large to index: the closed form, checked below
            py = {**py, "windows": window_layout(*py["grid"], c, MAX_LISTED_WINDOWS)}
        if py != js:
            found.append((c, py, js))
    return found


def test_closed_form_windows_equal_transformers_on_small_grids():
    """The closed form (tests/window_layout.py) that stands in for get_vision_window_index above
    MAX_INDEXED_TOKENS merged tokens gives the real function's answer on every grid up to 3 windows and a
    bit per side, for every preset with windows, and on one grid just under the limit."""
    checked = 0
    for preset in sorted(PRESETS):
        c = case(preset, 1, 1)
        if c["window_size"] is None:
            continue
        merge, side = c["merge_size"], c["window_size"] // c["merge_size"] // c["patch_size"]
        for h in range(1, 3 * side + 2):
            for w in range(1, 3 * side + 2):
                grid = (h * merge, w * merge)
                assert window_layout(*grid, c, MAX_LISTED_WINDOWS) == calculator_golden.windows(*grid, c), (
                    preset,
                    grid,
                )
                checked += 1
    c = case("qwen2.5-vl", 1, 1)
    h, w = 997, MAX_INDEXED_TOKENS // 997  # windows that do not divide either side, near the indexing limit
    real = calculator_golden.windows(h * c["merge_size"], w * c["merge_size"], c)
    assert "count" in real and window_layout(h * c["merge_size"], w * c["merge_size"], c, MAX_LISTED_WINDOWS) == real
    assert checked >= 13 * 13  # qwen2.5-vl: s = 4


@pytest.fixture(scope="module")
def golden():
    """The golden table: every input of the grid with transformers' answer, computed now."""
    return [(c, reference(c)) for c in golden_cases()]


def test_golden_table_matches_exactly(node_calculator, golden):
    cases, expected = [c for c, _ in golden], [r for _, r in golden]
    answers = node_calculator(cases)
    bad = differences(cases, answers, expected)
    assert not bad, f"{len(bad)} of {len(cases)} inputs differ, e.g. {bad[:5]}"


def resized_without_bounds(c):
    factor = c["patch_size"] * c["merge_size"]
    return round(c["height"] / factor) * factor


def test_golden_grid_covers_the_edges(golden):
    results = golden
    ok = [(c, r) for c, r in results if "error" not in r]
    for factor in {p["patch_size"] * p["merge_size"] for p in PRESETS.values()}:
        # Exact ties with an even floor: Python's round goes down where Math.round would go up, and the
        # rounded side is kept (no min/max rescale), so the rounding rule decides the answer.
        ties = [
            c
            for c, r in ok
            if c["patch_size"] * c["merge_size"] == factor
            and 2 * (c["height"] % factor) == factor
            and (c["height"] // factor) % 2 == 0
            and r["resized"][0] == resized_without_bounds(c)
            and c["height"] // factor > 0
        ]
        assert len(ties) >= 10, f"factor {factor}: too few half-way cases where rounding decides"
    assert any(c["height"] == 1 or c["width"] == 1 for c, _ in ok)
    ratios = [max(c["height"], c["width"]) / min(c["height"], c["width"]) for c, _ in ok]
    assert 200 in ratios and max(ratios) == 200  # the largest accepted ratio is exactly 200
    refused = [c for c, r in results if r.get("error", "").startswith("ValueError: absolute aspect ratio")]
    assert min(max(c["height"], c["width"]) / min(c["height"], c["width"]) for c in refused) < 200.01
    assert any(c["min_pixels"] > c["max_pixels"] for c, _ in ok)
    assert any(max(c["height"], c["width"]) == 1_000_000 for c, _ in ok)
    assert any(r["error"].startswith("ValueError: `size` dict") for _, r in results if "error" in r)
    assert any(r["error"] == "ZeroDivisionError: division by zero" for _, r in results if "error" in r)
    windowed = [r["windows"] for _, r in ok if r["windows"] and "count" in r["windows"]]
    assert any(w["equals_full_attention"] for w in windowed) and any(not w["equals_full_attention"] for w in windowed)
    assert any(w["sizes"] and len(w["sizes"]) > 50 for w in windowed)
    # Cases above the indexing limit exist, so the closed form is what the page is compared with there.
    assert sum(r["windows"] == {"indexed": False} for _, r in ok) >= 10


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize(
    "height, width", [(1, 1), (70, 70), (126, 98), (1, 200), (476, 476), (480, 640), (3, 601), (1080, 1920)]
)
def test_reference_follows_the_processor(preset, height, width):
    """The golden's smart_resize call is what the real image processor does to an image of that size."""
    c = case(preset, height, width)
    expected = reference(c)
    processor = Qwen2VLImageProcessor(patch_size=c["patch_size"], merge_size=c["merge_size"])
    try:
        grid = processor(images=torch.zeros(3, height, width), return_tensors="pt")["image_grid_thw"][0].tolist()
    except ValueError as error:
        assert expected == {"error": f"ValueError: {error}"}
        return
    assert grid == [1, *expected["grid"]]


SIDES = st.one_of(st.integers(1, 300), st.integers(1, 5000), st.integers(1, 1_000_000))
BOUNDS = st.one_of(st.sampled_from([3136, 1003520, 12845056, 200704, 65536]), st.integers(1, 20_000_000))
CASES = st.builds(
    lambda preset, h, w, lo, hi: case(preset, h, w, lo, hi),
    st.sampled_from(sorted(PRESETS)),
    SIDES,
    SIDES,
    BOUNDS,
    BOUNDS,
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(CASES, min_size=1, max_size=60))
def test_random_inputs_match(node_calculator, cases):
    answers = node_calculator(cases)
    assert not differences(cases, answers)


def test_numbers_in_the_page_prose():
    """docs/calculator.md says 70 / 28 = 2.5 rounds down to 2, and odd multiples of 14 land on halves."""
    page = " ".join((ROOT / "docs" / "calculator.md").read_text().split())
    assert "70 x 70, where 70 / 28 = 2.5 rounds down to 2" in page
    qwen25 = case("qwen2.5-vl", 70, 70)
    assert qwen25["patch_size"] * qwen25["merge_size"] == 28 and 70 / 28 == 2.5
    assert reference(qwen25)["resized"] == [2 * 28, 2 * 28]
    assert "odd multiple of 14 px lands exactly on a half for the 28 px factor" in page
    assert qwen25["patch_size"] == 14 and all((14 * k / 28) % 1 == 0.5 for k in range(1, 100, 2))
