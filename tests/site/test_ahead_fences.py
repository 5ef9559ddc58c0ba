"""handbook/ahead.py's choice of the fences it runs before the build's imports (cold: their code imports only the
standard library), which must depend on the fence's code alone."""

from handbook.ahead import cold_fence


def test_a_fence_that_imports_only_the_standard_library_is_cold():
    assert cold_fence("import json, subprocess\nfrom pathlib import Path\nprint(json.dumps([1]))")
    assert cold_fence("print(1 + 1)")


def test_a_fence_that_imports_an_installed_package_is_warm():
    assert not cold_fence("import json\nimport torch\n")
    assert not cold_fence("from transformers import AutoConfig")
    assert not cold_fence("def f():\n    import numpy as np\n    return np.zeros(1)\n")  # wherever the import sits


def test_a_fence_that_does_not_parse_is_warm():
    assert not cold_fence("def (:")  # a warm child runs it and reports the error as markdown-exec does


def test_the_resize_rules_offline_check_is_cold():
    """The one that pays for it: it runs qwen-vl-utils in a fresh interpreter, about 5 s of CPU."""
    from handbook.page_tests import recorded

    assert cold_fence(recorded("beyond/resize-rules.md", "resize-offline")["code"])
