"""The source-excerpt snippet quotes the installed file exactly, with correct line numbers."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import transformers
from transformers import vision_utils
from transformers.vision_utils import get_vision_window_index

from source_excerpt import repo_path, resolve, source_of, statement

ROOT = Path(__file__).resolve().parent.parent


def installed_lines(excerpt):
    file = Path(transformers.__file__).parent / excerpt.repo_path.removeprefix("src/transformers/")
    return file.read_text().splitlines()[excerpt.first - 1: excerpt.last]


def test_statement_is_the_installed_line():
    excerpt = statement(get_vision_window_index, r"vit_merger_window_size\s*=")
    assert list(excerpt.lines) == installed_lines(excerpt)
    assert excerpt.lines[0].strip().startswith("vit_merger_window_size =")
    assert excerpt.repo_path == "src/transformers/vision_utils.py"


def test_context_lines_and_range():
    excerpt = statement(get_vision_window_index, r"pad_h = ", before=1, after=2)
    assert len(excerpt.lines) == 4 and excerpt.last == excerpt.first + 3
    assert list(excerpt.lines) == installed_lines(excerpt)
    assert f"#L{excerpt.first}-L{excerpt.last}" in excerpt.url and f"/v{transformers.__version__}/" in excerpt.url


def test_whole_function_matches_inspect():
    excerpt = source_of(get_vision_window_index)
    lines, first = inspect.getsourcelines(get_vision_window_index)
    assert excerpt.first == first and excerpt.text == "".join(lines).rstrip("\n")
    assert excerpt.lines[0].startswith("def get_vision_window_index(")


def test_ambiguous_or_missing_statement_fails_loudly():
    with pytest.raises(LookupError, match="matches 0 lines"):
        statement(get_vision_window_index, r"this text is not in the source")
    with pytest.raises(LookupError, match="matches 2 lines"):
        statement(get_vision_window_index, r"pad_[hw] = ")


def test_markdown_has_path_range_and_numbered_fence():
    text = statement(get_vision_window_index, r"vit_merger_window_size\s*=").markdown()
    assert "`src/transformers/vision_utils.py`, line" in text
    assert 'linenums="' in text and "vit_merger_window_size" in text


def test_resolve_and_repo_path():
    assert resolve("transformers.vision_utils:get_vision_window_index") is get_vision_window_index
    assert repo_path(vision_utils.__file__) == "src/transformers/vision_utils.py"


def test_command_line_prints_the_statement():
    out = subprocess.run([sys.executable, "snippets/source_excerpt.py",
                          "transformers.vision_utils:get_vision_window_index", "vit_merger_window_size ="],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "vit_merger_window_size = window_size // spatial_merge_size // patch_size" in out
