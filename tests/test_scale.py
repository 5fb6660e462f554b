"""Scale: the bounded-memory paths give the same answers as the full computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from framelens.compare import doc_similarity_spearman, sample_events
from framelens.corpus import outlet_labels
from framelens.events import (
    best_match_pair,
    best_match_pairs,
    candidate_pairs,
    day_numbers,
    term_counts,
    window_document_frequency,
    window_tfidf,
)
from framelens.similarity import doc_pairs_within_events, doc_similarity


def unit_rows(rng: np.random.Generator, n: int, dim: int = 8) -> np.ndarray:
    rows = rng.normal(size=(n, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_nearest_neighbours_are_sought_inside_the_date_window():
    """Many near-copies on other dates must not crowd out the one article in the window
    (they did: an event's articles then never met, and events were over-split)."""
    story = np.array([[1.0, 0.0, 0.0]])
    similar = np.array([[0.8, 0.6, 0.0]])
    rows = np.vstack([story, np.repeat(story, 5, axis=0), similar])
    days = np.array([100, 10, 20, 30, 40, 50, 102], dtype=float)
    pairs = candidate_pairs((sp.csr_matrix(rows),), k=2, days=days, max_days=7)
    assert (0, 6) in pairs
    assert not any(0 in p and 6 not in p for p in pairs)


def test_undated_articles_are_compared_with_every_article():
    rows = sp.csr_matrix(np.array([[1.0, 0.0], [0.9, 0.1], [0.1, 0.9]]))
    days = np.array([np.nan, 500.0, 0.0])
    # 2's nearest dated article (1) is 500 days away: its neighbour is the undated 0
    assert candidate_pairs((rows,), k=1, days=days, max_days=7) == {(0, 1), (0, 2)}


def test_windowed_search_without_dates_equals_the_full_search():
    rng = np.random.default_rng(3)
    rows = sp.csr_matrix(np.abs(unit_rows(rng, 60)))
    full = candidate_pairs((rows,), k=4)
    blocked = candidate_pairs((rows,), k=4, days=np.full(60, np.nan), max_days=7, block_size=7)
    assert full == blocked and len(full) >= 60 * 4 / 2


def test_day_numbers_leave_unknown_dates_nan():
    days = day_numbers(["2022-08-01", None, "2022-08-08"])
    assert days[2] - days[0] == 7 and np.isnan(days[1])


def test_batched_best_match_equals_pair_by_pair():
    rng = np.random.default_rng(5)
    counts = np.array([3, 0, 4, 1, 2])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    vectors = unit_rows(rng, counts.sum())
    first = np.array([0, 0, 0, 2, 2, 3])
    second = np.array([1, 2, 4, 3, 4, 4])
    got = best_match_pairs(vectors, np.arange(counts.sum()), starts, counts, first, second)
    shuffled = rng.permutation(counts.sum())  # the rows in another order, mapped back
    stored = np.empty_like(vectors)
    stored[shuffled] = vectors
    again = best_match_pairs(stored, shuffled, starts, counts, first, second)
    np.testing.assert_allclose(again, got, rtol=1e-6)
    want = [
        best_match_pair(
            vectors[starts[a] : starts[a] + counts[a]], vectors[starts[b] : starts[b] + counts[b]]
        )
        for a, b in zip(first, second, strict=True)
    ]
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert got[0] == 0.0  # article 1 has no sentence
    # in batches of a few rows, articles taken by day: every pair the same, bit for bit
    days = np.array([3.0, np.nan, 1.0, np.nan, 2.0])
    for rows_at_once in (1, 5, 8):
        batched = best_match_pairs(
            stored, shuffled, starts, counts, first, second, days=days, rows_at_once=rows_at_once
        )
        np.testing.assert_array_equal(batched, again)


@pytest.fixture
def five_documents() -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    doc_of = ["a", "a", "b", "b", "b", "c", "d", "d", "e"]
    sentences = pd.DataFrame(
        {
            "sent_id": [f"s{i}" for i in range(len(doc_of))],
            "doc_id": doc_of,
            "duplicate_of": None,
            "boilerplate": [False] * 8 + [True],
            "position": [0, 1, 0, 1, 2, 0, 0, 1, 0],
            "text": [
                "Talks in Brussels",
                "Kurti met Vucic",
                "Talks failed",
                "NATO has 4,000 troops",
                "Borrell spoke",
                "Talks again",
                "Vucic said 2008",
                "Brussels talks",
                "Sign up",
            ],
        }
    )
    events = pd.DataFrame({"doc_id": list("abcde"), "event_id": ["x", "y", "x", "x", "y"]})
    return unit_rows(rng, len(doc_of)).astype(np.float32), sentences, events


@pytest.mark.parametrize("method", ["story", "best_match", "mean_vector"])
def test_within_event_pairs_equal_the_matrix_cells(five_documents, method):
    vectors, sentences, events = five_documents
    pairs = doc_pairs_within_events(vectors, sentences, events, method)
    matrix = doc_similarity(vectors, sentences, list("abcde"), method)
    expected = {
        ("a", "c"),
        ("c", "a"),
        ("a", "d"),
        ("d", "a"),
        ("c", "d"),
        ("d", "c"),
        ("b", "e"),
        ("e", "b"),
    }
    assert set(zip(pairs["doc_id_a"], pairs["doc_id_b"], strict=True)) == expected
    for row in pairs.itertuples():
        want = matrix.at[row.doc_id_a, row.doc_id_b]
        assert row.similarity == pytest.approx(want, abs=1e-6, nan_ok=True)
        assert row.event_id == events.set_index("doc_id").at[row.doc_id_a, "event_id"]


def test_agreement_reads_square_and_long_tables_alike():
    square = pd.DataFrame(
        [[1, 0.2, 0.5], [0.3, 1, 0.1], [0.6, 0.4, 1]], index=list("xyz"), columns=list("xyz")
    )
    other = square.T
    long_other = pd.DataFrame(
        [(a, b, other.at[a, b]) for a in "xyz" for b in "xyz" if a != b],
        columns=["doc_id_a", "doc_id_b", "similarity"],
    )
    assert doc_similarity_spearman(square, other) == doc_similarity_spearman(square, long_other)
    rho, n = doc_similarity_spearman(square, long_other.iloc[:4])
    assert n == 4 and -1 <= rho <= 1


def test_outlet_labels_stay_unique_on_many_articles_per_outlet():
    ids = [f"wire-{i:05d}" for i in range(3000)] + ["wire-x", "solo-1"]
    documents = pd.DataFrame({"doc_id": ids, "outlet": ["AP"] * 3001 + ["BBC"]})
    labels = outlet_labels(documents)
    assert len(set(labels)) == len(labels)
    assert labels[-1] == "BBC" and labels[-2] == "AP (wire-x)"
    assert labels[0] == "AP (wire-00000)"


def test_sensitivity_samples_whole_events_within_the_budget():
    sentences = pd.DataFrame(
        {"doc_id": [f"d{i // 3}" for i in range(60)], "duplicate_of": None, "boilerplate": False}
    )
    events = pd.DataFrame(
        {"doc_id": [f"d{i}" for i in range(20)], "event_id": [f"e{i // 2}" for i in range(20)]}
    )  # 6 sentences each
    sample = sample_events(events, sentences, max_sentences=20, random_state=1)
    assert sample["event_id"].nunique() == 3  # 18 sentences; a fourth event would be 24
    assert (sample.groupby("event_id").size() == 2).all()  # events are never cut
    assert sample.equals(sample_events(events, sentences, max_sentences=20, random_state=1))
    assert not sample.equals(sample_events(events, sentences, max_sentences=20, random_state=2))
    assert sample_events(events, sentences, None, 1) is events
    assert len(sample_events(events, sentences, 1, 1)) == 2  # one event at least


def brute_window_frequency(
    counts: sp.csr_matrix, days: np.ndarray, max_days: int
) -> dict[tuple[int, int], int]:
    """(article, term) -> articles in the article's date window holding the term."""
    dense = counts.toarray() > 0
    found = {}
    for a, t in zip(*counts.nonzero(), strict=True):
        if np.isnan(days[a]):
            window = np.ones(len(days), dtype=bool)
        else:
            window = np.isnan(days) | (np.abs(days - days[a]) <= max_days)
        found[(int(a), int(t))] = int((dense[window, t]).sum())
    return found


def test_window_document_frequency_counts_each_articles_own_window():
    rng = np.random.default_rng(11)
    counts = sp.csr_matrix(rng.poisson(0.4, size=(40, 15)))
    days = rng.integers(0, 60, size=40).astype(float)
    days[[3, 17, 30]] = np.nan  # undated: compared with everything, and in every window
    counts.sort_indices()
    df, n_window = window_document_frequency(counts, days, 7)
    want = brute_window_frequency(counts, days, 7)
    rows = np.repeat(np.arange(40), np.diff(counts.indptr))
    assert {
        (int(a), int(t)): int(f) for a, t, f in zip(rows, counts.indices, df, strict=True)
    } == want
    assert n_window[3] == 40
    assert n_window[0] == 3 + int((np.abs(days - days[0]) <= 7).sum())


@pytest.mark.parametrize("min_df", [1, 2])
def test_window_tfidf_without_dates_is_scikit_learns_tfidf(min_df):
    texts = [
        "the plates dispute at the border",
        "border crossings closed over plates",
        "talks in Brussels",
        "plates plates border",
        "an unrelated story",
    ]
    want = (
        TfidfVectorizer(sublinear_tf=True, min_df=min_df, ngram_range=(1, 2))
        .fit_transform(texts)
        .toarray()
    )
    got = window_tfidf(
        term_counts(texts, min_df, ngram_range=(1, 2)), np.full(len(texts), np.nan), None, min_df
    ).toarray()
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_coverage_in_other_months_leaves_an_articles_vector_unchanged():
    """A month and a year of coverage must weigh the same article the same: terms that
    other months repeat neither dilute it nor lose weight (they did, and events split
    more often as the corpus grew)."""
    week = [
        "police arrest suspect after Oslo bank robbery",
        "Oslo bank robbery suspect held",
        "storm floods coastal towns",
        "coastal towns flooded by storm surge",
    ]
    later = [
        "Oslo bank robbery trial opens",
        "suspect in bank robbery sentenced",
        "storm surge again floods towns",
        "police arrest another suspect",
    ] * 5
    week_days = np.array([0, 1, 0, 2], dtype=float)
    later_days = np.arange(len(later), dtype=float) * 3 + 60
    alone = window_tfidf(term_counts(week, 2), week_days, 7, 2)
    counts = term_counts(week + later, 2)
    whole = window_tfidf(counts, np.concatenate([week_days, later_days]), 7, 2)[:4]
    assert (alone @ alone.T).toarray() == pytest.approx((whole @ whole.T).toarray())
    # and the global weighting does change them: this is what the window prevents
    global_rows = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(week + later)[:4]
    assert (global_rows @ global_rows.T).toarray()[0, 1] != pytest.approx(
        (alone @ alone.T).toarray()[0, 1]
    )
