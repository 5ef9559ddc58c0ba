# --8<-- [start:code]
"""Which models in the installed transformers run the Qwen2.5-VL window-index code, and with what settings.

Found by reading the installed package, not from a list: every `models/*/modeling_*.py` is parsed and
a model counts when that file imports `get_vision_window_index` from `transformers.vision_utils` and
calls it. Only `modeling_*.py` counts because it is the file transformers imports at run time; a
`modular_*.py` is the template the modeling file was generated from, so it is reported (where the
call was written) but never counted on its own. The arguments of each call are then evaluated with
the default config of the class that makes the call, found from the `config` annotation of that
class and the module's own `from .configuration_... import ...` line.
Prints a count, a Markdown table and the other callers. Run: python window_code_users.py
"""

import ast
import functools
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import transformers

WINDOW_FUNCTION = "get_vision_window_index"
INSTALLED = Path(transformers.__file__).resolve().parent


@dataclass(frozen=True)
class CallSite:
    model: str  # directory under transformers/models
    file: str  # path inside the package, e.g. models/qwen2_5_vl/modeling_qwen2_5_vl.py
    line: int
    owner: str  # class whose method makes the call
    method: str
    config_class: str  # annotation of `config` in the owner class
    config_module: str  # dotted module the config class is imported from
    arguments: dict = field(hash=False)  # keyword -> source text of the argument
    modular: str = ""  # this model's modular_*.py, if the call is written there too


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


def _calls_in(tree: ast.Module):
    """(class, method, call) for every call of the window function inside a class method."""
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for method in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            for node in ast.walk(method):
                if _is_window_call(node):
                    yield cls, method, node


def _config_annotation(cls: ast.ClassDef) -> str:
    """The class named by `config: X` in the class body, or by the `config` parameter of __init__."""
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "config":
            return ast.unparse(node.annotation)
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            for arg in node.args.args:
                if arg.arg == "config" and arg.annotation is not None:
                    return ast.unparse(arg.annotation)
    return ""


def _import_module_of(tree: ast.Module, name: str, model: str) -> str:
    """Dotted module that `from ... import name` reads, resolved against transformers.models.<model>."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(alias.name == name for alias in node.names):
            base = {1: f"transformers.models.{model}", 2: "transformers.models", 3: "transformers"}
            return f"{base[node.level]}.{node.module}" if node.level else node.module
    return ""


@functools.cache
def parse(source: str) -> ast.Module:
    """Syntax tree of a source text: parsing is the slow step, and the table reads the same few files again."""
    return ast.parse(source)


def calls_window_code(path: Path) -> bool:
    """True if this modeling (or modular) file imports the window function and calls it."""
    text = path.read_text()
    if WINDOW_FUNCTION not in text:  # parsing every file of the package is slow; this only skips work
        return False
    tree = parse(text)
    return _imports_window_function(tree) and any(_is_window_call(n) for n in ast.walk(tree))


@functools.cache  # the count and the table read the same scan; the package does not change while this runs
def scan(root: Path = INSTALLED) -> tuple:
    """Every call of the window function in root/models/*/modeling_*.py (root is a transformers package)."""
    found = []
    for path in sorted(root.glob("models/*/modeling_*.py")):
        if not calls_window_code(path):
            continue
        tree = parse(path.read_text())
        if not _imports_window_function(tree):
            continue
        model = path.parent.name
        modular = sorted(p for p in path.parent.glob("modular_*.py") if calls_window_code(p))
        for cls, method, call in _calls_in(tree):
            config_class = _config_annotation(cls)
            found.append(
                CallSite(
                    model=model,
                    file=path.relative_to(root).as_posix(),
                    line=call.lineno,
                    owner=cls.name,
                    method=method.name,
                    config_class=config_class,
                    config_module=_import_module_of(tree, config_class, model),
                    arguments={kw.arg: ast.unparse(kw.value) for kw in call.keywords},
                    modular=modular[0].relative_to(root).as_posix() if modular else "",
                )
            )
    return tuple(found)


def models_using_window_code(root: Path = INSTALLED) -> list:
    return sorted({site.model for site in scan(root)})


class Unresolved(Exception):
    pass


