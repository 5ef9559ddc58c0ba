"""The notebook's helper process and its kernel, forked from the build process (handbook/ahead.py's `Ahead` drives
them: the methods under its `# notebook`). In order:

1. `Ahead.launch_notebook`, first thing in on_config, before the build imports anything heavy, starts a light
   helper process (`HELPER`, running `notebook_helper`). It runs nbclient as mkdocs-jupyter's
   ExecutePreprocessor would (a NotebookClient with the same kernel, working directory and options) and writes
   the executed notebook to a file.
2. In the helper, jupyter_client prepares the kernel as always: kernel spec, connection file, ports, command line,
   environment. Only its last step, starting the process, becomes a request to the build process: one JSON line
   on a pipe (`_forked_kernel_manager`).
3. After preload, still single-threaded, the build answers it (`Ahead.fork_kernel`, reading it with
   `_read_request`). It forks the kernel (`_kernel_child`), which takes the command's arguments, the environment,
   the working directory and the sys.path of the kernel jupyter_client would have launched; puts back what the
   build itself configured in the process (mkdocs' warnings set-up, signal handlers, stdio, exit handlers; not
   what the imports did: a fresh kernel that imports the same modules gets the same); and runs ipykernel's
   IPKernelApp as `python -m ipykernel_launcher` does (`_become_kernel`). Its cells find torch, transformers and
   the rest imported: it does not import them a second time (about 7 s of CPU).
4. The build reaps the kernel and tells the helper, whose kernel manager shuts it down as its own (`ForkedKernel`).
5. After the fences have started, a thread (`Ahead.start_notebook`) waits for the helper, merges its stream outputs
   as the notebook hook does after execution, and converts the notebook with mkdocs-jupyter's nb2html and the
   arguments mkdocs-jupyter will pass (execute=False: it ran already); mkdocs-jupyter's call returns that result
   when its arguments are the same.

Where the kernel would not be the same (another interpreter or kernel spec, another environment, MPLBACKEND unset:
`Ahead._refusal`), the build answers "launch" in step 3 and the helper launches a fresh kernel, as before. The
build records which in artifacts/fence-outputs/<site folder>.notebook.json (`Ahead.notebook_record`). If the
helper failed, the thread of step 5 converts the notebook as mkdocs-jupyter would, executing it again, so a
failing cell fails the build with mkdocs-jupyter's own error.

The build imports this module (handbook/ahead.py): its imports count in the import floor, except those of the
functions that run only in the helper or in the kernel (ahead.py's NOT_IN_THE_BUILD).
"""

import ast
import atexit
import gc
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from handbook.paths import ROOT

# -- the build's side: the helper's request, and what the build records of the fork ----------------------


