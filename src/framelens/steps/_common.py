"""What several steps share: reading the tables they all read, writing a figure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from framelens.errors import FramelensError
from framelens.io import atomic_path
from framelens.vectorfile import VectorFile, load_vectors


def read_vectors_for(sentences: str, vectors: str) -> tuple[pd.DataFrame, Any]:
    """The sentences table and its vectors, checked to be row for row the same."""
    sents = pd.read_parquet(sentences)
    ids, matrix = load_vectors(vectors)
    if ids != sents["sent_id"].tolist():
        raise FramelensError(f"{vectors} does not match {sentences}; rerun the embed rule")
    return sents, matrix


def read_vector_file_for(
    sentences: str, vectors: str, columns: list[str] | None = None
) -> tuple[pd.DataFrame, VectorFile]:
    """The sentences table (only ``columns``, with ``sent_id``, when given) and its
    vectors' file (rows read when a stage takes them), checked to be row for row the
    same."""
    if columns is not None and "sent_id" not in columns:
        columns = ["sent_id", *columns]
    sents = pd.read_parquet(sentences, columns=columns)
    file = VectorFile(vectors)
    if file.ids() != sents["sent_id"].tolist():
        raise FramelensError(f"{vectors} does not match {sentences}; rerun the embed rule")
    return sents, file


def read_events(events: str) -> pd.Series:
    """doc_id -> event_id from an events.csv."""
    table = pd.read_csv(events, dtype=str)
    return pd.Series(table["event_id"].to_numpy(), index=table["doc_id"], name="event")


def read_identity(embedding: str) -> dict[str, Any]:
    """The model identity recorded in an ``embedding.json``."""
    return json.loads(Path(embedding).read_text(encoding="utf-8"))["identity"]


def save_figure(fig: Any, path: str) -> None:
    """Write a matplotlib Figure as PNG, atomically."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=150)


VIEW_PAIR_COLUMNS = ("doc_id_a", "doc_id_b", "sent_id_a", "sent_id_b", "relation")


def read_top_pair_alignments(alignments: str, n: int) -> pd.DataFrame:
    """The alignments of the ``n`` article pairs with the most reused sentences
    (:func:`~framelens.plots.alignment_view.top_document_pairs`), read without holding
    the whole table: the ranking reads three dictionary-encoded columns, the rows of
    the winners are read filtered."""
    from framelens.plots.alignment_view import top_document_pairs

    ranking_columns = ["doc_id_a", "doc_id_b", "relation"]
    ranked = top_document_pairs(
        pq.read_table(
            alignments, columns=ranking_columns, read_dictionary=ranking_columns
        ).to_pandas(),
        n,
    )
    if not ranked:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in VIEW_PAIR_COLUMNS})
    found = pd.read_parquet(
        alignments,
        columns=list(VIEW_PAIR_COLUMNS),
        filters=[("doc_id_a", "in", sorted({a for a, _ in ranked}))],
    )
    wanted = pd.MultiIndex.from_tuples(ranked)
    keep = pd.MultiIndex.from_arrays([found["doc_id_a"], found["doc_id_b"]]).isin(wanted)
    return found[keep].reset_index(drop=True)
