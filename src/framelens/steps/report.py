"""Stage report (``workflow/rules/report.smk``): the record of the run that the report
shows beside the results (config, model identities, package versions, corpus hash)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from framelens.io import write_json
from framelens.provenance import build_provenance


def provenance(*, embeddings: list[str], config: dict[str, Any], provenance: str) -> None:
    """Record config, model identities, package versions and the corpus hash (``config``:
    the whole config; ``embeddings``: every model's ``embedding.json``)."""
    models = {}
    for path in embeddings:
        stats = json.loads(Path(path).read_text(encoding="utf-8"))
        models[stats["identity"]["key"]] = {
            **stats["identity"],
            "device": stats["device"],
            "fingerprint": stats["fingerprint"],
        }
    write_json(build_provenance(config, models, config["corpus"]), provenance)
