"""Run snippet files as a reader would, fast: one warm process that has imported the pinned packages forks
a child per run (tests/site/test_snippets.py, the copy test).

Run as a script (`python -P handbook/snippet_server.py ROOT SOCKET torch transformers ...`, PYTHONPATH unset,
cwd an empty folder), this file is the warm parent. It imports the third-party modules named on its command
line, ONCE, and nothing of this repository (it checks: no module from the repository in sys.modules, none of
its folders on sys.path; the offline guard of tools/offline, the sandbox every `make test` process runs in, is
the one exception). It runs no torch operation itself. Then it listens on the Unix socket SOCKET. Every
connection carries one request (a JSON line) and gets one reply: a handler forked for the connection forks the
child that runs the file, so the runs of two pytest workers go side by side, each from the same clean state.
The child changes to the requested folder, runs a file there as `python file.py` would (runpy.run_path,
run_name "__main__", the file's folder first on sys.path), and the handler replies with its exit status, stdout
and stderr. A fork costs milliseconds where a fresh interpreter pays 5-10 s of torch and transformers imports.
The parent ends when its stdin closes: when the process that started it ends. (What a page's fence prints is
not run here: the build records it, handbook/ahead.py.)

Imported (`from handbook.snippet_server import SnippetServer`), it is the client the tests use: one pytest
process starts the parent and others connect to it (handbook/page_tests.snippet_server).

The same parent forks the pytest-xdist workers of that session (tests/conftest.py: pytest_xdist_setupnodes).
execnet starts each worker as `python -u -c CODE`; run as `python -P snippet_server.py --xdist-worker -u -c CODE`,
this file is that Python: it sends the parent its stdin, stdout and stderr (SCM_RIGHTS), environment, folder and
path, and the parent forks a child that takes them and runs CODE as `python -c` would (`_become_worker`); the
launcher ends with the worker's exit status. Without a parent to ask it execs `python -u -c CODE` itself.
"""

import json
import os
import sys

# ------------------------------------------------------------------------------------- the warm parent


def _exit_status(run) -> int:
    """Call run(); its exit status as the interpreter reports one: 0, SystemExit's code (a message printed to stderr
    counts 1), or 1 with the traceback printed for any other exception."""
    import traceback

    try:
        run()
        return 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1


def _child_run(request: dict, out_fd: int, err_fd: int) -> int:
    import io
    import runpy

    os.chdir(request["cwd"])
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
    sys.path[:] = request["sys_path"] + [p for p in sys.path if p not in request["sys_path"]]
    sys.argv = [request["path"]]
    status = _exit_status(lambda: runpy.run_path(request["path"], run_name="__main__"))
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def _fork_child(run) -> int:
    """Fork; the child runs `run()`, whose result is its exit status (1 if it raises), and exits. The child's pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            status = run()
        finally:
            os._exit(status)
    return pid


def _reply(request: dict) -> dict:
    """Run one request in a child forked from this process; its exit status and what it printed."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = _fork_child(lambda: _child_run(request, out.fileno(), err.fileno()))
        _, wait_status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return {
            "status": os.waitstatus_to_exitcode(wait_status),
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


# ------------------------------------------------------------------------------- pytest-xdist workers, forked

WORKER = b"W"  # the first byte of a request to become a pytest-xdist worker (sent with stdin, stdout and stderr)
SHARED_SERVER = "HANDBOOK_SNIPPET_SERVER"  # "<pid> <socket address>" of the parent the pytest controller started


def _become_worker(request: dict, fds: list, inherited: list) -> int:
    """In a child forked from the warm parent: become what `python -u -c CODE` would be, started by execnet with the
    launcher's stdin, stdout and stderr (`fds`), environment, folder and sys.path, and run CODE (execnet's bootstrap
    line) in a fresh __main__. Its imports (torch, transformers, ...) are already done. Ends as the interpreter
    would: exit handlers run, then the streams are flushed."""
    import atexit
    import builtins
    import io
    import types

    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        os.close(fd)
    # What the worker inherited and must not hold (the connection, the parent's pipe to its starter): /dev/null in
    # their place, not closed, since objects on the stack still own those numbers.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in inherited:
        os.dup2(null, fd)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[:] = request["sys_path"]
    sys.argv = request["argv"]
    encoding = sys.__stdout__.encoding
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding)
    # -u: stdout and stderr unbuffered
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding, write_through=True)
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding, "backslashreplace", write_through=True
    )
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    status = _exit_status(lambda: exec(compile(request["code"], "<string>", "exec"), main.__dict__))  # noqa: S102
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return status


