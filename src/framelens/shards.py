"""Event shards: the per-event stages (alignment, claims, framing, ``doc_pairs``) split
into ``event_shards`` jobs over blocks of whole events, and their tables gathered.

The plan (:func:`plan_event_shards`) depends on the data alone: events weighted by their
content sentences, heaviest first (ties by event id), each to the lightest shard so far
(ties by the lower shard). Every job of every stage computes the same plan from the same
``events.csv`` and sentences, so shard *i* of claims reads shard *i* of alignment.

A shard job reads only its events' sentences (:func:`read_shard_sentences`) and vectors
(:func:`read_vector_rows`: only those rows of a dense ``.npz`` are read, so per-job
memory falls with the shard count), and writes partial tables as Parquet (exact dtypes). The
gather concatenates them in shard order and sorts them stably by the key the whole-corpus
code sorts by (:func:`gather_frames`): each stage orders its rows by event first, and a
shard holds whole events in that order, so the result is the unsharded table row for row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from framelens.basics.similarity import Matrix, as_float32
from framelens.basics.tables import CONTENT_MASK_COLUMNS, content_mask
from framelens.errors import FramelensError
from framelens.vectorfile import VectorFile

__all__ = [
    "EventShard",
    "gather_frames",
    "plan_event_shards",
    "read_shard_sentences",
    "read_vector_rows",
    "vector_rows_view",
]


def plan_event_shards(weights: pd.Series, n_shards: int) -> pd.Series:
    """Shard of each event (``weights``: a non-negative weight by event id, e.g. its
    content sentences), balanced greedily: heaviest event first (ties by event id), each
    to the shard with the least weight so far (ties by the lower shard number).

    Every event is in exactly one shard; with more shards than events some are empty.
    Returns the shard by event id, in event id order.

    >>> plan_event_shards(pd.Series({"a": 5, "b": 3, "c": 3, "d": 1}), 2).to_dict()
    {'a': 0, 'b': 1, 'c': 1, 'd': 0}
    """
    if n_shards < 1:
        raise FramelensError(f"event_shards must be an integer >= 1, got {n_shards}")
    ids = weights.index.astype(str).to_numpy()
    values = weights.to_numpy(dtype=np.int64)
    order = sorted(range(len(ids)), key=lambda i: (-int(values[i]), ids[i]))
    loads = [0] * n_shards
    shard_of: dict[str, int] = {}
    for i in order:
        shard = min(range(n_shards), key=lambda s: (loads[s], s))
        shard_of[str(ids[i])] = shard
        loads[shard] += int(values[i])
    return pd.Series(shard_of, name="shard", dtype=np.int64).sort_index()


@dataclass(frozen=True)
class EventShard:
    """One shard's events and documents (``events``: its rows of ``events.csv``)."""

    shard: int
    n_shards: int
    events: pd.DataFrame

    @classmethod
    def read(cls, events: str, sentences: str, shard: int, n_shards: int) -> EventShard:
        """Shard ``shard`` of ``n_shards`` of an ``events.csv`` (``doc_id``, ``event_id``),
        weighted by each event's content sentences in ``sentences``."""
        if not 0 <= shard < n_shards:
            raise FramelensError(f"event shard {shard} is not in 0..{n_shards - 1} (event_shards)")
        table = pd.read_csv(events, dtype=str, keep_default_na=False)
        sents = pd.read_parquet(sentences, columns=["doc_id", *CONTENT_MASK_COLUMNS])
        per_doc = sents.loc[content_mask(sents), "doc_id"].value_counts()
        weights = (
            table["doc_id"].map(per_doc).fillna(0).astype(np.int64).groupby(table["event_id"]).sum()
        )
        plan = plan_event_shards(weights, n_shards)
        mine = table["event_id"].map(plan).to_numpy() == shard
        return cls(shard, n_shards, table[mine].reset_index(drop=True))

    @property
    def doc_ids(self) -> set[str]:
        """The documents of this shard's events."""
        return set(self.events["doc_id"])

    def event_of(self) -> pd.Series:
        """doc_id -> event_id of this shard's documents (as ``read_events`` gives it)."""
        return pd.Series(
            self.events["event_id"].to_numpy(), index=self.events["doc_id"], name="event"
        )


