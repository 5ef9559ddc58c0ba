"""MkDocs hooks: make snippets/ importable for exec fences, and stamp every page with its provenance.

Provenance is computed in the build process itself, the same interpreter whose transformers and torch
produced the page's numbers. The build date honours SOURCE_DATE_EPOCH (reproducible builds); it is the
only part of a page that changes between two builds of the same commit.
"""

import datetime
import os
import platform
import re
import sys
from pathlib import Path

SNIPPETS = str(Path(__file__).resolve().parent / "snippets")


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch
              else datetime.datetime.now(datetime.timezone.utc))
    return moment.strftime("%Y-%m-%d")


def _coalesce_executed_notebook_streams():
    """A notebook cell's printed output reaches nbconvert in chunks cut wherever the kernel happened to
    flush, so two builds could split the same text into different output blocks. Merge consecutive
    chunks after execution (nbconvert's own CoalesceStreamsPreprocessor runs before it), so a rebuild
    renders the same HTML (tests/test_reproducible.py)."""
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor, ExecutePreprocessor

    if getattr(ExecutePreprocessor, "_handbook_coalesced", False):
        return
    execute = ExecutePreprocessor.preprocess

    def preprocess(self, nb, resources=None, km=None):
        nb, resources = execute(self, nb, resources, km)
        return CoalesceStreamsPreprocessor().preprocess(nb, resources)

    ExecutePreprocessor.preprocess = preprocess
    ExecutePreprocessor._handbook_coalesced = True


def on_config(config):
    if SNIPPETS not in sys.path:
        sys.path.insert(0, SNIPPETS)
    os.environ.setdefault("MPLBACKEND", "Agg")
    _coalesce_executed_notebook_streams()
    return config


def provenance() -> str:
    import torch
    import transformers

    return (
        f'<p class="provenance" data-transformers="{transformers.__version__}" '
        f'data-torch="{torch.__version__}" data-built="{build_date()}" data-python="{platform.python_version()}">'
        f"Every number, table and figure on this page was computed when the site was built, "
        # With SOURCE_DATE_EPOCH (make sets it to the last commit's time) the date is the sources' date.
        f"{'from the sources as of' if os.environ.get('SOURCE_DATE_EPOCH') else 'on'} "
        f"{build_date()} (UTC), with transformers {transformers.__version__}, torch {torch.__version__} "
        f"and Python {platform.python_version()}.</p>\n"
    )


def on_page_markdown(markdown, page, config, files):
    return markdown + "\n\n" + provenance()


# What mkdocs-jupyter puts around the notebook itself: JupyterLab's whole stylesheet (about 575 kB, copied
# into every notebook page), its theme variables and its Pygments rules, Mermaid's styles and a module
# script that would import Mermaid from a CDN if a cell drew a diagram (none does); after the notebook,
# the Pygments rules once more, printed as a Python list inside a <style>.
NOTEBOOK_BUNDLE = re.compile(r'<style(?: type="text/css")?>.*?</style>|<script type="module">.*?</script>', re.DOTALL)
NOTEBOOK_START, NOTEBOOK_END = '<div class="jupyter-wrapper">', "<!-- jupyter-wrapper -->"


def strip_notebook_bundle(html: str) -> str:
    """Drop the bundled CSS and the Mermaid loader; docs/stylesheets/notebook.css styles the cells instead.

    Only what lies before and after the notebook is touched, so no cell's output is edited. Code cells
    keep their Pygments spans under Material's `highlight` class, so they take the theme's code colours.
    """
    head, start, rest = html.partition(NOTEBOOK_START)
    notebook, end, tail = rest.partition(NOTEBOOK_END)
    if not (start and end):
        return html
    notebook = notebook.replace('<div class="highlight-ipynb hl-', '<div class="highlight hl-')
    return NOTEBOOK_BUNDLE.sub("", head) + start + notebook + end + NOTEBOOK_BUNDLE.sub("", tail)


# Pygments wraps every plain name in <span class="n">. Material colours `.n` with the code's own foreground
# (--md-code-hl-name-color: var(--md-code-fg-color)), so the wrapper changes nothing on screen, and it is
# about a fifth of a code-heavy page (tests/test_built_site.py checks both facts).
PLAIN_NAME = re.compile(r'<span class="n">([^<]*)</span>')


def unwrap_plain_names(html: str) -> str:
    return PLAIN_NAME.sub(r"\1", html)


def on_page_content(html, page, config, files):
    """Every page: unwrap plain names in code. Notebook pages (mkdocs-jupyter) skip the Markdown stage: give
    them a download link and the stamp.

    Their code and outputs (<pre> blocks) are kept out of the search index with Material's
    data-search-exclude: the notebook repeats every chapter's vocabulary in code and would otherwise
    outrank the chapters. (On a <div> the attribute leaks: Material's parser matches elements by tag.)
    """
    html = unwrap_plain_names(html)
    if not page.file.src_path.endswith(".ipynb"):
        return html
    html = strip_notebook_bundle(html)
    # tabindex: a cell's code or output that scrolls sideways can be scrolled from the keyboard.
    html = html.replace("<pre>", '<pre data-search-exclude="code" tabindex="0">')
    name = Path(page.file.src_path).name
    download = (f'<p class="notebook-download"><a href="{name}" download>Download {name}</a> and run it with '
                f"the packages of <code>requirements.lock</code> (no downloads needed).</p>\n")
    return download + html + provenance()


def on_post_build(config):
    """Publish the ledger as site/claims.json: id, section, claim, verdict, basis and evidence URL of every claim."""
    import json

    import claims

    records = claims.as_records(config.site_url or "")
    target = Path(config.site_dir) / "claims.json"
    target.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
