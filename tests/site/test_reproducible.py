"""Two builds of the same sources are byte-identical but for the address they are published at.

The second build is the suite's one extra build (tests/conftest.py's `deploy_site`, built by `make test` in parallel with site/): into a temporary
directory, with the environment `make test` built site/ with (SOURCE_DATE_EPOCH, the last commit's time,
exported by the Makefile; offline), and with SITE_URL set to a GitHub Pages project address,
https://docs.example.org/handbook/. Every file must equal site/'s once that address is written as
site/'s own (site_url of mkdocs.yml as read now): canonical links, sitemap.xml, claims.json's evidence
links, and 404.html's root-absolute paths ("/handbook/assets/..." against "/assets/...", Material's base
and storage scope) are where it appears. sitemap.xml.gz is compared after decompression, with its gzip header. Nothing else may differ.

What SOURCE_DATE_EPOCH pins: without it the build date is the clock's, so builds on different days
differ in exactly these places, all derived from that date: the provenance line of every page, the
same text in search/search_index.json, <lastmod> in sitemap.xml, and sitemap.xml.gz. Nothing else is
volatile: figures are SVG with fixed ids and no timestamp (snippets/svg_figure.py), tiny models are
seeded, no page prints a timing, and the executed notebook's printed output is merged into one block
per cell after execution (handbook/hooks/notebook.py; the kernel otherwise splits it wherever it happened to flush).

The two builds' records of what every exec fence ran and printed (artifacts/fence-outputs/site.json and
deploy-site.json, handbook/ahead.py) must be identical too: each fence's output is reproducible, so the tests
that read it from site.json (handbook/page_tests.fence_output) read what any build prints.
"""

import datetime
import difflib
import gzip
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from handbook.page_tests import fence_record
from handbook.paths import ROOT, SITE
from handbook.site_build import DEPLOY_URL


def files(root: Path) -> set:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def site_url() -> str:
    """site_url as mkdocs.yml gives it in this environment (the address site/ was built for)."""
    from test_workflows import read_mkdocs_yml

    return read_mkdocs_yml((ROOT / "mkdocs.yml").read_text())["site_url"]


def as_built_for(name: str, data: bytes, deploy: str, local: str) -> bytes:
    """A file of the deploy-style build with its address rewritten to site/'s."""
    if name.endswith(".gz"):
        head, body = data[:10], gzip.decompress(data)  # the header holds the mtime: compare it too
        return head + as_built_for(name[:-3], body, deploy, local)
    if not name.endswith((".html", ".xml", ".json", ".txt")):
        return data
    text = data.decode().replace(deploy, local)
    if name == "404.html":  # served at any depth, the 404 page names its assets, search worker and
        # Material's base and storage scope from the site root, i.e. as strings starting with the address' path
        text = text.replace('"' + urlparse(deploy).path, '"' + urlparse(local).path)
    return text.encode()


def first_difference(name: str, left: bytes, right: bytes) -> str:
    try:
        a, b = left.decode().splitlines(), right.decode().splitlines()
    except UnicodeDecodeError:
        return "binary files differ"
    diff = difflib.unified_diff(a, b, "site/", "second build/", n=0, lineterm="")
    return "\n".join(line[:300] for line in list(diff)[:8])


def test_a_second_build_is_byte_identical(deploy_site):
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        pytest.fail("SOURCE_DATE_EPOCH is not set: run through `make test`, which exports it and builds site/ with it")
    date = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).strftime("%Y-%m-%d")
    assert f'data-built="{date}"' in (SITE / "index.html").read_text(), (
        "site/ was not built with this SOURCE_DATE_EPOCH: rebuild it (make test does)"
    )
    local = site_url()
    assert local != DEPLOY_URL and DEPLOY_URL in (deploy_site / "index.html").read_text()

    assert files(SITE) == files(deploy_site), f"file sets differ: {sorted(files(SITE) ^ files(deploy_site))[:10]}"
    differing = {}
    for name in sorted(files(SITE)):
        mine = (SITE / name).read_bytes()
        second = as_built_for(name, (deploy_site / name).read_bytes(), DEPLOY_URL, local)
        if name.endswith(".gz"):
            mine = mine[:10] + gzip.decompress(mine)
        if mine != second:
            differing[name] = first_difference(name, mine, second)
    report = dict(list(differing.items())[:3])
    assert not differing, f"{len(differing)} files differ between two builds, e.g. {report}"


def test_both_builds_recorded_the_same_fence_outputs(deploy_site):
    """Same pages, same fences in the same order, same code, same output (or error), whatever the site's address."""
    mine, second = fence_record(SITE), fence_record(deploy_site)
    assert mine, "site/'s build recorded no fence"
    runs = [(page, entry["id"]) for page in sorted(mine) for entry in mine[page]]
    differing = [
        (page, a["id"], sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)))
        for page in sorted(mine.keys() & second.keys())
        for a, b in zip(mine[page], second[page], strict=False)
        if a != b
    ]
    assert sorted(mine) == sorted(second), f"pages differ: {sorted(mine.keys() ^ second.keys())}"
    assert runs == [(page, entry["id"]) for page in sorted(second) for entry in second[page]], "fences differ"
    assert not differing, f"{len(differing)} fences differ between two builds (page, id, fields): {differing[:5]}"
    assert mine == second


def test_the_build_date_follows_source_date_epoch(monkeypatch):
    from handbook.hooks.provenance import build_date

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert build_date() == "1970-01-02"
