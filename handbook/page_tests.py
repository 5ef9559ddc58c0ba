"""What tests/pages/ needs to test a page against its snippets: a fence's output as the build computes it, and a
snippet file's output when it runs alone, copied into an empty folder.

    fence_output("chapters/1-fixed-window-size.md", "ch1-units")    # the text the page shows
    run_alone("fixed_window_size/units", tmp_path)                  # what a reader who copies the file gets
"""

import contextlib
import functools
import io
import shutil
import subprocess
import sys
from pathlib import Path

from handbook.fences import fences
from handbook.paths import DATA, DOCS, ROOT
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


# What the snippets import from installed packages, imported once by the warm parent (the rest is quick after these).
PRELOAD = ["torch", "transformers", "numpy", "PIL.Image", "matplotlib.pyplot", "transformers:Qwen2VLImageProcessor"]


@functools.cache
def _server():
    """One warm parent per test process (handbook/snippet_server.py): it imported the pinned packages once and forks
    a child per run, with nothing of this repository on the path (tests/site/test_snippets.py checks that)."""
    import atexit

    from handbook.snippet_server import SnippetServer

    server = SnippetServer(PRELOAD, ROOT)
    atexit.register(server.close)
    return server


def run_alone(name: str, folder: Path, data=(), check: bool = True) -> subprocess.CompletedProcess:
    """Copy snippets/<name>.py alone into `folder` (with the named files of snippets/data/ under
    folder/snippets/data/, where the snippet looks for them) and run it there as `python <name>.py` would, with
    the repository off the import path: in a child forked from the warm parent, not a fresh interpreter."""
    folder.mkdir(parents=True, exist_ok=True)
    script = Path(shutil.copy(path_of(name), folder))
    for file in data:
        (folder / "snippets" / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / file, folder / "snippets" / "data" / file)
    reply = _server().run_file(script, folder)
    done = subprocess.CompletedProcess([sys.executable, script.name], reply["status"], reply["stdout"], reply["stderr"])
    if check and done.returncode:
        raise AssertionError(f"{name}.py failed when run alone in {folder}:\n{done.stderr}")
    return done


def snippets_of(folder: str, *names: str) -> tuple:
    """snippets/<folder>/<name>.py for each name, loaded as modules (handbook.snippets.load), in the order named:
    `rules, defaults = snippets_of("resize_rules", "rules", "defaults")`."""
    from handbook.snippets import load  # here, not at the top: the helpers above do not need it

    return tuple(load(f"{folder}/{name}") for name in names)


def included(page: str) -> list:
    """What the fences of docs/<page> include with --8<-- (`folder/name.py:section`), sorted."""
    return sorted(name for f in fences(DOCS / page) for name in f.includes)


def code_sections(folder: str, names) -> list:
    """The `code` sections of snippets/<folder>/<name>.py, named as a fence includes them, sorted."""
    return sorted(f"{folder}/{name}.py:code" for name in names)
