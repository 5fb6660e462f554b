"""Ingest: metadata checks, bad files named in errors, headers, flags and the seed corpus."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framelens.corpus import (
    IngestSettings,
    check_corpus,
    doc_id_for,
    ingest_corpus,
    is_language_tag,
    outlet_flags,
    outlet_labels,
    sentence_rows,
    title_in_lead,
)
from framelens.errors import CorpusError
from framelens.steps import run_logged
from framelens.steps.ingest import ingest
from framelens.text import boilerplate_reason, paragraph_spans, segment

from .conftest import SEEDS

ARTICLE = "The minister said talks would resume. Both sides agreed to meet again.\n"


def problems_of(excinfo: pytest.ExceptionInfo[CorpusError]) -> str:
    return str(excinfo.value)


def test_file_not_in_metadata_is_named(make_corpus):
    folder = make_corpus(
        {"a.txt": ARTICLE, "stray.txt": ARTICLE}, rows=[{"file": "a.txt", "outlet": "X"}]
    )
    with pytest.raises(CorpusError) as excinfo:
        check_corpus(folder)
    assert "stray.txt" in problems_of(excinfo)
    assert "not listed in metadata.csv" in problems_of(excinfo)


def test_metadata_row_without_file_is_named_with_its_line(make_corpus):
    folder = make_corpus(
        {"a.txt": ARTICLE},
        rows=[{"file": "a.txt", "outlet": "X"}, {"file": "missing.txt", "outlet": "Y"}],
    )
    with pytest.raises(CorpusError) as excinfo:
        check_corpus(folder)
    assert "'missing.txt'" in problems_of(excinfo)
    assert "line 3" in problems_of(excinfo)


def test_every_problem_is_reported_at_once(make_corpus):
    folder = make_corpus(
        {"a.txt": "", "b.txt": b"caf\xe9 au lait.", "c.txt": ARTICLE},
        rows=[{"file": n, "outlet": "X"} for n in ("a.txt", "b.txt", "c.txt")],
    )
    with pytest.raises(CorpusError) as excinfo:
        ingest_corpus(folder)
    message = problems_of(excinfo)
    assert "2 problems" in message
    assert "a.txt: empty or whitespace-only article" in message
    assert "b.txt, line 1: not valid UTF-8" in message


def test_whitespace_only_file_is_an_error(make_corpus):
    folder = make_corpus({"a.txt": " \n\t\n"})
    with pytest.raises(CorpusError, match=r"a\.txt: empty or whitespace-only"):
        ingest_corpus(folder)


def test_non_utf8_names_the_line_and_can_be_replaced_with_a_flag(make_corpus):
    folder = make_corpus(
        {"latin1.txt": "First line is fine.\nSecond line: caf\xe9.".encode("latin-1")}
    )
    with pytest.raises(CorpusError, match=r"latin1\.txt, line 2: not valid UTF-8"):
        ingest_corpus(folder)
    result = ingest_corpus(folder, on_decode_error="replace")
    assert "caf\ufffd" in " ".join(result.sentences["text"])
    flags = result.report["files"][0]["flags"]
    assert [f["code"] for f in flags] == ["decode_replaced"]


def test_binary_file_is_rejected(make_corpus):
    folder = make_corpus({"image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    with pytest.raises(CorpusError, match=r"image\.txt: binary file"):
        ingest_corpus(folder)


def test_path_outside_corpus_is_rejected(make_corpus):
    folder = make_corpus(
        {"a.txt": ARTICLE},
        rows=[{"file": "a.txt", "outlet": "X"}, {"file": "../../etc/passwd", "outlet": "Y"}],
    )
    with pytest.raises(CorpusError, match="points outside the corpus folder"):
        check_corpus(folder)


def test_duplicate_metadata_rows_are_rejected(make_corpus):
    folder = make_corpus(
        {"a.txt": ARTICLE},
        rows=[{"file": "a.txt", "outlet": "X"}, {"file": "a.txt", "outlet": "Y"}],
    )
    with pytest.raises(CorpusError, match=r"'a\.txt' is listed twice \(also line 2\)"):
        check_corpus(folder)


def test_metadata_with_bom_crlf_and_extra_columns_is_read(make_corpus):
    rows = [{"file": "a.txt", "outlet": "X", "date": "2022-08-01", "section": "world"}]
    folder = make_corpus({"a.txt": ARTICLE}, rows=rows, bom=True, crlf=True)
    result = ingest_corpus(folder)
    doc = result.documents.iloc[0]
    assert (doc["outlet"], doc["date"], doc["date_source"]) == ("X", "2022-08-01", "metadata")


def test_missing_required_column_is_named(make_corpus):
    folder = make_corpus({"a.txt": ARTICLE}, rows=[{"file": "a.txt", "source": "X"}])
    with pytest.raises(CorpusError, match=r"missing column\(s\) \['outlet'\]"):
        check_corpus(folder)


def test_bad_metadata_date_is_named(make_corpus):
    folder = make_corpus(
        {"a.txt": ARTICLE}, rows=[{"file": "a.txt", "outlet": "X", "date": "21/08/2022"}]
    )
    with pytest.raises(CorpusError, match=r"line 2: date '21/08/2022'"):
        check_corpus(folder)


def test_header_date_is_used_and_a_conflict_is_flagged(make_corpus):
    text = " date 2022-08-21 (Bloomberg) -- Serbia will negotiate. Talks follow.\n"
    folder = make_corpus(
        {"a.txt": text, "b.txt": text},
        rows=[
            {"file": "a.txt", "outlet": "Bloomberg"},
            {"file": "b.txt", "outlet": "Bloomberg", "date": "2022-08-20"},
        ],
    )
    result = ingest_corpus(folder)
    docs = result.documents.set_index("file")
    assert docs.loc["a.txt", "date"] == "2022-08-21"
    assert docs.loc["a.txt", "date_source"] == "header"
    assert docs.loc["b.txt", "date"] == "2022-08-20"
    first = result.sentences[result.sentences["position"] == 0]["text"].tolist()
    assert first == ["Serbia will negotiate.", "Serbia will negotiate."]
    b_flags = result.report["files"][1]["flags"]
    assert [f["code"] for f in b_flags] == ["date_differs"]
    assert result.report["files"][0]["removed"][0]["text"].startswith("date 2022-08-21")


def test_subfolder_files_get_distinct_ids(make_corpus):
    folder = make_corpus({"bbc/a.txt": ARTICLE, "cnn/a.txt": ARTICLE})
    result = ingest_corpus(folder)
    assert sorted(result.documents["doc_id"]) == ["bbc__a", "cnn__a"]
    assert doc_id_for("x/y/z.txt") == "x__y__z"


def test_outlet_labels_are_unique_and_readable():
    docs = pd.DataFrame(
        {
            "doc_id": ["001_a", "002_b", "003_c", "004_d"],
            "outlet": ["AP", "unattributed", "unattributed", "Reuters"],
        }
    )
    assert outlet_labels(docs) == ["AP", "unattributed (002)", "unattributed (003)", "Reuters"]


def test_exact_repeats_are_marked_not_dropped(make_corpus):
    text = "Headline here\n\nA fact was stated. Another fact.\n\nA fact was stated.\n"
    result = ingest_corpus(make_corpus({"a.txt": text}))
    sents = result.sentences
    repeat = sents[sents["text"] == "A fact was stated."]
    assert repeat["duplicate_of"].isna().tolist() == [True, False]
    assert repeat["duplicate_of"].iloc[1] == repeat["sent_id"].iloc[0]
    assert result.documents["n_sentences"].item() == 4
    assert result.documents["n_content_sentences"].item() == 3


def test_language_is_detected_when_metadata_has_none(make_corpus):
    german = (
        "Die Regierung hat am Montag die neuen Regeln vorgestellt. Sie sollen ab dem "
        "ersten September gelten und für alle Bürger des Landes sein."
    )
    result = ingest_corpus(make_corpus({"de.txt": german, "en.txt": ARTICLE * 3}))
    langs = dict(zip(result.documents["file"], result.documents["language"], strict=True))
    assert langs == {"de.txt": "de", "en.txt": "en"}
    assert set(result.documents["language_source"]) == {"detected"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            ["a/b.txt", "a__b.txt"],
            "files 'a/b.txt' (line 2) and 'a__b.txt' both get document id 'a__b'; rename one",
        ),
        (
            ["Report.txt", "report.txt"],
            "files 'Report.txt' (line 2) and 'report.txt' get "
            "document ids 'Report' and 'report', which differ only",
        ),
        (["x/A.txt", "X/a.txt"], "files 'x/A.txt' (line 2) and 'X/a.txt'"),
    ],
)
def test_colliding_document_ids_name_both_files(make_corpus, files, expected):
    folder = make_corpus(dict.fromkeys(files, ARTICLE))
    with pytest.raises(CorpusError) as excinfo:
        check_corpus(folder)
    assert expected in problems_of(excinfo)
    assert "1 problem" in problems_of(excinfo)


@pytest.mark.parametrize(
    "code",
    ["en", "EN", "sr-Latn", "zh-Hant-TW", "es-419", "und", "tlh", "de-CH-1901", "en-US-x-twain"],
)
def test_language_tags_that_are_accepted(code):
    assert is_language_tag(code)


@pytest.mark.parametrize("value", ["English", "xx-??", "en_US", "e", "", "en-", "123", "fr FR"])
def test_language_values_that_are_refused(value):
    assert not is_language_tag(value)


def test_bad_language_in_metadata_is_named_with_its_line(make_corpus):
    rows = [
        {"file": "a.txt", "outlet": "X", "language": "en"},
        {"file": "b.txt", "outlet": "X", "language": "Deutsch"},
    ]
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": ARTICLE}, rows=rows)
    with pytest.raises(CorpusError, match=r"line 3: language 'Deutsch' for 'b\.txt'"):
        check_corpus(folder)


@pytest.mark.parametrize(
    ("outlet", "oddity"),
    [
        ("AP", None),
        ("Novi Sad Daily", None),
        ("Vesti (Beograd)", None),
        ("...", "no letter"),
        ("A" * 101, "101 characters"),
        ("AP\u202e", "control or format"),
        ("<b>AP</b>", "HTML markup"),
    ],
)
def test_outlet_flags(outlet, oddity):
    flags = outlet_flags(outlet)
    if oddity is None:
        assert flags == []
    else:
        (flag,) = flags
        assert flag["code"] == "outlet_unusual"
        assert oddity in flag["detail"]


def test_html_article_is_converted_and_every_piece_recorded(make_corpus):
    text = "<p>Serbia &amp; Kosovo met.</p><script>x()</script><p>Talks resume.</p>"
    result = ingest_corpus(make_corpus({"a.txt": text}))
    assert result.sentences["text"].tolist() == ["Serbia & Kosovo met.", "Talks resume."]
    (entry,) = result.report["files"]
    assert [item["text"] for item in entry["removed"]] == [
        "<p>",
        "&amp;",
        "</p>",
        "<script>x()</script>",
        "<p>",
        "</p>",
    ]
    assert entry["flags"][0]["code"] == "html_stripped"
    assert entry["flags"][0]["count"] == 6


def test_removed_items_locate_header_and_markup(make_corpus):
    text = "<p> date 2022-08-21 (AP) -- Serbia &amp; Kosovo met.</p>"
    result = ingest_corpus(make_corpus({"a.txt": text}))
    (entry,) = result.report["files"]
    header = next(item for item in entry["removed"] if item["what"] == "header")
    assert header == {"what": "header", "text": "date 2022-08-21 (AP) --", "at": 3}
    first = result.sentences.iloc[0]
    assert first["text"] == "Serbia & Kosovo met."
    assert entry["body_offset"] + first["char_start"] == len("\n\n date 2022-08-21 (AP) -- ")


def test_sentence_rows_flag_like_boilerplate_reason():
    body = (
        "Serbia will talk.\n\n©2022 Bloomberg L.P.\n\nWe are ready. — Name (@name) August 18, "
        "2022\n\n(Reporting by A; Editing by B)\n\nSign up for our newsletter today."
    )
    rows = sentence_rows("d", body)
    spans = paragraph_spans(body)
    expected = [
        boilerplate_reason(
            seg.text, " ".join(s.text for s in segment(body) if s.paragraph == seg.paragraph)
        )
        for seg in segment(body)
    ]
    assert [r["boilerplate_reason"] for r in rows] == expected
    assert set(expected) == {None, "copyright", "social_embed", "credit", "promo"}
    assert len(spans) == 5


# ------------------------------------------------------------------ embeds in scraped text

# A scraped article is one paragraph: an embedded tweet sits between prose sentences.
EMBED_TWEET = (
    "Good meeting w/#Serbia's President @avucic on the situation in northern #Kosovo. "
    "@NATO_KFOR will take any measure necessary. All must engage constructively. "
    "pic.twitter.com/JWOFqD32XT — Jens Stoltenberg (@jensstoltenberg) August 17, 2022"
)
SCRAPED = (
    "The leaders of Kosovo and Serbia will join EU-mediated talks in Brussels on Thursday. "
    f"Kurti has agreed to postpone the licence plate rule. {EMBED_TWEET} Meanwhile, NATO called "
    "for calm from all sides. Vucic said it was “a lie” that Serbia wants to intervene.\n"
)


def test_one_paragraph_article_with_embedded_tweet_keeps_its_prose(make_corpus):
    result = ingest_corpus(make_corpus({"scraped.txt": SCRAPED}))
    sents = result.sentences
    assert sents["paragraph"].unique().tolist() == [0]
    assert sents.loc[~sents["boilerplate"], "text"].tolist() == [
        "The leaders of Kosovo and Serbia will join EU-mediated talks in Brussels on Thursday.",
        "Kurti has agreed to postpone the licence plate rule.",
        "Meanwhile, NATO called for calm from all sides.",
        "Vucic said it was “a lie” that Serbia wants to intervene.",
    ]
    assert sents.loc[sents["boilerplate"], "text"].tolist() == [
        "Good meeting w/#Serbia's President @avucic on the situation in northern #Kosovo.",
        "@NATO_KFOR will take any measure necessary.",
        "All must engage constructively. pic.twitter.com/JWOFqD32XT — Jens Stoltenberg "
        "(@jensstoltenberg) August 17, 2022",
    ]
    assert set(sents.loc[sents["boilerplate"], "boilerplate_reason"]) == {"social_embed"}
    assert result.documents["n_content_sentences"].item() == 4
    (entry,) = result.report["files"]
    assert "no_content" not in [flag["code"] for flag in entry["flags"]]
    assert result.report["n_no_content"] == 0


def test_embed_only_paragraph_is_still_flagged(make_corpus):
    tweet = (
        "We met today. Great talks! pic.twitter.com/abc123 — Jens Stoltenberg "
        "(@jensstoltenberg) August 17, 2022"
    )
    body = f"Serbia will talk.\n\n{tweet}\n\nKosovo too.\n"
    sents = ingest_corpus(make_corpus({"a.txt": body})).sentences
    rows = zip(
        sents["paragraph"], sents["text"], sents["boilerplate_reason"].fillna(""), strict=True
    )
    assert list(rows) == [
        (0, "Serbia will talk.", ""),
        (1, "We met today.", "social_embed"),
        (1, tweet[len("We met today. ") :], "social_embed"),
        (2, "Kosovo too.", ""),
    ]


def test_all_flagged_article_is_reported_by_file_name(make_corpus):
    tweet_only = EMBED_TWEET + "\n"
    result = ingest_corpus(make_corpus({"tweet_only.txt": tweet_only, "scraped.txt": SCRAPED}))
    report = result.report
    assert report["n_no_content"] == 1
    assert report["no_content_files"] == ["tweet_only.txt"]
    entry = next(e for e in report["files"] if e["file"] == "tweet_only.txt")
    (flag,) = [f for f in entry["flags"] if f["code"] == "no_content"]
    assert flag["n_sentences"] == 3
    assert flag["reasons"] == {"social_embed": 3}
    assert flag["detail"] == ("all 3 sentences flagged as boilerplate or repeats (social_embed: 3)")
    docs = result.documents.set_index("file")
    assert docs.loc["tweet_only.txt", "n_sentences"] == 3
    assert docs.loc["tweet_only.txt", "n_content_sentences"] == 0


def test_all_flagged_article_is_a_warning_in_the_ingest_log(make_corpus, tmp_path):
    folder = make_corpus({"tweet_only.txt": EMBED_TWEET, "scraped.txt": SCRAPED})
    log, out = tmp_path / "ingest.log", tmp_path / "out"
    run_logged(
        str(log),
        ingest,
        corpus=str(folder),
        settings=IngestSettings(),
        documents=str(out / "d.parquet"),
        sentences=str(out / "s.parquet"),
        report=str(out / "r.json"),
    )
    warnings = [line for line in log.read_text().splitlines() if " WARNING " in line]
    assert len(warnings) == 1
    assert "tweet_only.txt: no content sentence left (all 3 sentences flagged" in warnings[0]
    assert json.loads((out / "r.json").read_text())["no_content_files"] == ["tweet_only.txt"]
    assert "1 documents without a content sentence" in log.read_text()


def test_article_with_no_sentence_at_all_says_so(make_corpus):
    result = ingest_corpus(make_corpus({"a.txt": "<div><p></p></div>\n", "b.txt": ARTICLE}))
    entry = next(e for e in result.report["files"] if e["file"] == "a.txt")
    (flag,) = [f for f in entry["flags"] if f["code"] == "no_content"]
    assert (flag["n_sentences"], flag["reasons"]) == (0, {})
    assert flag["detail"] == "no sentence in the text after removing markup and the header"
    assert result.report["no_content_files"] == ["a.txt"]


# ----------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seeds():
    return ingest_corpus(SEEDS)


def test_seeds_documents(seeds):
    docs = seeds.documents.set_index("doc_id")
    assert len(docs) == 5
    assert docs.loc["000_86995b2f66f469b6", "outlet"] == "Bloomberg"
    assert docs.loc["002_a0ebff16809bcad7", "dateline"] == "BRUSSELS"
    assert pd.isna(docs.loc["003_d7abf4cea0ed4c53", "date"])  # the missing date stays missing
    assert docs.loc["003_d7abf4cea0ed4c53", "outlet_label"] == "unattributed (003)"
    assert set(docs["language"]) == {"en"}
    assert docs["outlet_label"].is_unique


def test_seeds_flags(seeds):
    sents = seeds.sentences
    flagged = sents[sents["boilerplate"]]
    reasons = flagged.groupby("doc_id")["boilerplate_reason"].agg(list).to_dict()
    assert reasons["000_86995b2f66f469b6"] == ["copyright"]
    assert set(reasons["001_ca852b7d5ddfff99"]) == {"social_embed"}
    assert reasons["003_d7abf4cea0ed4c53"] == ["repeated_headline"]
    assert "004_b30742ffba48f2e5" not in reasons
    repeats = sents[sents["duplicate_of"].notna()]
    assert sorted(repeats["text"].str[:30]) == sorted(
        [
            '"Disagreed on almost every poi',
            "With active mediation by the E",
            "A NATO-led intervention in 199",
        ]
    )


def test_seed_tweet_paragraph_is_still_flagged_whole(seeds):
    sents = seeds.sentences
    flagged = sents.loc[sents["boilerplate_reason"] == "social_embed", "sent_id"].tolist()
    assert flagged == [f"001_ca852b7d5ddfff99:{n:04d}" for n in (14, 15, 16)]
    tweet = sents[sents["sent_id"].isin(flagged)]
    assert tweet["paragraph"].nunique() == 1
    assert tweet["text"].iloc[-1].endswith("— Jens Stoltenberg (@jensstoltenberg) August 17, 2022")
    in_doc = sents[sents["doc_id"] == "001_ca852b7d5ddfff99"]
    assert (in_doc["paragraph"] == tweet["paragraph"].iloc[0]).sum() == 3  # the whole paragraph
    assert seeds.report["n_no_content"] == 0 and seeds.report["no_content_files"] == []


def test_seeds_headers_stay_out_of_first_sentences(seeds):
    first = seeds.sentences[seeds.sentences["position"] == 0].set_index("doc_id")["text"]
    assert first["000_86995b2f66f469b6"].startswith("Serbia will negotiate")
    assert first["002_a0ebff16809bcad7"].startswith("The leaders of Serbia and Kosovo met")
    assert first["001_ca852b7d5ddfff99"].startswith("The leaders of Kosovo and Serbia will")


def test_seeds_report_accounts_for_every_file(seeds):
    files = [entry["file"] for entry in seeds.report["files"]]
    assert sorted(files) == sorted(p.name for p in SEEDS.glob("*.txt"))
    json.dumps(seeds.report)  # serialisable


def test_ingest_is_deterministic(seeds):
    again = ingest_corpus(SEEDS)
    pd.testing.assert_frame_equal(seeds.sentences, again.sentences)
    pd.testing.assert_frame_equal(seeds.documents, again.documents)


# ------------------------------------------------------------- headline from the title

BODY = "Serbia and Kosovo met in Brussels on Thursday.\n\nTalks ended without a deal.\n"


@pytest.mark.parametrize(
    ("title", "opens"),
    [
        ("Serbia and Kosovo met in Brussels", True),  # the lead sentence opens with it
        ("Serbia and Kosovo met in Brussels | Balkan Daily", True),  # site name appended
        ("Serbia and Kosovo met in Brus", True),  # a title field cut at a length
        ("Talks ended without a deal", True),  # within the first segments
        ("Leaders fail to agree on licence plates", False),
        ("Serbia and Kosovo met", True),
        ("Kosovo and Serbia met", False),  # the same words in another order
    ],
)
def test_title_in_lead_matches_only_the_title_as_written(title, opens):
    assert title_in_lead(title, segment(BODY)) is opens


def test_title_kept_apart_from_the_text_becomes_the_headline(make_corpus):
    title = "Leaders fail to agree on licence plates"
    folder = make_corpus({"a.txt": BODY}, rows=[{"file": "a.txt", "outlet": "X", "title": title}])
    sentences = ingest_corpus(folder).sentences
    first = sentences.iloc[0]
    assert first["text"] == title
    assert (first["sent_id"], first["position"], first["paragraph"]) == ("a:0000", 0, 0)
    assert bool(first["heading"]) and not bool(first["boilerplate"])
    assert (first["char_start"], first["char_end"]) == (-1, -1)  # not in the text
    # the body follows, its paragraphs counted from 1 and its offsets unchanged
    assert sentences["text"].tolist()[1:] == [
        "Serbia and Kosovo met in Brussels on Thursday.",
        "Talks ended without a deal.",
    ]
    assert sentences["paragraph"].tolist() == [0, 1, 2]
    assert sentences["char_start"].tolist()[1:] == [0, BODY.index("Talks")]


def test_title_the_text_opens_with_is_not_added_again(make_corpus):
    folder = make_corpus(
        {"a.txt": "Leaders fail to agree\n\n" + BODY},
        rows=[{"file": "a.txt", "outlet": "X", "title": "Leaders fail to agree"}],
    )
    sentences = ingest_corpus(folder).sentences
    assert sentences["text"].tolist()[0] == "Leaders fail to agree"
    assert (sentences["char_start"] >= 0).all()
    assert len(sentences) == 3


def test_copies_with_their_own_headlines_are_still_syndicated(make_corpus):
    body = (
        "The leaders of Serbia and Kosovo met in Brussels on Thursday for new talks.\n\n"
        "The talks ended without a deal on the licence plates, officials said.\n"
    )
    folder = make_corpus(
        {"a.txt": body, "b.txt": body},
        rows=[
            {"file": "a.txt", "outlet": "Wire", "date": "2022-08-18", "title": "Talks fail"},
            {"file": "b.txt", "outlet": "Paper", "date": "2022-08-19", "title": "No deal yet"},
        ],
    )
    documents = ingest_corpus(folder).documents.set_index("doc_id")
    assert documents.loc["b", "syndicated_of"] == "a"
