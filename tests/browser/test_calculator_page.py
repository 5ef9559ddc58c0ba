"""The calculator page in Chromium: typed sizes give transformers' numbers, bad input gets a message.

Expected values come from snippets/calculator_golden.py, i.e. from the installed transformers, not
from the page's own JavaScript. (Named apart from tests/test_calculator.py, the node golden test:
pytest's default import mode cannot collect two test modules with one basename.)
"""

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from calculator_golden import MAX_LISTED_WINDOWS, PRESETS, case, reference

from handbook.window_layout import window_layout

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
    Above the golden's indexing limit the windows come from the closed form that tests/test_calculator.py
    checks against get_vision_window_index."""
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
