"""Alignment: relation labels on hand-made pairs and the seed corpus's AP copy in the UK
piece (its blocked top-k search: tests/test_topk.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framelens.align import (
    Thresholds,
    align_corpus,
    best_candidates,
    classify,
    containment,
    length_ratio,
    lexical_overlap,
    likely_source,
    sequence_similarity,
)
from framelens.basics.tables import Relation
from framelens.basics.tokens import word_tokens
from framelens.corpus import ingest_corpus
from framelens.embed import embed_texts
from framelens.errors import ConfigError

from .conftest import SEEDS

TH = Thresholds(verbatim=0.9, rewrite_alone=0.79, rewrite=0.25, min_shared=3, paraphrase=0.66)


def label(a: str, b: str, semantic: float = 0.5, shared_pairs: int = 1) -> Relation | None:
    ta, tb = word_tokens(a), word_tokens(b)
    return classify(
        semantic,
        lexical_overlap(ta, tb),
        sequence_similarity(ta, tb),
        TH,
        shared_pairs=shared_pairs,
    )


def test_tokens_ignore_case_accents_and_punctuation():
    assert word_tokens("Mr. Vučić’s “gangs”") == ["mr", "vucic", "s", "gangs"]


@pytest.mark.parametrize(
    ("a", "b", "semantic", "shared", "expected"),
    [
        pytest.param(
            "Under apparent pressure from the West, Kurti postponed the measure.",
            "Under apparent pressure from the West Kurti postponed the measure",
            0.99,
            1,
            Relation.VERBATIM,
            id="same-words-other-punctuation",
        ),
        pytest.param(
            "Under apparent pressure from the West, Kurti postponed the measure "
            "for a month, to Sept. 1.",
            "Under apparent pressure from the West, Kurti postponed the measure.",
            0.9,
            1,
            Relation.REWRITE,
            id="trimmed",
        ),
        pytest.param(
            "Minority Serbs, who live mostly in northern Kosovo, reacted with anger, "
            "putting up roadblocks and sounding air raid sirens.",
            "Putting up roadblocks and sounding air raid sirens, minority Serbs, who "
            "live mostly in northern Kosovo, reacted with anger.",
            0.95,
            1,
            Relation.REWRITE,
            id="reordered",
        ),
        pytest.param(
            "No one was injured.",
            "No one was hurt.",
            0.85,
            1,
            Relation.PARAPHRASE,
            id="short-edit-alone-is-paraphrase",
        ),
        pytest.param(
            "No one was injured.",
            "No one was hurt.",
            0.85,
            3,
            Relation.REWRITE,
            id="short-edit-in-reused-passage-is-rewrite",
        ),
        pytest.param(
            "Kosovo declared independence in 2008.",
            "Kosovo's 2008 declaration of independence is not recognised by Serbia.",
            0.8,
            1,
            Relation.PARAPHRASE,
            id="own-words",
        ),
        pytest.param(
            "The talks collapsed on Thursday.",
            "Bread prices rose in Belgrade.",
            0.2,
            1,
            None,
            id="unrelated",
        ),
        pytest.param(
            "The talks collapsed on Thursday.",
            "The talks collapsed on Thursday.",
            0.1,
            1,
            Relation.VERBATIM,
            id="verbatim-whatever-the-model-says",
        ),
    ],
)
def test_relation_labels(a, b, semantic, shared, expected):
    assert label(a, b, semantic, shared) == expected


def test_best_candidate_prefers_shared_wording_then_cosine():
    """Per row: any candidate reaching ``rewrite`` wins on its overlap, even against a
    higher cosine; else the highest cosine at or above the floor (paraphrase - floor);
    the first of equal ones; -1 when nothing is admitted."""
    floor = TH.paraphrase - TH.evidence.floor
    sims = np.array(
        [
            [0.90, 0.50, 0.40],  # the overlapping 0.50 beats the 0.90 cosine
            [0.80, 0.85, 0.85],  # no shared wording: the first of the two best cosines
            [floor - 0.01, 0.10, 0.00],  # nothing admitted
            [0.20, 0.30, 0.95],  # two reach rewrite: the larger overlap, not the cosine
        ],
        dtype=np.float32,
    )
    overlaps = np.array([[0.0, 0.30, 0.10], [0.0, 0.1, 0.2], [0.24, 0.0, 0.0], [0.40, 0.60, 0.26]])
    assert best_candidates(sims, overlaps, TH).tolist() == [1, 1, -1, 1]


def test_containment_is_of_the_shorter_sentence():
    long, short = ["a", "b", "c", "d", "e", "f", "g", "h"], ["c", "d", "e", "f"]
    assert containment(short, long) == containment(long, short) == 1.0
    assert length_ratio(short, long) == 0.5
    assert containment([], long) == 0.0


def test_reordered_copy_is_not_verbatim():
    a = word_tokens("Kurti postponed the measure, under pressure from the West.")
    b = word_tokens("Under pressure from the West, Kurti postponed the measure.")
    assert containment(a, b, 2) > 0.8 and sequence_similarity(a, b) < 0.8


def test_thresholds_are_checked():
    with pytest.raises(ConfigError, match="rewrite <= rewrite_alone <= verbatim"):
        Thresholds(rewrite=0.8, rewrite_alone=0.5)
    with pytest.raises(ConfigError, match=r"alignment\.paraphrase"):
        Thresholds(paraphrase=1.5)


def test_likely_source_is_the_earlier_dated_document():
    dates = {"ap": "2022-08-18", "uk": "2022-08-21", "de": None, "same": "2022-08-18"}
    assert likely_source("uk", "ap", dates) == "ap"
    assert likely_source("ap", "de", dates) is None
    assert likely_source("ap", "same", dates) is None


def test_no_self_or_internal_repeat_alignment():
    sentences = pd.DataFrame(
        {
            "sent_id": ["a:0", "a:1", "b:0"],
            "doc_id": ["a", "a", "b"],
            "text": ["The same sentence here.", "The same sentence here.", "Other words."],
            "boilerplate": False,
            "duplicate_of": [None, "a:0", None],
        }
    )
    documents = pd.DataFrame({"doc_id": ["a", "b"], "event": [None, None], "date": [None, None]})
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    table = align_corpus(vectors, sentences, documents, TH)
    assert set(table["sent_id_a"]) | set(table["sent_id_b"]) <= {"a:0", "b:0"}
    assert (table["doc_id_a"] != table["doc_id_b"]).all()


def test_events_bound_the_alignment():
    sentences = pd.DataFrame(
        {
            "sent_id": ["a:0", "b:0", "c:0"],
            "doc_id": ["a", "b", "c"],
            "text": [
                "Identical words in all three.",
                "Identical words in all three.",
                "Identical words in all three.",
            ],
            "boilerplate": False,
            "duplicate_of": None,
        }
    )
    documents = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "event": ["e1", "e1", "e2"], "date": [None, None, None]}
    )
    table = align_corpus(np.ones((3, 1)), sentences, documents, TH)
    assert table[["doc_id_a", "doc_id_b"]].values.tolist() == [["a", "b"]]
    assert table["event"].tolist() == ["e1"]


@pytest.fixture(scope="module")
def seed_alignments(minilm):
    result = ingest_corpus(SEEDS)
    vectors, _ = embed_texts(result.sentences["text"].tolist(), minilm)
    table = align_corpus(vectors, result.sentences, result.documents, TH)
    return result, table


AP, UK = "002_a0ebff16809bcad7", "004_b30742ffba48f2e5"
# (AP position, UK position) of every sentence the UK piece takes from AP copy
UK_FROM_AP = [(4, 2), (13, 4), (12, 6), (5, 7), (13, 12), (8, 16), (9, 18), (10, 19), (11, 20)]


def test_every_uk_sentence_taken_from_ap_is_aligned_as_reuse(seed_alignments):
    _, table = seed_alignments
    pairs = table[(table["doc_id_a"] == AP) & (table["doc_id_b"] == UK)]
    found = {
        (a, b): r
        for a, b, r in zip(pairs["sent_id_a"], pairs["sent_id_b"], pairs["relation"], strict=True)
    }
    for ap_pos, uk_pos in UK_FROM_AP:
        key = (f"{AP}:{ap_pos:04d}", f"{UK}:{uk_pos:04d}")
        assert found.get(key) in {"verbatim", "rewrite"}, key
    assert set(pairs.loc[pairs["relation"] == "rewrite", "source_doc_id"]) == {AP}


def test_only_ap_and_uk_share_reused_copy(seed_alignments):
    _, table = seed_alignments
    reuse = table[table["relation"].isin(["verbatim", "rewrite"])]
    assert set(zip(reuse["doc_id_a"], reuse["doc_id_b"], strict=True)) == {(AP, UK)}


def test_boilerplate_and_repeats_never_align(seed_alignments):
    result, table = seed_alignments
    sents = result.sentences.set_index("sent_id")
    used = pd.concat([table["sent_id_a"], table["sent_id_b"]])
    assert not sents.loc[used, "boilerplate"].any()
    assert sents.loc[used, "duplicate_of"].isna().all()


def test_the_alignment_views_read_only_their_pairs_ranked_by_reuse_then_ids(tmp_path):
    from framelens.steps._common import read_top_pair_alignments

    rows = [  # (d3, d4) is stored first, so a dictionary-encoded read codes it first
        *[("d3", "d4", f"s3.{i}", f"s4.{i}", "rewrite") for i in range(2)],
        *[("d1", "d2", f"s1.{i}", f"s2.{i}", "verbatim") for i in range(2)],
        ("d1", "d5", "s1.0", "s5.0", "rewrite"),
        ("d1", "d5", "s1.1", "s5.1", "paraphrase"),
        *[("d0", "d9", f"s0.{i}", f"s9.{i}", "paraphrase") for i in range(3)],
    ]
    path = tmp_path / "alignments.parquet"
    pd.DataFrame(
        rows, columns=["doc_id_a", "doc_id_b", "sent_id_a", "sent_id_b", "relation"]
    ).assign(semantic=0.9).to_parquet(path)

    two = read_top_pair_alignments(str(path), 2)
    assert list(two.columns) == ["doc_id_a", "doc_id_b", "sent_id_a", "sent_id_b", "relation"]
    assert set(zip(two["doc_id_a"], two["doc_id_b"], strict=True)) == {("d1", "d2"), ("d3", "d4")}
    assert len(two) == 4  # (d1, d5) shares d1 but is not among the two
    one = read_top_pair_alignments(str(path), 1)  # the tie goes to the lower ids
    assert set(zip(one["doc_id_a"], one["doc_id_b"], strict=True)) == {("d1", "d2")}
    four = read_top_pair_alignments(str(path), 4)
    assert len(four) == len(rows)
    from framelens.plots.alignment_view import top_document_pairs

    assert top_document_pairs(four, 4) == [("d1", "d2"), ("d3", "d4"), ("d1", "d5"), ("d0", "d9")]
    empty = tmp_path / "empty.parquet"
    pd.DataFrame(rows[:0], columns=list(two.columns)).to_parquet(empty)
    assert read_top_pair_alignments(str(empty), 2).empty
