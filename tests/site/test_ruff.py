"""`make test` runs ruff (lint, and the formatter's check) over the repository: its excludes leave out only what is
not the repository's own code (the built site, artifacts/, the venv), never a folder of it."""

import os
import subprocess
import sys
from pathlib import Path

from handbook.paths import ROOT

RUFF = Path(sys.executable).with_name("ruff")
NOT_OURS = {"site", "artifacts", ".venv"}  # top-level folders: pyproject.toml's extend-exclude


def own_python_files() -> set:
    found = set()
    for folder, dirs, files in os.walk(ROOT):
        top = Path(folder) == ROOT
        dirs[:] = [d for d in dirs if not d.startswith((".", "__")) and not (top and d in NOT_OURS)]
        found |= {(Path(folder) / f).relative_to(ROOT).as_posix() for f in files if f.endswith((".py", ".ipynb"))}
    return found


def test_ruff_reads_every_python_file_of_the_repository():
    shown = subprocess.run(
        [str(RUFF), "check", "--show-files", "."], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    read = {Path(line).relative_to(ROOT).as_posix() for line in shown if line.startswith(str(ROOT))}
    own = own_python_files()
    assert {"tests/site/test_ruff.py", "handbook/ahead.py", "snippets/cost/vit_flops.py"} <= own
    assert not own - read, f"ruff skips files of the repository: {sorted(own - read)}"
