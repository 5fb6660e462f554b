"""Events and claims: sparse average linkage, event clustering, claims on the seeds,
coverage tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framelens.align import Thresholds, align_corpus
from framelens.basics.evidence import anchor_idf, anchor_overlap
from framelens.basics.tables import content_mask, outlet_keys
from framelens.basics.tokens import anchors
from framelens.claims import (
    claim_similarity,
    claims_summary,
    cluster_claims,
    links_of,
    quote_continuations,
    reuse_links_by_event,
)
from framelens.corpus import ingest_corpus
from framelens.coverage import coverage_table, outlet_coverage
from framelens.embed import embed_texts
from framelens.events import cluster_events
from framelens.vectorfile import VectorFile, save_vectors

from .conftest import SEEDS


def test_anchors_weigh_rare_dates_over_common_names():
    texts = [
        "Kurti postponed the measure to Sept. 1.",
        "Kurti agreed to postpone it until September 1st.",
        "Kurti spoke in Brussels.",
        "Kurti met Vucic.",
        "Kurti left.",
    ]
    sets = [anchors(t) for t in texts]
    assert {"september", "1"} <= sets[0] & sets[1]
    idf = anchor_idf(sets)
    assert anchor_overlap(sets[0], sets[1], idf) > anchor_overlap(sets[2], sets[3], idf)
    assert claim_similarity(0.5, 0.9) == pytest.approx(0.7)
    assert claim_similarity(0.7, 0.0) == 0.7  # no shared anchor is no evidence against


def test_claim_edges_are_the_claim_similarity_of_each_neighbour_edge():
    from framelens.basics.evidence import EventAnchors
    from framelens.claims import claim_edges, neighbour_edges

    texts = [
        "Kurti postponed the measure to Sept. 1.",
        "Kurti agreed to postpone it until September 1st.",
        "5 people were killed in Zvecan on Monday.",
        "7 people died in Zvecan.",
        "About 3,800 NATO troops stay.",
        "Nearly 4,000 NATO troops stay.",
        "It rained.",
        "Talks resumed in Brussels.",
        "Vucic met Stoltenberg in Brussels.",
        "The border stayed calm.",
        "Kurti spoke.",
        "Roads were blocked.",
        "Officials said nothing.",
    ]
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(len(texts), 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[1] = vectors[0]  # the same fact, the same vector
    vectors[3] = vectors[2]  # the same wording but another count
    found = EventAnchors(texts)
    reference = {  # pair by pair, as the formula reads
        (i, j): claim_similarity(c, found.overlap(i, j), found.contradiction(i, j))
        for (i, j), c in neighbour_edges(vectors, 10).items()
    }
    edges = claim_edges(vectors, texts, n_documents=2)
    assert list(edges.items()) == list(reference.items())  # same pairs, order and values
    assert edges[(0, 1)] > 0.999  # shared anchors lift, never lower
    assert found.contradiction(2, 3) and edges[(2, 3)] < 0.999  # 5 against 7 people


def test_a_quote_split_across_sentences_is_linked():
    part = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b"],
            "text": [
                "“I expect nothing.",
                "It is hopeless,” he said.",
                "Talks ended.",
                "“Open quote never closed in a.",
            ],
        }
    )
    assert quote_continuations(part) == [(0, 1)]


@pytest.fixture(scope="module")
def seed_claims(minilm):
    result = ingest_corpus(SEEDS)
    vectors, _ = embed_texts(result.sentences["text"].tolist(), minilm)
    events = cluster_events(vectors, result.sentences, result.documents)
    thresholds = Thresholds(rewrite_alone=0.79, paraphrase=0.66)
    alignments = align_corpus(
        vectors,
        result.sentences,
        result.documents,
        thresholds,
        events=events.set_index("doc_id")["event_id"],
    )
    outlet_of = outlet_keys(result.documents)
    claims = cluster_claims(
        vectors, result.sentences, events, alignments, outlet_of, threshold=0.61
    )
    return result, vectors, events, alignments, claims, outlet_of


D = {
    "000": "000_86995b2f66f469b6",
    "001": "001_ca852b7d5ddfff99",
    "002": "002_a0ebff16809bcad7",
    "003": "003_d7abf4cea0ed4c53",
    "004": "004_b30742ffba48f2e5",
}


def sent(ref: str) -> str:
    doc, position = ref.split(":")
    return f"{D[doc]}:{int(position):04d}"


def test_all_seed_articles_are_one_event(seed_claims):
    events = seed_claims[2]
    assert events["event_id"].nunique() == 1
    assert set(events["event_source"]) == {"clustered"}


@pytest.mark.parametrize(
    ("claim", "members"),
    [
        ("licence-plate postponement", ["001:3", "002:11", "003:13", "004:20"]),
        ("2008 independence", ["000:8", "001:9", "002:3", "003:16", "004:6"]),
        ("NATO-1999 background", ["002:4", "004:2"]),
        ("Russia fears", ["002:13", "004:4", "004:12"]),
    ],
)
def test_seed_claims_shared_across_outlets(seed_claims, claim, members):
    claims = seed_claims[4].set_index("sent_id")
    assert claims.loc[[sent(m) for m in members], "claim_id"].nunique() == 1, claim


@pytest.mark.parametrize(
    ("claim", "members"),
    [
        ("Borrell quote", ["002:1", "002:2"]),
        ("Svecla visit", ["004:23"]),
        ("Bajraj interview", ["001:4", "001:5"]),
    ],
)
def test_seed_claims_of_one_outlet(seed_claims, claim, members):
    claims, outlet_of = seed_claims[4], seed_claims[5]
    outlets = (
        claims.assign(outlet=claims["doc_id"].map(outlet_of))
        .groupby("claim_id")["outlet"]
        .nunique()
    )
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
    again = cluster_claims(vectors, result.sentences, events, alignments, outlet_of, threshold=0.61)
    pd.testing.assert_frame_equal(claims, again)
    summary = claims_summary(claims, result.sentences, vectors, outlet_of)
    assert summary["claim_id"].iloc[0].endswith("-c001")
    assert summary["n_outlets"].iloc[0] == summary["n_outlets"].max()
    assert summary.loc[summary["n_sentences"] == 1, "representative"].notna().all()


def test_stages_reading_vectors_an_event_at_a_time_match_memory(seed_claims, tmp_path):
    """Alignment, claims and their summary from a vector file view (what an event shard
    job reads, an event at a time; float16 storage too) equal the in-memory results."""
    result, vectors, events, alignments, claims, outlet_of = seed_claims
    ids = result.sentences["sent_id"].tolist()
    summary = claims_summary(claims, result.sentences, vectors, outlet_of)
    for dtype in ("float32", "float16"):
        path = tmp_path / f"{dtype}.npz"
        save_vectors(path, ids, vectors, dtype)
        view = VectorFile(str(path)).view(np.arange(len(ids)))
        again = align_corpus(
            view,
            result.sentences,
            result.documents,
            Thresholds(rewrite_alone=0.79, paraphrase=0.66),
            events=events.set_index("doc_id")["event_id"],
        )
        if dtype == "float32":  # the same numbers: the same tables, bit for bit
            pd.testing.assert_frame_equal(again, alignments)
            pd.testing.assert_frame_equal(
                cluster_claims(
                    view, result.sentences, events, alignments, outlet_of, threshold=0.61
                ),
                claims,
            )
            pd.testing.assert_frame_equal(
                claims_summary(claims, result.sentences, view, outlet_of), summary
            )
        else:  # cosines move by ~1e-3: the reuse pairs stay
            reuse = ["verbatim", "rewrite"]
            pick = ["sent_id_a", "sent_id_b", "relation"]
            kept = alignments[alignments["relation"].isin(reuse)][pick].reset_index(drop=True)
            narrow = again[again["relation"].isin(reuse)][pick].reset_index(drop=True)
            pd.testing.assert_frame_equal(narrow, kept)


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


def test_coverage_in_blocks_of_events_is_the_one_pass_table(seed_claims):
    result, _, _, _, claims, outlet_of = seed_claims
    content = result.sentences[content_mask(result.sentences)]
    copies = [  # the seed claims as three events, their rows interleaved
        claims.assign(event_id=f"e{k}", claim_id=claims["claim_id"] + f"-{k}") for k in (2, 0, 1)
    ]
    several = pd.concat(copies).sort_index(kind="stable").reset_index(drop=True)
    settings = {"core_share": 0.5, "lead_sentences": 3}
    whole = coverage_table(several, content, outlet_of, **settings, rows_at_once=len(several))
    blocks = coverage_table(several, content, outlet_of, **settings, rows_at_once=7)
    pd.testing.assert_frame_equal(blocks, whole)
    assert whole["event_id"].unique().tolist() == ["e0", "e1", "e2"]
    assert len(whole) == 3 * claims["claim_id"].nunique() * 5


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


def test_reuse_links_stay_inside_their_event_in_the_alignments_order():
    """Each event's links are its own rows, in the alignments' order; a pair across two
    events is no link."""
    content = pd.DataFrame({"sent_id": ["a0", "a1", "a2", "b0", "b1"]})
    bounds = np.array([0, 3, 5])  # event 0: rows 0-2, event 1: rows 3-4
    alignments = pd.DataFrame(
        {
            "sent_id_a": ["a2", "b1", "a0", "a1"],
            "sent_id_b": ["a0", "b0", "b0", "a2"],
            "relation": ["verbatim"] * 4,
        }
    )
    links = reuse_links_by_event(alignments, content, bounds)
    assert links_of(links, 0) == [(2, 0), (1, 2)]
    assert links_of(links, 1) == [(1, 0)]
    assert links_of(links, 7) == []
