# --8<-- [start:code]
"""Qwen2-VL, Qwen2.5-VL and Qwen3-VL side by side: vision config, patch and merge size, windows, coordinates.

Sizes come from each model's real vision config class (AutoConfig.for_model); whether the encoder runs the
window code is read from its modeling file (as window_code_users.py reads it). The coordinate convention
is cited, not measured.
Needs: snippets/data/coordinate_conventions.json under the current directory (the cited conventions and
their sources; in the handbook's repository run it from the repository root). Prints a Markdown table.
Run: python settings.py
"""

import ast
import json
from pathlib import Path

import transformers
from transformers import AutoConfig

CONVENTIONS_FILE = Path("snippets/data/coordinate_conventions.json")
if not CONVENTIONS_FILE.is_file():
    raise SystemExit(
        f"{CONVENTIONS_FILE} is missing: run this from the handbook repository's root, or copy that file "
        "(snippets/data/coordinate_conventions.json) to the same relative path under the current directory"
    )
CONVENTIONS = json.loads(CONVENTIONS_FILE.read_text())["models"]
MODELS = {"qwen2_vl": "Qwen2-VL", "qwen2_5_vl": "Qwen2.5-VL", "qwen3_vl": "Qwen3-VL"}
WINDOW_FUNCTION = "get_vision_window_index"
INSTALLED = Path(transformers.__file__).resolve().parent


def _imports_window_function(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("vision_utils"):
            if any(alias.name == WINDOW_FUNCTION for alias in node.names):
                return True
    return False


def _is_window_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == WINDOW_FUNCTION) or (
        isinstance(func, ast.Attribute) and func.attr == WINDOW_FUNCTION
    )


def calls_window_code(path: Path) -> bool:
    """True if this modeling file imports the window function and calls it (as window_code_users.py decides)."""
    text = path.read_text()
    if WINDOW_FUNCTION not in text:
        return False
    tree = ast.parse(text)
    return _imports_window_function(tree) and any(_is_window_call(n) for n in ast.walk(tree))


def uses_window_code(model_type: str) -> bool:
    return calls_window_code(INSTALLED / "models" / model_type / f"modeling_{model_type}.py")


def vision_config(model_type: str):
    return AutoConfig.for_model(model_type).vision_config


def settings_table() -> str:
    rows = [
        "| model | vision config class | patch / merge / resize factor | calls the window code | window size "
        "| coordinates in answers (cited) |",
        "|---|---|---|---|---|---|",
    ]
    for model_type, name in MODELS.items():
        config = vision_config(model_type)
        factor = config.patch_size * config.spatial_merge_size
        cited = CONVENTIONS[model_type]
        sources = "; ".join(f"[{label}]({url})" for label, url in cited["sources"].items())
        rows.append(
            f"| {name} | `{type(config).__name__}` | {config.patch_size} / {config.spatial_merge_size} "
            f"/ {factor} | {'yes' if uses_window_code(model_type) else 'no'} "
            f"| {getattr(config, 'window_size', '—')} | {cited['convention']} ({sources}) |"
        )
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(settings_table())
