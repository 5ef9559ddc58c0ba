"""Ledger entries for section 2 of the analysis, "Critical Window Size Calculation"."""

import numpy as np
from PIL import Image
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.vision_utils import get_vision_window_index

from claims import Claim, Result
from window_size_calculation import history_row, merger_window_size, merger_window_statement

ANALYSIS_STATEMENT = "vit_merger_window_size = self.window_size // self.spatial_merge_size // self.patch_size"


def _code(text: str) -> str:
    return " ".join(text.replace("self.", "").split())


def check_formula() -> Result:
    installed = merger_window_statement()
    same = _code(installed.text) == _code(ANALYSIS_STATEMENT)
    where = f"`{installed.repo_path}` line {installed.first}"
    if same:
        return Result("confirmed", f"The installed statement at {where} is the same computation "
                                   f"(`self.` attributes became function arguments): `{installed.text.strip()}`.")
    return Result("refuted", f"The installed statement at {where} reads `{installed.text.strip()}`.")


def check_value() -> Result:
    value = merger_window_size()
    return Result("confirmed" if value == 4 else "refuted",
                  f"Evaluating the installed statement with the installed config gives {value}.")


def check_line_442() -> Result:
    installed = merger_window_statement()
    then = history_row("4.52.1")
    now = f"`{installed.repo_path}` line {installed.first} in transformers {installed.version}"
    if installed.repo_path.endswith("modeling_qwen2_5_vl.py") and installed.first == 442:
        return Result("confirmed", f"Found at {now}.")
    if then["vit_merger_window_size"] == "442" and then["file"].endswith("modeling_qwen2_5_vl.py"):
        return Result("partly true", f"Right for transformers 4.52.1-4.52.4 (line {then['vit_merger_window_size']} "
                                     f"of `modeling_qwen2_5_vl.py`); the statement is now at {now}.")
    return Result("refuted", f"Not at line 442 in 4.52.1 (history says {then['vit_merger_window_size']}), and now at {now}.")


def window_patch_counts(side: int) -> list:
    """Patches per attention window for a side x side image, through the real processor and window code."""
    config = Qwen2_5_VLVisionConfig()
    image = Image.fromarray(np.zeros((side, side, 3), dtype=np.uint8))
    grid = Qwen2VLImageProcessor()(images=image, return_tensors="pt")["image_grid_thw"]
    _, cu = get_vision_window_index(grid, config.spatial_merge_size, config.window_size, config.patch_size)
    return (cu[1:] - cu[:-1]).tolist()


def check_at_least_4x4_patches() -> Result:
    config = Qwen2_5_VLVisionConfig()
    side = merger_window_size(config) * config.spatial_merge_size  # window side in patches
    sizes = {size: window_patch_counts(size) for size in (84, 476)}
    largest = max(max(counts) for counts in sizes.values())
    smallest = {size: min(counts) for size, counts in sizes.items()}
    expects_minimum = all(value >= 16 for value in smallest.values())
    verdict = "confirmed" if expects_minimum and largest == 16 else "refuted"
    return Result(verdict, (
        f"A window is {merger_window_size(config)}x{merger_window_size(config)} merged tokens = {side}x{side} "
        f"= {side * side} patches at most (largest seen: {largest}), and nothing sets a minimum: the smallest window "
        f"holds {smallest[84]} patches at 84x84 and {smallest[476]} at 476x476."))


CLAIMS = [
    Claim("s2-formula", "2", ANALYSIS_STATEMENT, check_formula),
    Claim("s2-value-4", "2", "vit_merger_window_size = 112 // 2 // 14 = 4", check_value),
    Claim("s2-line-442", "2", "From modeling_qwen2_5_vl.py line 442", check_line_442),
    Claim("s2-at-least-4x4-patches", "2", "the model expects at least 4x4 patches per attention window",
          check_at_least_4x4_patches),
]
