# --8<-- [start:code]
"""The `vit_merger_window_size` statement: where it lives in the installed transformers, and what it computes.

The statement is found in the installed source of `get_vision_window_index` and its right-hand side is
evaluated with the config's values; its line in the analysis' release comes from a table of line numbers
read from the released wheels. Run: python statement.py
Needs: snippets/data/transformers_window_code_lines.tsv (that table) under the current folder: run it from
the handbook repository's root, or copy that file there.
"""

import csv
import inspect
import re
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import transformers
from transformers import Qwen2_5_VLVisionConfig
from transformers.vision_utils import get_vision_window_index

HISTORY = Path("snippets/data/transformers_window_code_lines.tsv")
STATEMENT = r"vit_merger_window_size\s*="


class Statement(NamedTuple):
    repo_path: str  # path inside the transformers repository, e.g. src/transformers/vision_utils.py
    first: int  # its line number in the installed file
    text: str  # the line, as installed
    version: str  # installed transformers version


def merger_window_statement() -> Statement:
    """The one installed line of get_vision_window_index that computes the window side."""
    lines, first = inspect.getsourcelines(get_vision_window_index)
    hits = [i for i, line in enumerate(lines) if re.search(STATEMENT, line)]
    if len(hits) != 1:
        raise LookupError(f"{STATEMENT!r} matches {len(hits)} lines of get_vision_window_index; expected one")
    package = Path(transformers.__file__).resolve().parent
    path = Path(inspect.getsourcefile(get_vision_window_index)).resolve().relative_to(package)
    return Statement(
        f"src/transformers/{path.as_posix()}", first + hits[0], lines[hits[0]].rstrip("\n"), transformers.__version__
    )


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
    if not HISTORY.is_file():
        raise SystemExit(
            f"{HISTORY} is missing: run this from the root of the handbook repository, "
            "or copy that file from the repository into the same path under the current folder."
        )
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


# --8<-- [end:code]


if __name__ == "__main__":
    print(report())
