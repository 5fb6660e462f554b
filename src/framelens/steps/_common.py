"""What several steps share: reading the tables they all read, writing a figure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

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
