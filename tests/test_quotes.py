"""Quotes: spans, attribution patterns, sentences that must not match, speaker names, and
who is quoted in the seed corpus."""

from __future__ import annotations

import pandas as pd
import pytest

from framelens.basics.tables import content_mask
from framelens.corpus import ingest_corpus
from framelens.quotes import (
    QUOTE_COLUMNS,
    SHARE_COLUMNS,
    count_words,
    find_quotes,
    normalise_speakers,
    quote_spans,
    speaker_shares,
)

from .conftest import SEEDS

VUCIC = "Aleksandar Vucic"


def sentences_of(*texts: str, doc_id: str = "d1") -> pd.DataFrame:
    """A one-document sentences table, one sentence per text, one paragraph."""
    return pd.DataFrame(
        {
            "sent_id": [f"{doc_id}:{i:04d}" for i in range(len(texts))],
            "doc_id": doc_id,
            "position": range(len(texts)),
            "text": list(texts),
        }
    )


def only_quote(*texts: str) -> dict[str, object]:
    """The single quote found in the sentences, as a dict."""
    quotes = find_quotes(sentences_of(*texts))
    assert len(quotes) == 1, quotes.to_dict("records")
    return quotes.iloc[0].to_dict()


# --------------------------------------------------------------------------- spans


def test_quote_spans_pair_curly_and_straight_marks():
    text = '“One two,” he said. "Three four," she said.'
    spans = quote_spans(text)
    assert [text[s:e] for s, e, _ in spans] == ["“One two,”", '"Three four,"']
    assert all(closed for _, _, closed in spans)


def test_unclosed_quote_ends_at_paragraph_break():
    text = "“We will not move\n“Next paragraph,” he said."
    second = text.index("“Next")
    assert quote_spans(text) == [(0, second - 1, False), (second, text.index("”") + 1, True)]


def test_count_words_keeps_contractions_whole():
    assert count_words("I don’t expect anything – really") == 5


# --------------------------------------------------------------------------- attribution


@pytest.mark.parametrize(
    ("texts", "speaker", "verb", "quote"),
    [
        pytest.param(
            ["“We have no other choice but peace,” Vucic told reporters."],
            "Vucic",
            "told",
            "We have no other choice but peace",
            id="X told",
        ),
        pytest.param(
            ["“We have nowhere to go, we are trapped,” said Vucic."],
            "Vucic",
            "said",
            "We have nowhere to go, we are trapped",
            id="said X",
        ),
        pytest.param(
            ['"I call on all sides to exercise restraint," Stoltenberg tweeted.'],
            "Stoltenberg",
            "tweeted",
            "I call on all sides to exercise restraint",
            id="straight marks, X tweeted",
        ),
        pytest.param(
            ["“But of course we will act when needed,” Stoltenberg added."],
            "Stoltenberg",
            "added",
            "But of course we will act when needed",
            id="X added",
        ),
        pytest.param(
            ["According to Borrell, “the talks were difficult but useful.”"],
            "Borrell",
            "according to",
            "the talks were difficult but useful.",
            id="according to X",
        ),
        pytest.param(
            [
                "EU foreign policy chief Josep Borrell, speaking before the meeting, "
                "said “it is time to move forward towards normalization”."
            ],
            "Josep Borrell",
            "said",
            "it is time to move forward towards normalization",
            id="X, ..., said",
        ),
        pytest.param(
            ['Kurti: "Belgrade wants to destabilise the north."'],
            "Kurti",
            None,
            "Belgrade wants to destabilise the north.",
            id="colon",
        ),
        pytest.param(
            [
                'Vucic expected a hard day with Prime Minister Albin Kurti: "We do not '
                'agree on anything."'
            ],
            "Vucic",
            "expected",
            "We do not agree on anything.",
            id="colon, subject speaks",
        ),
        pytest.param(
            ["“He called it ‘a lie’ and left the room,” Kurti said."],
            "Kurti",
            "said",
            "He called it ‘a lie’ and left the room",
            id="nested single quotes",
        ),
    ],
)
def test_attribution_patterns(texts, speaker, verb, quote):
    row = only_quote(*texts)
    assert row["kind"] == "direct"
    assert row["speaker"] == speaker
    assert row["verb"] == verb
    assert row["quote"] == quote
    assert row["attribution"] == "name"


