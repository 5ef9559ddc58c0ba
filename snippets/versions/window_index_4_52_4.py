# --8<-- [start:code]
"""transformers 4.52.4 (the analysis' release) against the installed one: the same window indices?

Needs: transformers 4.52.4 installed apart in .venv/tf-4.52.4 under the current directory (in the handbook's
repository `make` installs it; elsewhere: `pip install --no-deps --target .venv/tf-4.52.4 transformers==4.52.4
huggingface-hub==0.36.2 tokenizers==0.21.4`), on top of an environment with torch and a recent transformers.
A child process forked from this one (it shares this process' torch, already imported) forgets the installed
transformers, puts that directory first on its path and imports 4.52.4; it builds a tiny random-weight
Qwen2_5_VisionTransformerPretrainedModel with 4.52.4 and calls its `get_window_index(grid_thw)` on
every grid below; this process computes the same grids with the installed `get_vision_window_index`
and compares. The child also reports where its statements sit in the 4.52.4 file. (Where os.fork is missing,
the child is a fresh Python process with that directory first on PYTHONPATH.)
Prints a Markdown table and a verdict. Run: python window_index_4_52_4.py
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
import transformers
from transformers import Qwen2_5_VLVisionConfig
from transformers.vision_utils import get_vision_window_index

OLD_VERSION = "4.52.4"
OLD_DIR = Path(".venv", f"tf-{OLD_VERSION}").resolve()  # relative to the current directory

# Patch grids (t, h, w) as the processor makes them: h and w even (2x2 merge), one image per call, plus
# a few batches of several images in one call (window indices are offset per image).
SINGLE = [(t, h, w) for t in (1, 2) for h in range(2, 82, 2) for w in range(2, 82, 2)]
BATCHES = [[(1, 6, 6), (1, 34, 34)], [(1, 16, 16), (2, 10, 24), (1, 2, 80)], [(1, 52, 94), (1, 8, 8)]]

# Run in the child, after it has forgotten the installed transformers: 4.52.4's own model and method.
CHILD = r"""
import inspect, re
import torch
import transformers
from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel

def old_results(calls):
    torch.manual_seed(0)
    config = Qwen2_5_VLVisionConfig(depth=2, hidden_size=32, num_heads=2, intermediate_size=64, out_hidden_size=16,
                                    fullatt_block_indexes=[1])
    model = Qwen2_5_VisionTransformerPretrainedModel._from_config(config).eval()
    lines, first = inspect.getsourcelines(model.get_window_index)
    where = {name: first + i for i, line in enumerate(lines)
             for name, pattern in [("def", r"def get_window_index"), ("vit_merger_window_size", r"vit_merger_window_size\s*="),
                                   ("pad_h", r"pad_h\s*="), ("pad_w", r"pad_w\s*=")] if re.search(pattern, line)}
    results = []
    with torch.no_grad():
        for grids in calls:
            index, bounds = model.get_window_index(torch.tensor(grids))
            # 4.52.4 returns a Python list; its forward turns it into a tensor and drops repeated bounds.
            used = torch.unique_consecutive(torch.tensor(bounds, dtype=torch.int32))
            results.append({"index": index.tolist(), "bounds": used.tolist(), "raw_bounds": len(bounds)})
    return {"version": transformers.__version__, "file": transformers.__file__, "torch": torch.__version__,
            "window": [config.window_size, config.spatial_merge_size, config.patch_size],
            "lines": where, "results": results}
"""


def in_forked_child(calls: list) -> str:
    """Fork; the child drops every package that OLD_DIR holds (transformers and the two it needs older) from its
    module table, imports them from OLD_DIR and sends back CHILD's result as JSON (or its traceback)."""
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read)
            torch.set_num_threads(1)  # tiny work; and a forked child must not wait on the parent's thread pool
            replaced = {path.name for path in OLD_DIR.iterdir() if (path / "__init__.py").is_file()}
            for name in [name for name in sys.modules if name.partition(".")[0] in replaced]:
                del sys.modules[name]
            sys.path.insert(0, str(OLD_DIR))
            namespace = {}
            exec(CHILD, namespace)  # noqa: S102
            reply, status = json.dumps(namespace["old_results"](calls)), 0
        except BaseException:
            import traceback

            reply = traceback.format_exc()
        with os.fdopen(write, "w") as pipe:
            pipe.write(reply)
        os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        reply = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError(f"transformers {OLD_VERSION} child failed:\n{reply[-3000:]}")
    return reply


