"""Vocabulary: the weighted log-odds ratio against a hand computation, its robustness for
rare words, term counting, and distinctive terms compared on shared events only."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from framelens.corpus import ingest_corpus
from framelens.vocabulary import (
    DISTINCTIVE_COLUMNS,
    LOG_ODDS_COLUMNS,
    distinctive_terms,
    ngrams,
    term_counts,
    weighted_log_odds,
)

from .conftest import SEEDS

COUNTS = pd.DataFrame({"A": [10, 5, 1], "B": [2, 5, 9]}, index=["alpha", "beta", "gamma"])


def by_term(table: pd.DataFrame, group: str) -> pd.DataFrame:
    return table[table["group"] == group].set_index("term")


def test_log_odds_matches_a_hand_computation():
    # prior = pooled counts, alpha0 = total count 32, so alpha_w = pooled count of w:
    # alpha = 12, 10, 10; a0 = 32; n_A = n_B = 16.
    result = weighted_log_odds(COUNTS)
    assert list(result.columns) == LOG_ODDS_COLUMNS
    a = by_term(result, "A")
    expected = math.log(22 / (16 + 32 - 22)) - math.log(14 / (16 + 32 - 14))
    variance = 1 / 22 + 1 / 14
    assert a.loc["alpha", "log_odds"] == pytest.approx(expected)
    assert a.loc["alpha", "variance"] == pytest.approx(variance)
    assert a.loc["alpha", "z"] == pytest.approx(expected / math.sqrt(variance))
    assert a.loc["beta", "log_odds"] == pytest.approx(0.0)
    gamma = math.log(11 / (48 - 11)) - math.log(19 / (48 - 19))
    assert a.loc["gamma", "log_odds"] == pytest.approx(gamma)
    assert list(a.index) == ["alpha", "beta", "gamma"]  # sorted by z, descending
    assert a.loc["alpha", "count"] == 10


def test_two_groups_are_mirror_images():
    result = weighted_log_odds(COUNTS)
    a, b = by_term(result, "A"), by_term(result, "B")
    assert np.allclose(a["z"], -b.loc[a.index, "z"])


def test_explicit_prior_and_strength():
    prior = pd.Series({"alpha": 1.0, "beta": 1.0})  # gamma missing: gets the floor
    result = weighted_log_odds(COUNTS, prior=prior, alpha0=10)
    a = by_term(result, "A")
    alpha = np.array([5.0, 5.0, 0.01])
    a0 = alpha.sum()
    expected = math.log((10 + 5) / (16 + a0 - 15)) - math.log((2 + 5) / (16 + a0 - 7))
    assert a.loc["alpha", "log_odds"] == pytest.approx(expected)
    assert a.loc["gamma", "variance"] == pytest.approx(1 / 1.01 + 1 / 9.01)


def test_a_word_used_once_is_not_top():
    counts = pd.DataFrame(
        {"A": [1, 30, 20, 5], "B": [0, 10, 40, 5]}, index=["hapax", "frequent", "other", "shared"]
    )
    a = by_term(weighted_log_odds(counts), "A")
    assert a.index[0] == "frequent"
    assert a.loc["hapax", "z"] < 0.5 * a.loc["frequent", "z"]
    # a raw (unweighted) log-odds ratio would put the hapax on top
    raw = np.log((counts["A"] + 0.5) / (counts["B"] + 0.5))
    assert raw.idxmax() == "hapax"


def test_one_group_is_an_error():
    with pytest.raises(ValueError, match="two groups"):
        weighted_log_odds(COUNTS[["A"]])


def test_ngrams_skip_stop_words_at_the_edges():
    tokens = ["the", "prime", "minister", "of", "kosovo", "s", "3", "plates"]
    grams = ngrams(tokens, (1, 2), frozenset({"the", "of"}))
    assert grams == ["prime", "minister", "kosovo", "plates", "prime minister"]


def test_term_counts_per_group_skips_boilerplate_and_repeats():
    sentences = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b", "c"],
            "text": [
                "Licence plates issued.",
                "©2022 Bloomberg licence",
                "Licence plates!",
                "Licence plates!",
                "Ignored text.",
            ],
            "boilerplate": [False, True, False, False, False],
            "duplicate_of": [None, None, None, "b:0", None],
        }
    )
    counts = term_counts(sentences, pd.Series({"a": "X", "b": "Y"}))
    assert list(counts.columns) == ["X", "Y"]
    assert counts.loc["licence plates"].tolist() == [1, 1]
    assert counts.loc["issued"].tolist() == [1, 0]
    assert "bloomberg" not in counts.index
    assert "ignored" not in counts.index


def tiny_corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two events; outlets A and B cover both, C covers only the second.

    Event 1 (floods) is full of "rain"; in event 2 (an election) only C says "rain".
    """
    texts = {
        "a1": "Rain flooded the valley. Rain and more rain fell. Rain closed roads.",
        "b1": "Rain everywhere. The rain kept falling. Rain ruined crops.",
        "a2": "Voters chose a mayor. The ballot count was slow.",
        "b2": "The mayor won the ballot. Voters celebrated.",
        "c2": "Rain kept voters home. Rain fell on the ballot day. Rain, rain, rain.",
    }
    sentences = pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())})
    documents = pd.DataFrame(
        {
            "doc_id": list(texts),
            "outlet": ["A", "B", "A", "B", "C"],
            "outlet_label": ["A (a1)", "B (b1)", "A (a2)", "B (b2)", "C"],
            "event": ["floods", "floods", "election", "election", "election"],
        }
    )
    return sentences, documents


