"""The mess of the web, at ingest: each case is a test whose id names it.

Cases that need a table, HTML page or WARC input sit with their readers
(tests/test_sources_tables.py, tests/test_sources_web.py) and, end to end, in
tests/test_corpus_formats.py; these run on corpus folders the tests build.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framelens.corpus import IngestSettings, ingest_corpus, ingest_to_files
from framelens.errors import CorpusError
from framelens.repeats import SiteBoilerplateSettings
from tests.conftest import run_workflow

STORY = (
    "Kosovo delayed the licence plate rule by one month on Sunday. "
    "Serbs in the north had blocked roads with trucks. "
    "NATO said its peacekeepers were ready to intervene."
)
NEWSLETTER = "Sign up for the Morning Briefing, our daily email."
BYLINE = "By Jane Doe, Balkans correspondent"


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, missing as None (Arrow and object columns compare equal)."""
    return frame.astype(object).where(frame.notna(), None)


def story(n: int) -> str:
    """A distinct short article."""
    return (
        f"Talks number {n} between Belgrade and Pristina ended without a deal. "
        f"The envoy met {n} officials in Brussels on Thursday. "
        f"Both sides blamed each other for round {n} of the tension."
    )


@pytest.mark.parametrize("n_articles", [5], ids=["site-boilerplate-repeated-line"])
def test_lines_an_outlet_repeats_are_site_boilerplate_with_their_count(make_corpus, n_articles):
    files = {
        f"daily/{i}.txt": f"{BYLINE}\n\n{story(i)}\n\n{NEWSLETTER}\n" for i in range(n_articles)
    }
    files["other.txt"] = f"{story(99)}\n\n{NEWSLETTER}\n"
    rows = [
        {"file": name, "outlet": "Daily" if name.startswith("daily") else "Other"} for name in files
    ]
    result = ingest_corpus(make_corpus(files, rows=rows))
    sents = result.sentences.merge(result.documents[["doc_id", "outlet"]], on="doc_id")
    site = sents[sents["boilerplate_reason"] == "site_boilerplate"]
    assert set(site["text"]) == {NEWSLETTER, BYLINE}
    assert set(site["outlet"]) == {"Daily"}  # the other outlet prints it once: not its template
    lines = result.report["site_boilerplate"]["Daily"]
    assert {line["text"]: line["n_articles"] for line in lines} == {NEWSLETTER: 5, BYLINE: 5}
    assert (result.documents.set_index("outlet").loc["Daily", "n_content_sentences"] == 3).all()


def test_a_line_in_too_few_articles_is_not_site_boilerplate(make_corpus):
    files = {
        f"{i}.txt": story(i) + ("\n\nKosovo declared independence in 2008." if i < 3 else "")
        for i in range(20)
    }
    rows = [{"file": name, "outlet": "Daily"} for name in files]
    result = ingest_corpus(make_corpus(files, rows=rows))
    assert "site_boilerplate" not in set(result.sentences["boilerplate_reason"].dropna())
    strict = ingest_corpus(
        make_corpus(files, rows=rows),
        settings=IngestSettings(
            site_boilerplate=SiteBoilerplateSettings(min_articles=3, min_share=0.1)
        ),
    )
    # (3 of 20 articles: below the default 5 articles, at the lowered 3 and 10 %)
    assert set(
        strict.sentences.loc[strict.sentences["boilerplate_reason"] == "site_boilerplate", "text"]
    ) == {"Kosovo declared independence in 2008."}


@pytest.mark.parametrize(
    "text",
    [
        STORY + " The government said it would rec",
        STORY + " The government said it would reconsider … [+2345 chars]",
    ],
    ids=["truncated-mid-word", "truncated-api-marker"],
)
def test_text_cut_off_keeps_its_last_sentence_flagged_partial(make_corpus, text):
    result = ingest_corpus(make_corpus({"a.txt": text}))
    (last,) = [row for _, row in result.sentences.iterrows() if row["partial"]]
    assert not last["boilerplate"] and last["position"] >= len(result.sentences) - 2
    assert set(result.sentences["boilerplate_reason"].dropna()) <= {"truncation_marker"}
    assert last["text"].startswith("The government said it would rec")
    assert bool(result.documents.loc[0, "truncated"])
    (flag,) = [f for f in result.report["files"][0]["flags"] if f["code"] == "truncated"]
    assert flag["sent_id"] == last["sent_id"]
    assert result.report["n_truncated"] == 1


def test_a_complete_article_is_not_truncated(make_corpus):
    result = ingest_corpus(make_corpus({"a.txt": STORY + "\n\nKosovo Serbs protest\n"}))
    assert not result.sentences["partial"].any()
    assert not result.documents["truncated"].any()


@pytest.mark.parametrize(
    "stamp, date, time",
    [
        ("2022-08-18T14:03:00Z", "2022-08-18", "14:03:00+00:00"),
        ("Thu, 18 Aug 2022 14:03:00 +0200", "2022-08-18", "14:03:00+02:00"),
        ("2022-08-18 00:30:00+02:00", "2022-08-18", "00:30:00+02:00"),
        ("2022-08-18", "2022-08-18", None),
    ],
    ids=[
        "timestamp-iso-zulu",
        "timestamp-rfc2822-offset",
        "timestamp-local-day-kept",
        "timestamp-date-only",
    ],
)
def test_timestamps_become_dates_with_the_time_in_its_own_column(make_corpus, stamp, date, time):
    folder = make_corpus({"a.txt": STORY}, rows=[{"file": "a.txt", "outlet": "X", "date": stamp}])
    doc = ingest_corpus(folder).documents.iloc[0]
    assert (doc["date"], doc["time"]) == (date, time)