def read_shard_sentences(
    sentences: str, doc_ids: set[str], columns: list[str] | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of ``sentences`` whose document is in ``doc_ids``, in the table's order,
    with their row numbers in the whole table (the rows of its vectors). Only the
    ``doc_id`` column is read whole; the other columns are read filtered."""
    all_docs = pq.read_table(sentences, columns=["doc_id"]).column("doc_id").to_pandas()
    rows = np.flatnonzero(all_docs.isin(doc_ids).to_numpy())
    expected = all_docs.to_numpy()[rows]
    del all_docs
    schema = pq.read_schema(sentences)
    if columns is not None:
        columns = [c for c in columns if c in set(schema.names)]
    if doc_ids:
        found = pq.read_table(
            sentences, columns=columns, filters=[("doc_id", "in", sorted(doc_ids))]
        )
    else:  # an empty shard reads nothing
        found = schema.empty_table() if columns is None else schema.empty_table().select(columns)
    table = found.to_pandas()
    if "doc_id" in table and not np.array_equal(table["doc_id"].to_numpy(), expected):
        raise FramelensError(f"{sentences}: a filtered read did not keep the table's rows")
    if len(table) != len(rows):
        raise FramelensError(f"{sentences}: filtered read gave {len(table)} rows, not {len(rows)}")
    return table.reset_index(drop=True), rows


def read_vector_rows(vectors: str, rows: np.ndarray, sent_ids: list[str]) -> Matrix:
    """Rows ``rows`` of the sentence vectors in ``vectors`` (a ``save_vectors`` file),
    checked against ``sent_ids``, all at once: :func:`vector_rows_view`'s rows, dense ones
    as float32 (a sparse TF-IDF matrix is read whole and sliced)."""
    return as_float32(vector_rows_view(vectors, rows, sent_ids).take(np.arange(len(rows))))


def vector_rows_view(vectors: str, rows: np.ndarray, sent_ids: list[str]) -> VectorFile:
    """Rows ``rows`` of the sentence vectors in ``vectors`` as a :class:`VectorFile` view
    (checked against ``sent_ids``), for a stage that takes them an event at a time: the
    job then holds one event's vectors, not its shard's."""
    view = VectorFile(vectors).view(rows)
    if view.ids() != list(sent_ids):
        raise FramelensError(f"{vectors} does not match the sentences; rerun the embed rule")
    return view


def gather_frames(paths: list[str], by: str, empty: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partial tables at ``paths`` (Parquet, in shard order) as one table, sorted
    stably by column ``by`` (the whole-corpus order: by event first). Empty parts are
    left out (their columns may have no type); all empty gives ``empty`` (or the first)."""
    parts = [pd.read_parquet(p) for p in paths]
    full = [p for p in parts if len(p)]
    if not full:
        return empty if empty is not None else parts[0]
    table = full[0] if len(full) == 1 else pd.concat(_typed_alike(full), ignore_index=True)
    order = np.argsort(table[by].astype(str).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def _typed_alike(parts: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """``parts`` with each all-null column given the type that column has in the parts
    where it holds values: one job's table would have that type (a part whose ``None``
    column reads back untyped would otherwise turn the whole column to ``object``)."""
    typed = []
    for part in parts:
        nulls = [c for c in part.columns if part[c].isna().all()]
        casts = {}
        for column in nulls:
            kinds = [p[column].dtype for p in parts if not p[column].isna().all()]
            if kinds and part[column].dtype != kinds[0]:
                casts[column] = kinds[0]
        typed.append(part.astype(casts) if casts else part)
    return typed
