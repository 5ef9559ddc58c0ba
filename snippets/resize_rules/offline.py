# --8<-- [start:code]
"""Does qwen-vl-utils reach for the network when imported or used on a local image, and which settings does it
read? A fresh Python process records and refuses every socket call, then imports qwen_vl_utils, calls smart_resize
and resizes an in-memory PIL image with fetch_image; environment reads are found by parsing its source.
Run: python offline.py
"""

import ast
import json
import subprocess
import sys
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

CHILD = r"""
import json, socket
attempts = []

def refuse(what):
    def refused(*args, **kwargs):
        attempts.append(f"{what} {args[1:2] if what.startswith('socket') else args[:1]}")
        raise OSError("network refused by offline.py")
    return refused

socket.getaddrinfo = refuse("getaddrinfo")
socket.gethostbyname = refuse("gethostbyname")
socket.create_connection = refuse("create_connection")
socket.socket.connect = refuse("socket.connect")
socket.socket.connect_ex = refuse("socket.connect_ex")

steps = {}
import qwen_vl_utils
from qwen_vl_utils import fetch_image, smart_resize
steps["import qwen_vl_utils"] = len(attempts)
size = smart_resize(500, 700, factor=28)
steps["smart_resize(500, 700, factor=28)"] = len(attempts)
from PIL import Image
image = fetch_image({"image": Image.new("RGB", (700, 500), (30, 160, 90))})
steps["fetch_image({'image': <PIL image 700x500>})"] = len(attempts)
print(json.dumps({"steps": steps, "attempts": attempts, "smart_resize": size, "fetch_image": image.size}))
"""


def network_attempts() -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def environment_variables() -> list:
    """(name, when it is read, functions that use the value) for every os.environ / os.getenv read in the package."""
    root = Path(find_spec("qwen_vl_utils").origin).parent
    found = []
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text())
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        for statement in tree.body:
            for node in ast.walk(statement):
                key = None
                if isinstance(node, ast.Call) and ast.unparse(node.func) in {"os.environ.get", "os.getenv"}:
                    key = node.args[0] if node.args else None
                elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                    key = node.slice
                if not isinstance(key, ast.Constant):
                    continue
                if isinstance(statement, ast.FunctionDef):
                    found.append((key.value, f"when `{statement.name}` runs", [statement.name]))
                else:  # a module-level constant: read at import, used wherever the constant is named
                    constants = {t.id for t in getattr(statement, "targets", []) if isinstance(t, ast.Name)}
                    users = [
                        f.name
                        for f in functions
                        if any(isinstance(n, ast.Name) and n.id in constants for n in ast.walk(f))
                    ]
                    found.append((key.value, "at import", users))
    return sorted(found)


def report() -> str:
    result = network_attempts()
    rows = [
        f"qwen-vl-utils {version('qwen-vl-utils')}, with every socket call recorded and refused:",
        "",
        "| step | network attempts so far |",
        "|---|---|",
    ]
    rows += [f"| `{step}` | {count} |" for step, count in result["steps"].items()]
    rows += [
        "",
        f"`smart_resize` returned {tuple(result['smart_resize'])}; `fetch_image` returned an image of "
        f"{result['fetch_image'][0]}x{result['fetch_image'][1]} (width x height).",
        "",
        "| environment variable its source reads | read | value used by |",
        "|---|---|---|",
    ]
    rows += [
        f"| `{name}` | {when} | {', '.join(f'`{u}`' for u in users)} |" for name, when, users in environment_variables()
    ]
    return "\n".join(rows)


# --8<-- [end:code]


if __name__ == "__main__":
    print(report())
