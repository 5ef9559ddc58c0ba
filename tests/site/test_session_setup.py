"""What tests/conftest.py sets up for a test session besides fixtures: the cyclic collector leaves alone what
collection imported (torch, transformers, ...), which lives as long as the process; torch runs on one thread, in
this process and in the processes it starts."""

import gc
import os
import subprocess
import sys

import torch  # imported at collection, as the page tests import it


def test_what_collection_imported_is_frozen():
    # torch alone holds a few hundred thousand objects the collector tracks.
    assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()


def test_torch_runs_on_one_thread_here_and_in_a_child():
    assert os.environ.get("OMP_NUM_THREADS") == "1"
    assert torch.get_num_threads() == 1
    # A process a test starts inherits the setting (torch reads it when imported there).
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('OMP_NUM_THREADS'))"], capture_output=True, text=True
    )
    assert child.stdout.strip() == "1", child.stderr
