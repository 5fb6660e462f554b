"""Vectors and how alike they are: L2 normalisation, cosines, document vectors.

Rows are L2-normalised sentence (or document) vectors, dense or sparse (:data:`Matrix`),
so a dot product is a cosine. :func:`cos_sim` and :func:`pairwise_cos_sim` have
sentence-transformers' meanings: every row of ``a`` with every row of ``b``, and row ``i``
of ``a`` with row ``i`` of ``b``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.basics.tables import content_mask

Matrix = np.ndarray | sp.csr_matrix


def l2_normalise(matrix: Matrix) -> Matrix:
    """Rows scaled to unit length; all-zero rows stay zero (dense or sparse)."""
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1, copy=True)


def cos_sim(a: Matrix, b: Matrix) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``.

    Inputs are L2-normalised [n, dim] and [m, dim] arrays (dense or sparse);
    returns a dense float array of shape [n, m].

    >>> cos_sim(np.eye(2), np.eye(2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    product = a @ b.T
    return product.toarray() if sp.issparse(product) else np.asarray(product)


def pairwise_cos_sim(a: Matrix, b: Matrix) -> np.ndarray:
    """Cosine similarity of row ``i`` of ``a`` with row ``i`` of ``b``; shape [n].

    Inputs are L2-normalised [n, dim] arrays (dense or sparse, the same number of rows).

    >>> pairwise_cos_sim(np.eye(2), np.array([[1.0, 0.0], [1.0, 0.0]])).tolist()
    [1.0, 0.0]
    """
    if sp.issparse(a) or sp.issparse(b):
        return np.asarray(sp.csr_matrix(a).multiply(sp.csr_matrix(b)).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", np.asarray(a), np.asarray(b))


def rowwise_dot(rows: Matrix, first: np.ndarray, second: np.ndarray,
                chunk: int = 50_000) -> np.ndarray:
    """Dot product (cosine, for L2-normalised rows) of row ``first[p]`` with row
    ``second[p]`` of ``rows`` for every pair ``p``; dense or sparse, ``chunk`` pairs at a
    time, so memory stays bounded however many pairs.

    >>> rowwise_dot(np.eye(2), np.array([0, 0]), np.array([0, 1])).tolist()
    [1.0, 0.0]
    """
    out = np.zeros(len(first), dtype=rows.dtype)  # the rows' precision, as one product
    for lo in range(0, len(first), chunk):
        hi = lo + chunk
        out[lo:hi] = pairwise_cos_sim(rows[first[lo:hi]], rows[second[lo:hi]])
    return out


def document_vectors(vectors: Matrix, sentences: pd.DataFrame, doc_ids: list[str]) -> np.ndarray:
    """Mean of each document's content-sentence vectors, L2-normalised; shape [n_docs, dim].

    Built from every sentence, so no part of a long article is truncated away.
    A document without content sentences gets a zero row.
    """
    mask = content_mask(sentences)
    index = {d: i for i, d in enumerate(doc_ids)}
    rows = sentences["doc_id"].map(index).to_numpy()
    keep = np.flatnonzero(mask & ~pd.isna(rows))
    assign = sp.csr_matrix((np.ones(len(keep)), (rows[keep].astype(int), keep)),
                           shape=(len(doc_ids), vectors.shape[0]))
    summed = assign @ vectors
    summed = summed.toarray() if sp.issparse(summed) else np.asarray(summed)
    return np.asarray(l2_normalise(summed), dtype=np.float32)
