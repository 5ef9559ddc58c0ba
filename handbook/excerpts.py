"""Quote transformers from the installed package: the real lines, their repository path and range.

Every excerpt of transformers on the handbook goes through this file, so a quote can never drift
from the code that computed the page. Run it on its own to quote any function or statement:

    python -m handbook.excerpts transformers.vision_utils:get_vision_window_index
    python -m handbook.excerpts transformers.vision_utils:get_vision_window_index "vit_merger_window_size ="
"""

import importlib
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import transformers

GITHUB = "https://github.com/huggingface/transformers/blob"


@dataclass(frozen=True)
class Excerpt:
    repo_path: str  # path inside the transformers repository, e.g. src/transformers/vision_utils.py
    first: int  # 1-based line number of the first quoted line in the installed file
    lines: tuple  # the quoted lines, verbatim, without trailing newlines
    version: str  # installed transformers version

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def url(self) -> str:
        return f"{GITHUB}/v{self.version}/{self.repo_path}#L{self.first}-L{self.last}"

    def markdown(self, title: str = "") -> str:
        where = (
            f"`{self.repo_path}`, lines {self.first}–{self.last}"
            if len(self.lines) > 1
            else (f"`{self.repo_path}`, line {self.first}")
        )
        head = f"{title} — " if title else ""
        return (
            f"{head}{where} of the installed transformers {self.version} "
            f"([same lines upstream]({self.url}))\n\n"
            f'````python linenums="{self.first}"\n{self.text}\n````\n'
        )


def resolve(target: str):
    """'package.module:Qualified.name' -> the object; 'package.module' -> the module."""
    module_name, _, qualname = target.partition(":")
    obj = importlib.import_module(module_name)
    for part in filter(None, qualname.split(".")):
        obj = getattr(obj, part)
    return obj


def repo_path(file: str) -> str:
    root = Path(transformers.__file__).resolve().parent
    return "src/transformers/" + Path(file).resolve().relative_to(root).as_posix()


def source_of(obj) -> Excerpt:
    """The whole definition of a function, class or module, as installed."""
    obj = inspect.unwrap(obj)
    lines, first = inspect.getsourcelines(obj)
    return Excerpt(
        repo_path(inspect.getsourcefile(obj)),
        max(first, 1),
        tuple(line.rstrip("\n") for line in lines),
        transformers.__version__,
    )


def statement(obj, pattern: str, before: int = 0, after: int = 0) -> Excerpt:
    """The one line of obj's source that matches the regex `pattern`, with context lines.

    Raises LookupError when the pattern matches no line or more than one, so a page that quotes
    a statement fails its build instead of quoting the wrong line after an upstream change.
    """
    whole = source_of(obj)
    hits = [i for i, line in enumerate(whole.lines) if re.search(pattern, line)]
    if len(hits) != 1:
        raise LookupError(
            f"{pattern!r} matches {len(hits)} lines of {whole.repo_path} "
            f"{whole.first}-{whole.last}; expected exactly one"
        )
    start = max(hits[0] - before, 0)
    stop = min(hits[0] + after + 1, len(whole.lines))
    return Excerpt(whole.repo_path, whole.first + start, whole.lines[start:stop], whole.version)


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "transformers.vision_utils:get_vision_window_index"
    pattern = sys.argv[2] if len(sys.argv) > 2 else None
    obj = resolve(target)
    print((statement(obj, pattern) if pattern else source_of(obj)).markdown())
