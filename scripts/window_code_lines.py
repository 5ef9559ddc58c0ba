"""Regenerate snippets/data/transformers_window_code_lines.tsv from the transformers wheels on PyPI.

For each release: download its wheel (pip download --no-deps, into a temporary directory), read the
source files straight from the zip, and find the line of the window-index function's `def`, of
`vit_merger_window_size = ...` and of `pad_h = ...` / `pad_w = ...` inside that function. Up to 5.8
the function is the method `get_window_index` of the Qwen2.5-VL vision model; from 5.9 it is
`get_vision_window_index` in `vision_utils.py`.

This is a maintenance script: it needs the network (PyPI), so neither the build nor CI runs it.

    python scripts/window_code_lines.py 4.52.4 5.9.0          # print the rows, TSV
    python scripts/window_code_lines.py --check 4.52.1 5.9.0  # compare with the rows in the data file
    python scripts/window_code_lines.py --update 5.25.0       # add or refresh rows in the data file
"""

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "snippets" / "data" / "transformers_window_code_lines.tsv"
COLUMNS = ["version", "file", "def_get_window_index", "vit_merger_window_size", "pad_h", "pad_w", "note"]
MODELING = "transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py"
VISION_UTILS = "transformers/vision_utils.py"


def download_wheel(version: str, into: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            f"transformers=={version}",
            "--dest",
            str(into),
        ],
        check=True,
    )
    return next(into.glob(f"transformers-{version}-*.whl"))


def function_lines(source: str, name: str) -> tuple:
    """(line of `def name`, {statement: line}) for the first function called `name`; line numbers 1-based."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"\s*def {name}\(", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    found = {}
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith(")"):
            break  # the function ended
        for key, pattern in [
            ("vit_merger_window_size", r"vit_merger_window_size\s*="),
            ("pad_h", r"pad_h\s*="),
            ("pad_w", r"pad_w\s*="),
        ]:
            if key not in found and re.search(pattern, line):
                found[key] = i + 1
    return start + 1, found


def row_for(version: str, wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        modeling = archive.read(MODELING).decode()
        utils = archive.read(VISION_UTILS).decode() if VISION_UTILS in names else ""
    if "def get_vision_window_index(" in utils:
        first, found = function_lines(utils, "get_vision_window_index")
        wrapper = re.search(r"^[ \t]*def get_window_index\(", modeling, re.MULTILINE)
        note = (
            f"get_vision_window_index; deprecated wrapper on the model at line "
            f"{modeling.count(chr(10), 0, wrapper.start()) + 1}"
            if wrapper
            else "get_vision_window_index; wrapper removed"
        )
        file = "src/" + VISION_UTILS
    else:
        first, found = function_lines(modeling, "get_window_index")
        note, file = "method on the vision model", "src/" + MODELING
    return {
        "version": version,
        "file": file,
        "def_get_window_index": str(first),
        **{key: str(found.get(key, "")) for key in ["vit_merger_window_size", "pad_h", "pad_w"]},
        "note": note,
    }


def recorded() -> dict:
    with DATA.open() as handle:
        return {row["version"]: row for row in csv.DictReader(handle, delimiter="\t")}


def check(rows: list) -> int:
    """Compare freshly read rows with the data file; a blank cell in the file means 'not recorded'."""
    known, problems = recorded(), 0
    for row in rows:
        old = known.get(row["version"])
        if old is None:
            print(f"{row['version']}: not in {DATA.name}")
            continue
        before = problems
        for column in COLUMNS[1:6]:
            if old[column] and old[column] != row[column]:
                problems += 1
                print(f"{row['version']} {column}: file says {old[column]}, wheel says {row[column]}")
            elif not old[column]:
                print(f"{row['version']} {column}: not recorded in the file, wheel says {row[column]}")
        print(f"{row['version']}: {'matches the file' if problems == before else 'MISMATCH'}")
    return problems


def update(rows: list):
    known = recorded()
    for row in rows:
        if row["version"] in known:  # keep the hand-written note, refresh the numbers
            row = {**row, "note": known[row["version"]]["note"]}
        known[row["version"]] = row
    ordered = sorted(known.values(), key=lambda r: tuple(int(p) for p in r["version"].split(".")))
    with DATA.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(ordered)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="*", help="releases to read (default: every row of the data file)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with the data file; exit 1 on a mismatch")
    mode.add_argument("--update", action="store_true", help="write the rows into the data file")
    args = parser.parse_args()
    versions = args.versions or list(recorded())
    with tempfile.TemporaryDirectory() as tmp:
        rows = [row_for(version, download_wheel(version, Path(tmp))) for version in versions]
    if args.check:
        sys.exit(1 if check(rows) else 0)
    if args.update:
        update(rows)
        return
    writer = csv.DictWriter(sys.stdout, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


if __name__ == "__main__":
    main()
