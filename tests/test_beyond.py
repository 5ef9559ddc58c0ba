"""The 'Beyond the analysis' pages: the model family, the two resize rules, and transformers versions."""

import json
from pathlib import Path

import pytest
import transformers
from window_code_users import INSTALLED, calls_window_code, models_using_window_code, other_callers, scan, settings

from handbook.paths import ROOT, SNIPPETS

# ----------------------------------------------------------------------------------------- the family

FAKE_MODELING = """
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
"""
CALL = (
    "get_vision_window_index(grid_thw, spatial_merge_size=2, window_size=self.window_size, patch_size=self.patch_size)"
)


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


def test_family_page_groups_match_the_table():
    """family.md reads the table in three groups; each must exist with the numbers the prose gives."""
    groups = {"fullatt": [], "layer_types": [], "merger": []}
    for site in scan():
        values = settings(site)
        key = (
            "fullatt"
            if "fullatt_block_indexes" in values["full_attention"]
            else "layer_types"
            if "layer_types" in values["full_attention"]
            else "merger"
        )
        groups[key].append(values)
    assert all(groups.values())
    assert all((v["window_cells"], v["window_pixels"]) == (8, 112) for v in groups["fullatt"])
    assert all(v["spatial_merge_size"] == 1 and v["window_pixels"] > 112 for v in groups["layer_types"])
    assert all((v["patch_size"], v["spatial_merge_size"], v["window_cells"]) == (1, 1, 2) for v in groups["merger"])


def test_family_page_patch_and_resize_factors():
    from family_tokens_windows import vision_config

    factors = {
        m: (vision_config(m).patch_size, vision_config(m).patch_size * vision_config(m).spatial_merge_size)
        for m in ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")
    }
    assert factors == {"qwen2_vl": (14, 28), "qwen2_5_vl": (14, 28), "qwen3_vl": (16, 32)}


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
    wheel = fake_wheel(
        tmp_path,
        {
            script.MODELING: INSTALLED / "models/qwen2_5_vl/modeling_qwen2_5_vl.py",
            script.VISION_UTILS: INSTALLED / "vision_utils.py",
        },
    )
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


# ----------------------------------------------------------------------------------- resize rules

import ast  # noqa: E402

import resize_rules  # noqa: E402
from qwen_vl_utils_offline import CHILD, environment_variables, network_attempts  # noqa: E402


def test_equal_released_bounds_disagree_only_for_sides_of_14_px_or_less():
    name, low, high = resize_rules.SETTINGS[0]
    result = resize_rules.compare(low, high)
    assert result["disagree"] > 0
    assert max(min(size) for size, _, _ in result["examples"]) == 14  # resize-rules.md: "at most 14 pixels"
    assert result["modules differ"] == 0


def test_large_budgets_agree_and_a_tiny_fixed_budget_gives_qwen_vl_utils_a_zero_side():
    by_name = {name: resize_rules.compare(low, high) for name, low, high in resize_rules.SETTINGS}
    assert by_name["README range, 256 to 1280 tokens"]["disagree"] == 0
    assert by_name["fixed budget, min = max = 1280 tokens"]["disagree"] == 0
    assert by_name["fixed budget, min = max = 4 tokens"]["zero side"] > 0
    assert all(result["modules differ"] == 0 for result in by_name.values())


def test_worked_examples_show_what_the_page_says():
    low, high = resize_rules.SETTINGS[0][1:]
    q = resize_rules.resize(resize_rules.RULES["qwen-vl-utils"], 2, 300, low, high)
    t = resize_rules.resize(resize_rules.RULES["transformers, torchvision module"], 2, 300, low, high)
    assert t[1] > 300 >= q[1] - resize_rules.FACTOR  # transformers stretches the long side, qwen-vl-utils keeps it
    assert "| 476x476 | 476x476 | 476x476 / 476x476 | 476x476 | 476x476 |" in resize_rules.worked_examples()


def test_default_upper_bounds_differ_and_lower_bounds_agree():
    table = resize_rules.defaults_table()
    assert "12,845,056 px = 16384 tokens" in table and "1,003,520 px = 1280 tokens" in table
    # The page says "The lower bounds agree": every row of the table (each place a default is read) has
    # the same min_pixels, and the upper bounds take more than one value.
    page = " ".join((ROOT / "docs" / "beyond" / "resize-rules.md").read_text().split())
    assert "The lower bounds agree. The upper bounds do not" in page
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    assert len(rows) >= 2 and all(len(row) == 4 for row in rows)
    assert {row[2] for row in rows} == {"3,136 px = 4 tokens"}, [row[2] for row in rows]
    assert len({row[3] for row in rows}) > 1


def test_real_processors_output_their_modules_rule():
    report = resize_rules.processors_check()
    total = len(resize_rules.PROBE) ** 2
    assert report.count(f"**{total} of {total}**") == 2


def test_a_size_qwen_vl_utils_picked_survives_the_transformers_rule():
    assert "changed for 0." in resize_rules.double_resize()


def test_qwen_vl_utils_makes_no_network_call_for_local_images():
    result = network_attempts()
    assert result["attempts"] == [] and set(result["steps"].values()) == {0}


def test_the_network_recorder_would_see_a_download(tmp_path):
    import json
    import subprocess
    import sys

    code = CHILD.replace(
        "print(json.dumps(",
        "try:\n    fetch_image({'image': 'http://example.invalid/a.png'})\n"
        "except Exception:\n    pass\nprint(json.dumps(",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    ).stdout
    assert json.loads(out.strip().splitlines()[-1])["attempts"]


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
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "snippets/resize_disagreement_map.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith('<figure class="handbook-figure">') and 'role="img"' in out
    assert "#000000" not in out and "<figcaption>" in out
    assert len(out) < 1_000_000  # the map is embedded as one bitmap, not tens of thousands of paths
