"""Where the window-index code lives in each transformers release, with the installed release read live.

Past releases come from snippets/data/transformers_window_code_lines.tsv, read from the wheels on PyPI
(scripts/window_code_lines.py regenerates it); the installed release's row is found in the installed
source now, through source_excerpt.py.

Run from the repository root: python snippets/window_code_history.py
"""

import csv

import transformers
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_window_index
from window_size_calculation import HISTORY

from handbook.excerpts import source_of, statement

COLUMNS = ["def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w"]


def recorded_rows() -> list:
    with HISTORY.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def installed_row() -> dict:
    """The installed release's row, found in its source: the function, its statements, and the model's call."""
    function = source_of(get_vision_window_index)
    call = statement(Qwen2_5_VisionTransformerPretrainedModel.forward, r"get_vision_window_index\(")
    row = {
        "version": transformers.__version__,
        "file": function.repo_path,
        "def_get_window_index": str(function.first),
        "note": f"called from `{call.repo_path.rsplit('/', 1)[-1]}` line {call.first}",
    }
    for column, pattern in [
        ("vit_merger_window_size", r"vit_merger_window_size\s*="),
        ("pad_h", r"pad_h\s*="),
        ("pad_w", r"pad_w\s*="),
    ]:
        row[column] = str(statement(get_vision_window_index, pattern).first)
    return row


def _short(file: str) -> str:
    return file.removeprefix("src/transformers/")


def history_table() -> str:
    rows = [
        "Files are under `src/transformers/`.",
        "",
        "| transformers | file | `def` | `vit_merger_window_size` | `pad_h` | `pad_w` | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in recorded_rows():
        cells = [row[c] or "—" for c in COLUMNS]
        rows.append(f"| {row['version']} | `{_short(row['file'])}` | " + " | ".join(cells) + f" | {row['note']} |")
    now = installed_row()
    rows.append(
        f"| **{now['version']} (installed, read now)** | `{_short(now['file'])}` | "
        + " | ".join(f"**{now[c]}**" for c in COLUMNS)
        + f" | {now['note']} |"
    )
    return "\n".join(rows)


def agreement() -> str:
    """Does the last recorded release's row match what the installed source says?"""
    last, now = recorded_rows()[-1], installed_row()
    same = [c for c in ["file", "def_get_window_index", "vit_merger_window_size"] if last[c] == now[c]]
    verdict = "agree" if len(same) == 3 else "**disagree**"
    return (
        f'The last recorded release, {last["version"]} ("{last["note"]}"), and the installed '
        f"{now['version']} {verdict} on the file, the `def` line and the `vit_merger_window_size` line."
    )


if __name__ == "__main__":
    print(history_table())
    print()
    print(agreement())
