"""Test set-up shared by tests/ and by the doc fences that pytest-markdown-docs collects from docs/.

- pytest-markdown-docs parses the pages with docs_fences.IncludingMarkdownIt: --8<-- includes expanded as
  the build expands them, and exec fences indented inside admonitions read as fences.
- Tests that read site/ fail first, with a clear message, when it is missing or older than its sources.
- The deploy-style build (handbook/site_build.py) is built by `make test` next to site/, in artifacts/;
  `deploy_site` fails clearly when it is missing or older than its sources, as `built_site` does.
- The browser fixtures (page, site_url, deploy_page, ...) come from the plugin handbook/browser.py.
- A run without a loopback-only network namespace says so at the end, in red.
- `--dist loadgroup` keeps each `xdist_group` on one worker again under pytest 9.2, and every test that uses
  the browser on one worker of its own (see pytest_collection_modifyitems below;
  tests/site/test_xdist_groups.py checks both).
- Under pytest-xdist the controller starts the one warm parent that runs snippet files for all the workers, and
  the workers are forked from it (tests/site/test_snippet_server.py checks both).
- Under `make test`, started together with the builds, the controller waits for them before any worker starts
  (HANDBOOK_BUILDS_DONE; tests/site/test_session_setup.py checks the wait).
- The cyclic collector leaves alone what collection imported, and at the end everything
  (tests/site/test_session_setup.py checks the first).
- torch runs its operations on one thread in every test process: the workers, the warm parent and its
  children, and the subprocesses tests start (OMP_NUM_THREADS=1 unless set; test_session_setup.py checks it).
"""

import gc
import io
import os

import pytest

from handbook.fences import IncludingMarkdownIt
from handbook.paths import SITE
from handbook.site_build import BUILDS_DONE, DEPLOY_SITE, deploy_problem, reads_site, site_problem, wait_for_builds

pytest_plugins = ["handbook.browser"]

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# One OpenMP thread per test process. Two workers, the warm parent's children and Chromium already keep both
# cores busy, and the tensors here are tiny: with torch's default pool (a thread per core) the threads of each
# operation woke, spun and waited on each other. Measured on 2 cores, the tests outside the browser (742): 145-150 s
# of CPU with the default pool, 131 s with OMP_WAIT_POLICY=PASSIVE, 106-125 s with one thread; every test passes
# either way, so no output depends on it. Set before anything imports torch; inherited by what this process starts.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.hookimpl
def pytest_markdown_docs_markdown_it():
    return IncludingMarkdownIt("commonmark")


@pytest.hookimpl
def pytest_markdown_docs_globals():
    # Fences print tables and whole SVG figures; keep them out of the terminal but still execute print.
    sink = io.StringIO()
    return {"print": lambda *args, **kwargs: print(*args, **{**kwargs, "file": sink})}


# --------------------------------------------------------------------------------------- the warm parent


WARM_PARENT = pytest.StashKey()  # the warm parent's process, in the controller that started it


