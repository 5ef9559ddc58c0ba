"""The hosted checks run what a developer runs: GitHub Actions call the same make targets."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict) -> list:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def runs(data: dict) -> list:
    return [line.strip() for step in steps(data) for line in step.get("run", "").splitlines()]


def uses(data: dict, action: str) -> list:
    return [step for step in steps(data) if step.get("uses", "").split("@")[0] == action]


def make_targets() -> set:
    return set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))


def python_version() -> str:
    return re.search(r'requires-python = "==(\d+\.\d+)\.\*"', (ROOT / "pyproject.toml").read_text()).group(1)


def test_every_push_and_pull_request_runs_make_test():
    data = workflow("test.yml")
    assert "push" in data["on"] and "pull_request" in data["on"]
    assert data["on"]["push"] is None or "branches" not in data["on"]["push"], "push must run on every branch"
    assert "make test" in runs(data) and "test" in make_targets()
    assert [step["with"]["python-version"] for step in uses(data, "actions/setup-python")] == [python_version()]
    chromium = [step.get("env", {}).get("CHROMIUM") for step in steps(data) if step.get("run") == "make test"]
    assert chromium and chromium[0], "the runner has no Debian chromium: point CHROMIUM at its Chrome"


def test_main_is_built_with_make_build_and_published_to_pages():
    data = workflow("pages.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["permissions"]["pages"] == "write" and data["permissions"]["id-token"] == "write"
    assert "make build" in runs(data) and "build" in make_targets()
    build_step = next(step for step in steps(data) if step.get("run") == "make build")
    configure = uses(data, "actions/configure-pages")
    assert configure and build_step["env"]["SITE_URL"] == "${{ steps.%s.outputs.base_url }}/" % configure[0]["id"]
    site_dir = re.search(r"^SITE := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    assert [step["with"]["path"] for step in uses(data, "actions/upload-pages-artifact")] == [site_dir]
    assert uses(data, "actions/deploy-pages")
    assert "SITE_URL" in (ROOT / "mkdocs.yml").read_text(), "mkdocs.yml must read site_url from SITE_URL"


def test_the_readme_says_how_the_site_is_deployed():
    readme = (ROOT / "README.md").read_text()
    assert ".github/workflows/pages.yml" in readme and ".github/workflows/test.yml" in readme
