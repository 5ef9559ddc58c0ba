"""Publish the ledger as site/claims.json: id, section, claim, verdict, basis and evidence URL of every claim."""

import json
from pathlib import Path


def on_post_build(config):
    from handbook import claims

    records = claims.as_records(config.site_url or "")
    target = Path(config.site_dir) / "claims.json"
    target.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
