"""Run the build's slow, independent parts ahead of time and side by side (handbook/hooks/ahead.py starts it).

A page's exec fences run one after another when MkDocs renders it, and the notebook's kernel when MkDocs
reaches the notebook, so a cold build paid every fence, the notebook and the subprocesses they start
(transformers 4.52.4 on the versions page, qwen-vl-utils on resize-rules) in turn, on one core. Here:

- `start(config)` runs at the end of on_config, before any page is read. The build process imports what the
  pages' code imports (`import_statements()`: torch, transformers, matplotlib, ...), then forks the notebook's
  kernel (handbook/notebook_kernel.py) and one helper process, the *zygote*, while it is still single-threaded. No torch op may run in the build process before
  that fork: a child forked after torch started its OpenMP threads hangs at its own first parallel op. The zygote forks one child per
  page, in the order MkDocs renders them, at most one per core at a time. Each child runs its page's exec fences
  in order, as markdown-exec runs them in one process, each with markdown-exec's own `_run_python` (same block
  id, same module name, same globals, same print), and leaves each output, or the ExecutionError it raised, in a
  file. One child per page, not per fence: each fork of the warm process, and each child's first writes to the
  memory it shares with it, cost time (measured: 64 children, 4.9 s of system time; 15, 2.5 s), and a page's
  fences share their warm-up. Torch runs on one thread there (`one_torch_thread`).
- Every page's child starts from the same state, the build process' after imports, whichever pages ran before
  it and wherever: the output does not depend on scheduling, so two builds give the same bytes.
- Except the *cold* fences, whose code imports only the standard library (`cold_fence`: the resize-rules page's
  qwen-vl-utils check, which runs its own fresh interpreter, and two tables read from JSON): a second zygote,
  the *planner*, forked before the imports, runs them one at a time on the core the build's single-threaded
  imports leave idle. Which fences are cold depends on their code only, so each starts from the same state in
  every build. Before them, the planner reads what the build would otherwise read before it could start
  importing: it sends the import statements to import as it finds them, then the fences (`Ahead.start_planner`).
- markdown-exec's `_run_python` is replaced by a lookup keyed by the code it is asked to run (the fence's code
  after pymdownx.snippets expanded it, read by running the build's own Markdown extensions over each page
  with markdown-exec's formatter replaced by one that records) together with the block id and options. A
  precomputed output is returned as markdown-exec's run would have returned it; a precomputed error is raised
  again as the ExecutionError it was, so markdown-exec logs the same warning and `--strict` fails. Anything
  else (a fence in a session, without an id, a fence whose child died) runs in the build process as before.
- The notebook is executed in a kernel forked from the build process, warm, by a helper process that runs
  nbclient: handbook/notebook_kernel.py says how (the helper, its request for the kernel, the fork, and where the
  build answers "launch" instead). Here, `Ahead`'s methods under `# notebook` start the helper, answer it, reap
  the kernel and hand mkdocs-jupyter the converted notebook.

- Every exec fence's output passes through `run_python` (answered from a child or run here): it records, per page
  and block id, the code markdown-exec ran and what it returned (or the error it raised), and `write_record`
  writes that at post_build to artifacts/fence-outputs/<site folder>.json (`record_path`). The tests read what
  the page shows from there (handbook/page_tests.fence_output) instead of running each fence again.

- While the build waits for a fence, it does work it would otherwise leave to its single-threaded end
  (`Ahead.deferred`): material's search plugin's parse of the pages already rendered (`defer_search`).
- Once `mkdocs build` has logged its success, on_shutdown ends the process after its exit handlers, without the
  interpreter's teardown (`exit_if_built`).

Not in a process that already runs other threads (the rebuilds of `mkdocs serve`: forking there is unsafe)
and not where os.fork is missing: there the build runs everything in turn, as before (mkdocs-jupyter executes
the notebook in a fresh kernel). `mkdocs build -v` logs each fence's wall and CPU time in its child, and the
kernel's: where it came from, its CPU time and how it ended.
"""

import ast
import atexit
import collections
import gc
import json
import logging
import os
import pickle
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path, PurePath
from types import ModuleType

from handbook.notebook_kernel import (
    HELPER,
    _kernel_child,
    _read_request,
    _threads,
    notebook_imports,
    top_level_imports,
)
from handbook.paths import ARTIFACTS, ROOT, SNIPPETS

log = logging.getLogger("mkdocs.hooks.ahead")

# -- what the pages' code imports ------------------------------------------------------------------------


# What of handbook/ the build runs (the rest, browser.py, page_tests.py, snippet_server.py, site_build.py, ..., serves
# the tests): its imports are the build's, and only they count in the import floor.
BUILD_SIDE = {
    "hooks",
    "claims",
    "ahead.py",
    "notebook_kernel.py",
    "excerpts.py",
    "figures.py",
    "fences.py",
    "paths.py",
    "snippets.py",
}
# The functions of handbook/notebook_kernel.py that run in the notebook's helper process or in its kernel, not in
# the build: their imports (nbclient, jupyter_client, ipykernel) are not the build's. Preloaded here, ipykernel
# would make tqdm warn in the build (it looks for ipykernel.zmqshell among the loaded modules) and would be in
# every fence's child.
NOT_IN_THE_BUILD = {"notebook_helper", "_forked_kernel_manager", "_become_kernel"}
NOTEBOOK_KERNEL = Path(__file__).resolve().with_name("notebook_kernel.py")


