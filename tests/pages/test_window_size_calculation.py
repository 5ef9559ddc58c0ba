"""Chapter 2, window size calculation: the installed statement, what it evaluates to, where it was in the
analysis' release, and the window lengths the real code produces, as the page shows them. That each file prints, when it runs alone, what
the page shows is tested for every included snippet by tests/site/test_snippets.py (the copy test)."""

import re

from transformers import Qwen2_5_VLVisionConfig
from transformers.vision_utils import get_vision_window_index

from handbook.excerpts import statement
from handbook.page_tests import fence_output, run_alone
from handbook.snippets import load

PAGE = "chapters/2-window-size-calculation.md"
HISTORY = "transformers_window_code_lines.tsv"
stmt = load("window_size_calculation/statement")
lengths = load("window_size_calculation/window_lengths")


def test_statement_without_its_data_file_says_what_is_missing(tmp_path):
    done = run_alone("window_size_calculation/statement", tmp_path, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"snippets/data/{HISTORY} is missing" in done.stderr


def test_window_size_calculation_report():
    out = fence_output(PAGE, "ch2-statement")
    assert "= **4** merged tokens" in out
    assert "| `src/transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py` | 442 |" in out
    assert re.search(r"\| `src/transformers/vision_utils.py` \| \d+ \| found in the installed source", out)


def test_the_snippet_finds_the_line_the_page_quotes():
    """The snippet's own lookup and the site's excerpt (handbook.excerpts, shown above it) agree."""
    quoted = statement(get_vision_window_index, r"vit_merger_window_size\s*=")
    found = stmt.merger_window_statement()
    assert (found.repo_path, found.first, found.text, found.version) == (
        quoted.repo_path,
        quoted.first,
        quoted.text,
        quoted.version,
    )
    excerpt = fence_output(PAGE, "ch2-excerpt")
    assert excerpt == quoted.markdown() + "\n" and f'linenums="{found.first}"' in excerpt


def test_statement_follows_the_config():
    assert stmt.merger_window_size() == 4
    assert stmt.merger_window_size(Qwen2_5_VLVisionConfig(window_size=224)) == 8


def test_window_lengths():
    out = fence_output(PAGE, "ch2-window-lengths")
    assert out == "- **84x84**: 1 window(s) of 36 patches.\n" + lengths.window_lengths(476) + "\n"
    counts = lengths.window_patch_counts(476)
    assert (len(counts), max(counts), sum(counts)) == (25, 64, 34 * 34)
    assert "16 window(s) of 64 patches" in out
    assert max(lengths.window_patch_counts(476, window_size=224)) == 256  # the window follows window_size