def test_appositive_after_quote_gives_the_role():
    row = only_quote(
        "“Nothing will change,” Malush Bajraj, 41, a resident of Pristina, told Reuters."
    )
    assert (row["speaker"], row["role"], row["verb"]) == (
        "Malush Bajraj",
        "a resident of Pristina",
        "told",
    )


def test_role_before_the_name():
    row = only_quote("NATO Secretary General Jens Stoltenberg said “we stand ready to act”.")
    assert (row["speaker_raw"], row["speaker"], row["role"]) == (
        "NATO Secretary General Jens Stoltenberg",
        "Jens Stoltenberg",
        "NATO Secretary General",
    )


def test_quote_across_sentences_and_pronoun_resolution():
    quotes = find_quotes(
        sentences_of(
            "Jane Smith met the negotiators on Monday.",
            "“We tried very hard.",
            "Nobody listened to us at all,” she said.",
        )
    )
    row = quotes.iloc[0]
    assert row["sent_ids"] == "d1:0001,d1:0002"
    assert row["quote"] == "We tried very hard. Nobody listened to us at all"
    assert (row["speaker_raw"], row["speaker"], row["attribution"]) == (
        "she",
        "Jane Smith",
        "pronoun",
    )


def test_pronoun_resolves_to_the_latest_person_not_the_latest_name():
    quotes = find_quotes(
        sentences_of(
            "“We will protect our people,” Vucic told reporters in Belgrade.",
            "He accused Kurti’s government of lying, “and we will prevent any pogrom.”",
        )
    )
    assert list(quotes["speaker"]) == ["Vucic", "Vucic"]


def test_unresolvable_pronoun_keeps_speaker_none():
    row = only_quote("“We tried very hard to agree,” he said.")
    assert row["speaker_raw"] == "he"
    assert row["speaker"] is None


def test_indirect_speech():
    row = only_quote("Stoltenberg said NATO troops were ready to intervene.")
    assert (row["kind"], row["speaker"], row["verb"]) == ("indirect", "Stoltenberg", "said")
    assert row["quote"] == "NATO troops were ready to intervene"


def test_indirect_speech_with_that_after_an_object():
    row = only_quote(
        "Kosovo Prime Minister Albin Kurti told Reuters last week that Belgrade "
        "was pushing for conflict."
    )
    assert (row["kind"], row["speaker"], row["role"]) == (
        "indirect",
        "Albin Kurti",
        "Kosovo Prime Minister",
    )
    assert row["quote"] == "Belgrade was pushing for conflict"


def test_reported_speech_without_quotation_marks():
    quotes = find_quotes(
        sentences_of(
            "Kosovo’s Interior Minister, Xhelal Svecla, visited police units on Sunday.",
            "Our common interest is that this land is ours, he said.",
        )
    )
    row = quotes.iloc[0]
    assert (row["kind"], row["speaker"], row["role"]) == (
        "indirect",
        "Xhelal Svecla",
        "Kosovo's Interior Minister",
    )


def test_continuation_quote_takes_the_previous_speaker():
    quotes = find_quotes(
        sentences_of(
            "“We are going to have difficult discussions,” Vucic said.",
            "“We do not agree on almost anything.”",
        )
    )
    assert list(quotes["speaker"]) == ["Vucic", "Vucic"]
    assert quotes.iloc[1]["attribution"] == "continuation"


def test_continuation_stops_after_the_window():
    quotes = find_quotes(
        sentences_of(
            "“We are going to have difficult discussions,” Vucic said.",
            "Talks began at noon.",
            "They ended late.",
            "Nobody left early.",
            "“We do not agree on almost anything.”",
        )
    )
    assert quotes.iloc[-1]["speaker"] is None


def test_direct_partial_quote_in_reported_speech_is_not_counted_twice():
    quotes = find_quotes(
        sentences_of(
            "Mr Vucic said Serbia would “work hard” to reach a “compromise solution in the next "
            "10 days” and accused Kosovo of “only being interested in abolishing every trace of "
            "the Serbian state”."
        )
    )
    assert list(quotes["kind"]) == ["scare", "direct", "direct"]
    assert list(quotes["verb"]) == ["said", "said", "accused"]
    assert set(quotes["speaker"]) == {"Vucic"}
    assert (quotes["speaker_raw"] == "Mr Vucic").all()


# --------------------------------------------------------------------------- no match


