"""What tests/conftest.py sets up for a test session besides fixtures: the cyclic collector leaves alone what
collection imported (torch, transformers, ...), which lives as long as the process."""

import gc

import torch  # noqa: F401  imported at collection, as the page tests import it


def test_what_collection_imported_is_frozen():
    # torch alone holds a few hundred thousand objects the collector tracks.
    assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()
