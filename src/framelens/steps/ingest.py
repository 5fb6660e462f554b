"""Stage ingest (``workflow/rules/ingest.smk``): the corpus, in any format, into the
documents and sentences tables."""

from __future__ import annotations

import logging
from typing import Any

from framelens.corpus import IngestSettings, ingest_to_files
from framelens.io import write_json

log = logging.getLogger("framelens")


def ingest(
    *,
    corpus: str | dict[str, Any],
    settings: IngestSettings,
    documents: str,
    sentences: str,
    report: str,
    workers: int = 1,
) -> None:
    """Ingest a corpus (any format) into the documents and sentences tables and the report,
    streaming the sentences to disk (``settings``: from config ``ingest``), its articles
    parsed by ``workers`` processes (the rule's threads)."""
    result = ingest_to_files(
        corpus, settings, documents=documents, sentences=sentences, workers=workers
    )
    write_json(result, report)
    log.info(
        "ingested %d documents, %d sentences (%d boilerplate, %d repeats); "
        "%d documents without a content sentence",
        result["n_files"],
        result["n_sentences"],
        result["n_boilerplate"],
        result["n_duplicates"],
        result["n_no_content"],
    )