def _worker_reply(request: dict, fds: list, inherited: list) -> dict:
    """Fork the worker (`_become_worker`), wait for it, and reply with its exit status."""
    pid = _fork_child(lambda: _become_worker(request, fds, inherited))
    for fd in fds:
        os.close(fd)
    _, wait_status = os.waitpid(pid, 0)
    return {"status": os.waitstatus_to_exitcode(wait_status), "pid": pid}


def worker_python() -> list:
    """The command to give pytest-xdist as the workers' Python (execnet appends `-u -c CODE` to it): this file as a
    launcher (`_launch_worker`). -P: nothing of the repository on the launcher's path."""
    return [sys.executable, "-P", os.path.abspath(__file__), "--xdist-worker"]


def _launch_worker(args: list) -> None:
    """execnet started this process as `python -u -c CODE` (`args`: the options after the launcher's own). Ask the
    warm parent named in SHARED_SERVER to fork a worker that runs CODE with this process' stdin, stdout, stderr,
    environment, folder and path, and end with its exit status. Without a parent to ask (none named, or it ended
    before it listened), become that interpreter: exec `python -u -c CODE`."""
    shared = os.environ.get(SHARED_SERVER)
    client = None
    if shared and len(args) >= 2 and args[-2] == "-c":
        pid, address = shared.split(" ", 1)
        try:
            client = SnippetServer.connect(address, int(pid))
        except (OSError, RuntimeError) as failed:
            print(f"snippet_server: no warm parent for this worker ({failed}); a fresh interpreter", file=sys.stderr)
    if client is None:
        os.execv(sys.executable, [sys.executable, *args])
    # sys.path as `python -c` gives it: "" first, then what this launcher's start-up found (-P left out the rest).
    request = {
        "code": args[-1],
        "argv": ["-c"],
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "sys_path": ["", *sys.path],
    }
    sys.exit(client.become_worker(request))


def _serve(modules: list, root: str, address: str):
    import importlib
    import selectors
    import shutil
    import socket

    channel = os.fdopen(os.dup(1), "w")  # the hello line; fd 1 itself goes to stderr, so an import's print is harmless
    os.dup2(2, 1)
    for name in modules:  # "package.module", or "package:Name" for `from package import Name` (lazy modules)
        module_name, _, attribute = name.partition(":")
        try:
            module = importlib.import_module(module_name)
            if attribute:
                getattr(module, attribute)
        except Exception:  # noqa: S110  a snippet that imports what is not installed fails its own run
            pass
    root_real = os.path.realpath(root)
    venv_real = os.path.realpath(os.path.join(root, ".venv"))
    guard_real = os.path.realpath(os.path.join(root, "tools", "offline"))

    def inside_repo(path):
        real = os.path.realpath(path)
        return (
            (real + os.sep).startswith(root_real + os.sep)
            and not (real + os.sep).startswith(venv_real + os.sep)
            and not (real + os.sep).startswith(guard_real + os.sep)
        )

    local = sorted(
        name
        for name, module in list(sys.modules.items())
        if getattr(module, "__file__", None)
        and os.path.realpath(module.__file__) != os.path.realpath(__file__)  # this runner (__main__, __mp_main__)
        and inside_repo(module.__file__)
    )
    on_path = [p for p in sys.path if p and inside_repo(p)]
    hello = {"ready": True, "pid": os.getpid(), "local_modules": local, "local_path": on_path}
    # Listen only now: a client that connects is answered by a parent whose imports are done.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".part")
    listener.listen(16)
    os.rename(address + ".part", address)
    channel.write(json.dumps(hello) + "\n")
    channel.flush()
    # One handler child per connection, so that the two pytest workers' runs go side by side; the handler forks
    # the child that runs the file (a clean fork of this process, whatever ran before) and answers. Stdin
    # closed (the process that started this one ended) ends the parent.
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    handlers = set()
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj is sys.stdin:
                if not sys.stdin.readline():  # its folder (socket, log) goes with it: nobody is left to read it
                    shutil.rmtree(os.path.dirname(address), ignore_errors=True)
                    return
                continue
            connection, _ = listener.accept()

            def handle(connection=connection):
                listener.close()
                with connection:
                    # A worker request's first byte, WORKER, comes with the launcher's stdin, stdout and stderr
                    # (SnippetServer.become_worker); any other request is a JSON line.
                    first, fds, _, _ = socket.recv_fds(connection, 1, 3)
                    with connection.makefile("rw") as stream:
                        if first == WORKER and len(fds) == 3:
                            reply = _worker_reply(
                                json.loads(stream.readline()), fds, [connection.fileno(), channel.fileno()]
                            )
                        else:
                            request = json.loads(first.decode() + stream.readline())
                            reply = hello if request.get("hello") else _reply(request)
                        stream.write(json.dumps(reply) + "\n")
                return 0

            pid = _fork_child(handle)
            connection.close()
            handlers.add(pid)
        for pid in list(handlers):  # reap the handlers that finished
            if os.waitpid(pid, os.WNOHANG)[0]:
                handlers.discard(pid)


