# --8<-- [start:code]
"""Where Qwen2_5_VLVisionConfig's docstring and its code disagree about a default value.

The docstring is parsed for "defaults to X"; the code default is the dataclass field default.
Run: python docstring_defaults.py
"""

import ast
import dataclasses
import re

from transformers import Qwen2_5_VLVisionConfig

DOC_DEFAULT = re.compile(r"^\s*(\w+) \(.*?defaults to `?(.+?)`?\):\s*$", re.MULTILINE)


def documented_defaults(cls) -> dict:
    found = {}
    for name, text in DOC_DEFAULT.findall(cls.__doc__ or ""):
        try:
            found[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            found[name] = text  # a bare word such as silu
    return found


def code_defaults(cls) -> dict:
    values = {}
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            value = field.default
            values[field.name] = list(value) if isinstance(value, tuple) else value
    return values


def disagreements(cls) -> list:
    documented, coded = documented_defaults(cls), code_defaults(cls)
    return [
        (name, documented[name], coded[name])
        for name in documented
        if name in coded and documented[name] != coded[name]
    ]


def disagreement_table(cls) -> str:
    rows = ["| field | docstring says | code default |", "|---|---|---|"]
    rows += [f"| `{name}` | `{doc}` | `{code}` |" for name, doc, code in disagreements(cls)]
    return "\n".join(rows) if len(rows) > 2 else "The docstring and the code agree on every default."


# --8<-- [end:code]


if __name__ == "__main__":
    print(disagreement_table(Qwen2_5_VLVisionConfig))
    print(f"\n{len(documented_defaults(Qwen2_5_VLVisionConfig))} documented defaults checked against the code.")
