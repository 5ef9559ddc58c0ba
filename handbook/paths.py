"""Every path the build, the tests and the scripts use, defined once."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
DATA = SNIPPETS / "data"
SCRIPTS = ROOT / "scripts"
SITE = ROOT / "site"
ARTIFACTS = ROOT / "artifacts"
TESTS = ROOT / "tests"
