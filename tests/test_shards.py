"""Event shards (framelens/shards.py): the plan, reading a shard's rows, gathering parts;
and, slow, the workflow's tables byte-identical for event_shards 1 and 3."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import yaml

from bench.revisions import compare
from bench.shards import TABLES
from framelens.errors import FramelensError
from framelens.shards import (
    EventShard,
    gather_frames,
    plan_event_shards,
    read_shard_sentences,
    read_vector_rows,
)
from framelens.vectorfile import save_vectors
from framelens.vocabulary import CellCounts, cell_counts, distinctive_from_counts

from .conftest import ROOT, SHARED
from .runs import snakemake


def test_plan_every_event_once_whole_and_balanced():
    rng = np.random.default_rng(0)
    weights = pd.Series(rng.integers(1, 200, 50), index=[f"e{i:02d}" for i in range(50)])
    plan = plan_event_shards(weights, 4)
    assert sorted(plan.index) == sorted(weights.index)  # every event exactly once
    assert set(plan) <= {0, 1, 2, 3}
    loads = weights.groupby(plan).sum()
    assert loads.max() - loads.min() <= weights.max()  # greedy longest-first bound


def test_plan_depends_on_the_data_only():
    weights = pd.Series({"b": 3, "a": 3, "c": 5, "d": 1})
    shuffled = weights.sample(frac=1, random_state=1)
    assert plan_event_shards(weights, 2).equals(plan_event_shards(shuffled, 2))
    # heaviest first, ties by event id, each to the lightest shard (ties: lower shard)
    assert plan_event_shards(weights, 2).to_dict() == {"a": 1, "b": 1, "c": 0, "d": 0}


def test_plan_more_shards_than_events_and_one_shard():
    weights = pd.Series({"x": 2, "y": 1})
    assert plan_event_shards(weights, 5).to_dict() == {"x": 0, "y": 1}
    assert set(plan_event_shards(weights, 1)) == {0}
    assert plan_event_shards(pd.Series(dtype=np.int64), 3).empty
    with pytest.raises(FramelensError, match="event_shards"):
        plan_event_shards(weights, 0)


def _corpus(tmp_path: Path) -> tuple[str, str, str, pd.DataFrame, np.ndarray]:
    sents = pd.DataFrame(
        {
            "sent_id": [f"s{i}" for i in range(8)],
            "doc_id": ["d1", "d1", "d2", "d3", "d3", "d3", "d4", "d2"],
            "text": [f"sentence {i}" for i in range(8)],
            "boilerplate": [False] * 7 + [True],
            "duplicate_of": [None] * 8,
        }
    )
    vectors = np.arange(8 * 3, dtype=np.float32).reshape(8, 3)
    sentences = str(tmp_path / "sentences.parquet")
    sents.to_parquet(sentences, index=False)
    vec = str(tmp_path / "vectors.npz")
    save_vectors(vec, sents["sent_id"].tolist(), vectors)
    events = str(tmp_path / "events.csv")
    pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4"], "event_id": ["A", "A", "B", "C"]}).to_csv(
        events, index=False
    )
    return sentences, vec, events, sents, vectors


def test_shards_read_only_their_events_rows(tmp_path):
    sentences, vec, events, sents, vectors = _corpus(tmp_path)
    seen: list[str] = []
    for shard in range(3):
        part = EventShard.read(events, sentences, shard, 3)
        rows_table, rows = read_shard_sentences(sentences, part.doc_ids)
        assert rows_table["sent_id"].tolist() == sents["sent_id"].iloc[rows].tolist()
        got = read_vector_rows(vec, rows, rows_table["sent_id"].tolist())
        np.testing.assert_array_equal(got, vectors[rows])
        seen += part.events["event_id"].unique().tolist()
    assert sorted(seen) == ["A", "B", "C"]  # whole events, each once
    empty = EventShard.read(events, sentences, 4, 5)  # more shards than events
    none, rows = read_shard_sentences(sentences, empty.doc_ids, ["sent_id", "doc_id", "text"])
    assert empty.events.empty and none.empty and list(none.columns) == ["sent_id", "doc_id", "text"]
    assert read_vector_rows(vec, rows, []).shape == (0, 3)
    sparse = str(tmp_path / "sparse.npz")
    save_vectors(sparse, sents["sent_id"].tolist(), sp.csr_matrix(vectors))
    got = read_vector_rows(sparse, np.array([1, 3]), ["s1", "s3"])
    np.testing.assert_array_equal(got.toarray(), vectors[[1, 3]])
    with pytest.raises(FramelensError, match="rerun the embed rule"):
        read_vector_rows(vec, np.array([1]), ["s2"])
    with pytest.raises(FramelensError, match="event shard"):
        EventShard.read(events, sentences, 3, 3)


def test_gather_sorts_stably_by_event(tmp_path):
    parts = []
    for i, frame in enumerate(
        [
            pd.DataFrame({"event": ["b", "b", "d"], "v": [1, 2, 3]}),
            pd.DataFrame({"event": ["a", "c"], "v": [4, 5]}),
            pd.DataFrame({"event": pd.Series([], dtype=object), "v": pd.Series([], dtype=int)}),
        ]
    ):
        path = tmp_path / f"{i}.parquet"
        frame.to_parquet(path, index=False)
        parts.append(str(path))
    table = gather_frames(parts, "event")
    assert table["event"].tolist() == ["a", "b", "b", "c", "d"]
    assert table["v"].tolist() == [4, 1, 2, 5, 3]


def test_vocabulary_from_shard_counts_equals_whole(tmp_path):
    docs = pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d4", "d5", "d6"],
            "outlet": ["x", "y", "x", "y", "z", "x"],
            "outlet_label": ["X", "Y", "X", "Y", "Z", "X"],
        }
    )
    events = pd.Series(["A", "A", "B", "B", "B", "C"], index=docs["doc_id"])
    words = ["troops crossed border", "army crossed frontier today", "storm hit coast"]
    sents = pd.DataFrame(
        {
            "doc_id": [d for d in docs["doc_id"] for _ in range(3)],
            "text": [
                f"{words[(i + j) % 3]} {d}" for i, d in enumerate(docs["doc_id"]) for j in range(3)
            ],
        }
    )
    whole = distinctive_from_counts(cell_counts(sents, docs, events=events), top=5)
    parts = []
    for chosen in (["B"], ["A", "C"]):
        mine = events[events.isin(chosen)].index
        path = str(tmp_path / f"{chosen[0]}.npz")
        cell_counts(
            sents[sents["doc_id"].isin(mine)], docs[docs["doc_id"].isin(mine)], events=events[mine]
        ).save(path)
        parts.append(CellCounts.load(path))
    pd.testing.assert_frame_equal(
        distinctive_from_counts(CellCounts.concat(parts), top=5), whole, check_exact=True
    )


ECBPLUS = SHARED / "data" / "ecbplus"


@pytest.mark.slow
@pytest.mark.skipif(
    not (ECBPLUS / "gold_events.csv").is_file(), reason="ECB+ is not in ../shared/data"
)
def test_event_shards_give_byte_identical_tables(tmp_path):
    """A small synthetic corpus (60 articles, 9 events), tfidf only: event_shards 1 and 3
    write the same tables, byte for byte (bench.revisions.compare). The second run starts
    from the first's ingest, embedding and events (bench.shards.seed_upstream)."""
    from bench.shards import seed_upstream
    from bench.synthetic import generate

    corpus = tmp_path / "corpus"
    generate(60, corpus, seed=7, n_events=9, ecbplus=ECBPLUS)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["models"] = {"tfidf": config["models"]["tfidf"]}
    config["corpus"] = str(corpus)
    runs = []
    for shards in (1, 3):
        workdir = tmp_path / f"shards{shards}"
        workdir.mkdir()
        if runs:
            seed_upstream(runs[0].parent, workdir, ["tfidf"])
        (workdir / "config.yaml").write_text(
            yaml.safe_dump({**config, "event_shards": shards}), encoding="utf-8"
        )
        targets = [f"results/tfidf/{name}" for name in TABLES]
        done = snakemake(workdir, "--cores", "2", *targets)
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(workdir / "results")
    parts = sorted(p.name for p in (runs[1] / "tfidf" / "event_shards").iterdir())
    assert parts == ["0", "1", "2"]
    report = compare(runs[0], runs[1])
    assert report["different"] == report["same_values"] == [], report
    assert report["only_base"] == report["only_new"] == [], report
    assert len(report["identical"]) >= len(TABLES), report


