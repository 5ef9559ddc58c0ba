"""site/ and the suite's one extra build, for tests/conftest.py's hooks and fixtures and for the tests.

- site_problem(): why site/ cannot stand for the sources as they are now (missing, or older than one of
  them), or None.
- The deploy-style build: the site built a second time with SITE_URL=https://docs.example.org/handbook/,
  as GitHub Pages serves a project (under a subpath of another host). tests/test_reproducible.py compares
  it with site/ (byte for byte, but for the address); tests/test_workflows.py and
  tests/browser/test_deploy.py check and serve it. It starts in the background, at a lower priority, as
  soon as collection shows a test that needs it, so that it overlaps the tests that run before those.
"""

import datetime
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from handbook.paths import ROOT, SITE

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
def site_problem() -> str | None:
    """Why site/ cannot stand for the current sources, or None: missing, or older than a source file.
    site/'s age is its oldest generated page (mkdocs build rewrites every file; a clone's checkout gives
    every source the checkout time, and `make test` builds after it)."""
    if not (SITE / "index.html").exists():
        return "site/ is not built: run `make build` (or `make test`, which builds it first)"
    built = min(p.stat().st_mtime for p in [*SITE.rglob("*.html"), SITE / "sitemap.xml"])
    newest = max(source_files(), key=lambda f: f.stat().st_mtime)
    if newest.stat().st_mtime > built:
        return (
            f"site/ is stale: {newest.relative_to(ROOT)} changed at {_when(newest.stat().st_mtime)}, after "
            f"site/ was built at {_when(built)}. Rebuild it with `make build` (`make test` builds first)."
        )
    return None


def reads_site(module) -> bool:
    """A test module that names a path in site/ (SITE = ROOT / "site", say) reads the built site."""
    return any(isinstance(value, Path) and (value == SITE or SITE in value.parents) for value in vars(module).values())


DEPLOY_URL = "https://docs.example.org/handbook/"
DEPLOY_TIMEOUT_S = 1200
_deploy = {}


def start_deploy_build():
    if _deploy:
        return
    target = Path(tempfile.mkdtemp(prefix="handbook-deploy-")) / "site"
    mkdocs = Path(sys.executable).parent / "mkdocs"  # the Makefile's entry point, same interpreter path
    command = [str(mkdocs)] if mkdocs.exists() else [sys.executable, "-m", "mkdocs"]
    log = open(target.parent / "build.log", "w+")
    proc = subprocess.Popen(
        command + ["build", "--strict", "--site-dir", str(target)],
        cwd=ROOT,
        env={**os.environ, "SITE_URL": DEPLOY_URL},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: os.nice(10),
    )
    _deploy.update(proc=proc, target=target, log=log)


def finish_deploy_build() -> tuple:
    """Wait for the deploy-style build: (its site directory, None) or (None, why it failed)."""
    start_deploy_build()
    proc = _deploy["proc"]
    try:
        proc.wait(timeout=DEPLOY_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None, f"the deploy-style build took over {DEPLOY_TIMEOUT_S} s"
    if proc.returncode != 0:
        _deploy["log"].seek(0)
        return None, f"the deploy-style build (SITE_URL={DEPLOY_URL}) failed:\n{_deploy['log'].read()[-3000:]}"
    return _deploy["target"], None


def remove_deploy_build():
    if _deploy:
        if _deploy["proc"].poll() is None:
            _deploy["proc"].kill()
            _deploy["proc"].wait()
        _deploy["log"].close()
        shutil.rmtree(_deploy["target"].parent, ignore_errors=True)
        _deploy.clear()