@pytest.mark.parametrize(
    "text",
    [
        "The said agreement was signed in Brussels in 2013.",
        "Vucic told reporters in Belgrade.",
        "Vucic said on Instagram.",
        "Residents say they see little hope of progress.",
        "Kosovo declared independence in 2008.",
        "Tensions are running high in the north.",
    ],
)
def test_sentences_without_quotes(text):
    assert find_quotes(sentences_of(text)).empty


def test_scare_quotes_are_not_quotes_from_a_speaker():
    row = only_quote("Russia launched a so-called “special operation” in Ukraine.")
    assert (row["kind"], row["speaker"], row["n_words"]) == ("scare", None, 2)


def test_output_columns_and_ids():
    quotes = find_quotes(sentences_of("“We have no other choice but peace,” Vucic said."))
    assert list(quotes.columns) == QUOTE_COLUMNS
    assert quotes.iloc[0]["quote_id"] == "d1:q000"
    assert quotes.iloc[0]["n_words"] == 7


def test_empty_input_gives_empty_table():
    assert list(find_quotes(sentences_of()).columns) == QUOTE_COLUMNS


# --------------------------------------------------------------------------- names


def test_normalise_speakers_merges_spellings_titles_surnames_and_typos():
    names = [
        "Serbian President Aleksandar Vučić",
        "Vucic",
        "Mr. Vucic",
        "Vuvic",
        "Mr. Vučicofi",
        "President Aleksandar Vučić’s",
        "Kurti",
        "Kosovo Prime Minister Albin Kurti",
        "Mr Kurti",
        "Jens Stoltenberg",
        "NATO Secretary General Jens Stoltenberg",
        "Stoltenberg",
        "Borrell",
    ]
    mapping = normalise_speakers(names)
    assert {mapping[n] for n in names[:6]} == {VUCIC}
    assert {mapping[n] for n in names[6:9]} == {"Albin Kurti"}
    assert {mapping[n] for n in names[9:12]} == {"Jens Stoltenberg"}
    assert mapping["Borrell"] == "Borrell"


def test_normalise_speakers_merges_a_typo_into_a_more_frequent_one_word_name():
    assert normalise_speakers(["Vuvic", "Vučić", "Vucic"]) == {
        "Vuvic": "Vucic",
        "Vučić": "Vucic",
        "Vucic": "Vucic",
    }


def test_normalise_speakers_leaves_an_ambiguous_surname():
    mapping = normalise_speakers(["Jens Stoltenberg", "Thomas Stoltenberg", "Stoltenberg"])
    assert mapping == {
        "Jens Stoltenberg": "Jens Stoltenberg",
        "Thomas Stoltenberg": "Thomas Stoltenberg",
        "Stoltenberg": "Stoltenberg",
    }


def test_normalise_speakers_does_not_merge_short_or_distant_names():
    mapping = normalise_speakers(["Albin Kurti", "Kurz", "Rama", "Edi Rama", "Ramos"])
    assert mapping["Kurz"] == "Kurz"
    assert mapping["Rama"] == "Edi Rama"
    assert mapping["Ramos"] == "Ramos"


def test_speakers_are_normalised_within_an_event_only():
    sentences = pd.concat(
        [
            sentences_of(
                "“We will defend our people at any cost,” Aleksandar Vucic said.", doc_id="a"
            ),
            sentences_of("“We will never accept this outcome,” Vucic said.", doc_id="b"),
        ],
        ignore_index=True,
    )
    together = find_quotes(sentences)
    apart = find_quotes(sentences, events=pd.Series({"a": "e1", "b": "e2"}))
    assert list(together["speaker"]) == [VUCIC, VUCIC]
    assert list(apart["speaker"]) == [VUCIC, "Vucic"]


# --------------------------------------------------------------------------- shares


