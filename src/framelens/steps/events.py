"""Stage events (``workflow/rules/events.smk``): the articles grouped into events under
each model."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from framelens.events import EventSettings, cluster_events
from framelens.io import write_csv
from framelens.steps._common import read_vectors_for

log = logging.getLogger("framelens")


def events(
    *,
    sentences: str,
    documents: str,
    vectors: str,
    settings: dict[str, Any],
    event_threshold: float,
    events: str,
) -> None:
    """Articles grouped into events (from metadata, or clustered) under one model
    (``settings``: the config section ``events``)."""
    sents, matrix = read_vectors_for(sentences, vectors)
    docs = pd.read_parquet(documents)
    table = cluster_events(
        matrix, sents, docs, EventSettings.from_config(settings, event_threshold)
    )
    write_csv(table, events)
    log.info(
        "%d documents in %d events (%s)",
        len(table),
        table["event_id"].nunique(),
        table["event_source"].iloc[0] if len(table) else "none",
    )