def test_outlet_is_compared_only_on_the_events_it_covers():
    sentences, documents = tiny_corpus()
    result = distinctive_terms(sentences, documents, top=5)
    assert list(result.columns) == DISTINCTIVE_COLUMNS
    c = result[result["outlet"] == "C"].set_index("term")
    assert c.index[0] == "rain"
    assert c.loc["rain", "rank"] == 1
    assert c.loc["rain", "count_other"] == 0  # A's and B's flood stories are not compared
    assert c.loc["rain", "n_events"] == 1
    # compared against every article instead, "rain" is what everybody says
    pooled = distinctive_terms(
        sentences, documents, top=50, events=pd.Series("all", index=documents["doc_id"])
    )
    c_pooled = pooled[pooled["outlet"] == "C"].set_index("term")
    assert c_pooled.loc["rain", "z"] < c.loc["rain", "z"]
    assert c_pooled.loc["rain", "count_other"] == 7


def test_an_outlet_without_a_shared_event_gets_no_rows():
    sentences, documents = tiny_corpus()
    documents.loc[documents["doc_id"] == "c2", "event"] = "storm"
    result = distinctive_terms(sentences, documents)
    assert "C" not in set(result["outlet"])
    assert result.groupby("outlet")["rank"].max().le(20).all()


def test_seed_outlets_get_ranked_terms():
    result = ingest_corpus(SEEDS)
    terms = distinctive_terms(result.sentences, result.documents, top=10)
    assert (
        terms.groupby("outlet")["rank"]
        .apply(list)
        .map(lambda ranks: ranks == list(range(1, 11)))
        .all()
    )
    assert terms["outlet"].nunique() == 5
    assert "borrell" in set(terms.loc[terms["outlet"] == "AP", "term"])
    assert terms.groupby("outlet")["z"].apply(lambda z: z.is_monotonic_decreasing).all()


