"""The build executes the notebook in a kernel forked from its own warm state (handbook/ahead.py,
handbook/notebook_kernel.py), not in a fresh one.

A fresh kernel imports torch and transformers a second time (about 7 s of CPU on the reference machine); the
build forks the kernel after its own imports instead, and records how the notebook was executed next to its
record of the fences: artifacts/fence-outputs/site.notebook.json (Ahead.notebook_record). These tests read that
record of the build of site/; they build nothing. When the kernel cannot be forked (the helper's kernel spec or
environment is not this process', MPLBACKEND unset, ...) the helper launches a fresh kernel, which still gives the
same site: the record says "launched" then, and the first test fails, saying why the build did not fork
(`mkdocs build -v` logs it).
"""

import os
import sys
import threading

import pytest

from handbook.ahead import Ahead, notebook_record_path
from handbook.paths import ROOT, SITE
from handbook.site_build import record_problem, source_files

RECORD = notebook_record_path(SITE)


@pytest.fixture(scope="module")
def record() -> dict:
    """How the build of site/ executed the notebook, after checking that the record is from a current build."""
    import json

    problem = record_problem()  # the fence record, written at the same post_build: current
    if problem:
        pytest.fail(problem, pytrace=False)
    name = RECORD.relative_to(ROOT).as_posix()
    if not RECORD.is_file():
        pytest.fail(f"{name} is missing: the build of site/ did not execute the notebook ahead", pytrace=False)
    if RECORD.stat().st_mtime < max(f.stat().st_mtime for f in source_files()):
        pytest.fail(f"{name} is older than a source file: rebuild (make build)", pytrace=False)
    return json.loads(RECORD.read_text(encoding="utf-8"))


def test_the_notebook_ran_in_a_kernel_forked_from_the_build(record):
    assert record["notebook"] == "notebooks/reproduce.ipynb"
    assert record["executed_by"] == "forked", (
        f"the notebook was executed by {record['executed_by']!r}, not by a kernel forked from the build: "
        "`mkdocs build -v` says why"
    )
    kernel = record["kernel"]
    # nbclient, in the helper, executed it with the kernel the build forked (jupyter_client's provisioner got its
    # pid from the build), and shut it down: the build reaped it with exit status 0, not after a kill
    assert record["helper"] == {"kernel": "forked", "kernel_pid": kernel["pid"]}
    assert kernel["exit"] == 0


def test_the_kernel_started_warm_from_a_single_threaded_build(record):
    kernel = record["kernel"]
    assert kernel is not None, f"no kernel was forked: the notebook was executed by {record['executed_by']!r}"
    # what the notebook imports was imported already when the kernel was forked
    assert {"numpy", "torch", "transformers", "PIL"} <= set(kernel["preloaded"])
    # the build had one thread just after the fork (what Python 3.12 counts before it warns about forking)
    assert kernel["threads_after_fork"] == 1
    assert kernel["cpu_s"] > 0


def fork_request(ahead: Ahead, **changes) -> dict:
    """The request the helper sends for the kernel it would launch, as jupyter_client prepares it here."""
    env = {**ahead.import_env, "JPY_PARENT_PID": "4242"}
    request = {"cmd": [sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"], "env": env, "cwd": str(ROOT)}
    return {**request, "path": sys.path[1:], **changes}


@pytest.fixture
def ahead(monkeypatch) -> Ahead:
    """The build's side, after launch_notebook, in a build process (one thread: pytest-xdist's worker runs more)."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    ahead = Ahead()
    ahead.import_env = {**os.environ, "MPLBACKEND": "Agg"}
    ahead.notebook_helper = (type("Helper", (), {"pid": 4242})(), None)
    return ahead


def test_a_kernel_is_forked_only_where_it_is_the_one_the_helper_would_launch(ahead):
    assert ahead._refusal(fork_request(ahead)) is None
    other = fork_request(ahead, cmd=["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert "not ipykernel in this interpreter" in ahead._refusal(other)
    env = {**fork_request(ahead)["env"], "MKL_NUM_THREADS": "3"}  # a kernel spec's env, say
    assert "MKL_NUM_THREADS" in ahead._refusal(fork_request(ahead, env=env))
    assert "launches the kernel itself" in ahead._refusal({})


def test_the_helper_sees_the_forked_kernel_end_when_the_build_reaps_it():
    """ForkedKernel, jupyter_client's stand-in for the Popen of a kernel it did not start: alive until the build
    writes "exit <code>", and ended (not alive for ever) when the build goes away without writing it."""
    from handbook.notebook_kernel import ForkedKernel

    read, write = os.pipe()
    kernel = ForkedKernel(4242, read)
    assert kernel.poll() is None
    os.write(write, b"exit -15\n")
    assert kernel.wait(5) == -15
    os.close(write)
    read, write = os.pipe()
    kernel = ForkedKernel(4242, read)
    os.close(write)
    assert kernel.wait(5) == 1