def in_fresh_process(calls: list) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(OLD_DIR), os.environ.get("PYTHONPATH")]))}
    code = CHILD + "\nimport json, sys\nprint(json.dumps(old_results(json.load(sys.stdin))))"
    done = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(calls), env=env, capture_output=True, text=True, cwd=OLD_DIR
    )
    if done.returncode != 0:
        raise RuntimeError(f"transformers {OLD_VERSION} child exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def run_old(calls: list) -> dict:
    if not (OLD_DIR / "transformers").is_dir():
        raise SystemExit(
            f"transformers {OLD_VERSION} is not installed in {OLD_DIR}: run `make` in the handbook's repository, "
            f"or `pip install --no-deps --target .venv/tf-{OLD_VERSION} transformers=={OLD_VERSION} "
            "huggingface-hub==0.36.2 tokenizers==0.21.4` in the current directory"
        )
    old = json.loads(in_forked_child(calls) if hasattr(os, "fork") else in_fresh_process(calls))
    if old["version"] != OLD_VERSION or not old["file"].startswith(str(OLD_DIR)):
        raise RuntimeError(f"the child imported transformers {old['version']} from {old['file']}")
    return old


def compare() -> dict:
    calls = [[grid] for grid in SINGLE] + BATCHES
    old = run_old(calls)
    config = Qwen2_5_VLVisionConfig()
    differing, repeated = [], 0
    for grids, then in zip(calls, old["results"]):
        index, bounds = get_vision_window_index(
            torch.tensor(grids), config.spatial_merge_size, config.window_size, config.patch_size
        )
        if index.tolist() != then["index"] or bounds.tolist() != then["bounds"]:
            differing.append(grids)
        repeated += then["raw_bounds"] != len(then["bounds"])
    return {
        "old": old,
        "calls": len(calls),
        "differing": differing,
        "repeated": repeated,
        "now": [config.window_size, config.spatial_merge_size, config.patch_size],
    }


def report(result: dict) -> str:
    old = result["old"]
    lines = old["lines"]
    same = not result["differing"]
    return "\n".join(
        [
            f"| what | transformers {old['version']} (child process) | transformers {transformers.__version__} (installed) |",
            "|---|---|---|",
            f"| imported from | `{Path(old['file']).parent.relative_to(OLD_DIR.parent.parent).as_posix()}` "
            f"| `{Path(transformers.__file__).parent.name}` in `.venv` site-packages |",
            f"| torch | {old['torch']} | {torch.__version__} |",
            f"| code | `Qwen2_5_VisionTransformerPretrainedModel.get_window_index` (lines: def {lines['def']}, "
            f"`vit_merger_window_size` {lines['vit_merger_window_size']}, `pad_h` {lines['pad_h']}, "
            f"`pad_w` {lines['pad_w']}) | `transformers.vision_utils.get_vision_window_index` |",
            f"| window / merge / patch | {' / '.join(map(str, old['window']))} "
            f"| {' / '.join(map(str, result['now']))} |",
            "",
            f"**{result['calls']} calls compared** ({len(SINGLE)} single images or videos with patch grids up to "
            f"{max(h for _, h, _ in SINGLE)}x{max(w for _, _, w in SINGLE)}, and {len(BATCHES)} batches of "
            f"several images): window index and window bounds are "
            + (
                "**identical in every call**."
                if same
                else f"**different in {len(result['differing'])} calls**, for example {result['differing'][:3]}."
            ),
            "",
            f"In {result['repeated']} of these calls 4.52.4's method returned repeated window bounds (a row or "
            "column of windows holding only padding), which its `forward` removes with `torch.unique_consecutive` "
            "before attention; the comparison uses the bounds after that step, as the model does.",
        ]
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(report(compare()))
