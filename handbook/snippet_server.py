"""Run snippet files as a reader would, fast: one warm process that has imported the pinned packages forks
a child per run (tests/site/test_snippets.py, the copy test).

Run as a script (`python -P handbook/snippet_server.py torch transformers ...`, PYTHONPATH unset, cwd an
empty folder), this file is the warm parent. It imports the third-party modules named on its command line,
ONCE, and nothing of this repository (it checks: no module from the repository in sys.modules, none of its
folders on sys.path; the offline guard of tools/offline, the sandbox every `make test` process runs in, is
the one exception). It runs no torch operation itself. Then, for every request (one JSON line on stdin), it
forks; the child changes to the requested folder, runs a file there as `python file.py` would (runpy.run_path,
run_name "__main__", the file's folder first on sys.path), and reports its exit status, stdout and stderr
through a pipe. A fork costs milliseconds where a fresh interpreter pays 5-10 s of torch and transformers
imports. (What a page's fence prints is not run here: the build records it, handbook/ahead.py.)

Imported (`from handbook.snippet_server import SnippetServer`), it is the client the tests use.
"""

import json
import os
import sys

# ------------------------------------------------------------------------------------- the warm parent


def _child_run(request: dict, out_fd: int, err_fd: int) -> int:
    import io
    import runpy
    import traceback

    os.chdir(request["cwd"])
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), write_through=True)
    sys.path[:] = request["sys_path"] + [p for p in sys.path if p not in request["sys_path"]]
    try:
        sys.argv = [request["path"]]
        runpy.run_path(request["path"], run_name="__main__")
        status = 0
    except SystemExit as stop:  # as the interpreter reports it
        if stop.code is None or isinstance(stop.code, int):
            status = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def _serve(modules: list, root: str):
    import importlib
    import tempfile

    channel = os.fdopen(os.dup(1), "w")  # replies; fd 1 itself goes to stderr, so an import's print is harmless
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
    channel.write(json.dumps({"ready": True, "local_modules": local, "local_path": on_path}) + "\n")
    channel.flush()
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                status = 1
                try:
                    status = _child_run(request, out.fileno(), err.fileno())
                finally:
                    os._exit(status)
            _, wait_status = os.waitpid(pid, 0)
            out.seek(0)
            err.seek(0)
            reply = {
                "status": os.waitstatus_to_exitcode(wait_status),
                "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace"),
            }
        channel.write(json.dumps(reply) + "\n")
        channel.flush()


# ------------------------------------------------------------------------------------------ the client


class SnippetServer:
    """The warm parent, started as a clean process; run_file() sends it one request."""

    def __init__(self, modules: list, root, python: str = sys.executable):
        import subprocess
        import tempfile

        self.folder = tempfile.mkdtemp(prefix="snippet-server-")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
        env.update(MPLBACKEND="Agg", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        self.proc = subprocess.Popen(
            [python, "-P", __file__, str(root), *modules],
            cwd=self.folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.proc.stdout.readline()
        if not first:
            raise RuntimeError(f"the snippet server did not start:\n{self.proc.stderr.read()[-3000:]}")
        self.hello = json.loads(first)

    def _ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the snippet server died:\n{self.proc.stderr.read()[-3000:]}")
        return json.loads(line)

    def run_file(self, path, cwd) -> dict:
        """`python path` in cwd: the file's folder first on sys.path, nothing else added."""
        return self._ask({"path": str(path), "cwd": str(cwd), "sys_path": [os.path.dirname(str(path))]})

    def close(self):
        import shutil

        if self.proc.poll() is None:  # it holds nothing to save: no need to wait for its interpreter to wind down
            self.proc.kill()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


if __name__ == "__main__":
    _serve(sys.argv[2:], sys.argv[1])
