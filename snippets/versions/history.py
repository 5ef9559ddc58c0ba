# --8<-- [start:code]
"""Where the window-index code lives in each transformers release, with the installed release read live.

Needs: snippets/data/transformers_window_code_lines.tsv under the current directory (past releases, read
from the wheels on PyPI by the handbook's scripts/window_code_lines.py; in the handbook's repository run it
from the repository root). The installed release's row is found in the installed source now.
Prints a Markdown table and a verdict. Run: python history.py
"""

import csv
import inspect
import re
from pathlib import Path

import transformers
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
from transformers.vision_utils import get_vision_window_index

HISTORY = Path("snippets/data/transformers_window_code_lines.tsv")
COLUMNS = ["def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w"]


def recorded_rows() -> list:
    if not HISTORY.is_file():
        raise SystemExit(
            f"{HISTORY} is missing: run this from the handbook repository's root, or copy that file to the same "
            "relative path under the current directory"
        )
    with HISTORY.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def where(obj, pattern: str = "") -> tuple:
    """(path in the transformers repository, 1-based line) of obj's first line, or of its one line matching pattern."""
    obj = inspect.unwrap(obj)
    lines, first = inspect.getsourcelines(obj)
    installed = Path(transformers.__file__).resolve().parent
    path = "src/transformers/" + Path(inspect.getsourcefile(obj)).resolve().relative_to(installed).as_posix()
    if not pattern:
        return path, max(first, 1)
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    if len(hits) != 1:
        raise LookupError(f"{pattern!r} matches {len(hits)} lines of {path}; expected exactly one")
    return path, first + hits[0]


def installed_row() -> dict:
    """The installed release's row, found in its source: the function, its statements, and the model's call."""
    file, first = where(get_vision_window_index)
    call_file, call_line = where(Qwen2_5_VisionTransformerPretrainedModel.forward, r"get_vision_window_index\(")
    row = {
        "version": transformers.__version__,
        "file": file,
        "def_get_window_index": str(first),
        "note": f"called from `{call_file.rsplit('/', 1)[-1]}` line {call_line}",
    }
    for column, pattern in [
        ("vit_merger_window_size", r"vit_merger_window_size\s*="),
        ("pad_h", r"pad_h\s*="),
        ("pad_w", r"pad_w\s*="),
    ]:
        row[column] = str(where(get_vision_window_index, pattern)[1])
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


# --8<-- [end:code]


if __name__ == "__main__":
    print(history_table())
    print()
    print(agreement())
