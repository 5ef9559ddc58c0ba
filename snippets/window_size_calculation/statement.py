"""The `vit_merger_window_size` statement: where it lives in the installed transformers, and what it computes.

Run from the repository root: python snippets/window_size_calculation.py
"""

import csv
from pathlib import Path
from types import SimpleNamespace

from transformers import Qwen2_5_VLVisionConfig
from transformers.vision_utils import get_vision_window_index

from handbook.excerpts import statement

HERE = Path(__file__).parent if "__file__" in globals() else Path("snippets")
HISTORY = HERE / "data" / "transformers_window_code_lines.tsv"
STATEMENT = r"vit_merger_window_size\s*="


def merger_window_statement():
    """The installed line that computes the window side, as an Excerpt (path, line, text)."""
    return statement(get_vision_window_index, STATEMENT)


def merger_window_size(config=None) -> int:
    """Evaluate the installed statement's right-hand side with a config's values."""
    config = config or Qwen2_5_VLVisionConfig()
    values = {
        "window_size": config.window_size,
        "spatial_merge_size": config.spatial_merge_size,
        "patch_size": config.patch_size,
    }
    right_hand_side = merger_window_statement().text.split("=", 1)[1].strip()
    # Older releases wrote self.window_size; provide both spellings.
    return eval(right_hand_side, {"__builtins__": {}}, {**values, "self": SimpleNamespace(**values)})


def history_row(version: str) -> dict:
    """A release's row of the line-number history (read from the released wheels, see the data file)."""
    with HISTORY.open() as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["version"] == version:
                return row
    raise LookupError(f"transformers {version} is not in {HISTORY}")


def report() -> str:
    config = Qwen2_5_VLVisionConfig()
    now = merger_window_statement()
    then = history_row("4.52.1")
    expression = now.text.split("=", 1)[1].strip()
    return "\n".join(
        [
            f"`{expression}` = {config.window_size} // "
            f"{config.spatial_merge_size} // {config.patch_size} = **{merger_window_size(config)}** "
            f"merged tokens per window side (evaluated from the installed statement).",
            "",
            "| transformers | file | line of `vit_merger_window_size = ...` | how this row was obtained |",
            "|---|---|---|---|",
            f"| 4.52.1 / 4.52.4 (the analysis) | `{then['file']}` | {then['vit_merger_window_size']} "
            f"| read from the released wheel (`snippets/data/{HISTORY.name}`) |",
            f"| {now.version} (installed) | `{now.repo_path}` | {now.first} | found in the installed source now |",
        ]
    )


if __name__ == "__main__":
    print(merger_window_statement().markdown())
    print(report())
