"""The notebook page (mkdocs-jupyter): the same HTML from every build, without the bundled stylesheets, with
a download link and the provenance stamp.
"""

import re
from pathlib import Path

from handbook.hooks.provenance import provenance


def _coalesce_executed_notebook_streams():
    """A notebook cell's printed output reaches nbconvert in chunks cut wherever the kernel happened to
    flush, so two builds could split the same text into different output blocks. Merge consecutive
    chunks after execution (nbconvert's own CoalesceStreamsPreprocessor runs before it), so a rebuild
    renders the same HTML (tests/site/test_reproducible.py)."""
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor, ExecutePreprocessor

    if getattr(ExecutePreprocessor, "_handbook_coalesced", False):
        return
    execute = ExecutePreprocessor.preprocess

    def preprocess(self, nb, resources=None, km=None):
        nb, resources = execute(self, nb, resources, km)
        return CoalesceStreamsPreprocessor().preprocess(nb, resources)

    ExecutePreprocessor.preprocess = preprocess
    ExecutePreprocessor._handbook_coalesced = True


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


def on_config(config):
    _coalesce_executed_notebook_streams()
    return config


def on_page_content(html, page, config, files):
    """Notebook pages skip the Markdown stage: give them a download link and the stamp.

    Their code and outputs (<pre> blocks) are kept out of the search index with Material's
    data-search-exclude: the notebook repeats every chapter's vocabulary in code and would otherwise
    outrank the chapters. (On a <div> the attribute leaks: Material's parser matches elements by tag.)
    """
    if not page.file.src_path.endswith(".ipynb"):
        return html
    html = strip_notebook_bundle(html)
    # tabindex: a cell's code or output that scrolls sideways can be scrolled from the keyboard.
    html = html.replace("<pre>", '<pre data-search-exclude="code" tabindex="0">')
    name = Path(page.file.src_path).name
    download = (
        f'<p class="notebook-download"><a href="{name}" download>Download {name}</a> and run it with '
        f"the packages of <code>requirements.lock</code> (no downloads needed).</p>\n"
    )
    return download + html + provenance()
