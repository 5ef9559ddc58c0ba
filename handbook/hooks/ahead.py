"""Run the exec fences and the notebook ahead of time, side by side, and hand markdown-exec and mkdocs-jupyter
their results when they ask (handbook/ahead.py says how, and why the output stays the same)."""

from handbook import ahead


def on_config(config):
    ahead.start(config)
    return config


def on_post_build(config):
    ahead.finish()