# ------------------------------------------------------------------------------------------ the client


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, ended but not yet waited for by its parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


class SnippetServer:
    """A client of the warm parent. `SnippetServer(modules, root)` starts one (and waits until it is ready);
    `SnippetServer.connect(address)` talks to one that another process started (the pytest controller starts
    one for its workers: handbook/page_tests.py). run_file() sends it one request, on a connection of its own."""

    def __init__(self, modules: list, root, python: str = sys.executable):
        self.proc = self.start(modules, root, python)
        self.address = self.proc.address
        first = self.proc.stdout.readline()
        if not first:
            raise RuntimeError(f"the snippet server did not start:\n{self.log()[-3000:]}")
        self.hello = json.loads(first)

    @staticmethod
    def start(modules: list, root, python: str = sys.executable):
        """Start a warm parent and return its process at once (its `address` set), without waiting for it."""
        import subprocess
        import tempfile

        folder = tempfile.mkdtemp(prefix="snippet-server-")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
        env.update(MPLBACKEND="Agg", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        address = os.path.join(folder, "socket")
        with open(os.path.join(folder, "log"), "wb") as log:
            proc = subprocess.Popen(
                [python, "-P", __file__, str(root), address, *modules],
                cwd=folder,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        proc.address = address
        return proc

    @classmethod
    def connect(cls, address: str, pid: int, timeout: float = 300.0):
        """A client of the warm parent `pid` listening at `address`, once it listens (it may still be importing)."""
        import time

        self = cls.__new__(cls)
        self.proc, self.address = None, address
        deadline = time.monotonic() + timeout
        while not os.path.exists(address):
            if not _alive(pid):
                raise RuntimeError(f"the snippet server {pid} ended before it listened:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the snippet server {pid} did not listen within {timeout:.0f} s:\n{self.log()}")
            time.sleep(0.05)
        self.hello = self._ask({"hello": True})
        return self

    def log(self) -> str:
        try:
            with open(os.path.join(os.path.dirname(self.address), "log"), errors="replace") as log:
                return log.read()
        except OSError:
            return ""

    def _ask(self, request: dict, hand_over: bool = False) -> dict:
        """Send one request on a connection of its own and read the reply. hand_over: this process' stdin, stdout
        and stderr go with the request (become_worker), and /dev/null takes the place of stdin and stdout here;
        stderr stays, for this process' own last words (the parent died, say)."""
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(self.address)
            if hand_over:
                socket.send_fds(connection, [WORKER], [0, 1, 2])
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
                os.dup2(null, 1)
                os.close(null)
            with connection.makefile("rw") as stream:
                stream.write(json.dumps(request) + "\n")
                stream.flush()
                line = stream.readline()
        if not line:
            raise RuntimeError(f"the snippet server died:\n{self.log()[-3000:]}")
        return json.loads(line)

    def become_worker(self, request: dict) -> int:
        """Hand this process' stdin, stdout and stderr to a worker the parent forks for `request` (_launch_worker),
        and wait for it: its exit status. This process then holds stdin and stdout no more, so execnet sees them
        close when the worker ends; stderr, which it still holds, closes when this process ends just after."""
        return self._ask(request, hand_over=True)["status"]

    def run_file(self, path, cwd) -> dict:
        """`python path` in cwd: the file's folder first on sys.path, nothing else added."""
        return self._ask({"path": str(path), "cwd": str(cwd), "sys_path": [os.path.dirname(str(path))]})

    def close(self):
        """End the warm parent, if this client started it."""
        if self.proc is not None:
            stop(self.proc)


def stop(process) -> None:
    """End a warm parent that SnippetServer.start started, and remove its folder (socket and log)."""
    import shutil

    if process.poll() is None:  # it holds nothing to save: no need to wait for its interpreter to wind down
        process.kill()
        process.wait(timeout=30)
    shutil.rmtree(os.path.dirname(process.address), ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--xdist-worker"]:
        _launch_worker(sys.argv[2:])
    else:
        _serve(sys.argv[3:], sys.argv[1], sys.argv[2])
