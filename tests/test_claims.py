"""Events and claims: sparse average linkage, event clustering, claims on the seeds,
coverage tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.metrics import adjusted_rand_score

from framelens.align import Thresholds, align_corpus
from framelens.basics.evidence import anchor_idf, anchor_overlap
from framelens.basics.linkage import sparse_average_linkage
from framelens.basics.similarity import l2_normalise
from framelens.basics.tables import content_mask, outlet_keys
from framelens.basics.tokens import anchors
from framelens.claims import (
    claim_similarity,
    claims_summary,
    cluster_claims,
    quote_continuations,
)
from framelens.corpus import ingest_corpus
from framelens.coverage import coverage_table, outlet_coverage
from framelens.embed import embed_texts
from framelens.events import EventSettings, cluster_events, names_and_numbers

from .conftest import SEEDS


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
    sentences = pd.DataFrame({"doc_id": docs, "text": [text] * 3, "boilerplate": False,
                              "duplicate_of": None})
    documents = pd.DataFrame({"doc_id": docs, "event": None,
                              "date": ["2022-08-01", "2022-08-05", "2022-08-20"]})
    vectors = np.ones((3, 4), dtype=np.float32) / 2
    labels = cluster_events(vectors, sentences, documents)["event_id"].tolist()
    assert labels[0] == labels[1] != labels[2]


def test_metadata_events_are_used_as_given():
    documents = pd.DataFrame({"doc_id": ["b", "a"], "event": ["x", "y"], "date": [None, None]})
    table = cluster_events(np.zeros((0, 2)), pd.DataFrame(columns=["doc_id", "text",
                                                                   "boilerplate",
                                                                   "duplicate_of"]),
                           documents)
    assert table.to_dict("list") == {"doc_id": ["a", "b"], "event_id": ["y", "x"],
                                     "event_source": ["metadata", "metadata"]}


def test_anchors_weigh_rare_dates_over_common_names():
    texts = ["Kurti postponed the measure to Sept. 1.",
             "Kurti agreed to postpone it until September 1st.",
             "Kurti spoke in Brussels.", "Kurti met Vucic.", "Kurti left."]
    sets = [anchors(t) for t in texts]
    assert {"september", "1"} <= sets[0] & sets[1]
    idf = anchor_idf(sets)
    assert anchor_overlap(sets[0], sets[1], idf) > anchor_overlap(sets[2], sets[3], idf)
    assert claim_similarity(0.5, 0.9) == pytest.approx(0.7)
    assert claim_similarity(0.7, 0.0) == 0.7  # no shared anchor is no evidence against


def test_a_quote_split_across_sentences_is_linked():
    part = pd.DataFrame({"doc_id": ["a", "a", "a", "b"],
                         "text": ["“I expect nothing.", "It is hopeless,” he said.",
                                  "Talks ended.", "“Open quote never closed in a."]})
    assert quote_continuations(part) == [(0, 1)]


@pytest.fixture(scope="module")
def seed_claims(minilm):
    result = ingest_corpus(SEEDS)
    vectors, _ = embed_texts(result.sentences["text"].tolist(), minilm)
    events = cluster_events(vectors, result.sentences, result.documents)
    thresholds = Thresholds(rewrite_alone=0.79, paraphrase=0.66)
    alignments = align_corpus(vectors, result.sentences, result.documents, thresholds,
                              events=events.set_index("doc_id")["event_id"])
    outlet_of = outlet_keys(result.documents)
    claims = cluster_claims(vectors, result.sentences, events, alignments, outlet_of,
                            threshold=0.61)
    return result, vectors, events, alignments, claims, outlet_of


D = {"000": "000_86995b2f66f469b6", "001": "001_ca852b7d5ddfff99",
     "002": "002_a0ebff16809bcad7", "003": "003_d7abf4cea0ed4c53",
     "004": "004_b30742ffba48f2e5"}


def sent(ref: str) -> str:
    doc, position = ref.split(":")
    return f"{D[doc]}:{int(position):04d}"


def test_all_seed_articles_are_one_event(seed_claims):
    events = seed_claims[2]
    assert events["event_id"].nunique() == 1
    assert set(events["event_source"]) == {"clustered"}


@pytest.mark.parametrize(("claim", "members"), [
    ("licence-plate postponement", ["001:3", "002:11", "003:13", "004:20"]),
    ("2008 independence", ["000:8", "001:9", "002:3", "003:16", "004:6"]),
    ("NATO-1999 background", ["002:4", "004:2"]),
    ("Russia fears", ["002:13", "004:4", "004:12"]),
])
def test_seed_claims_shared_across_outlets(seed_claims, claim, members):
    claims = seed_claims[4].set_index("sent_id")
    assert claims.loc[[sent(m) for m in members], "claim_id"].nunique() == 1, claim


@pytest.mark.parametrize(("claim", "members"), [
    ("Borrell quote", ["002:1", "002:2"]),
    ("Svecla visit", ["004:23"]),
    ("Bajraj interview", ["001:4", "001:5"]),
])
def test_seed_claims_of_one_outlet(seed_claims, claim, members):
    claims, outlet_of = seed_claims[4], seed_claims[5]
    outlets = claims.assign(outlet=claims["doc_id"].map(outlet_of)).groupby("claim_id")[
        "outlet"].nunique()
    for member in members:
        claim_id = claims.set_index("sent_id").at[sent(member), "claim_id"]
        assert outlets[claim_id] == 1, claim


def test_every_content_sentence_has_exactly_one_claim(seed_claims):
    result, claims = seed_claims[0], seed_claims[4]
    content = result.sentences[content_mask(result.sentences)]
    assert sorted(claims["sent_id"]) == sorted(content["sent_id"])
    assert claims["sent_id"].is_unique


def test_reused_pairs_share_a_claim(seed_claims):
    alignments, claims = seed_claims[3], seed_claims[4].set_index("sent_id")["claim_id"]
    reuse = alignments[alignments["relation"].isin(["verbatim", "rewrite"])]
    assert len(reuse) > 5
    assert (reuse["sent_id_a"].map(claims) == reuse["sent_id_b"].map(claims)).all()


def test_claim_ids_are_ranked_by_outlets_and_stable(seed_claims):
    result, vectors, events, alignments, claims, outlet_of = seed_claims
    again = cluster_claims(vectors, result.sentences, events, alignments, outlet_of,
                           threshold=0.61)
    pd.testing.assert_frame_equal(claims, again)
    summary = claims_summary(claims, result.sentences, vectors, outlet_of)
    assert summary["claim_id"].iloc[0].endswith("-c001")
    assert summary["n_outlets"].iloc[0] == summary["n_outlets"].max()
    assert summary.loc[summary["n_sentences"] == 1, "representative"].notna().all()


def test_coverage_core_own_and_omissions(seed_claims):
    result, _, _, _, claims, outlet_of = seed_claims
    content = result.sentences[content_mask(result.sentences)]
    cover = coverage_table(claims, content, outlet_of, core_share=0.5, lead_sentences=3)
    assert len(cover) == claims["claim_id"].nunique() * 5  # every claim x every outlet
    core = cover[cover["core"]]
    assert (core.groupby("claim_id")["present"].sum() >= 3).all()
    own = cover[cover["own"]]
    assert (own.groupby("claim_id").size() == 1).all()
    totals = outlet_coverage(cover).set_index("outlet")
    assert (totals["n_core_carried"] + totals["n_core_omitted"] == totals["n_core_claims"]).all()
    bloomberg_lead = cover[(cover["outlet"] == "Bloomberg") & cover["lead"]]
    assert (bloomberg_lead["first_position"] < 0.25).all()


def test_config_yaml_holds_the_schema_defaults():
    """config/config.yaml is the commented defaults: every value it sets outside models:
    is the schema's default (the one source the settings classes read)."""
    import yaml

    from framelens.schema import fill_defaults, load_schema

    from .conftest import ROOT

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    schema_defaults = fill_defaults({}, load_schema())

    def differences(given, default, path=""):
        for key, value in given.items():
            if path == "" and key == "models":
                continue
            if isinstance(value, dict) and isinstance(default.get(key), dict):
                yield from differences(value, default[key], f"{path}{key}.")
            elif default.get(key) != value:
                yield f"{path}{key}: config {value!r}, schema {default.get(key)!r}"

    assert list(differences(config, schema_defaults)) == []
    assert EventSettings().max_days_apart == config["events"]["max_days_apart"]


def test_paraphrase_links_do_not_chain_distinct_claims():
    """A~B and B~C are aligned paraphrases, A and C share nothing: the strong links put A
    and B in one claim but do not glue C to them, as must-links (reuse) would."""
    from framelens.claims import cluster_event_sentences

    vectors = np.eye(3)
    texts = ["Talks began in Brussels.", "The talks opened.", "Protesters blocked roads."]
    strong = cluster_event_sentences(vectors, texts, [], 0.6, 3, strong_links=[(0, 1), (1, 2)])
    assert strong[0] == strong[1] and strong[2] != strong[0]
    chained = cluster_event_sentences(vectors, texts, [(0, 1), (1, 2)], 0.6, 3)
    assert chained[0] == chained[1] == chained[2]
