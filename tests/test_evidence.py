"""Evidence in context for paraphrase alignment and claims: quantities, the score, and
align_event / cluster_claims on a small hand-made event."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framelens.align import Thresholds, align_event
from framelens.basics.evidence import DEFAULT_WEIGHTS, contradicts, evidence_score
from framelens.basics.tables import Relation
from framelens.basics.tokens import quantities
from framelens.claims import cluster_claims
from framelens.errors import ConfigError

TH = Thresholds(verbatim=0.9, rewrite_alone=0.79, rewrite=0.25, min_shared=3, paraphrase=0.66)


def test_quantities_by_unit():
    found = quantities(
        "Five people were killed and 12 injured on Sept. 1, 2008; shares fell 3.5% to $12.40."
    )
    assert found == {
        "people": {5.0},
        "injured": {12.0},
        "september": {1.0},
        "year": {2008.0},
        "%": {3.5},
        "$": {12.4},
    }
    assert quantities("The F-16 and COVID-19 stories") == {}  # digits inside names


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Police arrested 5 protesters.", "Officers detained twelve protesters.", True),
        ("Police arrested 5 protesters.", "Five protesters were detained.", False),
        ("It was postponed to Sept. 1.", "It was delayed until September 1st.", False),
        ("It was postponed to Sept. 1.", "It was delayed until September 15.", True),
        ("Independence came in 2008.", "Kosovo declared independence in 2008 from Serbia.", False),
        ("5 people died.", "Shares fell 5%.", False),  # other units say nothing
    ],
)
def test_contradicting_numbers(a, b, expected):
    assert contradicts(quantities(a), quantities(b)) is expected


def test_score_rises_with_mutual_best_and_anchors_and_falls_with_contradiction():
    base = evidence_score(0.62, False, 0.0, False, 0.66)
    assert evidence_score(0.62, True, 0.0, False, 0.66) > base
    assert evidence_score(0.62, False, 1.0, False, 0.66) > base
    assert evidence_score(0.62, False, 0.0, True, 0.66) < base
    assert evidence_score(0.80, False, 0.0, False, 0.66) > base
    # the cosine counts relative to the model's own threshold
    assert evidence_score(0.40, True, 0.5, False, 0.33) == pytest.approx(
        evidence_score(0.73, True, 0.5, False, 0.66)
    )


def test_the_floor_is_never_binding():
    """A candidate at the floor could not reach the cut with every other evidence."""
    w = DEFAULT_WEIGHTS
    paraphrase = 0.66
    assert evidence_score(paraphrase - w.floor, True, 1.0, False, paraphrase) < w.cut


def test_weights_are_checked():
    with pytest.raises(ConfigError):
        DEFAULT_WEIGHTS._replace(cut=1.5).check()
    with pytest.raises(ConfigError):
        Thresholds(evidence=DEFAULT_WEIGHTS._replace(link=0.1))  # below cut


def test_thresholds_travel_in_json():
    import json

    dumped = json.loads(json.dumps(TH.__dict__))
    assert Thresholds(**dumped) == TH


def test_config_weights_equal_the_defaults():
    from pathlib import Path

    import yaml

    config = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "config/config.yaml").read_text()
    )
    assert Thresholds.from_config(config["alignment"], 0.66).evidence == DEFAULT_WEIGHTS


# --------------------------------------------------------------------------- in context

A = [
    "Kosovo's prime minister Albin Kurti postponed the licence plate rule until September 1.",
    "Police detained 5 protesters near the crossing.",
    "The talks in Brussels ended without an agreement on Monday.",
    "Serbia's president spoke of a dark day for the region.",
]
B = [
    "Kurti agreed to delay the plate measure to Sept. 1st, his office said.",
    "Officers arrested twelve protesters at the border.",
    "The talks in Brussels ended without an agreement on Monday.",
    "Markets in Pristina were calm.",
]


def event(paraphrase_cos: float = 0.62, distinct_cos: float = 0.68):
    """Two articles: a paraphrase with shared rare anchors (cosine ``paraphrase_cos``), a
    pair with contradicting numbers (``distinct_cos``), a verbatim copy and fillers; every
    other pair is orthogonal, so each pair is the other's best match by a wide margin."""
    vectors = np.zeros((8, 8))
    for i in range(4):
        vectors[i, i] = 1.0
    vectors[4, 0], vectors[4, 4] = paraphrase_cos, np.sqrt(1 - paraphrase_cos**2)
    vectors[5, 1], vectors[5, 5] = distinct_cos, np.sqrt(1 - distinct_cos**2)
    vectors[6, 2] = 1.0  # verbatim copy of A[2]
    vectors[7, 7] = 1.0
    sentences = pd.DataFrame(
        {
            "sent_id": [f"a:{i}" for i in range(4)] + [f"b:{i}" for i in range(4)],
            "doc_id": ["a"] * 4 + ["b"] * 4,
            "text": A + B,
            "position": list(range(4)) * 2,
            "boilerplate": False,
            "duplicate_of": None,
        }
    )
    return vectors, sentences


