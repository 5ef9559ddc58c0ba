"""What tests/conftest.py sets up for a test session besides fixtures: the cyclic collector leaves alone what
collection imported (torch, transformers, ...), which lives as long as the process; torch runs on one thread, in
this process and in the processes it starts."""

import gc
import os
import subprocess
import sys

import pytest
import torch  # imported at collection, as the page tests import it


def test_what_collection_imported_is_frozen():
    # torch alone holds a few hundred thousand objects the collector tracks.
    assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()


def test_torch_runs_on_one_thread_here_and_in_a_child():
    assert os.environ.get("OMP_NUM_THREADS") == "1"
    assert torch.get_num_threads() == 1
    # A process a test starts inherits the setting (torch reads it when imported there).
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('OMP_NUM_THREADS'))"], capture_output=True, text=True
    )
    assert child.stdout.strip() == "1", child.stderr


# --------------------------------------------------------------------- make test: pytest waits for the builds

WAITER = """
import os, subprocess, sys
# The grandchild waits; this process, its starter, ends at once.
code = ("import sys; from handbook.site_build import wait_for_builds; "
        "open(sys.argv[2], 'w').write(str(wait_for_builds(sys.argv[1], poll=0.02, starter=int(sys.argv[3]))))")
subprocess.Popen([sys.executable, "-c", code, *sys.argv[1:], str(os.getpid())])
"""


def test_wait_for_builds_returns_once_the_file_says_ok(tmp_path):
    import threading
    import time

    from handbook.site_build import wait_for_builds

    done = tmp_path / "builds-done"
    started = time.monotonic()
    threading.Timer(0.3, lambda: done.write_text("ok\n")).start()
    assert wait_for_builds(str(done), poll=0.02) is None
    assert time.monotonic() - started >= 0.3  # it returned only once the file was written
    done.write_text("failed\n")
    assert "the builds failed" in wait_for_builds(str(done))


def test_wait_for_builds_gives_up_when_the_process_that_started_it_ends(tmp_path):
    import time

    result = tmp_path / "result"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", WAITER, str(tmp_path / "never-written"), str(result)], env=env, check=True)
    deadline = time.monotonic() + 60
    while not result.exists() or not result.read_text():
        assert time.monotonic() < deadline, "the waiter never gave up"
        time.sleep(0.05)
    assert "the process that started pytest ended first" in result.read_text()


@pytest.mark.parametrize("said", ["ok", "failed"])
def test_pytest_runs_no_test_until_the_builds_said_ok(tmp_path, said):
    """What make test relies on: pytest started with BUILDS_DONE goes on once that file says "ok", and stops with a
    message, before it collects anything, when the file says anything else."""
    from handbook.paths import ROOT
    from handbook.site_build import BUILDS_DONE

    done = tmp_path / "builds-done"
    done.write_text(said + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HANDBOOK_"))}
    env[BUILDS_DONE] = str(done)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", "tests/site/test_ruff.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    if said == "ok":
        assert run.returncode == 0 and "test_ruff.py::" in run.stdout, run.stdout + run.stderr
    else:
        assert run.returncode == pytest.ExitCode.INTERRUPTED, run.stdout + run.stderr
        assert "the builds failed" in run.stdout + run.stderr and "test_ruff.py::" not in run.stdout