def _evaluate(node, cls: ast.ClassDef, method: ast.FunctionDef, config):
    """Value of an argument expression, following `self.x = ...` in the class and locals in the method."""

    def again(expr):
        return _evaluate(expr, cls, method, config)

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp):
        operators = {
            ast.Mult: lambda a, b: a * b,
            ast.FloorDiv: lambda a, b: a // b,
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
        }
        return operators[type(node.op)](again(node.left), again(node.right))
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"tuple", "list", "int"}:
        return {"tuple": tuple, "list": list, "int": int}[node.func.id](again(node.args[0]))
    if isinstance(node, ast.Attribute):
        base = ast.unparse(node.value)
        if base in {"config", "self.config"}:
            return getattr(config, node.attr)
        if base == "self":
            for other in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
                for stmt in ast.walk(other):
                    if (
                        isinstance(stmt, ast.Assign)
                        and len(stmt.targets) == 1
                        and ast.unparse(stmt.targets[0]) == f"self.{node.attr}"
                    ):
                        return again(stmt.value)
    if isinstance(node, ast.Name):
        for stmt in ast.walk(method):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id == node.id:
                    return again(stmt.value)
                if isinstance(target, ast.Tuple):
                    names = [getattr(elt, "id", None) for elt in target.elts]
                    if node.id in names:
                        return again(stmt.value)[names.index(node.id)]
    raise Unresolved(ast.unparse(node))


def _tree_of(site: CallSite, root: Path):
    tree = parse((root / site.file).read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == site.owner)
    method = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == site.method)
    return cls, method


def settings(site: CallSite, root: Path = INSTALLED) -> dict:
    """The call's patch size, merge size and window size, evaluated with the default config of its class."""
    config = getattr(importlib.import_module(site.config_module), site.config_class)()
    cls, method = _tree_of(site, root)
    call = next(n for n in ast.walk(method) if _is_window_call(n))
    values = {
        kw.arg: _evaluate(kw.value, cls, method, config)
        for kw in call.keywords
        if kw.arg in {"patch_size", "spatial_merge_size", "window_size"}
    }
    side = values["window_size"] // values["spatial_merge_size"] // values["patch_size"]
    source = ast.unparse(cls)
    if "fullatt_block_indexes" in source:
        full = f"`{list(config.fullatt_block_indexes)}` (`fullatt_block_indexes`)"
        layers = getattr(config, "depth", None)
    elif "layer_types" in source:
        kinds = list(config.layer_types)
        full = f"`{[i for i, kind in enumerate(kinds) if kind == 'full_attention']}` (`layer_types`)"
        layers = len(kinds)
    else:
        full, layers = "not chosen per block: the window code runs only inside this module", None
    cells = side * values["spatial_merge_size"]
    # Pixels only when the call passes the config's real patch size; some callers pass 1 (grid units).
    real_patch = values["patch_size"] == getattr(config, "patch_size", None)
    return {
        **values,
        "window_cells": cells,
        "window_pixels": cells * values["patch_size"] if real_patch else None,
        "full_attention": full,
        "layers": layers,
        "config": config,
    }


def family_table(root: Path = INSTALLED) -> str:
    rows = [
        "| model | caller, and its config class | patch / merge / window size passed | window "
        "| full-attention blocks | call written in |",
        "|---|---|---|---|---|---|",
    ]
    for site in scan(root):
        s = settings(site, root)
        layers = f" of {s['layers']}" if s["layers"] else ""
        cells, size = s["window_cells"], s["window_pixels"]
        pixels = f"{size}x{size} px" if size else f"no pixel size (`patch_size={s['patch_size']}`)"
        written = f"`{Path(site.modular).name}`" if site.modular else "inherited: not in its own modular file"
        rows.append(
            f"| `{site.model}` | `{site.owner}.{site.method}` (line {site.line}); `{site.config_class}` "
            f"| {s['patch_size']} / {s['spatial_merge_size']} / {s['window_size']} "
            f"| {cells}x{cells} grid cells, {pixels} | {s['full_attention']}{layers} | {written} |"
        )
    return "\n".join(rows)


def other_callers(root: Path = INSTALLED) -> str:
    """Files outside models/*/modeling_*.py that call the function: not models, so not counted."""
    hits = [
        p.relative_to(root).as_posix()
        for p in sorted(root.rglob("*.py"))
        if p.name != "vision_utils.py" and not p.relative_to(root).match("models/*/*.py") and calls_window_code(p)
    ]
    return ", ".join(f"`{h}`" for h in hits) or "none"


# --8<-- [end:code]


if __name__ == "__main__":
    print(
        f"transformers {transformers.__version__}: **{len(models_using_window_code())} models** "
        f"call `{WINDOW_FUNCTION}`.\n"
    )
    print(family_table())
    print(f"\nOther files that call it (not models): {other_callers()}.")
