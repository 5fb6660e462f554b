"""The synthetic-corpus generator (bench.synthetic): ingestible, consistent gold,
deterministic. Reads ECB+ from ../shared/data/ecbplus; skipped where it is absent."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench import synthetic
from framelens.corpus import ingest_corpus

from .conftest import ROOT, SHARED

ECBPLUS = SHARED / "data" / "ecbplus"
N = 50

pytestmark = pytest.mark.skipif(
    not (ECBPLUS / "gold_events.csv").is_file(), reason="ECB+ is not in ../shared/data/ecbplus"
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "corpus"
    synthetic.generate(N, out, seed=42, ecbplus=ECBPLUS)
    return out


def test_it_ingests_with_no_event_column(corpus):
    result = ingest_corpus(corpus)
    assert len(result.documents) == N
    assert result.documents["event"].isna().all()
    assert result.documents["date"].notna().all()
    assert not result.sentences["boilerplate"].any()
    assert result.sentences["duplicate_of"].isna().all()
    assert result.documents["n_sentences"].between(10, 25).all()
    assert list(rows(corpus / "metadata.csv")[0]) == ["file", "outlet", "date"]


def test_events_and_outlets_have_the_intended_shape(corpus):
    events = rows(corpus / "gold_events.csv")
    meta = {r["file"]: r for r in rows(corpus / "metadata.csv")}
    assert sorted(r["file"] for r in events) == sorted(meta)
    sizes = Counter(r["event"] for r in events)
    assert len(sizes) == N // 10 and min(sizes.values()) >= 2
    for event in sizes:  # an event's articles lie within a few days of each other
        dates = sorted(
            dt.date.fromisoformat(meta[r["file"]]["date"]) for r in events if r["event"] == event
        )
        assert (dates[-1] - dates[0]).days <= 3
    assert len({r["outlet"] for r in meta.values()}) > 5


def test_every_gold_pair_is_in_the_named_files(corpus):
    result = ingest_corpus(corpus)
    doc_of = dict(zip(result.documents["file"], result.documents["doc_id"], strict=True))
    placed = set(
        zip(
            result.sentences["doc_id"],
            result.sentences["position"],
            result.sentences["text"],
            strict=True,
        )
    )
    event_of = {r["file"]: r["event"] for r in rows(corpus / "gold_events.csv")}
    pairs = rows(corpus / "gold_reuse.csv")
    planted = [p for p in pairs if p["planted"] == "True"]
    assert planted, "no planted reuse at all"
    for pair in pairs:
        for side in "ab":
            file, index, text = (
                pair[f"file_{side}"],
                int(pair[f"index_{side}"]),
                pair[f"text_{side}"],
            )
            lines = (corpus / file).read_text(encoding="utf-8").split("\n\n")
            assert lines[index].strip() == text
            assert (doc_of[file], index, text) in placed
        assert event_of[pair["file_a"]] == event_of[pair["file_b"]] == pair["event"]
        assert pair["file_a"] != pair["file_b"]
        assert pair["relation"] == ("verbatim" if pair["text_a"] == pair["text_b"] else "rewrite")
    assert {p["how"] for p in planted} <= {"copy", "trimmed", "reordered"}


def test_about_a_fifth_of_articles_reuse_a_fifth_to_a_half(corpus):
    pairs = [p for p in rows(corpus / "gold_reuse.csv") if p["planted"] == "True"]
    copied = Counter(p["file_b"] for p in pairs)
    lengths = {f: len((corpus / f).read_text(encoding="utf-8").split("\n\n")) for f in copied}
    assert 0.05 <= len(copied) / N <= 0.4
    for file, count in copied.items():
        assert 0.15 <= count / lengths[file] <= 0.55


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path, corpus):
    for name, seed in (("again", 42), ("other", 7)):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.synthetic",
                "--n",
                str(N),
                "--out",
                str(tmp_path / name),
                "--seed",
                str(seed),
                "--ecbplus",
                str(ECBPLUS),
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    assert snapshot(tmp_path / "again") == snapshot(corpus)
    assert snapshot(tmp_path / "other") != snapshot(corpus)


def test_near_repeats_stand_as_the_sentence_they_repeat():
    group = synthetic.near_repeat_groups(
        [
            "The minister resigned on Tuesday after a long dispute over the budget.",
            "Rain fell across the northern hills for most of the week.",
            "the minister resigned on tuesday after a long dispute over the budget",  # same key
            "The minister resigned on Tuesday after a long dispute, officials said.",  # near
            "Rain fell across the northern hills for most of the week.",  # exact repeat
            "Shares in the carmaker rose sharply in early trading.",
        ]
    )
    assert group == [0, 1, 0, 0, 1, 5]


def test_articles_retell_their_source_events_documents():
    """Every sentence of an article comes from its ECB+ source event's documents (no
    other event's), and most articles open with a document's first sentences."""
    pool, documents = synthetic.read_pool(ECBPLUS)
    articles, events = synthetic.build_corpus(pool, documents, 200, seed=3)
    opening = 0
    for article in articles:
        source = events[article.event]["ecb_event"]
        allowed = {uid for doc in documents[source] for uid in doc}
        assert {s.origin for s in article.sentences} <= allowed, source
        fresh = [s.origin for s in article.sentences if s.how == "fresh"]
        opening += any(doc[:2] == fresh[:2] for doc in documents[source])
    assert opening / len(articles) > 0.5
    pairs = synthetic.gold_pairs(articles, {a.index: str(a.index) for a in articles})
    shared = {(p["file_a"], p["file_b"]) for p in pairs if p["how"] == "pool"}
    assert shared, "articles of one event never share a sentence"
