"""docs/beyond/versions.md: where the window code lives in each release, and transformers 4.52.4 (run in a
child process from .venv/tf-4.52.4) against the installed release."""

import csv
import zipfile
from pathlib import Path

import pytest
import torch
import transformers
from transformers.vision_utils import get_vision_window_index

from handbook.paths import ROOT, SNIPPETS
from handbook.snippets import load, load_script

history = load("versions/history")
old_release = load("versions/window_index_4_52_4")
script = load_script("window_code_lines")  # the maintenance script that wrote the data file
INSTALLED = Path(transformers.__file__).resolve().parent

# One worker for the module (make test: --dist loadgroup), so the 4.52.4 comparison (`comparison`, a few seconds
# in a child process) runs once, not once per worker.
pytestmark = pytest.mark.xdist_group("page-versions")


def history_row(version: str) -> dict:
    return next(row for row in history.recorded_rows() if row["version"] == version)


def test_installed_row_is_read_from_the_source_and_agrees_with_the_last_release_on_record():
    row = history.installed_row()
    assert row["version"] == transformers.__version__ and row["file"] == "src/transformers/vision_utils.py"
    lines = (INSTALLED / "vision_utils.py").read_text().splitlines()
    assert lines[int(row["vit_merger_window_size"]) - 1].strip().startswith("vit_merger_window_size =")
    assert lines[int(row["def_get_window_index"]) - 1].startswith("def get_vision_window_index(")
    assert " agree on" in history.agreement()


def test_installed_row_agrees_with_the_handbooks_excerpts():
    """history.py finds the lines itself (a snippet imports nothing from the repository): the same lines as
    handbook/excerpts.py, which quotes transformers everywhere else on the site."""
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
    from transformers.vision_utils import get_vision_window_index

    from handbook.excerpts import source_of, statement

    row = history.installed_row()
    function = source_of(get_vision_window_index)
    assert (row["file"], row["def_get_window_index"]) == (function.repo_path, str(function.first))
    for column, pattern in [("vit_merger_window_size", r"vit_merger_window_size\s*="), ("pad_h", r"pad_h\s*=")]:
        assert row[column] == str(statement(get_vision_window_index, pattern).first)
    call = statement(Qwen2_5_VisionTransformerPretrainedModel.forward, r"get_vision_window_index\(")
    assert row["note"].endswith(f"line {call.first}")
    with pytest.raises(LookupError):
        history.where(get_vision_window_index, r"=")  # many lines: never a guess


def fake_wheel(tmp_path: Path, files: dict) -> Path:
    wheel = tmp_path / "transformers-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, path in files.items():
            archive.write(path, name)
    return wheel


def test_maintenance_script_reads_the_installed_layout_like_the_live_row(tmp_path):
    wheel = fake_wheel(
        tmp_path,
        {
            script.MODELING: INSTALLED / "models/qwen2_5_vl/modeling_qwen2_5_vl.py",
            script.VISION_UTILS: INSTALLED / "vision_utils.py",
        },
    )
    row, live = script.row_for("0.0.0", wheel), history.installed_row()
    for column in ["file", "def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w"]:
        assert row[column] == live[column], column
    assert row["note"] == "get_vision_window_index; wrapper removed"


def test_maintenance_script_reads_the_4_52_4_layout_like_the_recorded_row(tmp_path):
    old_file = old_release.OLD_DIR / "transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py"
    row = script.row_for("4.52.4", fake_wheel(tmp_path, {script.MODELING: old_file}))
    recorded = history_row("4.52.1")  # the data file notes "4.52.4 identical"
    for column in ["file", "def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w"]:
        assert row[column] == recorded[column], column


def test_data_file_is_in_the_scripts_column_order():
    with (SNIPPETS / "data" / "transformers_window_code_lines.tsv").open() as handle:
        assert next(csv.reader(handle, delimiter="\t")) == script.COLUMNS


def test_snippets_read_the_data_file_and_the_old_release_from_the_current_directory():
    assert history.HISTORY.resolve() == SNIPPETS / "data" / "transformers_window_code_lines.tsv"
    assert old_release.OLD_DIR == (ROOT / ".venv" / "tf-4.52.4").resolve()


@pytest.fixture(scope="module")
def comparison():
    return old_release.compare()


def test_4_52_4_runs_in_isolation_with_the_installed_torch(comparison):
    old = comparison["old"]
    assert old["version"] == "4.52.4" and old["file"].startswith(str(old_release.OLD_DIR))
    assert old["torch"] == torch.__version__


def test_4_52_4_lines_are_the_ones_the_analysis_quotes(comparison):
    # The seed: "modeling_qwen2_5_vl.py line 442" and "Lines 450-451".
    assert comparison["old"]["lines"]["vit_merger_window_size"] == 442
    assert (comparison["old"]["lines"]["pad_h"], comparison["old"]["lines"]["pad_w"]) == (450, 451)


def test_4_52_4_and_installed_window_indices_are_identical(comparison):
    assert comparison["calls"] == len(old_release.SINGLE) + len(old_release.BATCHES) > 3000
    assert comparison["differing"] == []
    assert "identical in every call" in old_release.report(comparison)


def test_the_comparison_would_see_a_difference(comparison):
    """Against a different window size the same 4.52.4 results differ: the check is able to fail."""
    differing = 0
    for grids, then in zip([[g] for g in old_release.SINGLE], comparison["old"]["results"]):
        index, _ = get_vision_window_index(torch.tensor(grids), 2, 224, 14)
        differing += index.tolist() != then["index"]
    assert differing > 0


@pytest.mark.parametrize(
    "snippet, says",
    [
        ("versions/window_index_4_52_4.py", ["transformers 4.52.4 is not installed", "pip install --no-deps"]),
        ("versions/history.py", ["snippets/data/transformers_window_code_lines.tsv is missing"]),
    ],
)
def test_copied_alone_a_snippet_says_what_it_needs(tmp_path, snippet, says):
    """Run in an empty folder, without the 4.52.4 install or the data file: a clear message, no traceback."""
    from handbook.page_tests import run_alone

    done = run_alone(snippet.removesuffix(".py"), tmp_path, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    for words in says:
        assert words in done.stderr
