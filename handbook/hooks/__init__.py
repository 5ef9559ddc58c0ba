"""MkDocs hooks, one module per concern, listed in mkdocs.yml's `hooks:` (run in that order).

- `provenance`: stamps every page with the versions and the build date it was computed with.
- `notebook`: makes the executed notebook page reproducible and light, and gives it a download link.
- `code_html`: drops the invisible Pygments wrapper around plain names in every code block.
- `ledger`: publishes the ledger as site/claims.json after the build.
- `ahead`: runs the exec fences (in child processes forked from the build) and the notebook (in a kernel forked
  from the build, driven by a helper process) from the start of the build, side by side, and hands their results
  to markdown-exec and mkdocs-jupyter (handbook/ahead.py; the helper and the kernel: handbook/notebook_kernel.py).
"""