def test_speaker_shares_per_outlet():
    quotes = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b", "c"],
            "kind": ["direct", "indirect", "scare", "direct", "direct"],
            "speaker": ["X", "Y", "X", None, "X"],
            "n_words": [6, 4, 2, 5, 10],
        }
    )
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["AP", "AP", "unattributed"],
            "outlet_label": ["AP (a)", "AP (b)", "unattributed (c)"],
        }
    )
    shares = speaker_shares(quotes, documents)
    assert list(shares.columns) == SHARE_COLUMNS
    rows = {(r.outlet, r.speaker): r for r in shares.itertuples()}
    assert rows[("AP", "X")].quoted_words == 6  # the scare quote does not count
    assert rows[("AP", "X")].share_of_quoted_words == pytest.approx(6 / 15)
    assert rows[("AP", "(unattributed)")].n_quotes == 1
    assert rows[("AP", "Y")].n_direct == 0
    assert rows[("unattributed (c)", "X")].share_of_quoted_words == 1.0
    assert shares.groupby("outlet")["share_of_quoted_words"].sum().tolist() == pytest.approx(
        [1.0, 1.0]
    )


# --------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seed_quotes() -> tuple[pd.DataFrame, pd.DataFrame]:
    result = ingest_corpus(SEEDS)
    content = result.sentences[content_mask(result.sentences)]
    return find_quotes(content), result.documents


def speakers_by_doc(quotes: pd.DataFrame) -> dict[str, set[str]]:
    kept = quotes[quotes["kind"] != "scare"].dropna(subset=["speaker"])
    return {doc[:3]: set(group["speaker"]) for doc, group in kept.groupby("doc_id")}


def test_seed_speakers_are_found_in_the_right_documents(seed_quotes):
    by_doc = speakers_by_doc(seed_quotes[0])
    assert all(VUCIC in by_doc[d] for d in ("000", "001", "002", "003", "004"))
    assert [d for d, s in sorted(by_doc.items()) if "Jens Stoltenberg" in s] == ["001", "003"]
    assert [d for d, s in sorted(by_doc.items()) if "Josep Borrell" in s] == ["002"]
    assert "Albin Kurti" in by_doc["001"]


def test_seed_vucic_spellings_are_one_speaker(seed_quotes):
    speakers = set(seed_quotes[0]["speaker"].dropna())
    assert {s for s in speakers if "vuc" in s.casefold() or "vuč" in s.casefold()} == {VUCIC}


def test_seed_details(seed_quotes):
    quotes = seed_quotes[0].set_index("sent_ids")
    tweet = quotes.loc["001_ca852b7d5ddfff99:0018,001_ca852b7d5ddfff99:0019"]
    assert (tweet["speaker"], tweet["speaker_raw"], tweet["verb"]) == (
        "Jens Stoltenberg",
        "he",
        "tweeted",
    )
    borrell = quotes.loc["002_a0ebff16809bcad7:0001"]
    assert (borrell["speaker"], borrell["role"]) == ("Josep Borrell", "EU foreign policy chief")
    colon = quotes.loc["003_d7abf4cea0ed4c53:0009"]
    assert colon["speaker"] == VUCIC
    scare = quotes.loc["004_b30742ffba48f2e5:0000"]
    assert (scare["kind"], scare["quote"], scare["speaker"]) == ("scare", "do its job", None)
    svecla = quotes.loc["004_b30742ffba48f2e5:0024"]
    assert (svecla["kind"], svecla["speaker"]) == ("indirect", "Xhelal Svecla")


def test_seed_speaker_shares(seed_quotes):
    shares = speaker_shares(*seed_quotes)
    assert set(shares["outlet"]) == {
        "AP",
        "Bloomberg",
        "unattributed (001)",
        "unattributed (003)",
        "unattributed (004)",
    }
    top = shares.groupby("outlet").head(1).set_index("outlet")["speaker"]
    assert top["AP"] == "Josep Borrell"
    assert top["Bloomberg"] == VUCIC
    assert shares.groupby("outlet")["share_of_quoted_words"].sum().to_numpy() == pytest.approx(1.0)


def test_quotes_are_the_same_read_a_few_sentences_at_a_time(seed_quotes, monkeypatch):
    result = ingest_corpus(SEEDS)
    content = result.sentences[content_mask(result.sentences)]
    events = pd.Series(["e1", "e2", "e1", "e2", "e1"], index=sorted(content["doc_id"].unique()))
    whole = find_quotes(content.sample(frac=1.0, random_state=2), events=events)
    monkeypatch.setattr("framelens.quotes.tables._ROWS_AT_ONCE", 7)  # batches of events
    pd.testing.assert_frame_equal(
        find_quotes(content.sample(frac=1.0, random_state=2), events=events), whole
    )
    pd.testing.assert_frame_equal(find_quotes(content), seed_quotes[0])
