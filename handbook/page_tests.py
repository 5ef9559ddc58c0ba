"""What tests/pages/ needs to test a page against its snippets: a fence's output as the build computes it, and a
snippet file's output when it runs alone, copied into an empty folder.

    fence_output("chapters/1-fixed-window-size.md", "ch1-units")    # the text the page shows
    run_alone("fixed_window_size/units", tmp_path)                  # what a reader who copies the file gets
"""

import contextlib
import functools
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from handbook.fences import fences
from handbook.paths import DATA, DOCS, ROOT, SNIPPETS
from handbook.snippets import path_of


def fence(page: str, fence_id: str):
    """The exec fence `fence_id` of docs/<page>."""
    (found,) = [f for f in fences(DOCS / page) if f.is_exec and f.attrs.get("id") == fence_id]
    return found


@functools.cache  # a page's fence runs once per test session; several tests read its output
def fence_output(page: str, fence_id: str) -> str:
    """What the fence prints when the build runs it: includes expanded, fresh globals, __name__ not __main__."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(fence(page, fence_id).code, fence_id, "exec"), {"__name__": "_code_block"})
    return buffer.getvalue()


def run_alone(name: str, folder: Path, data=(), check: bool = True) -> subprocess.CompletedProcess:
    """Copy snippets/<name>.py alone into `folder` (with the named files of snippets/data/ under
    folder/snippets/data/, where the snippet looks for them) and run it there with the repository off the
    import path (the offline guard's start-up hook, if any, stays on it)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = Path(shutil.copy(path_of(name), folder))
    for file in data:
        (folder / "snippets" / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / file, folder / "snippets" / "data" / file)
    kept = [
        p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() not in (ROOT, SNIPPETS)
    ]
    env = {**os.environ, "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join(kept)}
    done = subprocess.run([sys.executable, script.name], cwd=folder, capture_output=True, text=True, env=env)
    if check and done.returncode:
        raise AssertionError(f"{name}.py failed when run alone in {folder}:\n{done.stderr}")
    return done
