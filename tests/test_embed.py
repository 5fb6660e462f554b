"""Embedding cache and document vectors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from framelens.basics.similarity import document_vectors
from framelens.embed import (
    EmbeddingCache,
    embed_texts,
    fingerprint,
    text_key,
)
from framelens.models import ModelSpec
from framelens.vectorfile import load_vectors, save_vectors


class CountingEncoder:
    """A fake model: vectors from character counts; remembers what it was asked to encode."""

    cacheable = True

    def __init__(self) -> None:
        self.spec = ModelSpec.from_config("fake", {"kind": "package", "name": "fake"})
        self.calls: list[list[str]] = []

    def identity(self) -> dict:
        return {"key": "fake", "name": "counting", "weights_sha256": "0" * 64}

    def encode(self, texts, *, show_progress=False):
        self.calls.append(list(texts))
        vectors = np.array([[len(t), t.count("a") + 1, 1.0] for t in texts], dtype=np.float32)
        return (
            vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            if len(texts)
            else np.zeros((0, 3), np.float32)
        )

    def count_truncated(self, texts):
        return sum(len(t) > 20 for t in texts)


def test_cache_embeds_only_new_texts_and_returns_identical_vectors(tmp_path):
    encoder = CountingEncoder()
    cache = EmbeddingCache(tmp_path, fingerprint(encoder.identity()))
    first, stats1 = embed_texts(["a", "bb", "a"], encoder, cache)
    assert encoder.calls == [["bb", "a"]]  # the repeat is encoded once; longest first
    assert (stats1.n_sentences, stats1.n_unique, stats1.n_encoded) == (3, 2, 2)
    second, stats2 = embed_texts(["bb", "ccc", "a"], encoder, cache)
    assert encoder.calls[-1] == ["ccc"]
    assert (stats2.n_cached, stats2.n_encoded) == (2, 1)
    np.testing.assert_array_equal(second[[0, 2]], first[[1, 0]])


def test_chunks_are_stored_as_they_finish(tmp_path):
    """An interruption after the first chunk keeps that chunk in the cache."""

    class FailingEncoder(CountingEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.spec = ModelSpec.from_config(
                "fake", {"kind": "package", "name": "fake", "batch_size": 2}
            )

        def encode(self, texts, *, show_progress=False):
            if self.calls:
                raise KeyboardInterrupt
            return super().encode(texts)

    encoder = FailingEncoder()
    cache = EmbeddingCache(tmp_path, fingerprint(encoder.identity()))
    with pytest.raises(KeyboardInterrupt):  # longest first: dddd, ccc | bb, a
        embed_texts(["a", "bb", "ccc", "dddd"], encoder, cache, chunk_size=2)
    assert set(cache.lookup([text_key(t) for t in ["a", "ccc", "dddd"]])) == {
        text_key("dddd"),
        text_key("ccc"),
    }
    again = CountingEncoder()
    _, stats = embed_texts(["a", "bb", "ccc", "dddd"], again, cache, chunk_size=2)
    assert again.calls == [["bb", "a"]] and stats.n_cached == 2


def test_cache_is_keyed_by_model_identity(tmp_path):
    encoder = CountingEncoder()
    embed_texts(["a"], encoder, EmbeddingCache(tmp_path, fingerprint(encoder.identity())))
    other = EmbeddingCache(tmp_path, fingerprint({**encoder.identity(), "weights_sha256": "1"}))
    assert other.lookup(["anything"]) == {}
    assert len(list(tmp_path.iterdir())) == 1


def test_fingerprint_ignores_device_but_not_weights():
    base = {"name": "m", "weights_sha256": "a", "device": "cpu"}
    assert fingerprint(base) == fingerprint({**base, "device": "cuda"})
    assert fingerprint(base) != fingerprint({**base, "weights_sha256": "b"})


def test_cache_ignores_half_written_files(tmp_path):
    encoder = CountingEncoder()
    cache = EmbeddingCache(tmp_path, fingerprint(encoder.identity()))
    cache.folder.mkdir(parents=True)
    (cache.folder / ".shard-x.npz.part").write_bytes(b"truncated")
    vectors, stats = embed_texts(["a"], encoder, cache)
    assert stats.n_encoded == 1 and vectors.shape == (1, 3)


def test_vectors_roundtrip_dense_and_sparse(tmp_path):
    dense = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    save_vectors(tmp_path / "d.npz", ["s1", "s2", "s3"], dense)
    ids, back = load_vectors(tmp_path / "d.npz")
    assert ids == ["s1", "s2", "s3"]
    np.testing.assert_array_equal(back, dense)
    sparse = sp.random(3, 50, density=0.1, format="csr", random_state=0, dtype=np.float32)
    save_vectors(tmp_path / "s.npz", ids, sparse)
    np.testing.assert_array_equal(load_vectors(tmp_path / "s.npz")[1].toarray(), sparse.toarray())


def test_document_vector_is_the_normalised_mean_of_content_sentences():
    vectors = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 1]], dtype=np.float32)
    sentences = pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d1", "d2", "d3"],
            "boilerplate": [False, False, True, False, True],
            "duplicate_of": [None, None, None, None, None],
        }
    )
    docs = document_vectors(vectors, sentences, ["d1", "d2", "d3"])
    np.testing.assert_allclose(docs[0], [2**-0.5, 2**-0.5], atol=1e-6)
    np.testing.assert_allclose(docs[1], [0, 1])
    np.testing.assert_array_equal(docs[2], [0, 0])  # nothing but boilerplate


def test_long_documents_are_not_truncated():
    """Every sentence counts, however long the article: the last sentence moves the vector."""
    n = 500
    vectors = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (n, 1))
    vectors[-1] = [0.0, 1.0]
    sentences = pd.DataFrame(
        {"doc_id": ["d"] * n, "boilerplate": [False] * n, "duplicate_of": [None] * n}
    )
    assert document_vectors(vectors, sentences, ["d"])[0, 1] > 0


@pytest.mark.parametrize("bad", [np.array(["x"], dtype=object)])
def test_object_arrays_are_never_pickled(tmp_path, bad):
    from framelens.io import write_arrays

    with pytest.raises(TypeError, match="refusing to pickle"):
        write_arrays({"bad": bad}, tmp_path / "x.npz")


def test_outputs_are_readable_by_others_as_the_umask_allows(tmp_path):
    import os
    import stat

    from framelens.io import write_json

    old = os.umask(0o022)
    try:
        write_json({"a": 1}, tmp_path / "x.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.json").stat().st_mode) == 0o644
