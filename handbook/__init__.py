"""The site's plumbing, apart from the snippets that pages show.

- `paths`: every path the build, the tests and the scripts use, defined once.
- `snippets`: loads a snippet file as a module for the ledger and the tests (snippets/ is not on the import
  path: a snippet imports nothing from this repository).
- `figures`: the SVG wrapper that figure fences apply to a snippet's matplotlib figure.
- `excerpts`: quotes of the installed transformers source, with paths and line numbers.
- `claims`: the ledger of the analysis' claims, their checks and their rendering.
- `hooks`: the MkDocs build hooks, one module per concern.
- `ahead`: runs the build's exec fences ahead of time, in processes forked from the build (hooks/ahead.py starts
  it); `notebook_kernel`: the notebook's helper process and its kernel, forked from the build, that `ahead` drives.
- `fences`, `included`, `site_build`, `figure_colour`, `window_layout`, `site_pages`: what the tests share;
  `browser`: the browser fixtures, a pytest plugin (tests/conftest.py registers it); `snippet_server`: the
  warm parent that forks one child per snippet run for the copy test (tests/site/test_snippets.py), one per
  pytest session.

The Makefile puts the repository root on .venv's import path (a .pth file), so `import handbook` works in
the build, the tests and the scripts alike.
"""
