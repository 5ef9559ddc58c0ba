"""docs/beyond/resize-rules.md: qwen-vl-utils' and transformers' resize rules compared, the real processors, and
qwen-vl-utils offline."""

import ast
from pathlib import Path

from handbook.page_tests import fence_output, snippet_server, snippets_of
from handbook.paths import DOCS
from handbook.snippets import load

rules, defaults, examples, processors, double, offline = snippets_of(
    "resize_rules", "rules", "defaults", "examples", "processors", "double", "offline"
)
CHILD, environment_variables = offline.CHILD, offline.environment_variables
PAGE = "beyond/resize-rules.md"


def test_equal_released_bounds_disagree_only_for_sides_of_14_px_or_less():
    name, low, high = rules.SETTINGS[0]
    result = rules.compare(low, high)
    assert result["disagree"] > 0
    assert max(min(size) for size, _, _ in result["examples"]) == 14  # resize-rules.md: "at most 14 pixels"
    assert result["modules differ"] == 0


def test_large_budgets_agree_and_a_tiny_fixed_budget_gives_qwen_vl_utils_a_zero_side():
    by_name = {name: rules.compare(low, high) for name, low, high in rules.SETTINGS}
    assert by_name["README range, 256 to 1280 tokens"]["disagree"] == 0
    assert by_name["fixed budget, min = max = 1280 tokens"]["disagree"] == 0
    assert by_name["fixed budget, min = max = 4 tokens"]["zero side"] > 0
    assert all(result["modules differ"] == 0 for result in by_name.values())


def test_worked_examples_show_what_the_page_says():
    low, high = rules.SETTINGS[0][1:]
    q = examples.resize(examples.RULES["qwen-vl-utils"], 2, 300, low, high)
    t = examples.resize(examples.RULES["transformers, torchvision module"], 2, 300, low, high)
    assert t[1] > 300 >= q[1] - examples.FACTOR  # transformers stretches the long side, qwen-vl-utils keeps it
    assert "| 476x476 | 476x476 | 476x476 / 476x476 | 476x476 | 476x476 |" in examples.worked_examples()


def test_default_upper_bounds_differ_and_lower_bounds_agree():
    table = defaults.defaults_table()
    assert "12,845,056 px = 16384 tokens" in table and "1,003,520 px = 1280 tokens" in table
    # The page says "The lower bounds agree": every row of the table (each place a default is read) has
    # the same min_pixels, and the upper bounds take more than one value.
    page = " ".join((DOCS / "beyond" / "resize-rules.md").read_text().split())
    assert "The lower bounds agree. The upper bounds do not" in page
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    assert len(rows) >= 2 and all(len(row) == 4 for row in rows)
    assert {row[2] for row in rows} == {"3,136 px = 4 tokens"}, [row[2] for row in rows]
    assert len({row[3] for row in rows}) > 1


def test_real_processors_output_their_modules_rule():
    """Read from what the page shows (the build ran processors_check on every probe image; the copy test checks
    that the file prints the same alone), not computed a second time here."""
    report = fence_output(PAGE, "resize-processors")
    total = len(processors.PROBE) ** 2
    assert report.count(f"**{total} of {total}**") == 2


def test_a_size_qwen_vl_utils_picked_survives_the_transformers_rule():
    assert "changed for 0." in double.double_resize()


def attempts_table(text: str) -> dict:
    """step -> network attempts so far, from the first table offline.py prints."""
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    return {
        row.split("|")[1].strip().strip("`"): int(row.split("|")[2])
        for row in rows
        if row.split("|")[2].strip().isdigit()
    }


def test_the_table_reader_reads_the_counts():
    assert attempts_table("| `a` | 0 |\n| `b` | 2 |\n| `c` | n/a |") == {"a": 0, "b": 2}


def test_qwen_vl_utils_makes_no_network_call_for_local_images():
    """What the page shows, from the build's run of offline.py (its fresh process; the copy test checks that the
    file run alone prints the same): three steps, no attempt at any."""
    steps = attempts_table(fence_output(PAGE, "resize-offline"))
    assert list(steps) == [
        "import qwen_vl_utils",
        "smart_resize(500, 700, factor=28)",
        "fetch_image({'image': <PIL image 700x500>})",
    ]
    assert set(steps.values()) == {0}, steps


def test_the_network_recorder_would_see_a_download(tmp_path):
    """The same recorder (offline.CHILD) sees fetch_image reach for a URL (an RFC 2606 .invalid name): a count
    of 0 on the page means the recorder saw nothing, not that it could not see. Run in a child of the warm
    parent (handbook/page_tests.snippet_server), whose modules are imported already: what is checked here is the
    recorder, not what an import does."""
    import json

    code = CHILD.replace(
        "print(json.dumps(",
        "try:\n    fetch_image({'image': 'http://example.invalid/a.png'})\n"
        "except Exception:\n    pass\nprint(json.dumps(",
    )
    script = tmp_path / "recorder_sees_a_download.py"
    script.write_text(code)
    reply = snippet_server().run_file(script, tmp_path)
    assert reply["status"] == 0, reply["stderr"]
    attempts = json.loads(reply["stdout"].strip().splitlines()[-1])["attempts"]
    assert any("example.invalid" in attempt for attempt in attempts), attempts


def test_environment_variables_do_not_steer_the_image_path():
    found = environment_variables()
    assert found, "no environment reads found: the scan is broken"
    for _, _, users in found:
        assert not {"smart_resize", "fetch_image"} & set(users)


def test_requests_is_called_only_by_fetch_image():
    from importlib.util import find_spec

    source = Path(find_spec("qwen_vl_utils.vision_process").origin).read_text()
    callers = {
        f.name
        for f in ast.parse(source).body
        if isinstance(f, ast.FunctionDef)
        and any(isinstance(n, ast.Attribute) and ast.unparse(n).startswith("requests.") for n in ast.walk(f))
    }
    assert callers == {"fetch_image"}


def test_disagreement_map_is_an_accessible_theme_neutral_figure():
    from handbook.figures import svg_figure

    figure = load("resize_rules/disagreement_map")
    out = svg_figure(figure.fig, alt=figure.ALT, caption=figure.CAPTION)  # what the page's fence prints
    assert out.startswith('<figure class="handbook-figure">') and 'role="img"' in out
    assert "#000000" not in out and "<figcaption>" in out
    assert len(out) < 1_000_000  # the map is embedded as one bitmap, not tens of thousands of paths


def test_the_copies_of_the_rules_agree():
    """examples.py, processors.py and double.py carry their own copies of the rules' setup: they equal rules.py's."""
    assert examples.RULES == rules.RULES and examples.FACTOR == processors.FACTOR == double.FACTOR == rules.FACTOR
    assert examples.RELEASED_BOUNDS == rules.SETTINGS[0] and examples.FIXED_4_TOKENS == rules.SETTINGS[2]
    assert double.SIDES == rules.SIDES
    for copy in (processors, double):
        assert (copy.RELEASED["min_pixels"], copy.RELEASED["max_pixels"]) == rules.SETTINGS[0][1:]
    for height, width in [(2, 300), (14, 200), (476, 476), (20, 3000)]:
        for rule in rules.RULES.values():
            assert examples.resize(rule, height, width, 3136, 12845056) == rules.resize(
                rule, height, width, 3136, 12845056
            )


def test_qwen_utils_source_quotes_the_installed_function():
    import inspect

    from qwen_vl_utils import vision_process

    quoted = load("resize_rules/qwen_utils_source").qwen_utils_source()
    assert inspect.getsource(vision_process.smart_resize).rstrip() in quoted
