"""The build and the tests make no network connection: `make build` and `make test` run them through
tools/offline/run, and these tests show that the block is on and refuses a real outside connection.

The outside host and address tried belong to no one and never route (RFC 2606's `.invalid`, RFC 5737's
TEST-NET-1): a refusal is the guard's doing, checked by its log and its exception type, and no packet
can leave even if the guard were off.
"""

import errno
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import warnings

import pytest

from handbook.paths import ROOT

NO_NETNS = (
    "NO NETWORK NAMESPACE: the kernel refused one (or OFFLINE_NETNS=0), so only the Python socket guard "
    "blocks the network; Chromium, lychee and C libraries are not confined in this run"
)
OUTSIDE_HOST, OUTSIDE_IP = "handbook.example.invalid", "192.0.2.1"  # RFC 2606 / RFC 5737: reserved, unroutable


def guard():
    module = sys.modules.get("offline_guard")
    if module is None or not module.installed():
        pytest.fail(
            "this pytest run is not guarded: run it through `make test` "
            "(or tools/offline/run .venv/bin/python -m pytest)"
        )
    return module


@pytest.fixture
def refusal_log(tmp_path, monkeypatch):
    # Deliberate attempts are logged here, not in the run's log that `make test` requires to stay empty.
    log = tmp_path / "refused.log"
    monkeypatch.setenv("OFFLINE_GUARD_LOG", str(log))
    return log


def test_the_makefile_runs_build_and_tests_offline():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^OFFLINE := tools/offline/run$", makefile, re.MULTILINE)
    recipes = {
        name: body for name, body in re.findall(r"^(build|test):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    }
    assert "$(OFFLINE) $(BIN)/mkdocs build" in recipes["build"]
    assert "$(OFFLINE) $(BIN)/mkdocs build" in recipes["test"]
    assert "$(OFFLINE) $(BIN)/python -m pytest" in recipes["test"]
    assert "-s $(OFFLINE_GUARD_LOG)" in makefile and recipes["test"].count("$(NO_NETWORK_USED)") == 2, (
        "make test must fail on any logged refusal, after the build and after the tests"
    )


def test_a_name_lookup_of_an_outside_host_is_refused(refusal_log):
    blocked = guard().NetworkBlocked
    with pytest.raises(blocked):
        socket.create_connection((OUTSIDE_HOST, 443), timeout=5)
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen(f"https://{OUTSIDE_HOST}/simple/", timeout=5)
    assert isinstance(caught.value.reason, blocked)
    assert refusal_log.read_text().count(OUTSIDE_HOST) == 2, "refusals must be logged"


def test_a_connection_to_an_outside_address_is_refused(refusal_log):
    with socket.socket() as sock, pytest.raises(guard().NetworkBlocked):
        sock.settimeout(5)
        sock.connect((OUTSIDE_IP, 443))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(guard().NetworkBlocked):
        sock.sendto(b"\0" * 12, ("9.9.9.9", 53))  # a DNS query sent by hand
    assert len(refusal_log.read_text().splitlines()) == 2


def test_loopback_stays_open():
    guard()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        threading.Thread(target=lambda: server.accept()[0].sendall(b"ok"), daemon=True).start()
        with socket.create_connection(("localhost", port), timeout=5) as client:
            assert client.recv(2) == b"ok"


def test_python_subprocesses_are_refused_too(refusal_log):
    # mkdocs is such a subprocess of make: same environment, same start-up hook.
    guard()
    code = f"import socket; socket.create_connection(({OUTSIDE_HOST!r}, 443), timeout=5)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=60)
    assert run.returncode != 0 and "NetworkBlocked" in run.stderr, run.stderr
    assert OUTSIDE_HOST in refusal_log.read_text()


def test_a_child_that_resets_pythonpath_is_refused_too(refusal_log):
    # tests/site/test_snippets.py runs each snippet "alone" with PYTHONPATH="": the .venv .pth line guards it.
    guard()
    code = f"import socket; socket.create_connection(({OUTSIDE_HOST!r}, 443), timeout=5)"
    env = {**os.environ, "PYTHONPATH": ""}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode != 0 and "NetworkBlocked" in run.stderr, run.stderr


def test_the_network_namespace_has_only_loopback():
    guard()
    if os.environ.get("OFFLINE_NETNS") != "1":
        # Not a quiet skip: tests/conftest.py repeats this in the terminal summary, and it is a warning.
        warnings.warn(NO_NETNS, UserWarning, stacklevel=1)
        pytest.skip(NO_NETNS)
    assert [name for _, name in socket.if_nameindex()] == ["lo"]
    import _socket  # below the guard: what a C library or another program would get

    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    raw.settimeout(5)
    try:
        with pytest.raises(OSError) as caught:
            raw.connect((OUTSIDE_IP, 443))
        assert caught.value.errno == errno.ENETUNREACH, caught.value
    finally:
        raw.close()
