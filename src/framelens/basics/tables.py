"""What the stages know in common about the workflow's tables: which sentences carry
content, which outlet a document counts under, the relations of aligned pairs, the event
of each document and where each sentence sits in its article."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

import numpy as np
import pandas as pd

from framelens.sources.folder import UNATTRIBUTED
from framelens.workers import map_pieces

Item = TypeVar("Item")

__all__ = [
    "REUSE",
    "UNATTRIBUTED",
    "Relation",
    "concat_or_none",
    "content_layout",
    "content_mask",
    "event_of_documents",
    "outlet_keys",
    "sentence_positions",
    "tables_in_pieces",
]


class Relation(StrEnum):
    """How an aligned sentence pair is worded, strongest first (``relation`` of the
    alignment table; :mod:`framelens.align`)."""

    VERBATIM = "verbatim"
    REWRITE = "rewrite"
    PARAPHRASE = "paraphrase"


REUSE = (Relation.VERBATIM, Relation.REWRITE)  # reused copy, as opposed to a paraphrase


#: The sentence columns :func:`content_mask` reads: read them beside what a step needs.
CONTENT_MASK_COLUMNS = ("boilerplate", "duplicate_of")


def content_mask(sentences: pd.DataFrame) -> np.ndarray:
    """Sentences that carry content: not boilerplate and not a repeat inside their document."""
    return (~sentences["boilerplate"].to_numpy(bool)) & sentences["duplicate_of"].isna().to_numpy()


def content_layout(
    sentences: pd.DataFrame, doc_ids: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of ``sentences`` that carry content and belong to ``doc_ids``, with the
    document index of each and its position among its document's content sentences
    (article order)."""
    index = {d: i for i, d in enumerate(doc_ids)}
    doc_of_row = sentences["doc_id"].map(index).to_numpy()
    keep = np.flatnonzero(content_mask(sentences) & ~pd.isna(doc_of_row))
    docs = doc_of_row[keep].astype(np.int64)
    order = (
        np.lexsort((sentences["position"].to_numpy()[keep], docs))
        if "position" in sentences
        else np.argsort(docs, kind="stable")
    )
    keep, docs = keep[order], docs[order]
    starts = np.searchsorted(docs, docs, side="left")
    return keep, docs, np.arange(len(docs)) - starts


def outlet_keys(documents: pd.DataFrame) -> pd.Series:
    """The outlet each document counts under, by ``doc_id``.

    An unattributed document is its own outlet (its label, e.g.
    ``unattributed (003)``): unknown sources are not merged into one.
    """
    keys = documents["outlet"].where(documents["outlet"] != UNATTRIBUTED, documents["outlet_label"])
    return pd.Series(keys.to_numpy(), index=documents["doc_id"], name="outlet")


def event_of_documents(documents: pd.DataFrame) -> pd.Series:
    """Event of each document (by ``doc_id``): metadata ``event`` where given, else one
    event ``all`` for the whole corpus."""
    events = documents.set_index("doc_id")["event"]
    if events.isna().all():
        return pd.Series("all", index=events.index, name="event")
    return events.fillna("unassigned").astype(str)


def sentence_positions(sentences: pd.DataFrame) -> pd.DataFrame:
    """Each content sentence's rank in its article (0 = first) and that rank as a
    fraction of the article's content sentences (0 = first, 1 = last)."""
    ranked = sentences.sort_values(["doc_id", "position"]).copy()
    ranked["rank"] = ranked.groupby("doc_id").cumcount()
    size = ranked.groupby("doc_id")["rank"].transform("max")
    ranked["fraction"] = (ranked["rank"] / size.where(size > 0, 1)).astype(float)
    return ranked.set_index("sent_id")[["rank", "fraction"]]


def concat_or_none(tables: list[pd.DataFrame]) -> pd.DataFrame | None:
    """The tables as one, with a fresh index (None when there is none)."""
    return pd.concat(tables, ignore_index=True) if tables else None


def tables_in_pieces(
    work: Callable[[Item], pd.DataFrame],
    items: Sequence[Item],
    workers: int,
    weights: Sequence[float],
) -> list[pd.DataFrame]:
    """``work`` of each item (an event), in the job's ``workers`` processes
    (:func:`framelens.workers.map_pieces`), each piece's tables put together in its
    worker: one table per piece comes back, not one per event."""
    found = map_pieces(
        lambda piece: concat_or_none([work(item) for item in piece]), items, workers, weights
    )
    return [table for table in found if table is not None]