def test_bad_timestamp_is_an_error_naming_the_file(make_corpus):
    folder = make_corpus(
        {"a.txt": STORY}, rows=[{"file": "a.txt", "outlet": "X", "date": "18/08/2022 2pm"}]
    )
    with pytest.raises(CorpusError, match=r"line 2: date '18/08/2022 2pm' for 'a.txt' is not"):
        ingest_corpus(folder)


def test_syndicated_story_is_kept_in_every_outlet_and_marked(make_corpus):
    wire = f"{STORY} Officials will meet again next week."
    files = {"ap.txt": wire, "abc.txt": f"{BYLINE}\n\n{wire}", "nbc.txt": wire, "own.txt": story(1)}
    rows = [
        {"file": "ap.txt", "outlet": "AP", "date": "2022-08-01T09:00:00Z"},
        {"file": "abc.txt", "outlet": "ABC", "date": "2022-08-01T11:00:00Z"},
        {"file": "nbc.txt", "outlet": "NBC", "date": "2022-08-02"},
        {"file": "own.txt", "outlet": "AP", "date": "2022-08-01"},
    ]
    # ABC adds a byline: a copy is word for word in its sentences of six words or more.
    result = ingest_corpus(make_corpus(files, rows=rows))
    docs = result.documents.set_index("doc_id")
    assert len(docs) == 4
    assert docs["syndicated_of"].dropna().to_dict() == {"abc": "ap", "nbc": "ap"}
    assert result.report["n_syndicated"] == 2


def test_a_structural_and_a_content_problem_are_reported_together(make_corpus):
    folder = make_corpus(
        {"a.txt": STORY, "empty.txt": "   \n", "unlisted.txt": STORY},
        rows=[{"file": "a.txt", "outlet": "X"}, {"file": "empty.txt", "outlet": "X"}],
    )
    from framelens.corpus import check_corpus_source

    with pytest.raises(CorpusError) as excinfo:
        check_corpus_source(str(folder), IngestSettings())
    message = str(excinfo.value)
    assert "unlisted.txt: not listed in metadata.csv" in message
    assert "empty.txt: empty or whitespace-only article" in message


def test_problems_the_run_stops_on_are_shown_in_the_terminal(make_corpus, tmp_path):
    """A broken corpus stops `snakemake` before any job, with every problem on stderr."""
    folder = make_corpus(
        {"a.txt": STORY, "empty.txt": "", "unlisted.txt": STORY},
        rows=[{"file": "a.txt", "outlet": "X"}, {"file": "empty.txt", "outlet": "X"}],
    )
    run = run_workflow(tmp_path, "--dry-run", "--config", f"corpus={folder}")
    assert run.returncode != 0
    assert "unlisted.txt: not listed in metadata.csv" in run.stderr
    assert "empty.txt: empty or whitespace-only article" in run.stderr


def test_streamed_ingest_writes_the_same_tables_as_in_memory(make_corpus, tmp_path, monkeypatch):
    """Spilling sentence chunks to disk (a tiny chunk size here) changes no value."""
    files = {f"daily/{i}.txt": f"{story(i)}\n\n{NEWSLETTER}\n" for i in range(6)}
    files["copy.txt"] = f"{story(2)}\n"
    rows = [{"file": name, "outlet": "Daily" if "/" in name else "Copy"} for name in files]
    folder = make_corpus(files, rows=rows)
    expected = ingest_corpus(folder)
    monkeypatch.setattr("framelens.corpus.CHUNK_ROWS", 5)
    report = ingest_to_files(
        folder,
        IngestSettings(),
        documents=tmp_path / "out" / "d.parquet",
        sentences=tmp_path / "out" / "s.parquet",
    )
    pd.testing.assert_frame_equal(
        as_objects(pd.read_parquet(tmp_path / "out" / "s.parquet")), as_objects(expected.sentences)
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out" / "d.parquet"), expected.documents
    )
    assert json.dumps(report, sort_keys=True, default=str) == json.dumps(
        expected.report, sort_keys=True, default=str
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["d.parquet", "s.parquet"]


def test_reuse_statistics_can_exclude_syndication():
    from framelens.overlap import drop_syndicated_pairs

    docs = pd.DataFrame(
        {"doc_id": ["ap", "abc", "nbc", "own"], "syndicated_of": ["", "ap", "ap", ""]}
    ).replace("", None)
    pairs = pd.DataFrame(
        {"doc_id_a": ["ap", "abc", "ap", "own"], "doc_id_b": ["abc", "nbc", "own", "nbc"]}
    )
    kept = drop_syndicated_pairs(pairs, docs)
    assert kept[["doc_id_a", "doc_id_b"]].values.tolist() == [["ap", "own"], ["own", "nbc"]]


def test_site_boilerplate_never_empties_an_article(make_corpus):
    """One story an outlet publishes under several ids is its story, not its template."""
    files = {f"{i}.txt": STORY for i in range(5)}
    files.update({f"n{i}.txt": f"{story(i)}\n\n{NEWSLETTER}" for i in range(5)})
    rows = [{"file": name, "outlet": "Daily"} for name in files]
    result = ingest_corpus(make_corpus(files, rows=rows))
    assert result.report["n_no_content"] == 0
    site = result.sentences[result.sentences["boilerplate_reason"] == "site_boilerplate"]
    assert set(site["text"]) == {NEWSLETTER}
