"""Facts: numbers, years and dates in text, things that are not quantities, and figures
that documents disagree on (the NATO troop numbers of the seed corpus)."""

from __future__ import annotations

import pandas as pd
import pytest

from framelens.basics.tables import content_mask
from framelens.corpus import ingest_corpus
from framelens.facts import (
    DISPUTE_COLUMNS,
    Quantity,
    disputed_facts,
    extract_quantities,
    normalise_unit,
    parse_number_words,
    quantity_mentions,
)

from .conftest import SEEDS


def only(text: str) -> Quantity:
    """The single quantity in ``text``."""
    found = extract_quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "unit", "written", "approximate"),
    [
        ("now amounting to about 3,800 troops.", 3800, "troops", "about 3,800", True),
        ("the alliance’s 3,700-strong peacekeeping force", 3700, "troops", "3,700-strong", False),
        ("Nearly 4,000 NATO-led peacekeepers have been", 4000, "troops", "Nearly 4,000", True),
        ("NATO again refers to around 4,000 soldiers", 4000, "troops", "around 4,000", True),
        ("The currently almost 4,000 NATO soldiers are", 4000, "troops", "almost 4,000", True),
        (
            "a population of about 1.8 million, after",
            1_800_000,
            "million",
            "about 1.8 million",
            True,
        ),
        ("the 1.8 million Kosovars", 1_800_000, "people", "1.8 million", False),
        ("Just over 100,000 Serbs live in Kosovo", 100_000, "people", "Just over 100,000", True),
        ("just 5 percent of the population", 5, "percent", "5 percent", False),
        ("Around five percent of them", 5, "percent", "Around five percent", True),
        ("a 12.5% rise", 12.5, "percent", "12.5%", False),
        ("five per cent", 5, "percent", "five per cent", False),
        ("over the next ten days", 10, "days", "ten", False),
        ("over the next 10 days", 10, "days", "10", False),
        ("More than a decade of talks", 10, "years", "More than a decade", True),
        ("twenty-five soldiers", 25, "troops", "twenty-five", False),
        ("the 27-nation bloc", 27, "nation", "27-nation", False),
        ("an aid package of $5 million", 5_000_000, "USD", "$5 million", False),
        ("2,000 troops were sent", 2000, "troops", "2,000", False),
        ("41 people were hurt", 41, "people", "41", False),
    ],
)
def test_counts_and_measures(text, value, unit, written, approximate):
    q = only(text)
    assert (q.value, q.unit, q.text, q.approximate, q.kind) == (
        pytest.approx(value),
        unit,
        written,
        approximate,
        "quantity",
    )
    assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("Kosovo declared independence in 2008 but", 2008, "2008"),
        ("in the aftermath of the 1998-99 war", 1998, "1998-99"),
        ("since the 1990s", 1990, "1990s"),
        ("a mid-2022 review", 2022, "2022"),
    ],
)
def test_years_are_not_counts(text, value, written):
    q = only(text)
    assert (q.kind, q.value, q.unit, q.text) == ("year", value, None, written)


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("who face a Sept. 1 deadline", 901, "Sept. 1"),
        ("until September 1st.", 901, "September 1st"),
        ("until September 1, when", 901, "September 1"),
        ("— Jens Stoltenberg (@jensstoltenberg) August 17, 2022", 20220817, "August 17, 2022"),
        ("on 1 September 2022", 20220901, "1 September 2022"),
        ("At the end of June 2022, the", 20220600, "June 2022"),
        ("published 2022-08-17.", 20220817, "2022-08-17"),
    ],
)
def test_dates(text, value, written):
    q = only(text)
    assert (q.kind, q.value, q.text) == ("date", value, written)


@pytest.mark.parametrize(
    "text",
    [
        "under Article 5 of the treaty",
        "UN Security Council Resolution 1244 says",
        "COVID-19 restrictions",
        "the G7 summit",
        "F-16 jets",
        "5G networks",
        "call +381 11 123 4567 for details",
        "call 555-123-4567 for details",
        "at 10:30 on Monday",
        "the 21st century",
        "No one was hurt.",
        "one of the main preconditions",
        "tens of thousands of local Serbs",
        "The said agreement",
    ],
)
def test_not_quantities(text):
    assert extract_quantities(text) == []


def test_several_quantities_in_order_without_overlap():
    text = (
        "Nearly 4,000 NATO-led peacekeepers have been stationed in Kosovo since the "
        "1998-99 war, more than 200,000 fled."
    )
    found = extract_quantities(text)
    assert [(q.kind, q.text) for q in found] == [
        ("quantity", "Nearly 4,000"),
        ("year", "1998-99"),
        ("quantity", "more than 200,000"),
    ]
    assert found[2].unit is None  # "fled" counts nothing