def random_corpus(seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 articles by 7 outlets (one unattributed) on 9 events, from a small vocabulary so
    that terms repeat across outlets; a few boilerplate lines and repeats."""
    rng = np.random.default_rng(seed)
    words = [
        "rain",
        "flood",
        "mayor",
        "ballot",
        "police",
        "border",
        "talks",
        "minister",
        "valley",
        "roads",
        "crops",
        "voters",
        "troops",
        "the",
        "of",
        "and",
        "said",
    ]
    documents = pd.DataFrame(
        {
            "doc_id": [f"d{i:02d}" for i in range(60)],
            "outlet": rng.choice(["A", "B", "C", "D", "E", "F", "unattributed"], size=60),
            "event": rng.choice([f"e{j}" for j in range(9)], size=60),
        }
    )
    documents["outlet_label"] = documents["outlet"].where(
        documents["outlet"] != "unattributed", "unattributed (" + documents["doc_id"] + ")"
    )
    rows = []
    for doc_id in documents["doc_id"]:
        for position in range(int(rng.integers(1, 6))):
            text = " ".join(rng.choice(words, size=int(rng.integers(3, 12)))) + "."
            rows.append(
                {
                    "sent_id": f"{doc_id}:{position}",
                    "doc_id": doc_id,
                    "text": text,
                    "boilerplate": bool(rng.random() < 0.05),
                    "duplicate_of": None if rng.random() > 0.05 else "x",
                }
            )
    return pd.DataFrame(rows), documents


def dense_distinctive_terms(sentences, documents, events, top=20):
    """The plain reference: a dense terms x documents table, summed per outlet."""
    from framelens.basics.tables import outlet_keys
    from framelens.vocabulary import OTHER

    outlet_of = outlet_keys(documents)
    event_of = events.reindex(outlet_of.index).fillna("unassigned").astype(str)
    per_doc = term_counts(sentences, pd.Series(outlet_of.index, index=outlet_of.index))
    tables = []
    for outlet in sorted(set(outlet_of)):
        mine = list(outlet_of.index[outlet_of == outlet])
        covered = set(event_of[mine])
        others = [d for d in outlet_of.index if outlet_of[d] != outlet and event_of[d] in covered]
        own = per_doc.reindex(columns=mine, fill_value=0).sum(axis=1)
        rest = per_doc.reindex(columns=others, fill_value=0).sum(axis=1)
        if not others or own.sum() == 0 or rest.sum() == 0:
            continue
        pair = pd.DataFrame({"mine": own, OTHER: rest})
        pair = pair[pair.sum(axis=1) > 0]
        scored = weighted_log_odds(pair)
        scored = scored[scored["group"] == "mine"].copy()
        scored["count_other"] = pair.loc[scored["term"], OTHER].to_numpy().astype(int)
        scored = scored.reset_index(drop=True).head(top)
        tables.append(
            scored.assign(outlet=outlet, rank=range(1, len(scored) + 1), n_events=len(covered))
        )
    return pd.concat(tables, ignore_index=True)[DISTINCTIVE_COLUMNS]


@pytest.mark.parametrize(("flush_every", "texts_at_once"), [(7, 5), (1 << 20, 1 << 16)])
def test_sparse_counting_gives_the_dense_reference_table(flush_every, texts_at_once, monkeypatch):
    monkeypatch.setattr("framelens.vocabulary._FLUSH_EVERY", flush_every)
    monkeypatch.setattr("framelens.vocabulary._TEXTS_AT_ONCE", texts_at_once)
    sentences, documents = random_corpus()
    events = documents.set_index("doc_id")["event"]
    expected = dense_distinctive_terms(sentences, documents, events, top=15)
    result = distinctive_terms(sentences, documents, events=events, top=15)
    pd.testing.assert_frame_equal(result, expected)
    assert result["outlet"].nunique() > 5


def test_term_counts_match_plain_counting():
    from collections import Counter

    from framelens.basics.tokens import PHRASE_STOP_WORDS, word_tokens
    from framelens.vocabulary import ngrams

    sentences, documents = random_corpus(seed=9)
    group_of = documents.set_index("doc_id")["outlet"]
    kept = sentences[~sentences["boilerplate"] & sentences["duplicate_of"].isna()]
    expected: dict[str, Counter] = {}
    for doc_id, text in zip(kept["doc_id"], kept["text"], strict=True):
        expected.setdefault(group_of[doc_id], Counter()).update(
            ngrams(word_tokens(text), (1, 2), PHRASE_STOP_WORDS)
        )
    table = term_counts(sentences, group_of)
    assert list(table.columns) == sorted(expected)
    assert list(table.index) == sorted(set().union(*expected.values()))
    for group, counts in expected.items():
        column = table[group]
        assert column[column > 0].to_dict() == dict(counts)
