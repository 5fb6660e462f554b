"""Salience and the framing step's tables on the seeds."""

from __future__ import annotations

import pandas as pd

from framelens.salience import lead_claims, position_class, salience_table


def test_position_classes():
    assert [position_class(r, 3) for r in (0, 1, 2, 3, 10)] == [
        "first",
        "lead",
        "lead",
        "later",
        "later",
    ]


def small():
    content = pd.DataFrame(
        {
            "sent_id": ["a:0", "a:1", "a:2", "a:3", "b:0", "b:1"],
            "doc_id": ["a"] * 4 + ["b"] * 2,
            "position": [0, 1, 2, 3, 0, 1],
        }
    )
    claims = pd.DataFrame(
        {
            "sent_id": ["a:0", "a:1", "a:2", "a:3", "b:0", "b:1"],
            "doc_id": ["a"] * 4 + ["b"] * 2,
            "event_id": "e1",
            "claim_id": ["c1", "c2", "c2", "c3", "c3", "c1"],
        }
    )
    summary = pd.DataFrame(
        {"claim_id": ["c1", "c2", "c3"], "representative": ["one", "two", "three"]}
    )
    outlets = pd.Series({"a": "A", "b": "B"})
    return salience_table(claims, content, summary, outlets, lead_sentences=2)


def test_salience_positions_and_shares():
    table = small().set_index(["doc_id", "claim_id"])
    assert table.loc[("a", "c1"), "position"] == "first"
    assert table.loc[("a", "c2"), "position"] == "lead"
    assert table.loc[("a", "c2"), "article_share"] == 0.5
    assert table.loc[("a", "c3"), "position"] == "later"
    assert table.loc[("a", "c3"), "first_position"] == 1.0
    assert table.loc[("b", "c3"), "position"] == "first"
    assert table.loc[("b", "c1"), "representative"] == "one"


def test_lead_claims_in_article_order():
    leads = lead_claims(small())
    assert leads[leads["doc_id"] == "a"]["claim_id"].tolist() == ["c1", "c2"]
