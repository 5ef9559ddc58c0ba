"""The warm parent that runs snippet files (handbook/snippet_server.py): under pytest-xdist the workers share the
one the controller started (tests/conftest.py), it runs the requests of two clients side by side, and it ends
when the process that started it ends. (That it holds nothing of this repository is checked in
test_snippets.py, on the parent the copy test uses.)"""

import os
import subprocess
import sys
import threading

import pytest

from handbook import page_tests
from handbook.page_tests import SHARED_SERVER, snippet_server, start_shared_snippet_server
from handbook.paths import ROOT
from handbook.snippet_server import SnippetServer, stop

# Each run writes its own flag file, then waits for the other's: they both finish only if they run at once.
RENDEZVOUS = """
import pathlib, sys, time
mine, theirs = pathlib.Path(sys.argv[0]).parent / "{mine}", pathlib.Path(sys.argv[0]).parent / "{theirs}"
mine.write_text("here")
deadline = time.monotonic() + 60
while not theirs.exists():
    if time.monotonic() > deadline:
        sys.exit("the other run never started: runs are not side by side")
    time.sleep(0.01)
print("met")
"""


@pytest.fixture
def shared(monkeypatch):
    """A warm parent started as the controller starts it (no modules: quick), and this process' client reset."""
    monkeypatch.setattr(page_tests, "_warm", [])
    monkeypatch.delenv(SHARED_SERVER, raising=False)
    process = start_shared_snippet_server(modules=[])
    yield process
    stop(process)


def test_a_worker_connects_to_the_parent_the_controller_started(shared):
    assert os.environ[SHARED_SERVER] == f"{shared.pid} {shared.address}"
    client = snippet_server()
    assert client.hello["pid"] == shared.pid
    assert client.proc is None  # a client only: it started nothing
    assert client.hello["local_modules"] == [] and client.hello["local_path"] == []


def test_two_clients_run_side_by_side(shared, tmp_path):
    clients = [SnippetServer.connect(shared.address, shared.pid) for _ in range(2)]
    replies = [None, None]

    def run(i):
        folder = tmp_path / str(i)
        folder.mkdir()
        script = folder / "meet.py"
        script.write_text(RENDEZVOUS.format(mine=f"../{i}.flag", theirs=f"../{1 - i}.flag"))
        replies[i] = clients[i].run_file(script, folder)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for reply in replies:
        assert reply["status"] == 0 and reply["stdout"] == "met\n", reply


def test_a_run_gets_its_own_exit_status_and_output(shared, tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)\nsys.exit(3)\n")
    reply = SnippetServer.connect(shared.address, shared.pid).run_file(script, tmp_path)
    assert (reply["status"], reply["stdout"], reply["stderr"]) == (3, "to stdout\n", "to stderr\n")


def test_the_parent_ends_with_the_process_that_started_it():
    """The controller's end closes the parent's stdin, even when it dies without cleaning up."""
    starter = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from handbook.snippet_server import SnippetServer\n"
            f"p = SnippetServer.start([], {str(ROOT)!r}); p.stdout.readline(); print(p.pid, p.address)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    pid, address = starter.stdout.split()
    import time

    from handbook.snippet_server import _alive

    deadline = time.monotonic() + 30
    while _alive(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(int(pid)), "the warm parent outlived the process that started it"
    assert not os.path.exists(os.path.dirname(address)), "its folder (socket, log) stayed behind"


def test_a_client_says_when_the_parent_died_before_listening(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stderr.write('broken import'); sys.exit(1)"])
    process.wait()
    with pytest.raises(RuntimeError, match="ended before it listened"):
        SnippetServer.connect(str(tmp_path / "socket"), process.pid, timeout=30)


def test_under_xdist_this_worker_uses_the_controllers_parent():
    """In `make test` (pytest -n 2): the controller exported its warm parent before starting this worker."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("not a pytest-xdist worker")
    pid, _ = os.environ[SHARED_SERVER].split(" ", 1)
    assert snippet_server().hello["pid"] == int(pid)


# ----------------------------------------------------------------------------- pytest-xdist workers, forked

# What execnet's bootstrap would be: a `-c` line. This one shows where it runs and ends with its own status.
WORKER_CODE = (
    "import os, sys; grandparent = open(f'/proc/{os.getppid()}/stat').read().rpartition(')')[2].split()[1]; "
    "print('colorsys' in sys.modules, repr(sys.path[0]), os.environ.get('HANDBOOK_MARK'), os.getcwd(), grandparent, "
    "sep='|'); sys.stdout.flush(); sys.exit(5)"
)


@pytest.mark.parametrize("warm", [True, False])
def test_the_worker_launcher_forks_from_the_warm_parent_or_else_starts_python(monkeypatch, tmp_path, warm):
    """The launcher pytest-xdist runs as the workers' Python (`python -u -c CODE`): with a warm parent to ask, CODE
    runs in a child forked from it (the parent imported colorsys; a fresh interpreter has not), with the launcher's
    environment, folder, `python -c` path and exit status; without one, in a fresh interpreter, the same way."""
    from handbook.snippet_server import worker_python

    monkeypatch.delenv(SHARED_SERVER, raising=False)
    env = {**os.environ, "HANDBOOK_MARK": "from the launcher"}
    if warm:
        process = SnippetServer.start(["colorsys"], ROOT)
        env[SHARED_SERVER] = f"{process.pid} {process.address}"
    try:
        done = subprocess.run(
            [*worker_python(), "-u", "-c", WORKER_CODE],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        if warm:
            stop(process)
    imported, path0, mark, cwd, grandparent = done.stdout.strip().split("|")
    assert done.returncode == 5, done.stderr
    assert (imported, path0, mark, cwd) == (str(warm), "''", "from the launcher", str(tmp_path))
    if warm:  # forked by a handler of the parent, a child of its own
        assert int(grandparent) == process.pid


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rpartition(")")[2].split()[1])


def test_under_xdist_this_worker_was_forked_from_the_controllers_parent():
    """In `make test` (pytest -n 2): this worker is a child of a handler of the warm parent (the launcher execnet
    started waits for it), yet it has the environment and path a fresh worker would have."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("not a pytest-xdist worker")
    pid, _ = os.environ[SHARED_SERVER].split(" ", 1)
    assert parent_of(os.getppid()) == int(pid)
    # The warm parent runs without PYTHONPATH; a worker has the controller's, and its entries on sys.path.
    assert os.environ.get("PYTHONPATH")
    assert set(os.environ["PYTHONPATH"].split(os.pathsep)) <= set(sys.path), sys.path
