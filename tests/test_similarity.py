"""Similarity: cosine against scikit-learn; story, best-match and mean-vector document measures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics.pairwise import cosine_similarity

from framelens.basics.similarity import cos_sim, l2_normalise, pairwise_cos_sim
from framelens.errors import ConfigError
from framelens.similarity import (
    StorySettings,
    best_match_matrix,
    doc_pairs_within_events,
    doc_similarity,
    lead_weights,
    read_story_text,
    save_story_text,
    shared_across_languages,
    story_matrix,
    story_pairs,
    story_profiles,
    story_text,
)


def test_cos_sim_matches_sklearn_dense_and_sparse():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 8)), rng.normal(size=(3, 8))
    na, nb = l2_normalise(a), l2_normalise(b)
    np.testing.assert_allclose(cos_sim(na, nb), cosine_similarity(a, b), atol=1e-12)
    np.testing.assert_allclose(
        cos_sim(sp.csr_matrix(na), sp.csr_matrix(nb)), cosine_similarity(a, b), atol=1e-12
    )


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
    np.testing.assert_allclose(
        best_match_matrix(vectors, doc_of_row, 6),
        brute_best_match(vectors, doc_of_row, 6),
        atol=1e-12,
    )


def test_best_match_sees_a_copied_article_that_mean_vectors_miss():
    """B copies two of A's four sentences: best match says half of A is in B."""
    basis = np.eye(6)
    vectors = np.vstack([basis[[0, 1, 2, 3]], basis[[0, 1]], basis[[4, 5]]])
    sentences = pd.DataFrame(
        {"doc_id": ["A"] * 4 + ["B"] * 2 + ["C"] * 2, "boilerplate": False, "duplicate_of": None}
    )
    table = doc_similarity(vectors, sentences, ["A", "B", "C"], "best_match")
    assert table.loc["A", "B"] == pytest.approx(0.5)
    assert table.loc["B", "A"] == pytest.approx(1.0)
    assert table.loc["A", "C"] == pytest.approx(0.0)
    mean = doc_similarity(vectors, sentences, ["A", "B", "C"], "mean_vector")
    assert mean.loc["A", "B"] == pytest.approx(mean.loc["B", "A"])
    assert mean.loc["A", "B"] == pytest.approx(2 / np.sqrt(4 * 2))


def test_boilerplate_does_not_count_as_shared():
    vectors = np.eye(3)[[0, 1, 0, 2]]
    sentences = pd.DataFrame(
        {
            "doc_id": ["A", "A", "B", "B"],
            "boilerplate": [True, False, True, False],
            "duplicate_of": None,
        }
    )
    table = doc_similarity(vectors, sentences, ["A", "B"], "best_match")
    assert table.loc["A", "B"] == pytest.approx(0.0)


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="story, best_match, mean_vector"):
        doc_similarity(
            np.eye(2),
            pd.DataFrame({"doc_id": ["a", "b"], "boilerplate": False, "duplicate_of": None}),
            ["a", "b"],
            "jaccard",
        )


def test_pairwise_cos_sim_is_the_diagonal_of_cos_sim_dense_and_sparse():
    rng = np.random.default_rng(3)
    a, b = l2_normalise(rng.normal(size=(4, 5))), l2_normalise(rng.normal(size=(4, 5)))
    want = np.diag(cos_sim(a, b))
    np.testing.assert_allclose(pairwise_cos_sim(a, b), want, atol=1e-12)
    np.testing.assert_allclose(
        pairwise_cos_sim(sp.csr_matrix(a), sp.csr_matrix(b)), want, atol=1e-12
    )


def story_corpus(texts: dict[str, list[str]]) -> tuple[np.ndarray, pd.DataFrame]:
    """Sentences of the given articles, each sentence its own unit vector."""
    rows = [(d, i, t) for d, sents in texts.items() for i, t in enumerate(sents)]
    sentences = pd.DataFrame(
        {
            "doc_id": [r[0] for r in rows],
            "position": [r[1] for r in rows],
            "text": [r[2] for r in rows],
            "boilerplate": False,
            "duplicate_of": None,
        }
    )
    return np.eye(len(rows)), sentences


def test_story_weighs_the_lead_more_than_the_tail():
    """B shares A's first sentence, C shares A's last: B tells A's story more closely."""
    vectors, sentences = story_corpus(
        {"A": ["a0", "a1", "a2", "a3", "a4", "a5"], "B": ["b0", "b1"], "C": ["c0", "c1"]}
    )
    vectors[6] = vectors[0]  # B's first sentence says what A's first says
    vectors[8] = vectors[5]  # C's first sentence says what A's last says
    only_model = StorySettings(names=0.0, words=0.0)
    table = doc_similarity(vectors, sentences, ["A", "B", "C"], "story", only_model)
    assert table.loc["A", "B"] > table.loc["A", "C"] > 0
    assert table.loc["A", "B"] == pytest.approx(table.loc["B", "A"])
    weights = lead_weights(np.arange(6), only_model.lead_decay)
    assert table.loc["A", "C"] == pytest.approx(
        weights[5]
        / np.linalg.norm(weights)
        / np.linalg.norm(lead_weights(np.arange(2), only_model.lead_decay))
    )


