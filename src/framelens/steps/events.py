"""Stage events (``workflow/rules/events.smk``): the articles grouped into events under
each model."""

from __future__ import annotations

import logging

import pandas as pd

from framelens.basics.tables import CONTENT_MASK_COLUMNS
from framelens.events import EventSettings, cluster_events
from framelens.io import write_csv
from framelens.steps._common import read_vector_file_for

log = logging.getLogger("framelens")


#: The sentence columns event clustering reads.
SENTENCE_COLUMNS = ["sent_id", "doc_id", "position", "text", *CONTENT_MASK_COLUMNS]


def events(
    *,
    sentences: str,
    documents: str,
    vectors: str,
    settings: EventSettings,
    events: str,
) -> None:
    """Articles grouped into events (from metadata, or clustered) under one model
    (``settings``: config ``events`` with the model's event threshold)."""
    # what clustering reads of the sentences: not their paragraphs, offsets or reasons
    sents, matrix = read_vector_file_for(sentences, vectors, SENTENCE_COLUMNS)
    docs = pd.read_parquet(documents)
    table = cluster_events(matrix, sents, docs, settings)
    write_csv(table, events)
    log.info(
        "%d documents in %d events (%s)",
        len(table),
        table["event_id"].nunique(),
        table["event_source"].iloc[0] if len(table) else "none",
    )