def test_number_words():
    assert parse_number_words("two hundred and fifty thousand") == 250_000
    assert parse_number_words("twenty-five") == 25
    assert parse_number_words("five apples") is None


def test_unit_synonyms():
    assert {normalise_unit(w) for w in ("troops", "Soldiers", "peacekeepers", "forces")} == {
        "troops"
    }
    assert normalise_unit("Serbs") == "people"
    assert normalise_unit("nations") == normalise_unit("nation") == "nation"


# --------------------------------------------------------------------------- disputes


def table(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Sentences from (sent_id, doc_id, text) triples."""
    return pd.DataFrame(rows, columns=["sent_id", "doc_id", "text"])


def test_different_figures_across_documents_are_disputed():
    sentences = table(
        ("a:1", "a", "About 3,800 troops are deployed."),
        ("b:1", "b", "Some 4,000 soldiers are deployed."),
        ("b:2", "b", "The talks lasted ten days."),
    )
    disputes = disputed_facts(sentences, pd.Series({"a:1": "g", "b:1": "g", "b:2": "g"}))
    assert list(disputes.columns) == DISPUTE_COLUMNS
    assert len(disputes) == 1
    row = disputes.iloc[0]
    assert (row["unit"], row["values"], row["n_documents"], row["n_approximate"]) == (
        "troops",
        "3800;4000",
        2,
        2,
    )
    assert row["texts"] == "About 3,800;Some 4,000"
    assert row["doc_ids"] == "a;b"
    assert row["spread"] == pytest.approx(0.05)


def test_identical_figures_are_not_disputed():
    sentences = table(
        ("a:1", "a", "Kurti postponed the measure to Sept. 1."),
        ("b:1", "b", "The plates are valid until September 1st."),
        ("c:1", "c", "Serbs make up just 5 percent of the population."),
        ("d:1", "d", "Around five percent of the 1.8 million Kosovars are Serbs."),
    )
    groups = pd.Series({"a:1": "deadline", "b:1": "deadline", "c:1": "share", "d:1": "share"})
    assert disputed_facts(sentences, groups).empty


def test_figures_of_one_document_or_other_groups_are_not_disputed():
    sentences = table(
        ("a:1", "a", "About 3,800 troops, later 4,000 troops."),
        ("b:1", "b", "Some 4,000 soldiers are deployed."),
        ("c:1", "c", "3,000 peacekeepers"),
    )
    groups = pd.Series({"a:1": "g1", "c:1": "g2"})
    assert disputed_facts(sentences, groups).empty


def test_units_are_compared_only_with_the_same_unit():
    sentences = table(
        ("a:1", "a", "The 27-nation bloc sent 300 troops."),
        ("b:1", "b", "The 26 countries sent 300 soldiers."),
    )
    disputes = disputed_facts(sentences, pd.Series({"a:1": 1, "b:1": 1}))
    assert disputes[["unit", "values"]].to_dict("records") == [
        {"unit": "nation", "values": "26;27"}
    ]


@pytest.fixture(scope="module")
def seed_sentences() -> pd.DataFrame:
    result = ingest_corpus(SEEDS)
    return result.sentences[content_mask(result.sentences)]


def test_seed_nato_troop_figures_are_disputed(seed_sentences):
    troops = seed_sentences[seed_sentences["text"].str.contains(r"3,800|3,700|4,000", regex=True)]
    assert len(troops) == 5
    disputes = disputed_facts(seed_sentences, pd.Series("nato_troops", index=troops["sent_id"]))
    row = disputes.set_index("unit").loc["troops"]
    assert row["values"] == "3700;3800;4000"
    assert row["n_documents"] == 4
    assert row["texts"].split(";") == [
        "3,700-strong",
        "about 3,800",
        "around 4,000",
        "almost 4,000",
        "Nearly 4,000",
    ]
    assert [d[:3] for d in row["doc_ids"].split(";")] == ["001", "000", "003", "003", "004"]
    assert row["spread"] == pytest.approx(300 / 4000)
    assert row["n_approximate"] == 4


def test_seed_deadline_is_not_disputed(seed_sentences):
    deadline = seed_sentences[seed_sentences["text"].str.contains(r"Sept\.? 1|September 1")]
    assert deadline["doc_id"].nunique() == 5
    disputes = disputed_facts(seed_sentences, pd.Series("deadline", index=deadline["sent_id"]))
    assert disputes.empty


def test_mentions_are_the_same_read_a_few_sentences_at_a_time(seed_sentences, monkeypatch):
    groups = pd.Series("all", index=seed_sentences["sent_id"])
    whole = quantity_mentions(seed_sentences, groups)
    monkeypatch.setattr("framelens.facts._SENTENCES_AT_ONCE", 3)
    pd.testing.assert_frame_equal(quantity_mentions(seed_sentences, groups), whole)
    assert len(whole) > 20
