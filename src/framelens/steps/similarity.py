"""Stage similarity (``workflow/rules/similarity.smk``): how alike the articles are under
each model, as a square matrix with its heatmap (corpora up to
``similarity.matrix_max_documents``) and as the pairs within each event (every corpus)."""

from __future__ import annotations

import logging

import pandas as pd

from framelens import similarity as sim
from framelens.io import write_csv, write_parquet
from framelens.steps._common import read_identity, read_vectors_for, save_figure

log = logging.getLogger("framelens")


def doc_similarity(
    *, sentences: str, vectors: str, method: sim.DocMethod, story: sim.StorySettings, table: str
) -> None:
    """Document × document similarity under one model, as a square CSV (``method``:
    config ``similarity.doc_method``; ``story``: the ``story`` measure's weights)."""
    sents, matrix = read_vectors_for(sentences, vectors)
    doc_ids = list(dict.fromkeys(sents["doc_id"]))
    write_csv(
        sim.doc_similarity(
            matrix,
            sents,
            doc_ids,
            method,
            story,
        ),
        table,
        index=True,
    )


def doc_pairs(
    *,
    sentences: str,
    vectors: str,
    events: str,
    method: sim.DocMethod,
    story: sim.StorySettings,
    table: str,
) -> None:
    """Document similarity of every ordered pair of documents within one event, long form
    (``method`` and ``story`` as in :func:`doc_similarity`)."""
    sents, matrix = read_vectors_for(sentences, vectors)
    event_table = pd.read_csv(events, dtype={"doc_id": str, "event_id": str}, keep_default_na=False)
    pairs = sim.doc_pairs_within_events(
        matrix,
        sents,
        event_table[["doc_id", "event_id"]],
        method,
        story,
    )
    write_parquet(pairs, table)
    log.info("%d document pairs within %d events", len(pairs), event_table["event_id"].nunique())


def plot_doc_similarity(
    *, table: str, documents: str, embedding: str, model_key: str, method: str, figure: str
) -> None:
    """Clustered heatmap of one model's document similarity, outlet names on the axes."""
    from framelens.plots.common import model_label
    from framelens.plots.similarity_heatmap import doc_similarity_figure

    save_figure(
        doc_similarity_figure(
            pd.read_csv(table, index_col=0),
            pd.read_parquet(documents),
            method=method,
            model=model_label(model_key, read_identity(embedding)),
        ),
        figure,
    )
