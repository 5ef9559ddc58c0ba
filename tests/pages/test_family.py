"""docs/beyond/family.md: which models run the window code (found by reading the installed package), and
Qwen2-VL, Qwen2.5-VL and Qwen3-VL side by side. That settings.py copied alone, without its data file, says
which file it misses is the copy test's (tests/site/test_snippets.py, for every snippet that needs one)."""

import json
from pathlib import Path

import transformers

from handbook.paths import SNIPPETS
from handbook.snippets import load

users = load("family/window_code_users")
INSTALLED, calls_window_code, models_using_window_code = (
    users.INSTALLED,
    users.calls_window_code,
    users.models_using_window_code,
)
other_callers, scan, settings = users.other_callers, users.scan, users.settings
MODEL_TYPES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")

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
    for module in ("family/tokens_windows", "family/settings"):
        vision_config = load(module).vision_config
        factors = {
            m: (vision_config(m).patch_size, vision_config(m).patch_size * vision_config(m).spatial_merge_size)
            for m in MODEL_TYPES
        }
        assert factors == {"qwen2_vl": (14, 28), "qwen2_5_vl": (14, 28), "qwen3_vl": (16, 32)}, module


def test_the_copies_of_calls_window_code_agree_with_the_scan():
    """tokens_windows.py and settings.py carry their own copy of window_code_users.py's test (a snippet imports
    no other snippet): each says of every model of the table what the scan says, and of a toy call and a
    toy import without a call what window_code_users.py says."""
    found = set(models_using_window_code())
    for module in ("family/tokens_windows", "family/settings"):
        copy = load(module)
        assert copy.INSTALLED == INSTALLED
        for model_type in MODEL_TYPES:
            assert copy.uses_window_code(model_type) == (model_type in found), (module, model_type)
        for path in sorted(INSTALLED.glob("models/*/modeling_*.py")):
            if users.WINDOW_FUNCTION in path.read_text():
                assert copy.calls_window_code(path) == calls_window_code(path), (module, path)


def test_family_page_statement_about_released_checkpoints():
    """family.md says the config-class defaults agree with the released checkpoints on the table's settings."""
    released = json.loads((SNIPPETS / "data" / "released_vision_configs.json").read_text())["checkpoints"]
    default = transformers.Qwen2_5_VLVisionConfig()
    for checkpoint in released.values():
        for name in ("patch_size", "spatial_merge_size", "window_size"):
            assert checkpoint[name] == getattr(default, name)
        assert list(checkpoint["fullatt_block_indexes"]) == list(default.fullatt_block_indexes)


def test_small_image_has_one_window_equal_to_full_attention():
    encode = load("family/tokens_windows").encode

    small = encode("qwen2_5_vl", 84, 84)
    assert small["windows"] == 1 and small["largest"] == small["grid"][0] * small["grid"][1]
    assert encode("qwen2_vl", 84, 84)["windows"] is None
    assert encode("qwen3_vl", 224, 224)["grid"] == (14, 14)  # 16-pixel patches


def test_settings_table_cites_every_model():
    table = load("family/settings").settings_table()
    assert table.count("](https://") >= len(MODEL_TYPES)
    assert "| Qwen2.5-VL | `Qwen2_5_VLVisionConfig` | 14 / 2 / 28 | yes | 112 |" in table


def test_copied_alone_settings_says_it_needs_the_data_file(tmp_path):
    """settings.py in an empty folder: exit status 1 and a message naming the data file, no traceback (the copy
    test asks the same of every snippet, less strictly: a non-zero status and the file's name)."""
    from handbook.page_tests import run_alone

    done = run_alone("family/settings", tmp_path, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "snippets/data/coordinate_conventions.json is missing" in done.stderr
