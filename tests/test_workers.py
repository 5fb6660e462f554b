"""A job's events over worker processes: results in order, the same tables for any count."""

from __future__ import annotations

import itertools
import json
import zlib

import numpy as np
import pandas as pd
import pytest

from framelens import corpus
from framelens.align import align_corpus
from framelens.basics.tables import outlet_keys
from framelens.claims import cluster_claims
from framelens.corpus import IngestSettings, ingest_corpus, ingest_to_files
from framelens.errors import FramelensError
from framelens.quotes import find_quotes
from framelens.settings import Thresholds
from framelens.similarity import story_text
from framelens.workers import PIECES, balanced_pieces, map_pieces, ordered_map

from .conftest import SEEDS


def test_ordered_map_gives_each_piece_in_order_from_the_callers_data():
    data = np.arange(50) ** 2  # seen by the forked workers, not sent to them
    expected = [int(data[i]) for i in range(50)]
    for workers in (1, 3):
        assert list(ordered_map(lambda i: int(data[i]), 50, workers)) == expected


def test_a_failing_piece_fails_the_map_with_its_message():
    def task(i: int) -> int:
        if i == 7:
            raise FramelensError("piece 7: bad row")
        return i

    with pytest.raises(FramelensError, match="piece 7: bad row"):
        list(ordered_map(task, 10, 2))


def test_balanced_pieces_cover_every_item_once_in_order():
    rng = np.random.default_rng(2)
    weights = rng.integers(1, 400, size=300)
    pieces = balanced_pieces(weights)
    assert len(pieces) == PIECES
    assert pieces[0].start == 0 and pieces[-1].stop == 300
    assert all(a.stop == b.start for a, b in itertools.pairwise(pieces))
    sums = [int(weights[p].sum()) for p in pieces]
    assert max(sums) < 1.5 * weights.sum() / PIECES
    assert balanced_pieces(weights, 1) == [slice(0, 300)]
    assert balanced_pieces([], 4) == [slice(0, 0)]
    assert balanced_pieces([1, 1], 4) == [slice(0, 1), slice(1, 2)]  # never an empty piece


def test_map_pieces_cuts_the_same_pieces_for_any_worker_count():
    items = list(range(100))
    one = map_pieces(tuple, items, 1, weights=[i % 7 + 1 for i in items])
    three = map_pieces(tuple, items, 3, weights=[i % 7 + 1 for i in items])
    assert one == three and len(one) == PIECES
    assert [i for piece in one for i in piece] == items


@pytest.fixture(scope="module")
def many_events():
    """The seed articles copied into six events (and a lone article in a seventh), with
    vectors drawn from each text's hash: identical texts get identical vectors."""
    result = ingest_corpus(SEEDS)
    docs, sents = [], []
    for e in range(6):
        docs.append(result.documents.assign(doc_id=f"e{e}-" + result.documents["doc_id"]))
        copy = result.sentences.assign(
            doc_id=f"e{e}-" + result.sentences["doc_id"],
            sent_id=f"e{e}-" + result.sentences["sent_id"],
        )
        sents.append(copy.iloc[: len(copy) - 3 * e])  # events of different sizes
    documents = pd.concat(docs, ignore_index=True)
    sentences = pd.concat(sents, ignore_index=True)
    documents = documents[documents["doc_id"].isin(sentences["doc_id"])].reset_index(drop=True)
    events = pd.Series(
        documents["doc_id"].str.split("-").str[0].to_numpy(), index=documents["doc_id"]
    )
    vectors = np.stack(
        [np.random.default_rng(zlib.crc32(t.encode())).normal(size=16) for t in sentences["text"]]
    ).astype(np.float32)
    return sentences, documents, events, vectors


def test_alignment_and_claims_are_the_same_for_any_worker_count(many_events):
    sentences, documents, events, vectors = many_events
    thresholds = Thresholds(rewrite_alone=0.79, paraphrase=0.66)
    aligned = {
        workers: align_corpus(
            vectors, sentences, documents, thresholds, events=events, workers=workers
        )
        for workers in (1, 3)
    }
    assert aligned[1]["event"].nunique() == 6 and aligned[1]["relation"].nunique() > 1
    pd.testing.assert_frame_equal(aligned[1], aligned[3])
    event_table = events.rename("event_id").rename_axis("doc_id").reset_index()
    claims = {
        workers: cluster_claims(
            vectors,
            sentences,
            event_table,
            aligned[1],
            outlet_keys(documents),
            threshold=0.61,
            workers=workers,
        )
        for workers in (1, 3)
    }
    assert claims[1]["event_id"].nunique() == 6
    pd.testing.assert_frame_equal(claims[1], claims[3])


def test_quotes_are_the_same_for_any_worker_count(many_events):
    sentences, _, events, _ = many_events
    content = sentences[~sentences["boilerplate"] & sentences["duplicate_of"].isna()]
    one = find_quotes(content, events=events)
    three = find_quotes(content, events=events, workers=3)
    assert one["doc_id"].str[:2].nunique() == 6  # quotes in every event
    pd.testing.assert_frame_equal(one, three)


def test_ingest_is_the_same_for_any_worker_count_and_batch(tmp_path, monkeypatch):
    outputs = {}
    for name, workers, at_once in (("one", 1, 2048), ("three", 3, 2)):
        monkeypatch.setattr(corpus, "RECORDS_AT_ONCE", at_once)
        folder = tmp_path / name
        folder.mkdir()
        report = ingest_to_files(
            SEEDS,
            IngestSettings(),
            documents=folder / "documents.parquet",
            sentences=folder / "sentences.parquet",
            workers=workers,
        )
        outputs[name] = (
            (folder / "documents.parquet").read_bytes(),
            (folder / "sentences.parquet").read_bytes(),
            json.dumps(report, sort_keys=True),
        )
    assert outputs["one"] == outputs["three"]


def test_story_profiles_are_the_same_for_any_worker_count(many_events):
    sentences, documents, _, _ = many_events
    doc_ids = sorted(documents["doc_id"])
    one = story_text(sentences, doc_ids)
    two = story_text(sentences, doc_ids, workers=2)
    for view in ("names", "words", "cross_names"):
        a, b = getattr(one, view), getattr(two, view)
        assert a.shape == b.shape and (a != b).nnz == 0, view
    assert one.names.nnz > 0 and one.words.nnz > 0