def test_story_counts_the_end_of_a_long_article():
    """Nothing is cut off: changing only the 60th sentence changes the similarity."""
    long = [f"s{i}" for i in range(60)]
    vectors, sentences = story_corpus({"A": long, "B": ["b0"]})
    before = doc_similarity(vectors, sentences, ["A", "B"], "story").loc["A", "B"]
    vectors[59] = vectors[60]  # A's last sentence now says what B says
    after = doc_similarity(vectors, sentences, ["A", "B"], "story").loc["A", "B"]
    assert after > before


def test_story_rises_with_shared_names_and_numbers():
    """Same model vectors; the pair naming the same people and figures scores higher."""
    vectors, sentences = story_corpus(
        {
            "A": ["Kurti and Vucic met in Brussels on Thursday.", "Talks lasted 8 hours."],
            "B": ["Vucic and Kurti met Borrell in Brussels.", "The 8 hours ended late."],
            "C": ["Ministers met in Paris yesterday.", "It lasted long."],
        }
    )
    vectors = np.tile(np.eye(1, 3), (6, 1))  # the model sees every sentence alike
    table = doc_similarity(
        vectors, sentences, ["A", "B", "C"], "story", StorySettings(names=0.5, words=0.0)
    )
    assert table.loc["A", "B"] > table.loc["A", "C"]
    assert table.loc["A", "C"] == pytest.approx(0.5)  # the model half only


def test_story_is_nan_for_an_article_without_content():
    vectors, sentences = story_corpus({"A": ["Kosovo talks"], "B": ["Sign up"]})
    sentences.loc[1, "boilerplate"] = True
    table = doc_similarity(vectors, sentences, ["A", "B"], "story")
    assert np.isnan(table.loc["A", "B"]) and np.isnan(table.loc["B", "B"])
    assert table.loc["A", "A"] == 1.0


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"names": 0.7, "words": 0.4}, r"names \+ words"),
        ({"lead_decay": 0}, "similarity.story.lead_decay"),
        ({"words": 1.5}, "similarity.story.words"),
    ],
)
def test_story_settings_name_the_bad_key(settings, key):
    with pytest.raises(ConfigError, match=key):
        StorySettings.from_config({"story": settings})


# ------------------------------------------------------------ cross-language story pairs

BILINGUAL = {
    "de1": [
        "Merkel besuchte am Montag Berlin im Jahr 2022, wo die Kanzlerin mit der Regierung "
        "über Energie und Inflation sprach.",
        "Die Opposition kritisierte die Haushaltspolitik und forderte mehr Geld für Schulen.",
    ],
    "en1": [
        "Merkel visited Berlin on Monday in 2022, where the chancellor spoke about energy.",
        "The opposition criticised the budget and asked for more money for schools.",
    ],
    "de2": ["Die Regierung plant eine Reform der Rente; die Opposition kritisierte die Kosten."],
    "en2": ["Macron met Scholz in Paris to discuss trade and the war in 2021."],
    "gb1": ["Berlin hosted Merkel in 2022 and the talks were about the budget."],
    "und1": ["Merkel Berlin 2022 Regierung Energie"],
    "nolang": ["Berlin: die Regierung und Merkel, 2022."],
}
LANGUAGES = {"de1": "de", "en1": "en", "de2": "de", "en2": "en", "gb1": "en-GB", "und1": "und"}
CROSS = {("de1", "en1"), ("de1", "en2"), ("de1", "gb1"), ("de2", "en1"), ("de2", "en2")}
CROSS |= {(b, a) for a, b in CROSS} | {("de2", "gb1"), ("gb1", "de2")}


def bilingual_corpus() -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """:data:`BILINGUAL` with model vectors that see de1 and en1 as one story."""
    _, sentences = story_corpus(BILINGUAL)
    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(len(sentences), 16))
    vectors[2:4] = vectors[0:2] + 0.3 * rng.normal(size=(2, 16))  # en1 retells de1
    return l2_normalise(vectors), sentences, list(BILINGUAL)


def test_cross_language_pair_drops_words_and_keeps_names_both_languages_mention():
    """de1's names profile is full of German common nouns (Regierung, Energie, ...) no
    English article can mention; across languages only Merkel, Berlin and 2022 count, the
    words view is dropped, and the model and names weights are rescaled to sum to one."""
    vectors, sentences, docs = bilingual_corpus()
    today = doc_similarity(vectors, sentences, docs, "story")
    table = doc_similarity(vectors, sentences, docs, "story", languages=LANGUAGES)
    model = doc_similarity(vectors, sentences, docs, "story", StorySettings(names=0, words=0))
    settings = StorySettings()
    expected = (settings.model * model.loc["de1", "en1"] + settings.names * 1.0) / (
        settings.model + settings.names
    )  # en1's names restricted are de1's: {merkel, berlin, 2022}, cosine 1
    assert table.loc["de1", "en1"] == pytest.approx(expected, abs=1e-6)
    assert table.loc["de1", "en1"] > today.loc["de1", "en1"] + 0.1
    assert table.loc["en1", "de1"] == table.loc["de1", "en1"]
    # the other story stays apart: no shared name, only the model's (random) cosine
    assert table.loc["de1", "en2"] == pytest.approx(
        settings.model * model.loc["de1", "en2"] / (settings.model + settings.names), abs=1e-6
    )


