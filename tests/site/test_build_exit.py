"""handbook/ahead.py's end of `mkdocs build`: once mkdocs has logged its success, the exit handlers run and the process
ends at once, with status 0; anything else (a failed build, `mkdocs serve`) ends as it always did."""

import inspect
import os
import subprocess
import sys

from handbook.paths import ROOT

SHUTDOWN = """
import atexit, logging
from handbook import ahead
logging.getLogger("mkdocs").setLevel(logging.INFO)
atexit.register(lambda: print("exit handler ran", flush=True))
ahead.watch_build({command!r})
{log}
ahead.exit_if_built()
print("after on_shutdown", flush=True)
"""
SUCCESS = 'logging.getLogger("mkdocs.commands.build").info("Documentation built in 1.23 seconds")'


def shutdown(command: str, log: str = SUCCESS) -> subprocess.CompletedProcess:
    code = SHUTDOWN.format(command=command, log=log)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_a_build_that_succeeded_runs_its_exit_handlers_and_ends_with_status_0():
    done = shutdown("build")
    assert done.returncode == 0, done.stderr
    assert "exit handler ran" in done.stdout
    assert "after on_shutdown" not in done.stdout


def test_a_build_that_did_not_log_its_success_ends_as_usual():
    for log in ["pass", 'logging.getLogger("mkdocs.commands.build").error("Aborted with 1 warnings in strict mode!")']:
        done = shutdown("build", log)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["after on_shutdown", "exit handler ran"]


def test_serve_ends_as_usual():
    """mkdocs serve removes its temporary site folder after on_shutdown."""
    done = shutdown("serve")
    assert done.stdout.splitlines() == ["after on_shutdown", "exit handler ran"]


def test_the_line_it_waits_for_is_the_one_mkdocs_logs_after_a_build_succeeded():
    from mkdocs.commands import build

    from handbook.ahead import BUILT

    source = inspect.getsource(build.build)
    assert f"log.info(f'{BUILT} " in source
    # after post_build and the strict-mode check that raises Abort
    assert source.index("on_post_build(") < source.index("in strict mode!')") < source.index(BUILT)
