"""site/ and the suite's one extra build, for tests/conftest.py's hooks and fixtures and for the tests.

- site_problem(): why site/ cannot stand for the sources as they are now (missing, or older than one of
  them), or None; record_problem(): the same of the build's record of what every fence printed
  (artifacts/fence-outputs/site.json, handbook/ahead.py writes it), which the tests read as the page's output.
- The deploy-style build: the site built a second time with SITE_URL=https://docs.example.org/handbook/,
  as GitHub Pages serves a project (under a subpath of another host), into artifacts/deploy-site/.
  tests/site/test_reproducible.py compares it with site/ (byte for byte, but for the address);
  tests/site/test_workflows.py and tests/site/browser/test_deploy.py check and serve it. `make test`
  runs it (`python -m handbook.site_build`) at the same time as the build of site/, before pytest;
  the tests check that it is there and current, as they do for site/ (deploy_problem()).
"""

import datetime
import functools
import os
import shutil
import sys
from pathlib import Path

from handbook.paths import ARTIFACTS, ROOT, SITE

# What a build of site/ reads: a newer file here means site/ shows an older state of the handbook.
SITE_SOURCES = ["docs", "snippets", "mkdocs.yml", "handbook", "requirements.lock", "requirements-4.52.4.lock"]


def source_files():
    for name in SITE_SOURCES:
        path = ROOT / name
        for file in [path] if path.is_file() else path.rglob("*"):
            parts = file.relative_to(ROOT).parts
            if file.is_file() and "__pycache__" not in parts and not any(p.startswith(".") for p in parts):
                yield file


def _when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@functools.cache
def site_problem(site: Path = SITE, how: str = "`make build` (`make test` builds it first)") -> str | None:
    """Why a built site (site/ by default) cannot stand for the current sources, or None: missing, or
    older than a source file. Its age is its oldest generated page (mkdocs build rewrites every file; a
    clone's checkout gives every source the checkout time, and `make test` builds after it)."""
    name = site.relative_to(ROOT).as_posix() + "/"
    if not (site / "index.html").exists() or not (site / "sitemap.xml").exists():
        return f"{name} is not built: {how}"
    built = min(p.stat().st_mtime for p in [*site.rglob("*.html"), site / "sitemap.xml"])
    return _older_than_a_source(name, built, f"was built at {{}}. Rebuild it: {how}.")


def _older_than_a_source(name: str, made: float, after: str) -> str | None:
    """'<name> is stale: ...' when a source file changed after `made` (a time), else None; `after` ends the
    message, with {} for the time `name` was made."""
    newest = max(source_files(), key=lambda f: f.stat().st_mtime)
    if newest.stat().st_mtime <= made:
        return None
    changed = f"{newest.relative_to(ROOT)} changed at {_when(newest.stat().st_mtime)}"
    return f"{name} is stale: {changed}, after {name} " + after.format(_when(made))


@functools.cache
def record_problem(site: Path = SITE) -> str | None:
    """Why the record of what each fence printed in the build of `site` (artifacts/fence-outputs/<site>.json,
    written at the end of that build by handbook/ahead.py) cannot stand for the current sources, or None:
    missing, or older than a source file, as site_problem() says of the site."""
    from handbook.ahead import record_path

    how = DEPLOY_HOW if site == DEPLOY_SITE else "`make build` (`make test` builds it first)"
    path = record_path(site)
    name = path.relative_to(ROOT).as_posix()
    if not path.is_file():
        return f"{name} is missing (the build of {site.relative_to(ROOT).as_posix()}/ writes it): {how}"
    return _older_than_a_source(name, path.stat().st_mtime, f"was written at {{}}. Rebuild: {how}.")


def reads_site(module) -> bool:
    """A test module that names a path in site/ (SITE = ROOT / "site", say) reads the built site."""
    return any(isinstance(value, Path) and (value == SITE or SITE in value.parents) for value in vars(module).values())


DEPLOY_URL = "https://docs.example.org/handbook/"
DEPLOY_SITE = ARTIFACTS / "deploy-site"


DEPLOY_HOW = "`make test` builds it (python -m handbook.site_build), in parallel with site/"


def deploy_problem() -> str | None:
    """Why artifacts/deploy-site/ cannot stand for the current sources (missing, or older than one), or None."""
    return site_problem(DEPLOY_SITE, DEPLOY_HOW)


def deploy_command(target: Path) -> tuple:
    """mkdocs' command line and environment for the deploy-style build into `target`."""
    mkdocs = Path(sys.executable).parent / "mkdocs"  # the Makefile's entry point, same interpreter path
    command = [str(mkdocs)] if mkdocs.exists() else [sys.executable, "-m", "mkdocs"]
    return [*command, "build", "--strict", "--site-dir", str(target)], {**os.environ, "SITE_URL": DEPLOY_URL}


# `make test` starts pytest before its builds, and names here the file it writes once they are done: "ok" when both
# builds, the network check after them and the link check passed, anything else when one failed.
BUILDS_DONE = "HANDBOOK_BUILDS_DONE"


def wait_for_builds(path: str, poll: float = 0.1, starter: int | None = None) -> str | None:
    """Wait until `path` exists; None when it says "ok", else why no test may run: what it says, or that the process
    that started this one (`starter`, by default the parent now: make's recipe, which writes the file) ended first."""
    import time

    starter = os.getppid() if starter is None else starter
    while not os.path.exists(path):
        if os.getppid() != starter:
            return f"the builds never finished: the process that started pytest ended first (no {path})"
        time.sleep(poll)
    said = Path(path).read_text().strip()
    return None if said == "ok" else f"the builds failed ({path}: {said!r}), so no test runs"


if __name__ == "__main__":
    # `make test` runs this in the background while it builds site/: the process becomes mkdocs itself
    # (exec), so that the Makefile can stop it by its process id when the first build fails.
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEPLOY_SITE
    shutil.rmtree(target, ignore_errors=True)
    command, env = deploy_command(target)
    os.chdir(ROOT)
    os.execve(command[0], command, env)
