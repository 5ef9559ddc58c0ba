"""handbook/ahead.py's choice of the fences it runs before the build's imports (cold: their code imports only the
standard library), which must depend on the fence's code alone; and its zygote, which runs each page's fences in one
child of their own."""

import json
import os
import pickle
import time

import torch  # noqa: F401  (imported, as in the build: a page child runs torch on one thread)

from handbook import ahead
from handbook.ahead import Ahead, _zygote, cold_fence, import_statements
from handbook.page_tests import fence_record


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


def run_zygote(pages: list, folder) -> tuple:
    """Run handbook.ahead's zygote on these pages in a process of its own, as the build does; return the indexes it
    reported, in order, and the outcome of every fence that left one."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            _zygote(pages, folder, write, workers=2)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        reported = [int(line) for line in pipe]
    os.waitpid(pid, 0)
    outcomes = {}
    for index in set(reported):
        path = folder / f"{index}.pickle"
        if path.exists():
            outcomes[index] = pickle.loads(path.read_bytes())
    return reported, outcomes


def fence(code: str, id: str) -> tuple:  # noqa: A002
    return code, {"id": id}


def test_a_page_s_fences_run_in_one_child_and_each_page_in_its_own(tmp_path):
    pid = "import os\nprint(os.getpid())"
    pages = [[(0, fence(pid, "a-1")), (1, fence(pid, "a-2"))], [(2, fence(pid, "b-1"))]]
    reported, outcomes = run_zygote(pages, tmp_path)
    assert sorted(outcomes) == [0, 1, 2]
    assert all(outcomes[i][0] == "output" for i in outcomes)
    assert outcomes[0][1] == outcomes[1][1] != outcomes[2][1]
    assert int(outcomes[2][1]) != os.getpid()


def test_a_fence_after_one_that_killed_its_child_is_reported_without_an_outcome(tmp_path):
    """The build stops waiting for both and runs them itself; the next page still runs."""
    pages = [
        [
            (0, fence("print('first')", "a-1")),
            (1, fence("import os\nos._exit(3)", "a-2")),
            (2, fence("print(2)", "a-3")),
        ],
        [(3, fence("print('next page')", "b-1"))],
    ]
    reported, outcomes = run_zygote(pages, tmp_path)
    assert {0, 1, 2, 3} <= set(reported)
    assert sorted(outcomes) == [0, 3]
    assert outcomes[0][1].strip() == "first" and outcomes[3][1].strip() == "next page"


def test_an_error_in_a_fence_is_its_outcome_and_the_page_goes_on(tmp_path):
    pages = [[(0, fence("raise ValueError('no')", "a-1")), (1, fence("print('after')", "a-2"))]]
    _, outcomes = run_zygote(pages, tmp_path)
    assert outcomes[0][0] == "error" and "ValueError: no" in outcomes[0][1]
    assert outcomes[1][:2] == ["output", "after\n"]


def test_a_page_child_runs_torch_on_one_thread(tmp_path):
    _, outcomes = run_zygote([[(0, fence("import torch\nprint(torch.get_num_threads())", "a-1"))]], tmp_path)
    assert outcomes[0][1].strip() == "1"


def planner(imports: list, plan=None, complete: bool = True, folder=None) -> Ahead:
    """An Ahead whose planner sent these import statements (all of them, or ended before it had) and wrote this
    plan (or none) before it ended."""
    state = Ahead()
    state.folder = folder
    if plan is not None:
        (folder / "plan.pickle").write_bytes(pickle.dumps(plan))
    pipes = os.pipe(), os.pipe()
    with os.fdopen(pipes[0][1], "w") as pipe:
        pipe.writelines(json.dumps(s) + "\n" for s in [*imports, *([None] if complete else [])])
    os.close(pipes[1][1])
    state.planner = (pipes[0][0], pipes[1][0])
    return state


def test_preload_imports_what_the_planner_sends_as_it_sends_it():
    sent = ["import numpy as np", "import torch"]
    assert list(planner(sent).planned_imports()) == sent


def test_a_planner_that_ended_early_leaves_the_rest_of_the_imports_to_the_build():
    everything = import_statements()
    assert len(set(everything)) == len(everything)  # each once, as the planner sends them
    received = list(planner(everything[:2], complete=False).planned_imports())
    assert received == everything


def test_the_build_plans_itself_when_the_planner_left_no_plan(tmp_path):
    plan = [("index.md", "print(1)", {"id": "x"})]
    state = planner([], (plan, {"print(1)": True}), folder=tmp_path)
    assert state.received_plan() == plan and state.cold == {"print(1)": True}
    (tmp_path / "plan.pickle").unlink()
    assert planner([], folder=tmp_path).received_plan() is None


def test_the_planner_runs_the_cold_fences_before_the_build_reads_its_plan(tmp_path, monkeypatch):
    """The build reads the plan only after its imports, which the cold fences are there to overlap. Measured: a plan
    sent down a pipe (64 kB) blocked the planner until then, and the 5 s qwen-vl-utils check ran with the warm
    fences instead."""
    big = [("page.md", f"print({i})  # " + "x" * 2000, {"id": f"f{i}"}) for i in range(100)]  # 200 kB of code
    monkeypatch.setattr(ahead, "planned_fences", lambda config: big)
    monkeypatch.setattr(ahead, "_import_statements", lambda: iter(["import json", "import csv"]))
    started = tmp_path / "cold fences started"
    monkeypatch.setattr(ahead, "_zygote", lambda pages, *args, **kwargs: started.write_text(str(len(pages))))
    state = Ahead()
    state.start_planner(config=None)
    try:
        assert list(state.planned_imports()) == ["import json", "import csv"]
        deadline = time.monotonic() + 10
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), "the planner waited for the build to read its plan"
        assert started.read_text() == "1"  # one page of cold fences
        assert state.received_plan() == big
        assert all(state.cold.values()) and len(state.cold) == 100
    finally:
        state.stop()  # ends the planner, if it still waits
        os.waitpid(state.zygotes[0], 0)


def test_every_fence_that_can_ran_ahead_in_the_build_of_site():
    """In a page's child, not in the build process: the planner, the zygote and the record each did their part.
    Only the ledger's fences run in the build (`precomputable` says why)."""
    entries = [entry for page_entries in fence_record().values() for entry in page_entries]
    where = {entry["id"]: entry["ran"] for entry in entries}
    assert sum(ran == "ahead" for ran in where.values()) >= 60, where
    assert all(entry["ran"] == "ahead" or "handbook.claims" in entry["code"] for entry in entries), where
