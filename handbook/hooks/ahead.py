"""Run the exec fences and the notebook ahead of time, side by side, and hand markdown-exec and mkdocs-jupyter
their results when they ask (handbook/ahead.py says how, and why the output stays the same), and record what
every fence printed for the tests. And end a `mkdocs build` that succeeded without the interpreter's teardown."""

from handbook import ahead


def on_startup(command, dirty):
    ahead.watch_build(command)


def on_config(config):
    ahead.start(config)
    return config


def on_page_markdown(markdown, page, **kwargs):
    ahead.reading(page)  # the fences markdown-exec runs next are this page's, in the record
    return markdown


def on_page_content(html, page, **kwargs):
    ahead.defer_search(page)  # material's search plugin parses the page while the build waits for later fences
    return html


def on_post_build(config):
    ahead.write_record(config)  # artifacts/fence-outputs/<site>.json: what each fence printed, for the tests
    ahead.finish()


def on_shutdown():
    # The build is written: what it made is freed with the process, not walked by the collector's last passes.
    import gc

    gc.freeze()
    ahead.exit_if_built()
