"""What tests/pages/ needs to test a page against its snippets: what a fence printed in the build of site/ (the
text the page shows), and a snippet file's output when it runs alone, copied into an empty folder.

    fence_output("chapters/1-fixed-window-size.md", "ch1-units")    # the text the page shows
    run_alone("fixed_window_size/units", tmp_path)                  # what a reader who copies the file gets

fence_output runs nothing: it reads the build's record (artifacts/fence-outputs/site.json, written by
handbook/ahead.py), after checking that the record is current (handbook/site_build.record_problem) and that the
code it holds for the fence is the fence's code as the sources give it now (handbook/fences.Fence.code).
"""

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.ahead import record_path
from handbook.fences import fences
from handbook.paths import DATA, DOCS, ROOT, SITE
from handbook.site_build import record_problem
from handbook.snippet_server import SHARED_SERVER
from handbook.snippets import load, path_of


def fence(page: str, fence_id: str):
    """The exec fence `fence_id` of docs/<page>."""
    (found,) = [f for f in fences(DOCS / page) if f.is_exec and f.attrs.get("id") == fence_id]
    return found


@functools.cache  # read once per test process; every page test reads its fences from it
def fence_record(site: Path = SITE) -> dict:
    """The build's record of every exec fence (page -> [{id, code, output or error}], in render order), after
    checking that it is current: a missing or stale record fails the test, as a stale site/ does."""
    problem = record_problem(site)
    if problem:
        pytest.fail(problem, pytrace=False)
    return json.loads(record_path(site).read_text(encoding="utf-8"))


def recorded(page: str, fence_id: str, site: Path = SITE) -> dict:
    """The record's entry for the fence `fence_id` of docs/<page>, checked against the sources as they are now:
    it ran exactly once in that build, and the code it ran is the fence's code now (includes expanded)."""
    name = record_path(site).relative_to(ROOT).as_posix()
    found = [e for e in fence_record(site).get(page, []) if e["id"] == fence_id]
    if len(found) != 1:
        pytest.fail(f"{name} holds {len(found)} runs of fence {fence_id} of docs/{page}, not 1", pytrace=False)
    if found[0]["code"] != fence(page, fence_id).code:
        pytest.fail(
            f"{name} is stale: the code it recorded for {fence_id} of docs/{page} is not that fence's code now. "
            "Rebuild: `make build` (`make test` builds it first).",
            pytrace=False,
        )
    return found[0]


def fence_output(page: str, fence_id: str) -> str:
    """What the fence printed when the build of site/ ran it (the page's text): includes expanded, fresh globals,
    __name__ from the block id, print captured; read from the build's record, not run again."""
    entry = recorded(page, fence_id)
    if "error" in entry:
        pytest.fail(f"fence {fence_id} of docs/{page} raised in the build:\n{entry['error']}", pytrace=False)
    return entry["output"]


# What the snippets import from installed packages, imported once by the warm parent (the rest is quick after these),
# together with every third-party module the included snippets name (handbook/included.py).
PRELOAD = ["torch", "transformers", "numpy", "PIL.Image", "matplotlib.pyplot", "transformers:Qwen2VLImageProcessor"]


_warm = []  # this test process' client of the warm parent, once made


def snippet_modules() -> list:
    from handbook.included import third_party_modules

    return sorted(set(PRELOAD) | set(third_party_modules()))


def start_shared_snippet_server(modules=None):
    """Start the warm parent for a whole pytest-xdist session, without waiting for its imports (the pytest
    controller calls this before it starts its workers, which find it through SHARED_SERVER): one parent's
    imports instead of one per worker. Returns its process; ending that process ends the parent."""
    from handbook.snippet_server import SnippetServer

    process = SnippetServer.start(snippet_modules() if modules is None else modules, ROOT)
    os.environ[SHARED_SERVER] = f"{process.pid} {process.address}"
    return process


def snippet_server():
    """This test process' client of the warm parent (handbook/snippet_server.py), which forks a child per run
    with nothing of this repository on the path (tests/site/test_snippets.py checks that): the one the pytest
    controller started (SHARED_SERVER), or else one started here on first use, with snippet_modules() imported
    once. Shared by run_alone and the copy test: a child imports itself whatever its parent did not."""
    if not _warm:
        import atexit

        from handbook.snippet_server import SnippetServer

        shared = os.environ.get(SHARED_SERVER)
        if shared:
            pid, address = shared.split(" ", 1)
            _warm.append(SnippetServer.connect(address, int(pid)))
        else:
            _warm.append(SnippetServer(snippet_modules(), ROOT))
            atexit.register(_warm[0].close)
    return _warm[0]


def run_alone(name: str, folder: Path, data=(), check: bool = True) -> subprocess.CompletedProcess:
    """Copy snippets/<name>.py alone into `folder` (with the named files of snippets/data/ under
    folder/snippets/data/, where the snippet looks for them) and run it there as `python <name>.py` would, with
    the repository off the import path: in a child forked from the warm parent, not a fresh interpreter."""
    folder.mkdir(parents=True, exist_ok=True)
    script = Path(shutil.copy(path_of(name), folder))
    for file in data:
        (folder / "snippets" / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / file, folder / "snippets" / "data" / file)
    reply = snippet_server().run_file(script, folder)
    done = subprocess.CompletedProcess([sys.executable, script.name], reply["status"], reply["stdout"], reply["stderr"])
    if check and done.returncode:
        raise AssertionError(f"{name}.py failed when run alone in {folder}:\n{done.stderr}")
    return done


def snippets_of(folder: str, *names: str) -> tuple:
    """snippets/<folder>/<name>.py for each name, loaded as modules (handbook.snippets.load), in the order named:
    `rules, defaults = snippets_of("resize_rules", "rules", "defaults")`."""
    return tuple(load(f"{folder}/{name}") for name in names)


def included(page: str) -> list:
    """What the fences of docs/<page> include with --8<-- (`folder/name.py:section`), sorted."""
    return sorted(name for f in fences(DOCS / page) for name in f.includes)


def code_sections(folder: str, names) -> list:
    """The `code` sections of snippets/<folder>/<name>.py, named as a fence includes them, sorted."""
    return sorted(f"{folder}/{name}.py:code" for name in names)
