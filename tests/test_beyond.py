"""The 'Beyond the analysis' pages: the model family, the two resize rules, and transformers versions."""

import json
import textwrap
from pathlib import Path

import pytest
import transformers

from docs_fences import ROOT, SNIPPETS
from window_code_users import (INSTALLED, calls_window_code, models_using_window_code, other_callers, scan,
                               settings)

# ----------------------------------------------------------------------------------------- the family

FAKE_MODELING = '''
from ...vision_utils import get_vision_window_index
from .configuration_toy import ToyVisionConfig


class ToyVisionModel:
    config: ToyVisionConfig

    def __init__(self, config: ToyVisionConfig):
        self.patch_size = config.patch_size
        self.window_size = config.window_size

    def forward(self, grid_thw):
        {call}
        return grid_thw
'''
CALL = "get_vision_window_index(grid_thw, spatial_merge_size=2, window_size=self.window_size, patch_size=self.patch_size)"


def fake_package(tmp_path: Path, call: str) -> Path:
    """A transformers-shaped tree holding one real model file and one fake toy model."""
    root = tmp_path / "transformers"
    real = INSTALLED / "models" / "qwen2_5_vl" / "modeling_qwen2_5_vl.py"
    (root / "models" / "qwen2_5_vl").mkdir(parents=True)
    (root / "models" / "qwen2_5_vl" / real.name).write_text(real.read_text())
    (root / "models" / "toy").mkdir(parents=True)
    (root / "models" / "toy" / "modeling_toy.py").write_text(FAKE_MODELING.format(call=call))
    return root


def test_family_gains_a_model_that_starts_calling_the_window_code(tmp_path):
    root = fake_package(tmp_path, CALL)
    assert models_using_window_code(root) == ["qwen2_5_vl", "toy"]
    toy = next(site for site in scan(root) if site.model == "toy")
    assert (toy.owner, toy.method, toy.config_class) == ("ToyVisionModel", "forward", "ToyVisionConfig")
    assert toy.config_module == "transformers.models.toy.configuration_toy"
    assert toy.arguments["window_size"] == "self.window_size"


def test_family_drops_a_model_whose_call_is_removed(tmp_path):
    root = fake_package(tmp_path, "pass  # the call was removed; the import stays")
    assert models_using_window_code(root) == ["qwen2_5_vl"]


def test_a_modular_file_alone_does_not_count(tmp_path):
    root = fake_package(tmp_path, "pass")
    (root / "models" / "toy" / "modular_toy.py").write_text(FAKE_MODELING.format(call=CALL))
    assert calls_window_code(root / "models" / "toy" / "modular_toy.py")
    assert models_using_window_code(root) == ["qwen2_5_vl"]


def test_installed_family_includes_the_models_the_evidence_names():
    found = models_using_window_code()
    # evidence.md names Qwen2.5-Omni's vision encoder and EXAONE 4.5 as reusers of the code.
    assert {"qwen2_5_vl", "qwen2_5_omni", "exaone4_5"} <= set(found)
    assert "qwen2_vl" not in found and "qwen3_vl" not in found
    assert "exporters/utils.py" in other_callers()


def test_qwen25_settings_are_evaluated_from_the_config():
    site = next(s for s in scan() if s.model == "qwen2_5_vl")
    values = settings(site)
    assert (values["patch_size"], values["spatial_merge_size"], values["window_size"]) == (14, 2, 112)
    assert values["window_cells"] == 8 and values["window_pixels"] == 112
    assert values["config"].fullatt_block_indexes == values["config"].__class__().fullatt_block_indexes


def test_family_page_statement_about_released_checkpoints():
    """family.md says the config-class defaults agree with the released checkpoints on the table's settings."""
    released = json.loads((SNIPPETS / "data" / "released_vision_configs.json").read_text())["checkpoints"]
    default = transformers.Qwen2_5_VLVisionConfig()
    for checkpoint in released.values():
        for name in ("patch_size", "spatial_merge_size", "window_size"):
            assert checkpoint[name] == getattr(default, name)
        assert list(checkpoint["fullatt_block_indexes"]) == list(default.fullatt_block_indexes)


def test_small_image_has_one_window_equal_to_full_attention():
    from family_tokens_windows import encode
    small = encode("qwen2_5_vl", 84, 84)
    assert small["windows"] == 1 and small["largest"] == small["grid"][0] * small["grid"][1]
    assert encode("qwen2_vl", 84, 84)["windows"] is None
    assert encode("qwen3_vl", 224, 224)["grid"] == (14, 14)  # 16-pixel patches


# --------------------------------------------------------------------------------------- versions

import csv  # noqa: E402
import importlib.util  # noqa: E402
import zipfile  # noqa: E402

import torch  # noqa: E402

import window_index_4_52_4 as old_release  # noqa: E402
from window_code_history import agreement, installed_row  # noqa: E402
from window_size_calculation import history_row  # noqa: E402


def load_script():
    spec = importlib.util.spec_from_file_location("window_code_lines", ROOT / "scripts" / "window_code_lines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_installed_row_is_read_from_the_source_and_agrees_with_the_last_release_on_record():
    row = installed_row()
    assert row["version"] == transformers.__version__ and row["file"] == "src/transformers/vision_utils.py"
    lines = (INSTALLED / "vision_utils.py").read_text().splitlines()
    assert lines[int(row["vit_merger_window_size"]) - 1].strip().startswith("vit_merger_window_size =")
    assert lines[int(row["def_get_window_index"]) - 1].startswith("def get_vision_window_index(")
    assert " agree on" in agreement()


def fake_wheel(tmp_path: Path, files: dict) -> Path:
    wheel = tmp_path / "transformers-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, path in files.items():
            archive.write(path, name)
    return wheel


def test_maintenance_script_reads_the_installed_layout_like_the_live_row(tmp_path):
    script = load_script()
    wheel = fake_wheel(tmp_path, {script.MODELING: INSTALLED / "models/qwen2_5_vl/modeling_qwen2_5_vl.py",
                                  script.VISION_UTILS: INSTALLED / "vision_utils.py"})
    row, live = script.row_for("0.0.0", wheel), installed_row()
    for column in ["file", "def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w"]:
        assert row[column] == live[column], column
    assert row["note"] == "get_vision_window_index; wrapper removed"


def test_maintenance_script_reads_the_4_52_4_layout_like_the_recorded_row(tmp_path):
    script = load_script()
    old_file = old_release.OLD_DIR / "transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py"
    row = script.row_for("4.52.4", fake_wheel(tmp_path, {script.MODELING: old_file}))
    recorded = history_row("4.52.1")  # the data file notes "4.52.4 identical"
    for column in ["file", "def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w"]:
        assert row[column] == recorded[column], column


def test_data_file_is_in_the_scripts_column_order():
    with (SNIPPETS / "data" / "transformers_window_code_lines.tsv").open() as handle:
        assert next(csv.reader(handle, delimiter="\t")) == load_script().COLUMNS


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
        index, _ = transformers.vision_utils.get_vision_window_index(torch.tensor(grids), 2, 224, 14)
        differing += index.tolist() != then["index"]
    assert differing > 0