def test_same_language_and_unknown_language_pairs_are_scored_as_today():
    """Only pairs of two known, different languages change: de-de, en-en (en-GB is en),
    and every pair with an undetermined ("und") or missing language are bit for bit the
    score without languages."""
    vectors, sentences, docs = bilingual_corpus()
    today = doc_similarity(vectors, sentences, docs, "story").to_numpy()
    table = doc_similarity(vectors, sentences, docs, "story", languages=LANGUAGES).to_numpy()
    cross = np.array([[(a, b) in CROSS for b in docs] for a in docs])
    np.testing.assert_array_equal(table[~cross], today[~cross])
    assert (table[cross] != today[cross]).all()
    for unknown in ("und1", "nolang"):
        at = docs.index(unknown)
        np.testing.assert_array_equal(table[at], today[at])


def test_one_language_corpus_scores_exactly_as_without_languages():
    vectors, sentences, _ = bilingual_corpus()
    english = sentences[sentences["doc_id"].isin(["en1", "en2", "gb1"])]
    rows = english.index.to_numpy()
    english = english.reset_index(drop=True)
    ids = ["en1", "en2", "gb1"]
    today = doc_similarity(vectors[rows], english, ids, "story").to_numpy()
    table = doc_similarity(vectors[rows], english, ids, "story", languages=LANGUAGES).to_numpy()
    np.testing.assert_array_equal(table, today)


def test_names_shared_across_languages_need_two_known_languages():
    profiles = sp.csr_matrix(
        np.array(
            [
                [1, 1, 1, 0],  # de
                [1, 0, 0, 1],  # en
                [0, 0, 1, 1],  # und: counts for no language
                [0, 1, 0, 0],  # de again
            ],
            dtype=np.float32,
        )
    )
    codes = np.array(["de", "en", "", "de"], dtype=object)
    assert shared_across_languages(profiles, codes).tolist() == [True, False, False, False]
    one = np.array(["en", "en", "", "en"], dtype=object)
    assert not shared_across_languages(profiles, one).any()


def test_bilingual_story_pairs_equal_the_matrix_cells(tmp_path):
    vectors, sentences, docs = bilingual_corpus()
    settings = StorySettings()
    profiles = story_profiles(vectors, sentences, docs, settings, languages=LANGUAGES)
    matrix = story_matrix(profiles, settings)
    a, b = (x.ravel() for x in np.indices((len(docs), len(docs))))
    np.testing.assert_allclose(story_pairs(profiles, a, b, settings), matrix[a, b], atol=1e-6)
    # within events, one job and one shard (TF-IDF fitted on the whole corpus) alike
    events = pd.DataFrame({"doc_id": docs, "event_id": ["x", "x", "y", "x", "x", "y", "y"]})
    square = doc_similarity(vectors, sentences, docs, "story", settings, LANGUAGES)
    ordered = events.sort_values(["event_id", "doc_id"], kind="stable")["doc_id"].tolist()
    text = story_text(sentences, ordered, LANGUAGES)
    shard = events[events["event_id"] == "x"]
    keep = sentences["doc_id"].isin(shard["doc_id"]).to_numpy()
    # what the workflow does: story_text fitted once (documents by id), a shard reads its rows
    save_story_text(story_text(sentences, sorted(docs), LANGUAGES), tmp_path / "story.npz")
    read_back = read_story_text(tmp_path / "story.npz", sorted(shard["doc_id"]))
    assert read_back.doc_ids == sorted(shard["doc_id"])
    for pairs in (
        doc_pairs_within_events(
            vectors[keep],
            sentences[keep].reset_index(drop=True),
            shard,
            "story",
            settings,
            read_back,
        ),
        doc_pairs_within_events(vectors, sentences, events, "story", settings, None, LANGUAGES),
        doc_pairs_within_events(
            vectors[keep], sentences[keep].reset_index(drop=True), shard, "story", settings, text
        ),
    ):
        assert ("de1", "en1") in set(zip(pairs["doc_id_a"], pairs["doc_id_b"], strict=True))
        for row in pairs.itertuples():
            assert row.similarity == pytest.approx(square.at[row.doc_id_a, row.doc_id_b], abs=1e-6)


def test_document_vectors_summed_in_chunks_equal_one_product():
    from framelens.similarity import weighted_document_vectors

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    docs = np.sort(rng.integers(0, 7, 40))  # document 7 and 8 have no rows
    weights = rng.random(40)
    whole = weighted_document_vectors(vectors, np.arange(40), docs, weights, 9, chunk=100)
    assert np.array_equal(
        weighted_document_vectors(vectors, np.arange(40), docs, weights, 9, chunk=2), whole
    )
    assert not whole[7:].any() and np.allclose(np.linalg.norm(whole[:7], axis=1), 1, atol=1e-6)
