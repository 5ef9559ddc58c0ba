# --8<-- [start:code]
"""qwen-vl-utils' smart_resize as installed: its file, line numbers and source text (the site quotes transformers
through its own excerpt machinery; this is the same for qwen-vl-utils). Run: python qwen_utils_source.py
"""

import inspect
from importlib.metadata import version
from pathlib import Path

from qwen_vl_utils import vision_process as qwen_utils


def qwen_utils_source() -> str:
    """qwen-vl-utils' smart_resize as installed (source_excerpt.py quotes transformers only)."""
    lines, first = inspect.getsourcelines(qwen_utils.smart_resize)
    path = Path(inspect.getsourcefile(qwen_utils.smart_resize))
    return (
        f"`qwen_vl_utils/{path.name}`, lines {first}–{first + len(lines) - 1} of the installed qwen-vl-utils "
        f'{version("qwen-vl-utils")}\n\n````python linenums="{first}"\n{"".join(lines).rstrip()}\n````\n'
    )


# --8<-- [end:code]


if __name__ == "__main__":
    print(qwen_utils_source())