def test_gather_types_a_part_without_values_like_the_others(tmp_path):
    """A part whose column is all None (Parquet: no type) does not turn the gathered
    column to object: it has the type one job's table has."""
    paths = []
    for i, values in enumerate([["x", None], [None, None]]):
        path = tmp_path / f"{i}.parquet"
        pd.DataFrame({"event": [f"e{i}", f"e{i}"], "source": values, "v": [1.0, None]}).to_parquet(
            path, index=False
        )
        paths.append(str(path))
    whole = pd.DataFrame({"event": ["e0", "e0", "e1", "e1"], "source": ["x", None, None, None]})
    table = gather_frames(paths, "event")
    assert table["source"].dtype == whole["source"].dtype
    assert table["v"].dtype == np.float64


def test_scale_bench_folds_event_shards_into_their_stage(tmp_path):
    from bench.scale.measure import benchmark_table

    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for rule, job, seconds, rss in [
        ("align_shard", "static-0", 4.0, 300.0),
        ("align_shard", "static-1", 5.0, 350.0),
        ("align", "static", 1.0, 200.0),
    ]:
        folder = tmp_path / "benchmarks" / rule
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{job}.tsv").write_text(
            header + f"{seconds}\t0:00:05\t{rss}\t1\t{rss}\t1\t0\t0\t1\t{seconds}\n"
        )
    stages = benchmark_table(tmp_path)
    assert set(stages) == {"align/static"}
    assert stages["align/static"]["s"] == 10.0 and stages["align/static"]["max_rss"] == 350.0
    assert stages["align/static"]["shards"] == 2 and stages["align/static"]["gather_s"] == 1.0