def _fork() -> int:
    """os.fork() once Python's own stdout and stderr buffers are flushed, so no child writes them a second time."""
    sys.stdout.flush()
    sys.stderr.flush()
    return os.fork()


def import_statements() -> list:
    """Every third-party import statement of snippets/ and handbook/ (the hooks, the ledger), as written
    (scripts/bench.py's import floor imports the same)."""
    return list(_import_statements())


def _import_statements():
    """import_statements(), file by file as it reads them, each statement once."""
    local = {p.stem for p in SNIPPETS.glob("*.py")} | {p.name for p in SNIPPETS.iterdir() if p.is_dir()} | {"handbook"}
    seen = set()
    build_side = [
        p for p in (ROOT / "handbook").rglob("*.py") if p.relative_to(ROOT / "handbook").parts[0] in BUILD_SIDE
    ]
    for path in sorted([*SNIPPETS.rglob("*.py"), *build_side]):
        tree = ast.parse(path.read_text())
        elsewhere = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and f.name in NOT_IN_THE_BUILD and path == NOTEBOOK_KERNEL
            for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if id(node) in elsewhere:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            top = names[0].split(".")[0]
            if top in sys.stdlib_module_names or top in local or top == "__future__":
                continue
            statement = ast.unparse(node)
            if statement not in seen:
                seen.add(statement)
                yield statement


def preload(statements=None) -> None:
    """Import what the fences import (import_statements(), or these), once, in the build process (module objects
    only: no torch op runs)."""
    for statement in import_statements() if statements is None else statements:
        try:
            exec(statement, {})  # noqa: S102
        except Exception as error:  # a fence that needs it fails with its own message
            log.debug("not preloaded: %s (%s)", statement, error)


# -- the fences, as markdown-exec will be asked to run them ----------------------------------------------


def _strip_front_matter(text: str) -> str:
    from mkdocs.utils.meta import get_data

    return get_data(text)[0]


def planned_fences(config) -> list:
    """(page, code, options) of every Python exec fence, in the order MkDocs renders the pages: each page run
    through the build's own Markdown extensions, markdown-exec's formatter replaced by one that records."""
    from markdown import Markdown
    from markdown_exec._internal.main import formatter as exec_formatter
    from mkdocs.structure.files import get_files

    found = []

    def record(source, language, css_class, options, md, **kwargs):
        if language in {"python", "py"}:
            found.append((page, source, dict(options)))
        return ""

    configs = dict(config.mdx_configs)
    superfences = configs.get("pymdownx.superfences")
    if superfences:
        fences = [
            {**fence, "format": record} if fence.get("format") is exec_formatter else fence
            for fence in superfences.get("custom_fences", [])
        ]
        configs["pymdownx.superfences"] = {**superfences, "custom_fences": fences}
    md = Markdown(extensions=config.markdown_extensions, extension_configs=configs)
    for file in get_files(config).documentation_pages():
        if not file.src_uri.endswith(".md"):
            continue
        page = file.src_uri
        md.reset()
        md.convert(_strip_front_matter(Path(file.abs_src_path).read_text(encoding="utf-8-sig")))
    return found


def cold_fence(code: str) -> bool:
    """Whether the fence's code imports only the standard library (ahead of preload, it imports nothing heavy)."""
    try:
        return all(top in sys.stdlib_module_names for top in top_level_imports(code))
    except SyntaxError:  # a warm child runs it, and reports the error as markdown-exec does
        return False


def key(code: str, session, id, extra) -> tuple:  # noqa: A002
    return code, session or "", id or "", tuple(sorted(extra.items()))


def precomputable(code: str, options: dict) -> bool:
    """A fence whose run does not depend on the fences before it (its own id, no session, no workdir or
    width), and that is not the ledger's: a ledger fence runs in the build process, where every claim is
    evaluated once for all its fences and for claims.json (handbook.claims.evaluate caches), instead of
    once in every child that shows a part of it."""
    if "handbook.claims" in code:
        return False
    return bool(options.get("id")) and not any(options.get(name) for name in ("session", "workdir", "width"))


# -- the zygote and its children -------------------------------------------------------------------------


def _run_child(job: tuple, target: Path) -> None:
    """In a page's child: run one fence as markdown-exec would, leave the outcome in `target`."""
    from markdown_exec._internal.formatters import python
    from markdown_exec._internal.formatters.base import ExecutionError

    code, options = job

    def children() -> float:  # the subprocesses the fence ran, if any
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    start, cpu, before = time.perf_counter(), time.process_time(), children()
    try:
        output = python._run_python(
            code, returncode=options.get("returncode"), session=None, id=options["id"], **options.get("extra", {})
        )
        outcome = ["output", output, None]
    except ExecutionError as error:
        outcome = ["error", str(error), error.returncode]
    outcome.append((time.perf_counter() - start, time.process_time() - cpu + children() - before))
    _write_pickle(target, outcome)


