"""Events: articles clustered into the stories they cover (framelens.events and the
sparse average linkage it uses)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.metrics import adjusted_rand_score

from framelens.basics.linkage import sparse_average_linkage
from framelens.basics.similarity import l2_normalise
from framelens.events import cluster_events, names_and_numbers, similarity_edges
from framelens.settings import EventSettings


def test_sparse_average_linkage_equals_scipy_on_a_full_graph():
    rng = np.random.default_rng(5)
    points = l2_normalise(rng.normal(size=(30, 4)))
    sims = np.clip(points @ points.T, 0, None)
    edges = {(i, j): float(sims[i, j]) for i in range(30) for j in range(i + 1, 30)}
    mine = sparse_average_linkage(30, edges, min_similarity=0.4)
    distances = 1 - sims
    np.fill_diagonal(distances, 0)
    tree = linkage(squareform(distances, checks=False), method="average")
    reference = fcluster(tree, t=0.6, criterion="distance")
    assert adjusted_rand_score(reference, mine) == pytest.approx(1.0)


def test_sparse_average_linkage_counts_missing_pairs_as_zero():
    # a-b and b-c are similar, a-c never compared: {a, b} + c averages (0.9 + 0) / 2
    edges = {(0, 1): 0.95, (1, 2): 0.9}
    assert sparse_average_linkage(3, edges, 0.5).tolist() == [0, 0, 1]
    assert sparse_average_linkage(3, edges, 0.4).tolist() == [0, 0, 0]


def test_group_sizes_weight_the_average():
    # item 0 stands for 3 sentences whose summed similarity to item 1 is 1.5 (mean 0.5)
    assert sparse_average_linkage(2, {(0, 1): 1.5}, 0.6, sizes=[3, 1]).tolist() == [0, 1]
    assert sparse_average_linkage(2, {(0, 1): 1.5}, 0.5, sizes=[3, 1]).tolist() == [0, 0]


def test_names_and_numbers_keep_people_places_and_counts():
    found = names_and_numbers(["Tara Reid, 33, entered Promises in Malibu."]).split()
    assert found == ["reid", "33", "promises", "malibu"]


def test_the_same_story_weeks_apart_is_two_events():
    """Identical articles are one event within ``max_days_apart`` and two beyond it."""
    text = "Kosovo postponed the licence plate rule after talks with Serbia in Brussels."
    docs = ["a", "b", "c"]
    sentences = pd.DataFrame(
        {"doc_id": docs, "text": [text] * 3, "boilerplate": False, "duplicate_of": None}
    )
    documents = pd.DataFrame(
        {"doc_id": docs, "event": None, "date": ["2022-08-01", "2022-08-05", "2022-08-20"]}
    )
    vectors = np.ones((3, 4), dtype=np.float32) / 2
    labels = cluster_events(vectors, sentences, documents)["event_id"].tolist()
    assert labels[0] == labels[1] != labels[2]


def test_event_similarity_reads_the_leads_not_the_long_tails():
    """Only each article's first ``lead_sentences`` sentences (by position, whatever the
    table order) meet under the model: a long tail of sentences that match the other
    article's changes nothing, where over whole articles it makes them alike."""
    n_lead, n_tail = 4, 12
    length = n_lead + n_tail
    docs = np.repeat(["a", "b"], length)
    positions = np.tile(np.arange(length), 2)
    texts = [
        f"Storm {d} reached the coast, report {p}." for d, p in zip(docs, positions, strict=True)
    ]
    sentences = pd.DataFrame(
        {"doc_id": docs, "position": positions, "text": texts, "boilerplate": False}
    ).assign(duplicate_of=None)
    documents = pd.DataFrame({"doc_id": ["a", "b"], "event": None, "date": None})
    vectors = l2_normalise(np.random.default_rng(0).normal(size=(2 * length, 32)))
    echoed = vectors.copy()
    echoed[length + n_lead :] = vectors[n_lead:length]  # b's tail repeats a's, in order
    shuffled = np.random.default_rng(1).permutation(2 * length)  # rows out of article order
    sentences = sentences.iloc[shuffled].reset_index(drop=True)

    def edge(vectors: np.ndarray, lead_sentences: int) -> float:
        settings = EventSettings(lead_sentences=lead_sentences)
        return similarity_edges(vectors[shuffled], sentences, documents, settings)[(0, 1)]

    assert edge(echoed, n_lead) == pytest.approx(edge(vectors, n_lead))
    assert edge(echoed, length) > edge(vectors, length) + 0.1


def test_metadata_events_are_used_as_given():
    documents = pd.DataFrame({"doc_id": ["b", "a"], "event": ["x", "y"], "date": [None, None]})
    table = cluster_events(
        np.zeros((0, 2)),
        pd.DataFrame(columns=["doc_id", "text", "boilerplate", "duplicate_of"]),
        documents,
    )
    assert table.to_dict("list") == {
        "doc_id": ["a", "b"],
        "event_id": ["y", "x"],
        "event_source": ["metadata", "metadata"],
    }