def relations(table: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {
        (a, b): r
        for a, b, r in zip(table["sent_id_a"], table["sent_id_b"], table["relation"], strict=True)
    }


def test_paraphrase_with_shared_rare_anchors_and_mutual_best_is_aligned():
    vectors, sentences = event()
    found = relations(align_event(vectors, sentences, TH))
    assert found[("a:0", "b:0")] == Relation.PARAPHRASE  # cosine 0.62 < 0.66
    assert found[("a:2", "b:2")] == Relation.VERBATIM
    # the same cosine without the context evidence is no paraphrase
    assert ("a:3", "b:3") not in found


def test_a_contradicting_number_keeps_a_similar_pair_apart():
    vectors, sentences = event()  # cosine 0.68: the cosine threshold alone would align it
    assert ("a:1", "b:1") not in relations(align_event(vectors, sentences, TH))
    # the same pair and cosine without the contradicting number would be aligned
    sentences.loc[5, "text"] = "Officers arrested five protesters at the border."
    assert relations(align_event(vectors, sentences, TH))[("a:1", "b:1")] == "paraphrase"


def test_a_paraphrase_that_is_not_the_best_match_is_not_aligned():
    vectors, sentences = event(paraphrase_cos=0.58)
    assert relations(align_event(vectors, sentences, TH))[("a:0", "b:0")] == "paraphrase"
    vectors[4, 3], vectors[4, 4] = 0.7, np.sqrt(1 - 0.58**2 - 0.7**2)  # b:0 prefers a:3
    found = relations(align_event(vectors, sentences, TH))
    assert ("a:0", "b:0") not in found


def test_evidence_column_and_isolated_rule_unchanged():
    vectors, sentences = event()
    table = align_event(vectors, sentences, TH)
    assert "evidence" in table and table["evidence"].between(0, 1).all()
    no_context = Thresholds(
        **{**TH.__dict__, "evidence": DEFAULT_WEIGHTS._replace(cut=0.99, link=0.99)}
    )
    assert ("a:0", "b:0") not in relations(align_event(vectors, sentences, no_context))


def test_an_aligned_paraphrase_ends_in_one_claim():
    vectors, sentences = event(paraphrase_cos=0.70)
    events = pd.DataFrame({"doc_id": ["a", "b"], "event_id": ["e1", "e1"]})
    outlet_of = pd.Series({"a": "A", "b": "B"})
    table = align_event(vectors, sentences, TH)
    pair = (table["sent_id_a"] == "a:0") & (table["sent_id_b"] == "b:0")
    assert table.loc[pair, "relation"].item() == "paraphrase"
    assert table.loc[pair, "evidence"].item() >= DEFAULT_WEIGHTS.link

    def claim_of(alignments):
        claims = cluster_claims(
            vectors, sentences, events, alignments, outlet_of, threshold=0.95
        ).set_index("sent_id")["claim_id"]
        return claims

    claims = claim_of(table)
    assert claims["a:0"] == claims["b:0"]  # cosine 0.70 < 0.95: the must-link did it
    assert claims["a:2"] == claims["b:2"]  # verbatim copy
    assert claims["a:1"] != claims["b:1"]
    weak = table.assign(evidence=np.where(pair, 0.3, table["evidence"]))
    claims = claim_of(weak)  # below alignment.evidence.link: no must-link
    assert claims["a:0"] != claims["b:0"]


def test_anchor_overlap_is_the_same_under_every_hash_seed():
    """Set order changes with each process's hash seed, and a float sum follows it: the
    overlap must not (the workflow's tables are byte-identical run after run)."""
    import os
    import subprocess
    import sys

    code = (
        "from framelens.basics.evidence import anchor_overlap; "
        "idf = {f'name{i}': 0.1 + i / 7 for i in range(40)}; "
        "print(repr(anchor_overlap(set(list(idf)[:30]), set(list(idf)[3:]), idf)))"
    )
    values = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(values) == 1
