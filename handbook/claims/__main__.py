"""python snippets/claims [--json]: print the whole ledger, computed against the installed transformers."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a directory: make `claims` importable

from handbook.claims import as_records, render_all  # noqa: E402

if "--json" in sys.argv:
    print(json.dumps(as_records(), indent=2, ensure_ascii=False))
else:
    print(render_all())
