"""Stamp every page with its provenance: the versions and the build date its numbers were computed with.

Provenance is computed in the build process itself, the same interpreter whose transformers and torch
produced the page's numbers. The build date honours SOURCE_DATE_EPOCH (reproducible builds); it is the
only part of a page that changes between two builds of the same commit.
"""

import datetime
import os
import platform


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch else datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%d")


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


def on_config(config):
    os.environ.setdefault("MPLBACKEND", "Agg")
    return config


def on_page_markdown(markdown, page, config, files):
    return markdown + "\n\n" + provenance()
