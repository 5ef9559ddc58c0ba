"""The source excerpts quote the installed files exactly, with correct line numbers: the snippet's functions,
and every excerpt shown on every built page, compared with the installed files read directly."""

import html
import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import qwen_vl_utils
import transformers
from transformers import vision_utils
from transformers.vision_utils import get_vision_window_index

from handbook.excerpts import repo_path, resolve, source_of, statement
from handbook.paths import ROOT, SITE

INSTALLED = {
    "transformers": (Path(transformers.__file__).parent, "src/transformers/", transformers.__version__),
    "qwen-vl-utils": (Path(qwen_vl_utils.__file__).parent, "qwen_vl_utils/", version("qwen-vl-utils")),
}


def installed_lines(excerpt):
    file = Path(transformers.__file__).parent / excerpt.repo_path.removeprefix("src/transformers/")
    return file.read_text().splitlines()[excerpt.first - 1 : excerpt.last]


def test_statement_is_the_installed_line():
    excerpt = statement(get_vision_window_index, r"vit_merger_window_size\s*=")
    assert list(excerpt.lines) == installed_lines(excerpt)
    assert excerpt.lines[0].strip().startswith("vit_merger_window_size =")
    assert excerpt.repo_path == "src/transformers/vision_utils.py"


def test_context_lines_and_range():
    excerpt = statement(get_vision_window_index, r"pad_h = ", before=1, after=2)
    assert len(excerpt.lines) == 4 and excerpt.last == excerpt.first + 3
    assert list(excerpt.lines) == installed_lines(excerpt)
    assert f"#L{excerpt.first}-L{excerpt.last}" in excerpt.url and f"/v{transformers.__version__}/" in excerpt.url


def test_whole_function_is_the_installed_definition():
    # Read from the file itself (not inspect, which source_of uses): the excerpt starts at the `def` line,
    # equals the file's lines, and the next code line is back at the def's indentation (the function ended).
    excerpt = source_of(get_vision_window_index)
    file = Path(transformers.__file__).parent / "vision_utils.py"
    lines = file.read_text().splitlines()
    assert lines[excerpt.first - 1].startswith("def get_vision_window_index(")
    assert list(excerpt.lines) == lines[excerpt.first - 1 : excerpt.last]
    following = [line for line in lines[excerpt.last :] if line.strip()]
    assert not following or not following[0].startswith((" ", "\t")), following[0]
    assert excerpt.lines[-1].startswith(" ") and excerpt.lines[-1].strip()


def test_ambiguous_or_missing_statement_fails_loudly():
    with pytest.raises(LookupError, match="matches 0 lines"):
        statement(get_vision_window_index, r"this text is not in the source")
    with pytest.raises(LookupError, match="matches 2 lines"):
        statement(get_vision_window_index, r"pad_[hw] = ")


def test_markdown_has_path_range_and_numbered_fence():
    text = statement(get_vision_window_index, r"vit_merger_window_size\s*=").markdown()
    assert "`src/transformers/vision_utils.py`, line" in text
    assert 'linenums="' in text and "vit_merger_window_size" in text


def test_resolve_and_repo_path():
    assert resolve("transformers.vision_utils:get_vision_window_index") is get_vision_window_index
    assert repo_path(vision_utils.__file__) == "src/transformers/vision_utils.py"


def test_command_line_prints_the_statement(monkeypatch, capsys):
    """`python -m handbook.excerpts TARGET PATTERN`: the file run as __main__ (runpy) in this process, whose
    transformers is imported already, instead of a new interpreter."""
    import runpy

    args = ["transformers.vision_utils:get_vision_window_index", "vit_merger_window_size ="]
    monkeypatch.setattr(sys, "argv", ["excerpts.py", *args])
    runpy.run_path(str(ROOT / "handbook" / "excerpts.py"), run_name="__main__")
    assert "vit_merger_window_size = window_size // spatial_merge_size // patch_size" in capsys.readouterr().out


# ---------------------------------------------------------------- every excerpt on every built page

EXCERPT = re.compile(
    r"<code>(?P<path>[^<]+)</code>, lines? (?P<first>\d+)(?:–(?P<last>\d+))? of the installed "
    r'(?P<package>transformers|qwen-vl-utils) (?P<version>[0-9][^ <]*)(?: \(<a href="(?P<url>[^"]+)">)?.*?</p>\s*'
    r'<div class="language-python highlight"><table class="highlighttable"><tr><td class="linenos">(?P<numbers>.*?)</td>'
    r'<td class="code">(?P<code>.*?)</td></tr></table>',
    re.DOTALL,
)


def shown_excerpts(page: Path) -> list:
    """(path, first, last, package, version, url, line numbers shown, code lines shown) of each excerpt."""
    found = []
    for m in EXCERPT.finditer(page.read_text()):
        numbers = [int(n) for n in re.findall(r">(\d+)</(?:a|span)>", m["numbers"])]  # anchored or plain numbers
        code = html.unescape(re.sub(r"<[^>]+>", "", m["code"]))
        found.append(
            (
                m["path"],
                int(m["first"]),
                int(m["last"] or m["first"]),
                m["package"],
                m["version"],
                m["url"],
                numbers,
                code.rstrip("\n").split("\n"),
            )
        )
    return found


def test_every_excerpt_on_the_site_shows_the_installed_lines():
    checked = 0
    for page in sorted(SITE.rglob("*.html")):
        text = page.read_text()
        excerpts = shown_excerpts(page)
        # Every numbered code block on the site is an excerpt of installed code, and each was read here.
        assert len(excerpts) == text.count('class="highlighttable"'), f"{page}: an excerpt was not parsed"
        for path, first, last, package, shown_version, url, numbers, lines in excerpts:
            where = f"{page.relative_to(SITE)}: {path} {first}-{last}"
            root, prefix, installed_version = INSTALLED[package]
            assert shown_version == installed_version, where
            assert path.startswith(prefix), where
            file_lines = (root / path.removeprefix(prefix)).read_text().splitlines()
            assert numbers == list(range(first, last + 1)), f"{where}: line numbers shown {numbers[:3]}..."
            assert lines == file_lines[first - 1 : last], f"{where}: the lines shown are not the file's"
            if url:
                assert url.endswith(f"/v{installed_version}/{path}#L{first}-L{last}"), f"{where}: {url}"
            checked += 1
    assert checked >= 10, f"only {checked} excerpts found on the site"