def _threads() -> int:
    """This process' threads, as Python 3.12's os.fork counts them (Python's own count where there is no /proc)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def top_level_imports(code: str) -> set:
    """The top-level modules Python `code` imports, wherever the statement sits (relative imports aside); raises
    SyntaxError where it does not parse. Also handbook/ahead.py's test of a cold fence."""
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def notebook_imports(source: str) -> set:
    """The top-level modules a notebook's code cells import."""
    modules = set()
    for cell in json.loads(source)["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            modules |= top_level_imports("".join(cell["source"]))
        except SyntaxError:  # a magic, say
            continue
    return modules


def _read_request(fd: int, timeout: float) -> dict | None:
    """The helper's launch request, one JSON line, or None (it ended, or sent nothing in `timeout` seconds)."""
    data, deadline = b"", time.monotonic() + timeout  # an empty line: {}
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        data += chunk
    try:
        return json.loads(data) if data.strip() else {}
    except ValueError:
        return None


# -- the kernel, forked from the build -------------------------------------------------------------------


def _kernel_child(request: dict, requests: int, replies: int, log_path: str) -> None:
    """In the child fork_kernel forked: become the kernel jupyter_client would have launched with `request`
    (command, environment, working directory, the helper's sys.path), and exit when it is shut down."""
    atexit._clear()  # the build's exit handlers (stop_notebook, say) are not the kernel's
    status = 1
    try:
        os.setsid()  # as jupyter_client's launcher starts a kernel: its own session, interrupted as a group
        os.close(requests)
        # stdin: a pipe whose other end is closed, as the launcher leaves it; stdout and stderr, which the launcher
        # leaves to the helper's (its log), to a log next to it
        read, write = os.pipe()
        os.dup2(read, 0)
        os.close(read)
        os.close(write)
        out = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.write(replies, f"pid {os.getpid()}\n".encode())  # after setsid: the helper signals the group
        os.close(replies)
        _become_kernel(request)
        status = 0
    except SystemExit as exit:
        status = 0 if exit.code is None else exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc(file=sys.__stderr__)
    finally:
        try:
            atexit._run_exitfuncs()  # the kernel's own (ipykernel's, IPython's): the build's were cleared
            sys.__stdout__.flush()
            sys.__stderr__.flush()
        finally:
            os._exit(status)


def _become_kernel(request: dict) -> None:
    """Undo what the build configured in this process (not what its imports did: a fresh kernel that imports
    the same modules gets the same), then run ipykernel as `python -m ipykernel_launcher <args>` would."""
    import asyncio
    import importlib.util
    import warnings

    for number in signal.valid_signals():
        try:
            handler = signal.getsignal(number)
        except (OSError, ValueError):
            continue
        if callable(handler) and handler is not signal.default_int_handler:
            signal.signal(number, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    asyncio.set_event_loop_policy(None)  # no event loop of the build's
    # mkdocs' warnings set-up (mkdocs.__main__._enable_warnings): DeprecationWarnings shown once per module and
    # logged through mkdocs' logger. A fresh interpreter ignores them outside __main__ and prints to stderr.
    main = sys.modules.get("mkdocs.__main__")
    if main is not None and warnings.showwarning is getattr(main, "_showwarning", None):
        warnings.showwarning = warnings._showwarning_orig
        if ("module", None, DeprecationWarning, None, 0) in warnings.filters:
            warnings.filters.remove(("module", None, DeprecationWarning, None, 0))
        warnings._filters_mutated()
    os.environ.clear()
    os.environ.update(request["env"])
    # The launcher's JPY_PARENT_PID is the helper's pid: ipykernel's poller ends the kernel when its parent is no
    # longer that process. This kernel's parent is the build: it ends with it (the helper ends when it sees that).
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    os.chdir(request["cwd"])
    # ipykernel_launcher's sys.path: the interpreter's without its first entry (the working directory under
    # `-m`), as the helper, a fresh interpreter of this environment, reported it; IPython adds '' itself.
    sys.path[:] = request["path"]
    launcher = importlib.util.find_spec("ipykernel_launcher").origin
    sys.argv = [launcher, *request["cmd"][3:]]
    sys.orig_argv = list(request["cmd"])
    sys.stdout, sys.stderr, sys.stdin = sys.__stdout__, sys.__stderr__, sys.__stdin__
    build_streams = {sys.__stdout__: "stdout", sys.__stderr__: "stderr"}
    # Most of what the build imported is only read here: keep the collector from touching (copying) it.
    gc.freeze()

    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()  # what ipykernel_launcher runs: IPKernelApp.launch_instance()
    app.initialize()
    _log_to_kernel_streams(build_streams)
    app.start()


def _log_to_kernel_streams(build_streams: dict) -> None:
    """A logging handler that an import in the build made (transformers', say) writes to the build's stdout or
    stderr; made by the same import in a fresh kernel, it writes to the kernel's streams (a cell's output)."""
    import logging

    handlers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for handler in [h for logger in handlers for h in logger.handlers]:
        name = build_streams.get(getattr(handler, "stream", None))
        if name is None or not isinstance(handler, logging.StreamHandler):
            continue
        old, new = handler.stream, getattr(sys, name)
        handler.stream = new
        flush = vars(handler).get("flush")  # transformers binds its handler's flush to the stream's
        if getattr(flush, "__self__", None) is old:
            handler.flush = new.flush


# -- the helper process ----------------------------------------------------------------------------------

# The helper process: a fresh interpreter that runs notebook_helper (its sys.path first, as it started).
HELPER = f"import sys; path = sys.path[:]; sys.path.insert(0, {str(ROOT)!r}); import handbook.notebook_kernel as k; k.notebook_helper(path)"


def notebook_helper(path: list) -> None:
    """In the helper process: execute the notebook with nbclient (what mkdocs-jupyter's ExecutePreprocessor runs,
    with the options it sets: kernel, allow_errors, store_widget_state, the notebook's folder as working
    directory), write the executed notebook, and next to it (.json) how its kernel started. argv: notebook,
    executed copy, kernel name, ["allow_errors"], fork:<request fd>:<reply fd>.

    jupyter_client prepares the kernel as always (kernel spec, connection file, ports, command, environment); the
    last step, starting the process, asks the build process instead (fork_kernel), which forks it or answers
    "launch"."""
    import nbformat
    from nbclient import NotebookClient

    source, target, kernel_name = sys.argv[1:4]
    options = sys.argv[4:]
    fork = [o for o in options if o.startswith("fork:")]
    report = {"kernel": "launched"}
    extra = {}
    if fork:
        _, requests, replies = fork[0].split(":")
        # the kernel's sys.path before IPython adds '': this interpreter's, less the entry that `-c` (here) or
        # `-m` (in a launched kernel, where ipykernel_launcher removes it) puts first
        fresh_path = path[1:] if path[:1] == [""] else path
        extra["kernel_manager_class"] = _forked_kernel_manager(int(requests), int(replies), fresh_path, report)
    nb = nbformat.read(source, as_version=4)
    NotebookClient(
        nb,
        kernel_name=kernel_name,
        allow_errors="allow_errors" in options,
        store_widget_state=True,
        resources={"metadata": {"path": os.path.dirname(source)}},
        **extra,
    ).execute()
    nbformat.write(nb, target)
    Path(target).with_suffix(".json").write_text(json.dumps(report))


def _forked_kernel_manager(requests: int, replies: int, path: list, report: dict):
    """jupyter_client's AsyncKernelManager, but for the last step of starting the kernel (the launch of
    `kernel_cmd` with the env and cwd prepared for it, jupyter_client's launcher): the build forks it."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class ForkedKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if not isinstance(self.provisioner, LocalProvisioner) or set(kw) - {"env", "cwd", "extra_arguments"}:
                os.write(requests, b"\n")  # nothing to ask: the build answers "launch" to an empty request
                os.close(requests)
                os.close(replies)
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            # What jupyter_client's launcher adds (launcher.launch_kernel, on POSIX): the pid of the kernel's parent,
            # whose end ends the kernel (ipykernel's poller). The forked kernel puts its own parent's, the build's.
            env = {**kw["env"], "JPY_PARENT_PID": str(os.getpid())}
            cmd = [os.path.expanduser(s) for s in kernel_cmd]
            cwd = kw.get("cwd") or os.getcwd()
            request = {"cmd": cmd, "env": env, "cwd": cwd, "path": path}
            os.write(requests, json.dumps(request).encode() + b"\n")
            os.close(requests)
            reply = _read_line(replies)
            if reply == "launch":
                os.close(replies)
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            if not reply.startswith("pid "):
                raise RuntimeError("the build process ended before it forked the kernel")
            process = ForkedKernel(int(reply.split()[1]), replies)
            provisioner = self.provisioner
            provisioner.process, provisioner.pid, provisioner.cwd = process, process.pid, cwd
            try:
                provisioner.pgid = os.getpgid(process.pid)
            except OSError:
                provisioner.pgid = None
            report.update(kernel="forked", kernel_pid=process.pid)
            self._reconcile_connection_info(provisioner.connection_info)

    return ForkedKernelManager


def _read_line(fd: int) -> str:
    """One line from a pipe, read a byte at a time (what follows it is ForkedKernel's), '' at its end."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            break
        line += byte
    return line.decode().strip()


class ForkedKernel:
    """What jupyter_client's LocalProvisioner uses of the Popen of its kernel, for the kernel the build forked:
    the build reaps it and writes "exit <code>" (Popen's returncode) to `replies` when it ended."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, replies: int):
        self.pid, self.replies, self.returncode = pid, replies, None
        os.set_blocking(replies, False)
        self.buffer = b""

    def poll(self) -> int | None:
        while self.returncode is None:
            try:
                chunk = os.read(self.replies, 4096)
            except BlockingIOError:
                return None
            if chunk:
                self.buffer += chunk
                exits = re.findall(rb"^exit (-?\d+)$", self.buffer, re.MULTILINE)
                if exits:
                    self.returncode = int(exits[0])
            else:
                self.returncode = 1  # the build ended without saying: the kernel, reparented, ends too
            if self.returncode is not None:
                os.close(self.replies)
        return self.returncode

    def wait(self, timeout=None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired([str(self.pid)], timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