def pytest_configure(config):
    """The pytest-xdist controller starts the one warm parent its workers share for snippet runs
    (handbook/page_tests.py), before it starts them; the workers themselves are forked from it
    (pytest_xdist_setupnodes below). Its imports (torch, transformers, ... about 8 s of CPU) run once, not once per
    worker and once more for the snippets. Not in a worker, nor without xdist (there the first run starts it), nor
    for --collect-only.

    `make test` starts pytest at the same time as its two builds (BUILDS_DONE names the file it writes when they are
    done): the parent imports while they run, and the controller waits here, before any worker starts, until the
    builds, the network check and the link check have passed. If one failed, no test runs."""
    if hasattr(config, "workerinput"):
        return
    distributed = config.getoption("dist", "no") != "no" and config.getoption("tx", None)
    if distributed and not config.getoption("collectonly"):
        from handbook.page_tests import start_shared_snippet_server
        from handbook.snippet_server import stop

        process = start_shared_snippet_server()
        config.stash[WARM_PARENT] = process
        config.add_cleanup(lambda: stop(process))
    if os.environ.get(BUILDS_DONE):
        problem = wait_for_builds(os.environ[BUILDS_DONE])
        if problem:
            pytest.exit(problem, returncode=pytest.ExitCode.INTERRUPTED)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Each worker is forked from the warm parent instead of starting a fresh interpreter: the launcher execnet runs
    as the workers' Python (handbook/snippet_server.py, `--xdist-worker`) hands its stdin, stdout and stderr, its
    environment, folder and path to the parent, which forks a child that runs execnet's bootstrap as
    `python -u -c` would. Each worker then finds torch, transformers, matplotlib, ... imported (about 8 s of CPU
    each to import anew). Only for local workers (popen) of a session whose controller started the parent."""
    import shlex

    from handbook.snippet_server import worker_python

    if WARM_PARENT not in config.stash:
        return
    for spec in specs:
        if spec.popen and not spec.python and not spec.via:
            spec.python = shlex.join(worker_python())


# ------------------------------------------------------------------------------------- the cyclic collector


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """What collection imported (torch, transformers, ...) lives as long as the process: the cyclic collector need
    not walk it again in every full collection of the session."""
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """The tests are done: what they made is freed with the process, not walked by the interpreter's last
    collections (about 1.7 s per process that imported torch and transformers)."""
    gc.freeze()


# ------------------------------------------------------------------------------------------ xdist groups


BROWSER_GROUP = "browser"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Give each test marked xdist_group the `@<group>` suffix on its node id that xdist's loadgroup scheduler
    reads. pytest-xdist 3.8.0 writes it to the legacy `item._nodeid`, which pytest 9.2 no longer reads (its node
    ids are structured: pytest-xdist issue 1386, fix proposed in pull request 1388), so every group was silently
    spread over both workers: a page visit opened twice, a snippet run twice. Same suffix as xdist's own (group
    names sorted, joined by `_`), set on the structured id; nothing to do where xdist's own suffix took effect.

    Every test that uses the browser (its fixtures need handbook/browser.py's `browser`) goes in one group,
    BROWSER_GROUP, whatever its own marks: one worker runs them all with one Chromium. xdist sends out the largest
    group first (`--loadscope-reorder`, its default), so one worker starts on this one; the other takes the rest,
    a group or a test at a time as it runs low, and the browser's worker takes some of it only if any is still
    waiting when its own group is nearly done (in a `make test -v` of 2026-11-26, none was: 154 tests on one
    worker, all of this group, and 784 on the other). One Chromium spares the second one's start and warm-up: in
    two pairs of pytest runs, taking turns, 278-292 s of CPU with one Chromium against 297-306 s with one per
    worker; a gain no larger than the run-to-run spread of the machine they ran on (a third run with one took
    297 s)."""
    if not getattr(config.option, "loadgroup", False):  # set on the workers of `--dist loadgroup` only
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")
        }
        if "browser" in getattr(item, "fixturenames", ()):
            names = {BROWSER_GROUP}
        if names and "@" not in item.nodeid.rpartition("]")[2]:
            item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(sorted(names))}")


# ------------------------------------------------------------------------------------------ built site


def require_fresh_site():
    problem = site_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def built_site():
    """site/, built from the sources as they are now (fails clearly when it is missing or stale)."""
    return require_fresh_site()


def pytest_runtest_setup(item):
    """Every test of a module that names a path in site/ checks first that site/ is built and current."""
    module = getattr(item, "module", None)
    if module is not None and reads_site(module):
        require_fresh_site()


@pytest.fixture(scope="session")
def deploy_site():
    """artifacts/deploy-site/: the site built a second time with SITE_URL=https://docs.example.org/handbook/
    (handbook/site_build.py), from the sources as they are now (fails clearly when missing or stale)."""
    problem = deploy_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    return DEPLOY_SITE


# --------------------------------------------------------------------------------------------- offline

NETNS_TEST = "test_offline.py::test_the_network_namespace_has_only_loopback"


def pytest_terminal_summary(terminalreporter):
    """Say loudly, at the end of the run, when the network namespace test was skipped: the run was then
    confined by the Python guard alone (tools/offline/run could not make a loopback-only namespace)."""
    for report in terminalreporter.stats.get("skipped", []):
        if report.nodeid.endswith(NETNS_TEST):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            terminalreporter.write_sep("!", "offline block is partial", red=True, bold=True)
            terminalreporter.write_line(reason.removeprefix("Skipped: "), red=True, bold=True)
