"""Similarity: cosine against scikit-learn, best-match and mean-vector document measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics.pairwise import cosine_similarity

from framelens.embed import l2_normalise
from framelens.errors import ConfigError
from framelens.similarity import best_match_matrix, cos_sim, doc_similarity


def test_cos_sim_matches_sklearn_dense_and_sparse():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 8)), rng.normal(size=(3, 8))
    na, nb = l2_normalise(a), l2_normalise(b)
    np.testing.assert_allclose(cos_sim(na, nb), cosine_similarity(a, b), atol=1e-12)
    np.testing.assert_allclose(cos_sim(sp.csr_matrix(na), sp.csr_matrix(nb)),
                               cosine_similarity(a, b), atol=1e-12)


def brute_best_match(vectors, doc_of_row, n_docs):
    out = np.full((n_docs, n_docs), np.nan)
    for a in range(n_docs):
        for b in range(n_docs):
            va, vb = vectors[doc_of_row == a], vectors[doc_of_row == b]
            if len(va) and len(vb):
                out[a, b] = 1.0 if a == b else (va @ vb.T).max(axis=1).mean()
    return out


def test_best_match_equals_brute_force_on_random_data():
    rng = np.random.default_rng(7)
    vectors = l2_normalise(rng.normal(size=(40, 6)))
    doc_of_row = rng.integers(0, 6, size=40)
    doc_of_row[doc_of_row == 5] = 4  # document 5 has no sentences
    np.testing.assert_allclose(best_match_matrix(vectors, doc_of_row, 6),
                               brute_best_match(vectors, doc_of_row, 6), atol=1e-12)


def test_best_match_sees_a_copied_article_that_mean_vectors_miss():
    """B copies two of A's four sentences: best match says half of A is in B."""
    basis = np.eye(6)
    vectors = np.vstack([basis[[0, 1, 2, 3]], basis[[0, 1]], basis[[4, 5]]])
    sentences = pd.DataFrame({"doc_id": ["A"] * 4 + ["B"] * 2 + ["C"] * 2,
                              "boilerplate": False, "duplicate_of": None})
    table = doc_similarity(vectors, sentences, ["A", "B", "C"], "best_match")
    assert table.loc["A", "B"] == pytest.approx(0.5)
    assert table.loc["B", "A"] == pytest.approx(1.0)
    assert table.loc["A", "C"] == pytest.approx(0.0)
    mean = doc_similarity(vectors, sentences, ["A", "B", "C"], "mean_vector")
    assert mean.loc["A", "B"] == pytest.approx(mean.loc["B", "A"])
    assert mean.loc["A", "B"] == pytest.approx(2 / np.sqrt(4 * 2))


def test_boilerplate_does_not_count_as_shared():
    vectors = np.eye(3)[[0, 1, 0, 2]]
    sentences = pd.DataFrame({"doc_id": ["A", "A", "B", "B"],
                              "boilerplate": [True, False, True, False],
                              "duplicate_of": None})
    table = doc_similarity(vectors, sentences, ["A", "B"], "best_match")
    assert table.loc["A", "B"] == pytest.approx(0.0)


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="best_match, mean_vector"):
        doc_similarity(np.eye(2), pd.DataFrame({"doc_id": ["a", "b"], "boilerplate": False,
                                                "duplicate_of": None}), ["a", "b"], "jaccard")
