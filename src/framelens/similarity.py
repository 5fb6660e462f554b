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

from enum import StrEnum

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.embed import Matrix, content_mask, document_vectors
from framelens.errors import ConfigError


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
