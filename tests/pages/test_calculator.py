"""docs/calculator.md: the page's JavaScript gives exactly what the installed transformers gives.

The JavaScript file the page loads (docs/javascripts/calculator.js) runs under node through
handbook/calculator_node.mjs; the answers are compared, field by field and float by float, with
snippets/calculator/reference.py, which calls transformers' own smart_resize and get_vision_window_index.
The browser tests at the end open the built page in Chromium (fixtures from handbook/browser.py): typed
sizes give transformers' numbers, bad input gets a message.
"""

import json
import queue
import shutil
import subprocess
import threading
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import Qwen2VLImageProcessor

from handbook.paths import DOCS, ROOT
from handbook.snippets import load
from handbook.window_layout import window_layout

calculator_golden = load("calculator/reference")
MAX_INDEXED_TOKENS, MAX_LISTED_WINDOWS = calculator_golden.MAX_INDEXED_TOKENS, calculator_golden.MAX_LISTED_WINDOWS
PRESETS, case, golden_cases, reference = (
    calculator_golden.PRESETS,
    calculator_golden.case,
    calculator_golden.golden_cases,
    calculator_golden.reference,
)

HARNESS = ROOT / "handbook" / "calculator_node.mjs"
CHUNK = 5000
ANSWER_TIMEOUT_S = 120  # one batch takes well under a second; a hung node fails the test instead of the run

# One worker for the module (make test: --dist loadgroup): node and the golden table start once.
pytestmark = pytest.mark.xdist_group("page-calculator")


