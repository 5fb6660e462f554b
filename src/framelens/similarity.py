"""Similarity between sentences and between documents.

Two document measures, chosen with ``similarity.doc_method`` in the config:

``best_match`` (default)
    For articles A and B: the mean, over A's content sentences, of each
    sentence's highest cosine to any content sentence of B. Directional
    (row A, column B): "how much of A can be found in B". It sees shared
    sentences that whole-article averages wash out.
``mean_vector``
    Cosine between the documents' mean sentence vectors. Symmetric; every
    article on the same story scores high, so it separates topics rather
    than reuse.
"""

from __future__ import annotations

import itertools
from enum import StrEnum

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.embed import Matrix, content_mask, document_vectors
from framelens.errors import ConfigError
from framelens.lookup import run_bounds


class DocMethod(StrEnum):
    """Document similarity measures."""

    BEST_MATCH = "best_match"
    MEAN_VECTOR = "mean_vector"

    @classmethod
    def parse(cls, value: str) -> DocMethod:
        """Parse a config value; a bad one raises ConfigError listing the valid values."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ConfigError(f"similarity.doc_method: {value!r} is not one of: {valid}") from None


def cos_sim(a: Matrix, b: Matrix) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``.

    Inputs are L2-normalised [n, dim] and [m, dim] arrays (dense or sparse);
    returns a dense float array of shape [n, m].

    >>> cos_sim(np.eye(2), np.eye(2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    product = a @ b.T
    return product.toarray() if sp.issparse(product) else np.asarray(product)


def best_match_matrix(vectors: Matrix, doc_of_row: np.ndarray, n_docs: int) -> np.ndarray:
    """Directional best-match similarity between documents; shape [n_docs, n_docs].

    ``vectors`` are content-sentence vectors (L2-normalised rows) and
    ``doc_of_row[i]`` the document index of row ``i``. Entry [a, b] is the
    mean over a's sentences of their best cosine in b; a document with no
    sentence gives NaN in its row and column. The diagonal is 1.
    """
    order = np.argsort(doc_of_row, kind="stable")
    vectors = vectors[order]
    doc_of_row = doc_of_row[order]
    counts = np.bincount(doc_of_row, minlength=n_docs)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    present = np.flatnonzero(counts)
    result = np.full((n_docs, n_docs), np.nan)
    for a in present:
        block = cos_sim(vectors[starts[a]:starts[a] + counts[a]], vectors)
        best = np.maximum.reduceat(block, starts[present], axis=1)
        result[a, present] = best.mean(axis=0)
    result[present, present] = 1.0
    return result


def mean_vector_matrix(doc_vectors: np.ndarray) -> np.ndarray:
    """Cosine between document mean vectors; zero vectors give NaN rows."""
    result = cos_sim(doc_vectors, doc_vectors)
    empty = ~np.any(doc_vectors, axis=1)
    result[empty, :] = np.nan
    result[:, empty] = np.nan
    np.fill_diagonal(result, np.where(empty, np.nan, 1.0))
    return np.clip(result, -1.0, 1.0)


def doc_similarity(
    vectors: Matrix, sentences: pd.DataFrame, doc_ids: list[str], method: DocMethod | str
) -> pd.DataFrame:
    """Square document × document similarity table, ``doc_id`` on both axes.

    ``vectors`` has one row per row of ``sentences``; boilerplate and
    repeats inside a document are left out of both measures.
    """
    method = DocMethod.parse(method) if isinstance(method, str) else method
    if method is DocMethod.MEAN_VECTOR:
        matrix = mean_vector_matrix(document_vectors(vectors, sentences, doc_ids))
    else:
        mask = content_mask(sentences)
        index = {d: i for i, d in enumerate(doc_ids)}
        doc_of_row = sentences["doc_id"].map(index).to_numpy()
        keep = np.flatnonzero(mask & ~pd.isna(doc_of_row))
        matrix = best_match_matrix(vectors[keep], doc_of_row[keep].astype(int), len(doc_ids))
    table = pd.DataFrame(matrix, index=pd.Index(doc_ids, name="doc_id"), columns=doc_ids)
    return table


DOC_PAIR_COLUMNS = ["event_id", "doc_id_a", "doc_id_b", "similarity"]


def doc_pairs_within_events(
    vectors: Matrix, sentences: pd.DataFrame, events: pd.DataFrame, method: DocMethod | str
) -> pd.DataFrame:
    """The document similarity of every ordered pair of documents in the same event.

    Long form (``event_id, doc_id_a, doc_id_b, similarity``; ``a`` ≠ ``b``), the same
    values :func:`doc_similarity` gives for those cells, computed event by event: time
    grows with the sum of the events' squared sizes, not with the corpus squared, and no
    corpus-wide matrix is built. ``events`` has ``doc_id, event_id``.
    """
    method = DocMethod.parse(method) if isinstance(method, str) else method
    events = events.sort_values(["event_id", "doc_id"], kind="stable").reset_index(drop=True)
    doc_ids = events["doc_id"].tolist()
    index = {d: i for i, d in enumerate(doc_ids)}
    if method is DocMethod.MEAN_VECTOR:
        doc_vectors = document_vectors(vectors, sentences, doc_ids)
    else:
        mask = content_mask(sentences)
        doc_of_row = sentences["doc_id"].map(index).to_numpy()
        keep = np.flatnonzero(mask & ~pd.isna(doc_of_row))
        doc_of_row = doc_of_row[keep].astype(np.int64)
        by_doc = np.argsort(doc_of_row, kind="stable")
        content_vectors = vectors[keep[by_doc]]
        doc_of_row = doc_of_row[by_doc]
        row_bounds = np.searchsorted(doc_of_row, np.arange(len(doc_ids) + 1))
    event_codes = events["event_id"].to_numpy()
    bounds = run_bounds(event_codes)
    parts = []
    for lo, hi in itertools.pairwise(bounds):
        if hi - lo < 2:
            continue
        if method is DocMethod.MEAN_VECTOR:
            matrix = mean_vector_matrix(doc_vectors[lo:hi])
        else:
            rows = slice(row_bounds[lo], row_bounds[hi])
            matrix = best_match_matrix(content_vectors[rows], doc_of_row[rows] - lo, hi - lo)
        a, b = np.nonzero(~np.eye(hi - lo, dtype=bool))
        parts.append((np.full(len(a), event_codes[lo], dtype=object), lo + a, lo + b,
                      matrix[a, b]))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "similarity" else float)
                             for c in DOC_PAIR_COLUMNS})
    ids = np.asarray(doc_ids, dtype=object)
    return pd.DataFrame({"event_id": np.concatenate([p[0] for p in parts]),
                         "doc_id_a": ids[np.concatenate([p[1] for p in parts])],
                         "doc_id_b": ids[np.concatenate([p[2] for p in parts])],
                         "similarity": np.concatenate([p[3] for p in parts])})