def _write_pickle(target: Path, value) -> None:
    partial = target.with_suffix(".part")
    partial.write_bytes(pickle.dumps(value))
    partial.rename(target)


def one_torch_thread() -> None:
    """torch's operations in this process run on one thread. The build runs one page child per core and the build
    process besides: each with torch's default pool (a thread per core) had more threads than cores, which woke
    and waited on each other for tensors too small to split (measured on 2 cores, builds side by side: 46.3 s of
    CPU and 27.1 s with the default pool, 43.6 s and 24.1 s with one thread in the page children, medians of 3).
    The same outputs: the built site is byte-identical either way. Not in the build before its last fork, where
    no torch call may run (see `start`)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def _run_page(jobs: list, folder: Path, notify: int) -> None:
    """In a fresh child: run one page's fences in their order, as markdown-exec runs a page's fences in one
    process; tell the build about each as soon as its outcome is written."""
    one_torch_thread()
    for index, job in jobs:
        _run_child(job, folder / f"{index}.pickle")
        os.write(notify, f"{index}\n".encode())


def _zygote(pages: list, folder: Path, notify: int, workers: int) -> None:
    """Fork one child per page (its [(index, job), ...]), `workers` at a time, in order. Once a child has ended,
    write every index of its page to `notify` again: the build stops waiting for a fence its child did not reach
    (it died), finds no outcome, and runs that fence itself."""
    running = {}

    def reap():
        pid, _ = os.wait()
        os.write(notify, "".join(f"{index}\n" for index, _ in running.pop(pid)).encode())

    # Children only read most of what the build process imported: keep the collector from touching (and so
    # copying) those pages in every child.
    gc.freeze()
    for jobs in pages:
        while len(running) >= workers:
            reap()
        pid = _fork()
        if pid == 0:
            status = 1
            try:
                _run_page(jobs, folder, notify)
                status = 0
            except BaseException:  # the build process runs this fence and the rest of the page itself
                pass
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        running[pid] = jobs
    while running:
        reap()


class Ahead:
    """The build process' side: the fence outcomes as they arrive, and the notebook thread."""

    def __init__(self):
        self.index = {}  # key -> job index
        self.done = set()
        self.finished = False
        self.arrived = threading.Condition()
        self.folder = None
        self.jobs = []  # (code, options) of every fence run ahead, numbered as in index
        self.pages = []  # the page of each job
        self.zygotes = []  # the cold one (before preload) and the warm one
        self.planner = None  # the pipes the cold zygote sends the import statements and the fences on
        self.cold = {}  # a fence's code -> whether it is cold (`cold_fence`), as the planner found
        self.notify = None  # (read, write): the zygotes write each finished job's index to it
        self.hits = self.misses = 0
        self.notebook_helper = None  # (Popen, executed copy) once launch_notebook started it
        self.notebook_folder = None
        self.notebook = None  # (path, path under docs/) of the notebook a helper executes
        self.kernel_pipes = None  # (the helper's launch requests, the replies to it): fork_kernel's side
        self.pipes_lock = threading.Lock()
        self.import_env = None  # os.environ as the helper (and so a kernel it launches) got it
        self.kernel = None  # what fork_kernel forked, and how it ended (the record's "kernel")
        self.kernel_reaped = threading.Event()
        self.kernel_watcher = None
        self.executed_by = None  # "forked", "launched" (by the helper) or "mkdocs-jupyter": notebook_record
        self.helper_report = None
        self.page = None  # the page MkDocs renders now (handbook/hooks/ahead.py's on_page_markdown)
        self.record = {}  # page -> what each of its fences ran and printed, in render order
        self.deferred = collections.deque()  # work the build does while it waits for a fence (`defer_search`)

    # fences
    def start_planner(self, config) -> None:
        """Fork the cold zygote first, before preload. It reads, and sends this process as it goes, the import
        statements preload runs (`import_statements`: 0.3 s of parsing), then the fences (`planned_fences`: 0.2 s
        of Markdown), and then runs the cold ones: this process starts importing at once, and neither waits on the
        other."""
        self.folder = Path(tempfile.mkdtemp(prefix="handbook-ahead-"))
        self.notify = os.pipe()
        atexit.register(self.stop)
        imports, plan = os.pipe(), os.pipe()

        def plan_then_run_cold() -> None:
            for end in (imports[0], plan[0]):
                os.close(end)
            with os.fdopen(imports[1], "w") as pipe:
                for statement in _import_statements():
                    pipe.write(json.dumps(statement) + "\n")
                    pipe.flush()
                pipe.write("null\n")  # all sent
            planned = planned_fences(config)
            self.plan_fences(config, planned)
            self.cold = {code: cold_fence(code) for code, _ in self.jobs}
            # In a file: the pipe's buffer is smaller than the plan, and the build reads it only after its
            # imports; the pipe only says when it is there, by its end.
            _write_pickle(self.folder / "plan.pickle", (planned, self.cold))
            os.close(plan[1])
            _zygote(self.page_jobs(cold=True), self.folder, self.notify[1], workers=1)

        self._fork_zygote(plan_then_run_cold)
        os.close(imports[1])
        os.close(plan[1])
        self.planner = (imports[0], plan[0])

    def planned_imports(self):
        """The import statements the planner sends, as it finds them; if it ends before it sent them all, the rest,
        read here."""
        sent = []
        with os.fdopen(self.planner[0]) as pipe:
            for line in pipe:
                statement = json.loads(line)
                if statement is None:
                    return
                sent.append(statement)
                yield statement
        log.debug("the planner ended before it sent every import statement")
        yield from (statement for statement in import_statements() if statement not in sent)

    def received_plan(self) -> list | None:
        """What the planner found: `planned_fences`, or None where it sent nothing; and which are cold."""
        with os.fdopen(self.planner[1], "rb") as pipe:
            pipe.read()  # until the planner wrote the plan, or ended
        try:
            planned, self.cold = pickle.loads((self.folder / "plan.pickle").read_bytes())
            return planned
        except (OSError, EOFError, pickle.UnpicklingError):
            log.debug("the planner ended before it sent the fences: the build reads them itself")
            return None

    def plan_fences(self, config, planned: list | None = None) -> None:
        """Every fence to run ahead (of `planned`, or of planned_fences(config)), numbered in the order MkDocs
        renders them."""
        for page, code, options in planned_fences(config) if planned is None else planned:
            if precomputable(code, options):
                k = key(code, options.get("session"), options.get("id"), options.get("extra", {}))
                if k not in self.index:
                    self.index[k] = len(self.jobs)
                    self.jobs.append((code, options))
                    self.pages.append(page)

    def start_zygote(self) -> None:
        """Fork the zygote for the warm fences, after preload: it runs them a page at a time, one page per core.
        The cold fences (their code imports only the standard library: `cold_fence`) are the planner's
        (`start_planner`), forked before preload, so that its fences (qwen-vl-utils imported in a fresh
        interpreter, on resize-rules) use the core the build's single-threaded imports leave idle, one at a time.
        Whether a fence is cold depends on its code only, so it starts from the same state in every build."""
        pages = self.page_jobs(cold=False)
        log.debug("warm fences run ahead: %d, of %d pages", sum(map(len, pages)), len(pages))
        if not pages:
            return
        self._fork_zygote(lambda: _zygote(pages, self.folder, self.notify[1], workers=len(os.sched_getaffinity(0))))

    def page_jobs(self, cold: bool) -> list:
        """The cold or the warm fences, page by page in render order: [[(index, job), ...], ...]."""
        pages = {}
        for i, job in enumerate(self.jobs):
            if (self.cold[job[0]] if job[0] in self.cold else cold_fence(job[0])) == cold:
                pages.setdefault(self.pages[i], []).append((i, job))
        return list(pages.values())

    def _fork_zygote(self, run) -> None:
        """Fork a zygote that calls `run` and exits: in a process group of its own with its children, so that
        stop() ends them all, and without this process' ends of the pipes it does not write."""
        pid = _fork()
        if pid == 0:
            status = 1
            try:
                os.close(self.notify[0])
                self._close_kernel_pipes()  # the helper sees the build end, not the zygote's copy
                os.setpgid(0, 0)
                run()
                status = 0
            finally:
                os._exit(status)
        self.zygotes.append(pid)
        try:
            os.setpgid(pid, pid)  # as the zygote does, so that stop() finds the group whichever runs first
        except OSError:
            pass

    def listen(self) -> None:
        """Collect the zygotes' finished jobs in a thread (after the last fork: the build's first thread)."""
        if not self.notify:
            return
        read, write = self.notify
        os.close(write)  # the zygotes hold the only write ends left: the pipe ends when both have ended
        threading.Thread(target=self._listen, args=(read,), daemon=True).start()

    def _listen(self, read: int) -> None:
        with os.fdopen(read, "rb") as pipe:
            for line in pipe:
                with self.arrived:
                    self.done.add(int(line))
                    self.arrived.notify_all()
        for zygote in self.zygotes:
            os.waitpid(zygote, 0)
        with self.arrived:
            self.finished = True
            self.arrived.notify_all()

    def outcome(self, k: tuple):
        """The child's outcome for this fence, waiting for it, or None (not precomputed, or its child died)."""
        index = self.index.get(k)
        if index is None:
            return None
        while True:  # the build's deferred work first, while the children run
            with self.arrived:
                if index in self.done or self.finished:
                    break
                if not self.deferred:
                    self.arrived.wait_for(lambda: index in self.done or self.finished)
                    break
            self.deferred.popleft()()
        path = self.folder / f"{index}.pickle"
        return pickle.loads(path.read_bytes()) if path.exists() else None

    def stop(self) -> None:
        for zygote in self.zygotes if not self.finished else ():
            try:
                os.killpg(zygote, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if self.folder:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)

    # notebook
    def notebook_job(self, config):
        """(notebook path, the keyword arguments mkdocs-jupyter will pass to nb2html), or None where this build
        converts no notebook ahead (no plugin, a cache, ignored execution, or not exactly one notebook)."""
        plugin = config.plugins.get("mkdocs-jupyter")
        if plugin is None:
            return None
        options = plugin.config
        if options["cache"] or options["execute_ignore"]:
            return None
        docs = Path(config.docs_dir)
        notebooks = [
            str(path)
            for path in sorted(docs.rglob("*.ipynb"))
            if any(PurePath(path).match(p) for p in options["include"])
            and not any(PurePath(path).match(p) for p in options["ignore"])
        ]
        if len(notebooks) != 1:
            return None
        kwargs = dict(
            execute=options["execute"],
            kernel_name=options["kernel_name"],
            theme=options["theme"],
            allow_errors=options["allow_errors"],
            show_input=options["show_input"],
            no_input=options["no_input"],
            no_prompt=options["no_prompt"],
            remove_tag_config=options["remove_tag_config"],
            highlight_extra_classes=options["highlight_extra_classes"],
            include_requirejs=options["include_requirejs"],
            custom_mathjax_url=options["custom_mathjax_url"],
        )
        return notebooks[0], kwargs

    def launch_notebook(self, config) -> None:
        """Start the helper that executes the notebook (first thing in on_config: Popen starts no thread, so the
        build process stays safe to fork). It asks fork_kernel, through a pipe, for the kernel it would launch."""
        job = self.notebook_job(config)
        if job is None or not job[1]["execute"]:
            return
        notebook, kwargs = job
        self.notebook = (notebook, Path(os.path.relpath(notebook, config.docs_dir)).as_posix())
        self.notebook_folder = Path(tempfile.mkdtemp(prefix="handbook-notebook-"))
        executed = self.notebook_folder / Path(notebook).name
        log_file = (self.notebook_folder / "helper.log").open("wb")
        requests, helper_requests = os.pipe()  # the helper's launch request (see notebook_helper)
        helper_replies, replies = os.pipe()  # "launch", or the forked kernel's "pid N", then its "exit N"
        self.import_env = dict(os.environ)
        self.notebook_helper = (
            subprocess.Popen(
                [sys.executable, "-c", HELPER, notebook, str(executed), kwargs["kernel_name"]]
                + (["allow_errors"] if kwargs["allow_errors"] else [])
                + [f"fork:{helper_requests}:{helper_replies}"],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                pass_fds=(helper_requests, helper_replies),
                start_new_session=True,  # its own group: stop_notebook ends it (and a kernel it launched)
            ),
            executed,
        )
        log_file.close()
        os.close(helper_requests)
        os.close(helper_replies)
        self.kernel_pipes = (requests, replies)
        atexit.register(self.stop_notebook)  # a build that fails before post_build ends them too
        log.debug("executing %s ahead in a helper process", notebook)

    def _close_kernel_pipes(self) -> None:
        with self.pipes_lock:
            pipes, self.kernel_pipes = self.kernel_pipes, None
        for fd in pipes or ():
            os.close(fd)

    def fork_kernel(self) -> None:
        """Answer the helper's request for a kernel (after preload, before the zygote, single-threaded): fork the
        kernel from this warm process, as the command, environment and working directory jupyter_client gave
        would have started it, or tell the helper to launch it itself ("launch") where they do not allow it."""
        if self.kernel_pipes is None:
            return
        requests, replies = self.kernel_pipes
        request = _read_request(requests, timeout=60)
        refusal = "no request from the helper" if request is None else self._refusal(request)
        pid = None
        if not refusal:
            env = {**request["env"]}
            # What the imports in this process set in os.environ, the same imports in a fresh kernel set too
            # (torch's TORCHINDUCTOR_CACHE_DIR, say).
            env.update({k: v for k, v in os.environ.items() if self.import_env.get(k) != v})
            request["env"] = env
            imports = notebook_imports(Path(self.notebook[0]).read_text("utf-8"))
            imported = sorted(m for m in imports if m in sys.modules)  # for the record: what it need not import
            try:
                pid = _fork()
            except OSError as error:
                refusal = f"fork failed: {error}"
        if pid == 0:
            _kernel_child(request, requests, replies, str(self.notebook_folder / "kernel.log"))  # never returns
        if refusal:
            log.debug("the notebook's kernel is not forked from the build (%s): the helper launches it", refusal)
            try:
                os.write(replies, b"launch\n")
            except OSError:  # the helper ended: start_notebook's thread reports it
                pass
            self._close_kernel_pipes()
            return
        os.close(requests)
        self.kernel_pipes = (replies,)
        self.kernel = {
            "pid": pid,
            # Python 3.12's os.fork counts the threads of the parent just after the fork, as here, and warns
            # where there are more than one (numpy's OpenBLAS threads stop at the fork, and start again later).
            "threads_after_fork": _threads(),
            "preloaded": imported,
            "forked_at": time.perf_counter(),
        }
        log.debug("forked the notebook's kernel from the build: pid %d", pid)

    def _refusal(self, request: dict) -> str | None:
        """Why the kernel the helper asks for cannot be forked from this process (None: it can)."""
        if not request:
            return "its kernel manager launches the kernel itself"
        cmd, env = request["cmd"], request["env"]
        if cmd[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
            return f"the kernel is not ipykernel in this interpreter: {cmd[:3]}"
        expected = {**self.import_env, "JPY_PARENT_PID": str(self.notebook_helper[0].pid)}
        expected.pop("PYTHONEXECUTABLE", None)  # jupyter_client removes it for Python kernels
        if env != expected:
            different = sorted(k for k in env.keys() | expected.keys() if env.get(k) != expected.get(k))
            return f"its environment is not the one this process imported with: {different}"
        if "matplotlib" in sys.modules and not env.get("MPLBACKEND"):
            return "MPLBACKEND is not set: ipykernel would choose matplotlib's backend after it was imported here"
        if any(not os.path.isabs(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p):
            return "PYTHONPATH has a relative entry: the kernel's sys.path depends on its working directory"
        if threading.active_count() != 1:
            return "this process runs threads"
        return None

    def watch_kernel(self) -> None:
        """Reap the forked kernel when it ends (a thread, started after the zygote), and tell the helper: its
        jupyter_client waits for that after the shutdown request."""
        if self.kernel is None:
            return

        def watch():
            pid, status, usage = os.wait4(self.kernel["pid"], 0)
            code = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - self.kernel.pop("forked_at")
            self.kernel.update(exit=code, cpu_s=round(usage.ru_utime + usage.ru_stime, 2), wall_s=round(wall, 2))
            self.kernel_reaped.set()
            log.debug(
                "the notebook's kernel, forked from the build (pid %d), ended with %d: %.2f s CPU, %.2f s",
                pid,
                code,
                self.kernel["cpu_s"],
                self.kernel["wall_s"],
            )
            with self.pipes_lock:
                if self.kernel_pipes:
                    try:
                        os.write(self.kernel_pipes[0], f"exit {code}\n".encode())
                    except OSError:  # the helper ended already
                        pass
            self._close_kernel_pipes()

        self.kernel_watcher = threading.Thread(target=watch, daemon=True)
        self.kernel_watcher.start()

    def start_notebook(self, config) -> None:
        job = self.notebook_job(config)
        if job is None:
            return
        notebook, kwargs = job
        from mkdocs_jupyter import convert

        convert_now = convert.nb2html
        early = {"args": ((notebook,), kwargs)}
        helper = self.notebook_helper

        def run():
            try:
                if helper is None:
                    self.executed_by = "mkdocs-jupyter"
                    early["result"] = convert_now(notebook, **kwargs)
                    return
                process, executed = helper
                if process.wait() != 0:  # convert as mkdocs-jupyter would: the same cell fails the same way
                    log.debug("notebook helper failed:\n%s", self._logs())
                    self._end_kernel()
                    self.executed_by = "mkdocs-jupyter"
                    early["result"] = convert_now(notebook, **kwargs)
                    return
                self.helper_report = json.loads(executed.with_suffix(".json").read_text())
                self.executed_by = self.helper_report["kernel"]
                _coalesce_streams(executed)
                early["result"] = convert_now(str(executed), **{**kwargs, "execute": False})
            except BaseException as error:  # raised again where mkdocs-jupyter asks for it
                early["error"] = error

        thread = threading.Thread(target=run, daemon=True)

        def nb2html(*args, **kw):
            if (args, kw) == early["args"] and "taken" not in early:
                early["taken"] = True
                thread.join()
                if "error" in early:
                    raise early["error"]
                return early["result"]
            return convert_now(*args, **kw)

        _replace(convert, "nb2html", nb2html)
        thread.start()

    def _logs(self) -> str:
        logs = [self.notebook_folder / name for name in ("helper.log", "kernel.log")]
        return "\n".join(f"{p.name}:\n{p.read_text(errors='replace')[-3000:]}" for p in logs if p.exists())

    def notebook_record(self) -> dict | None:
        """How this build executed the notebook, for the tests (write_record): by a kernel forked from the
        build ("forked"), by one the helper launched ("launched"), or by mkdocs-jupyter itself."""
        executed_by = self.executed_by
        if executed_by is None:
            return None
        return {
            "notebook": self.notebook[1] if self.notebook else None,
            "executed_by": executed_by,
            "helper": self.helper_report,
            "kernel": self.kernel if self.kernel_reaped.is_set() else None,
        }

    def _end_kernel(self) -> None:
        """SIGTERM to the forked kernel's session, unless it ended (watch_kernel reaps it)."""
        if self.kernel is not None and not self.kernel_reaped.is_set():
            try:
                os.killpg(self.kernel["pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop_notebook(self) -> None:
        """End the helper and the kernel, wherever they are (the build stopped before it needed the notebook, or
        post_build), and remove their folder."""
        if self.notebook_helper is not None:
            process, _ = self.notebook_helper
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        if self.kernel is not None and not self.kernel_reaped.is_set():
            self._end_kernel()  # its own session, with what it started
            if self.kernel_watcher is None:  # forked, but the build stopped before it watched it
                os.waitpid(self.kernel["pid"], 0)
                self.kernel_reaped.set()
            elif not self.kernel_reaped.wait(10):
                os.killpg(self.kernel["pid"], signal.SIGKILL)
                self.kernel_reaped.wait()
        self._close_kernel_pipes()  # a helper that waits for the build's answer reads the end of the pipe
        if self.notebook_helper is not None:
            process, _ = self.notebook_helper
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.notebook_folder:
            import shutil

            shutil.rmtree(self.notebook_folder, ignore_errors=True)


def _coalesce_streams(path: Path) -> None:
    """What handbook/hooks/notebook.py does after mkdocs-jupyter's execution (nbconvert's
    CoalesceStreamsPreprocessor), here on the helper's executed notebook."""
    import nbformat
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb = nbformat.read(path, as_version=4)
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, path)


state = Ahead()
_originals = {}  # (module, name) -> what start() replaced, put back by finish()


def _replace(module, name: str, value) -> None:
    _originals.setdefault((module, name), getattr(module, name))
    setattr(module, name, value)


def run_python(code: str, returncode=None, session=None, id=None, **extra):  # noqa: A002
    """markdown-exec's `_run_python`, answered from the children's outcomes where there is one; what it returns
    or raises is recorded for the tests (write_record)."""
    from markdown_exec._internal.formatters.base import ExecutionError

    entry = {"id": id, "code": code, **({"session": session} if session else {})}
    state.record.setdefault(state.page or "", []).append(entry)
    hits = state.hits
    try:
        entry["output"] = _answer(code, returncode=returncode, session=session, id=id, **extra)
    except ExecutionError as error:
        entry.update(error=str(error), returncode=error.returncode)
        raise
    finally:
        entry["ran"] = "ahead" if state.hits > hits else "in the build"  # for tests/site/test_ahead_fences.py
    return entry["output"]


def _answer(code: str, returncode=None, session=None, id=None, **extra):  # noqa: A002
    from markdown_exec._internal.formatters import python
    from markdown_exec._internal.formatters.base import ExecutionError

    outcome = state.outcome(key(code, session, id, extra))
    if outcome is None:
        state.misses += 1
        run = _originals[(python, "_run_python")]
        return run(code, returncode=returncode, session=session, id=id, **extra)
    state.hits += 1
    seconds, cpu = outcome[3]
    log.debug("fence %s ran ahead: %.2f s, %.2f s CPU (its subprocesses included)", id, seconds, cpu)
    # What `_run_python` does in the build process besides running the code: the block counter, the source
    # lines it quotes in tracebacks, and the module named after the block.
    block_id = python._code_block_id(id, session, extra.get("title"))
    python._code_blocks[block_id] = code.split("\n")
    module_name = re.sub(r"[^a-zA-Z\d]+", "_", block_id)
    sys.modules[module_name] = ModuleType(module_name)
    if outcome[0] == "error":
        raise ExecutionError(outcome[1], outcome[2])
    return outcome[1]


def start(config) -> None:
    """Start the fences and the notebook (on_config). Only in a single-threaded build process with os.fork:
    elsewhere (`mkdocs serve` runs a server thread) the build runs them in turn, as markdown-exec does."""
    global state
    finish()
    old_record = record_path(config.site_dir)
    if old_record:  # a build that records nothing (see below) leaves no record of an earlier one behind
        old_record.unlink(missing_ok=True)
        notebook_record_path(config.site_dir).unlink(missing_ok=True)
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return
    from markdown_exec._internal.formatters import python

    state = Ahead()
    # Two children, the notebook's kernel and the build share the cores, each with torch's OpenMP threads: a
    # thread that waits for work sleeps rather than spins (it burnt CPU time the others needed; measured:
    # three concurrent cost-vit-flops runs, 20.8 s CPU each with spinning threads, 13.3 s passive). Read when
    # torch is first imported, below; inherited by the kernel and the fences' subprocesses. No output changes.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # The helper imports nbclient and prepares the kernel while this process imports what the pages need; the
    # kernel is then forked from here, warm: it does not import torch and transformers a second time.
    state.launch_notebook(config)
    state.start_planner(config)
    preload(state.planned_imports())
    # What preload imported lives as long as the process: the cyclic collector need not walk it again, in this
    # process and in the kernel and the zygote forked from it. Above all at exit: the interpreter's last
    # collections over torch's and transformers' objects took about 1.7 s of a build's single-threaded end.
    gc.freeze()
    state.plan_fences(config, state.received_plan())
    state.fork_kernel()
    state.start_zygote()
    one_torch_thread()  # the ledger's checks, which run here
    state.listen()
    state.watch_kernel()  # after the last fork: no thread may run in this process before
    if state.index:
        from material.plugins.search import plugin as search_plugin

        _replace(python, "_run_python", run_python)
        _replace(search_plugin, "Parser", _search_parser(search_plugin.Parser))
    state.start_notebook(config)


FENCE_OUTPUTS = ARTIFACTS / "fence-outputs"


def record_path(site_dir) -> Path | None:
    """Where the build into `site_dir` records its fences: artifacts/fence-outputs/<name of the site folder>.json
    (site/ -> site.json, artifacts/deploy-site/ -> deploy-site.json); None for a folder outside the repository
    (`mkdocs serve` builds into a temporary one), for which nothing is recorded."""
    site = Path(site_dir).resolve()
    return FENCE_OUTPUTS / f"{site.name}.json" if ROOT.resolve() in site.parents else None


def notebook_record_path(site_dir) -> Path | None:
    """Where the build into `site_dir` records how it executed the notebook (Ahead.notebook_record):
    artifacts/fence-outputs/<name of the site folder>.notebook.json, next to its record of the fences."""
    path = record_path(site_dir)
    return path.with_suffix(".notebook.json") if path else None


def reading(page) -> None:
    """MkDocs is about to render `page` (on_page_markdown): its fences are recorded under its src path."""
    state.page = page.file.src_uri


def write_record(config) -> None:
    """At post_build: what every exec fence of this build ran and printed, as one JSON file (sorted keys, so
    two builds of the same sources write the same bytes). Only for a build that ran every fence through
    run_python (start() replaced markdown-exec's); written next to the site, never into it."""
    path = record_path(config.site_dir)
    if path is None:
        return
    notebook = state.notebook_record()
    if notebook is not None:
        _write_json(notebook_record_path(config.site_dir), notebook)
    if state.index:
        _write_json(path, state.record)


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


# -- the search index: each page parsed while the build waits for a later page's fences ----------------------

_parsed = {}  # a page's content -> the sections material's search Parser divided it into
_search_counts = {"parsed ahead": 0, "taken": 0}


def _search_parser(original: type) -> type:
    """material's search Parser, answered from `_parsed` for a content parsed ahead."""

    class ParsedAhead(original):
        def feed(self, data: str) -> None:
            sections = _parsed.pop(data, None)
            if sections is None:
                super().feed(data)
            else:
                self.data = sections
                _search_counts["taken"] += 1

    return ParsedAhead


def defer_search(page) -> None:
    """on_page_content: once the page's content is final, material's search plugin parses all of it to index it, in
    the build's single-threaded end (0.9 s for the site, most of that end). Parse it ahead instead, with the same
    Parser, while the build waits for a later page's fences; the plugin then takes the sections from `_parsed`
    (`_search_parser`), so the search index is the same. A page parsed by then, or a content changed since, is
    parsed as before."""
    from material.plugins.search import plugin as search_plugin

    original = _originals.get((search_plugin, "Parser"))
    if original is None:  # start() did not replace it: the build runs everything in turn
        return

    def parse() -> None:
        content = page.content  # set once the page's on_page_content events are done, before this runs
        if isinstance(content, str) and content not in _parsed:
            parser = original()
            parser.feed(content)
            parser.close()
            _parsed[content] = parser.data
            _search_counts["parsed ahead"] += 1

    state.deferred.append(parse)


# -- the end of `mkdocs build` --------------------------------------------------------------------------------

BUILT = "Documentation built in"  # how mkdocs.commands.build logs a build that succeeded, strict checks passed
_build = {"command": None, "built": False}


class _Built(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith(BUILT):
            _build["built"] = True
        return True


def watch_build(command: str) -> None:
    """on_startup: remember the command, and watch mkdocs' log for the line it writes once a build succeeded."""
    _build.update(command=command, built=False)
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _Built) for f in logger.filters):
        logger.addFilter(_Built())


def exit_if_built() -> None:
    """on_shutdown, the last thing `mkdocs build` does before it exits 0: once the site is written, run the exit
    handlers (the helper's, the zygotes', logging's), and end the process without the interpreter's teardown,
    which frees every object of torch, transformers and the rest one by one (about 0.35 s of the build's
    single-threaded end, measured). Only after `mkdocs build` logged its success: a failed or aborted build, `mkdocs
    serve` (which removes its site folder after this) and a build run from Python end as they always do."""
    if _build["command"] != "build" or not _build["built"]:
        return
    import atexit

    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def finish() -> None:
    """Put markdown-exec and mkdocs-jupyter back as they were, end what is left (on_post_build)."""
    if state.index:
        log.debug("fences run ahead: %d, in the build process: %d", state.hits, state.misses)
        log.debug(
            "search index: %(parsed ahead)d pages parsed ahead, %(taken)d taken by the search plugin", _search_counts
        )
    state.stop()
    state.stop_notebook()
    for (module, name), original in _originals.items():
        setattr(module, name, original)
    _originals.clear()
    _parsed.clear()
    _search_counts.update({name: 0 for name in _search_counts})
