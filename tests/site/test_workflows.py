"""The hosted checks run what a developer runs: GitHub Actions call the same make targets."""

import json
import os
import re
from unittest import mock

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from handbook.paths import ROOT
from handbook.site_build import DEPLOY_URL

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
    assert configure and build_step["env"]["SITE_URL"] == f"${{{{ steps.{configure[0]['id']}.outputs.base_url }}}}/"
    site_dir = re.search(r"^SITE := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    assert [step["with"]["path"] for step in uses(data, "actions/upload-pages-artifact")] == [site_dir]
    assert uses(data, "actions/deploy-pages")
    assert site_url_follows_the_environment((ROOT / "mkdocs.yml").read_text()), (
        "mkdocs.yml must read site_url from SITE_URL (site_url: !ENV [SITE_URL, ...])"
    )


def read_mkdocs_yml(text: str) -> dict:
    """mkdocs.yml's text read with MkDocs' own YAML loader (!ENV, and !relative as a placeholder)."""
    return yaml_load(text, loader=get_yaml_loader(config=MkDocsConfig(config_file_path=str(ROOT / "mkdocs.yml"))))


def site_url_with(text: str, value: str) -> str | None:
    """site_url as MkDocs reads this mkdocs.yml text with SITE_URL=value in the environment."""
    with mock.patch.dict(os.environ, {"SITE_URL": value}):
        return read_mkdocs_yml(text).get("site_url")


def site_url_follows_the_environment(text: str) -> bool:
    return all(site_url_with(text, url) == url for url in (DEPLOY_URL, "http://192.0.2.1/other/"))


def test_the_site_url_check_fails_without_the_env_tag():
    # The check above reads the YAML as MkDocs does: a comment naming SITE_URL is not enough.
    text = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^site_url: !ENV \[SITE_URL, ", text, re.MULTILINE)
    fixed = re.sub(r"^site_url: .*$", 'site_url: "http://127.0.0.1:8000/"  # SITE_URL', text, flags=re.MULTILINE)
    assert not site_url_follows_the_environment(fixed)
    assert not site_url_follows_the_environment(re.sub(r"^site_url: .*\n", "", text, flags=re.MULTILINE))


# --------------------------------------- the site built for a GitHub Pages project address (a subpath)


def test_claims_json_links_to_the_published_pages(deploy_site):
    records = json.loads((deploy_site / "claims.json").read_text())
    evidence = [r["evidence"] for r in records]
    assert evidence and all(e.startswith(DEPLOY_URL) for e in evidence), [
        e for e in evidence if not e.startswith(DEPLOY_URL)
    ][:3]
    for link in evidence:  # each link names a built page and an anchor on it
        page, _, anchor = link[len(DEPLOY_URL) :].partition("#")
        html = (deploy_site / page / "index.html").read_text()
        assert anchor and f'id="{anchor}"' in html, link


def test_canonical_links_and_sitemap_use_the_published_address(deploy_site):
    pages = sorted(p for p in deploy_site.rglob("index.html"))
    assert len(pages) > 10
    for html in pages:
        path = html.parent.relative_to(deploy_site).as_posix()
        expected = DEPLOY_URL + ("" if path == "." else path + "/")
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', html.read_text())
        assert canonical == [expected], f"{html.relative_to(deploy_site)}: {canonical}"
    locations = re.findall(r"<loc>([^<]+)</loc>", (deploy_site / "sitemap.xml").read_text())
    expected = {
        DEPLOY_URL + ("" if p.parent == deploy_site else p.parent.relative_to(deploy_site).as_posix() + "/")
        for p in pages
    }
    assert set(locations) == expected, sorted(set(locations) ^ expected)[:5]


def test_the_404_page_links_its_assets_under_the_subpath(deploy_site):
    text = (deploy_site / "404.html").read_text()
    assets = re.findall(r'(?:href|src)="(/[^"]*)"', text)
    assert assets and all(a.startswith("/handbook/") for a in assets), assets[:5]


def test_the_readme_says_how_the_site_is_deployed():
    readme = (ROOT / "README.md").read_text()
    assert ".github/workflows/pages.yml" in readme and ".github/workflows/test.yml" in readme