def test_reference_presets_are_the_pages_presets():
    """reference.py reads the presets itself (a snippet imports no other snippet): the same values as presets.py,
    whose JSON the page's JavaScript reads."""
    shown = {p["key"]: p for p in load("calculator/presets").presets()}
    assert list(PRESETS) == list(shown)
    for key, preset in PRESETS.items():
        assert preset == {field: shown[key][field] for field in preset}, key


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
    """The closed form (handbook/window_layout.py) that stands in for get_vision_window_index above
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
    page = " ".join((DOCS / "calculator.md").read_text().split())
    assert "70 x 70, where 70 / 28 = 2.5 rounds down to 2" in page
    qwen25 = case("qwen2.5-vl", 70, 70)
    assert qwen25["patch_size"] * qwen25["merge_size"] == 28 and 70 / 28 == 2.5
    assert reference(qwen25)["resized"] == [2 * 28, 2 * 28]
    assert "odd multiple of 14 px lands exactly on a half for the 28 px factor" in page
    assert qwen25["patch_size"] == 14 and all((14 * k / 28) % 1 == 0.5 for k in range(1, 100, 2))


# ---------------------------------------------------------------------------------- the page in Chromium
# Expected values come from reference.py, i.e. from the installed transformers, not from the page's own
# JavaScript. The page's states (sizes typed, bad input, huge input, min above max) are walked in the light
# theme: the script that computes and draws them is the same in both themes. The dark theme's page is rendered,
# checked clean and run through axe in both themes by tests/site/browser/ (handbook/browser.py, page_visit), and a
# broken link is opened in both themes below.
LIGHT = pytest.mark.parametrize("color_scheme", ["light"])

FIELDS = {
    "width": "#calc-width",
    "height": "#calc-height",
    "min_pixels": "#calc-min-pixels",
    "max_pixels": "#calc-max-pixels",
}


def open_calculator(recorded_page, **query):
    page = recorded_page.page
    url = recorded_page.base + "calculator/" + ("?" + urlencode(query) if query else "")
    assert page.goto(url, wait_until="load").status == 200
    page.wait_for_selector("#qwen-calculator[data-ready='true']")
    return page


def set_fields(page, **values):
    """Type into the fields and wait until the page has recomputed (it writes the URL, then renders)."""
    for name, value in values.items():
        page.fill(FIELDS[name], value)
    page.wait_for_function(
        """(expected) => {
        const q = new URLSearchParams(location.search);
        return Object.entries(expected).every(([k, v]) => q.get(k) === v);
    }""",
        arg=values,
    )


def shown(page) -> dict:
    text = lambda sel: page.inner_text(sel) if page.query_selector(sel) else None  # noqa: E731
    return {
        "resized": text("#calc-resized"),
        "grid": text("#calc-grid"),
        "tokens": text("#calc-tokens"),
        "windows": text("#calc-windows"),
        "full": text("#calc-full"),
        "smallest": text("#calc-smallest"),
        "equal": text("#calc-equal"),
        "messages": page.inner_text("#calc-messages"),
        "output": page.inner_text("#calc-output"),
    }


def expected_display(r: dict, c: dict) -> dict:
    """How the page writes transformers' answer: width x height, columns x rows, thousands with commas.
    Above the golden's indexing limit the windows come from the closed form that
    test_closed_form_windows_equal_transformers_on_small_grids checks against get_vision_window_index."""
    out = {
        "resized": f"{r['resized'][1]} x {r['resized'][0]}",
        "grid": f"{r['grid'][1]} x {r['grid'][0]}",
        "tokens": f"{r['tokens']:,}",
    }
    w = r["windows"]
    if w == {"indexed": False}:
        w = window_layout(*r["grid"], c, MAX_LISTED_WINDOWS)
    if w is None:
        out["windows"] = "none"
    elif "count" in w:
        out.update(
            windows=f"{w['count']:,}",
            full=f"{w['full']:,}",
            smallest=f"{w['smallest']:,}",
            equal="yes" if w["equals_full_attention"] else "no",
        )
    return out


def assert_shows(page, preset, width, height, min_pixels=None, max_pixels=None):
    c = case(preset, height, width, min_pixels, max_pixels)
    r = reference(c)
    assert "error" not in r
    now = shown(page)
    for key, value in expected_display(r, c).items():
        assert now[key] == value, f"{preset} {width}x{height}: {key} shows {now[key]!r}, transformers gives {value!r}"
    assert "NaN" not in now["output"] and "undefined" not in now["output"]


@LIGHT
def test_typed_sizes_show_transformers_numbers(recorded_page):
    page = open_calculator(recorded_page)
    assert page.input_value("#calc-model") == "qwen2.5-vl"
    assert_shows(page, "qwen2.5-vl", 476, 476)
    # The partition drawing: one rectangle per window, full ones apart from cut-off ones.
    r = reference(case("qwen2.5-vl", 476, 476))["windows"]
    assert len(page.query_selector_all("svg rect.calc-window")) == r["count"]
    assert len(page.query_selector_all("svg rect.calc-window-full")) == r["full"]
    assert page.get_attribute(".calc-figure svg", "aria-label")

    for width, height in [(640, 480), (70, 70), (126, 98), (1, 200), (84, 84), (1920, 1080)]:
        set_fields(page, width=str(width), height=str(height))
        assert_shows(page, "qwen2.5-vl", width, height)
    recorded_page.screenshot(f"calculator-1920x1080-{recorded_page.scheme}")

    # Changing the model resets min/max to its defaults and recomputes with its patch size.
    page.select_option("#calc-model", "qwen3-vl")
    page.wait_for_function("() => new URLSearchParams(location.search).get('model') === 'qwen3-vl'")
    assert page.input_value("#calc-min-pixels") == str(PRESETS["qwen3-vl"]["min_pixels"])
    assert page.input_value("#calc-max-pixels") == str(PRESETS["qwen3-vl"]["max_pixels"])
    assert_shows(page, "qwen3-vl", 1920, 1080)
    set_fields(page, width="112", height="112")
    assert_shows(page, "qwen3-vl", 112, 112)
    page.select_option("#calc-model", "qwen2-vl")
    page.wait_for_function("() => new URLSearchParams(location.search).get('model') === 'qwen2-vl'")
    assert_shows(page, "qwen2-vl", 112, 112)

    # Editable bounds, including the released Qwen2.5-VL max_pixels.
    page.select_option("#calc-model", "qwen2.5-vl")
    set_fields(page, width="4000", height="3000", max_pixels="12845056")
    assert_shows(page, "qwen2.5-vl", 4000, 3000, max_pixels=12845056)
    recorded_page.screenshot(f"calculator-large-{recorded_page.scheme}")

    # The URL reproduces the result in a fresh page.
    query = parse_qs(urlparse(page.url).query)
    assert query == {
        "model": ["qwen2.5-vl"],
        "width": ["4000"],
        "height": ["3000"],
        "min_pixels": [str(PRESETS["qwen2.5-vl"]["min_pixels"])],
        "max_pixels": ["12845056"],
    }
    page.goto(page.url, wait_until="load")
    page.wait_for_selector("#qwen-calculator[data-ready='true']")
    assert page.input_value("#calc-width") == "4000"
    assert_shows(page, "qwen2.5-vl", 4000, 3000, max_pixels=12845056)
    recorded_page.assert_clean()


@LIGHT
def test_huge_inputs_stay_responsive(recorded_page):
    page = open_calculator(
        recorded_page, model="qwen2.5-vl", width=1_000_000, height=999_999, min_pixels=10**12, max_pixels=10**12
    )
    c = case("qwen2.5-vl", 999_999, 1_000_000, 10**12, 10**12)
    r = reference(c)
    assert r["windows"] == {"indexed": False}  # above the golden's limit: the closed form gives the windows
    now = shown(page)
    expected = expected_display(r, c)
    assert set(expected) >= {"resized", "grid", "tokens", "windows", "full", "smallest", "equal"}
    for key, value in expected.items():
        assert now[key] == value, f"{key} shows {now[key]!r}, expected {value!r}"
    assert "too many to draw" in now["output"]
    recorded_page.screenshot(f"calculator-huge-{recorded_page.scheme}")
    recorded_page.assert_clean()


def python_error(width, height, min_pixels=None, max_pixels=None) -> str:
    return reference(case("qwen2.5-vl", height, width, min_pixels, max_pixels))["error"]


BAD_INPUTS = [  # (fields typed, words the message must contain, field marked invalid)
    ({"width": ""}, ["Width is empty"], "width"),
    ({"width": "0"}, ["Width must be at least 1 pixel; got 0", "ZeroDivisionError: division by zero"], "width"),
    ({"height": "-5"}, ["Height must be at least 1 pixel; got -5"], "height"),
    ({"width": "12.5"}, ["Width must be a whole number", "12.5", "fractional"], "width"),
    ({"height": "abc"}, ["Height must be a number", "abc"], "height"),
    ({"width": "99999999"}, ["Width is too large", "99999999"], "width"),
    ({"max_pixels": "1e9"}, ["max_pixels must be written with the digits 0-9 only"], "max_pixels"),
    ({"min_pixels": "0"}, ["min_pixels must be at least 1; got 0", python_error(476, 476, min_pixels=0)], "min_pixels"),
    ({"width": "1", "height": "201"}, ["too thin", python_error(1, 201)], None),
    ({"width": "603", "height": "3"}, [python_error(603, 3)], None),
]


@LIGHT
def test_bad_inputs_get_a_message_naming_the_problem(recorded_page):
    page = open_calculator(recorded_page)
    for typed, words, invalid in BAD_INPUTS:
        set_fields(page, **{"width": "476", "height": "476", "min_pixels": "3136", "max_pixels": "1003520", **typed})
        now = shown(page)
        for word in words:
            assert word in now["messages"], f"{typed}: message {now['messages']!r} lacks {word!r}"
        assert now["output"].strip(), f"{typed}: blank output"
        assert "NaN" not in now["messages"] + now["output"] and "undefined" not in now["messages"]
        assert now["resized"] is None, f"{typed}: a result is shown for bad input"
        if invalid:
            assert page.get_attribute(FIELDS[invalid], "aria-invalid") == "true"
        if typed == {"width": "12.5"}:
            recorded_page.screenshot(f"calculator-bad-input-{recorded_page.scheme}")

    # Back to a good input: the page recovers.
    set_fields(page, width="476", height="476", min_pixels="3136", max_pixels="1003520")
    assert_shows(page, "qwen2.5-vl", 476, 476)
    assert page.inner_text("#calc-messages").strip() == ""
    recorded_page.assert_clean()


@LIGHT
def test_min_pixels_above_max_pixels_is_flagged_and_computed(recorded_page):
    page = open_calculator(recorded_page, model="qwen2.5-vl", width=640, height=480, min_pixels=5000, max_pixels=1000)
    messages = page.inner_text("#calc-messages")
    assert "min_pixels (5,000) is above max_pixels (1,000)" in messages
    assert "does not check" in messages
    assert "fewer than min_pixels (5,000)" in messages  # this size takes the max_pixels path
    assert_shows(page, "qwen2.5-vl", 640, 480, 5000, 1000)
    recorded_page.screenshot(f"calculator-min-above-max-{recorded_page.scheme}")
    set_fields(page, width="14", height="14")  # rounds to 0 x 0, so the min_pixels path runs
    assert "scaled up to reach min_pixels, which is above max_pixels" in page.inner_text("#calc-messages")
    assert_shows(page, "qwen2.5-vl", 14, 14, 5000, 1000)
    recorded_page.assert_clean()


@pytest.mark.parametrize("query", [{"model": "nonsense", "width": "x"}, {"width": "", "height": "%"}])
def test_a_broken_link_still_gives_a_page(recorded_page, query):
    page = open_calculator(recorded_page, **query)
    now = shown(page)
    assert now["messages"].strip() and "NaN" not in now["messages"] + now["output"]
    assert page.input_value("#calc-model") == "qwen2.5-vl"
    recorded_page.assert_clean()
