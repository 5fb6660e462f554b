"""Embedding: sentence vectors with an on-disk cache, and document vectors from them.

The cache is content-addressed: a vector is stored under the SHA-256 of its
text, inside a folder named by the model's fingerprint (a hash of its
identity: source, revision or weights hash, dimension, ...). A rerun, or a
corpus with a few new articles, embeds only texts the cache has not seen.
Cache shards are ``.npz`` files written atomically and read with
``allow_pickle=False``; a killed run leaves at most an unused temp file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.io import read_arrays, write_arrays
from framelens.models import Encoder

log = logging.getLogger(__name__)

Matrix = np.ndarray | sp.csr_matrix


def text_key(text: str) -> str:
    """Cache key of one text: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(identity: dict[str, Any]) -> str:
    """Short stable hash of a model identity (device and run details excluded)."""
    stable = {k: v for k, v in identity.items() if k not in {"key", "device"}}
    blob = json.dumps(stable, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


class EmbeddingCache:
    """Vectors of one model, stored as ``shard-*.npz`` files under ``root/<fingerprint>/``."""

    def __init__(self, root: str | Path, model_fingerprint: str) -> None:
        self.folder = Path(root) / model_fingerprint

    def shards(self) -> list[Path]:
        """Complete shard files, in a stable order."""
        return sorted(self.folder.glob("shard-*.npz"))

    def lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        """Vectors for those ``keys`` that are cached (only matching shards are read whole)."""
        wanted = set(keys)
        found: dict[str, np.ndarray] = {}
        for shard in self.shards():
            with np.load(shard, allow_pickle=False) as data:
                shard_keys = data["keys"]
                hits = [i for i, k in enumerate(shard_keys) if k in wanted and k not in found]
                if hits:
                    vectors = data["vectors"]
                    found.update((str(shard_keys[i]), vectors[i]) for i in hits)
        return found

    def store(self, keys: list[str], vectors: np.ndarray) -> None:
        """Add vectors as a new shard; the name is derived from its keys, so it is stable."""
        if not keys:
            return
        name = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
        write_arrays({"keys": np.asarray(keys, dtype="U64"),
                      "vectors": np.asarray(vectors, dtype=np.float32)},
                     self.folder / f"shard-{name}.npz")


@dataclass
class EmbeddingStats:
    """What one embedding job did, for the report and provenance."""

    n_sentences: int
    n_unique: int
    n_cached: int
    n_encoded: int
    n_truncated: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-able summary including throughput of the texts actually encoded."""
        rate = self.n_encoded / self.seconds if self.seconds > 0 and self.n_encoded else None
        return {**self.__dict__, "sentences_per_second": rate}


def embed_texts(
    texts: list[str], encoder: Encoder, cache: EmbeddingCache | None = None,
    *, show_progress: bool = False, chunk_size: int = 4096,
) -> tuple[Matrix, EmbeddingStats]:
    """Vectors for ``texts`` (one row each, same order), using and filling the cache.

    Identical texts are encoded once. New texts are encoded in chunks of
    ``chunk_size`` and each chunk is stored as soon as it is done, so an
    interrupted run keeps what it finished. Returns the matrix and what was done.
    """
    start = time.perf_counter()
    unique = list(dict.fromkeys(texts))
    row_of = {t: i for i, t in enumerate(unique)}
    n_truncated = encoder.count_truncated(unique)
    if cache is None or not encoder.cacheable:
        matrix = encoder.encode(unique, show_progress=show_progress)
        n_cached = 0
    else:
        keys = [text_key(t) for t in unique]
        found = cache.lookup(keys)
        n_cached = len(found)
        missing = [i for i, k in enumerate(keys) if k not in found]
        log.info("cache has %d of %d unique texts; encoding %d", n_cached, len(unique),
                 len(missing))
        for offset in range(0, len(missing), chunk_size):
            chunk = missing[offset:offset + chunk_size]
            fresh = encoder.encode([unique[i] for i in chunk], show_progress=show_progress)
            cache.store([keys[i] for i in chunk], fresh)
            found.update(zip((keys[i] for i in chunk), fresh, strict=True))
        matrix = (np.stack([found[k] for k in keys]) if keys
                  else np.zeros((0, 0), dtype=np.float32))
    order = np.fromiter((row_of[t] for t in texts), dtype=np.int64, count=len(texts))
    stats = EmbeddingStats(len(texts), len(unique), n_cached, len(unique) - n_cached,
                           n_truncated, time.perf_counter() - start)
    return matrix[order], stats


def l2_normalise(matrix: Matrix) -> Matrix:
    """Rows scaled to unit length; all-zero rows stay zero."""
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1, copy=True)


def content_mask(sentences: pd.DataFrame) -> np.ndarray:
    """Sentences that carry content: not boilerplate and not a repeat inside their document."""
    return (~sentences["boilerplate"].to_numpy(bool)) & sentences["duplicate_of"].isna().to_numpy()


def document_vectors(vectors: Matrix, sentences: pd.DataFrame, doc_ids: list[str]) -> np.ndarray:
    """Mean of each document's content-sentence vectors, L2-normalised; shape [n_docs, dim].

    Built from every sentence, so no part of a long article is truncated away.
    A document without content sentences gets a zero row.
    """
    mask = content_mask(sentences)
    index = {d: i for i, d in enumerate(doc_ids)}
    rows = sentences["doc_id"].map(index).to_numpy()
    keep = np.flatnonzero(mask & ~pd.isna(rows))
    assign = sp.csr_matrix((np.ones(len(keep)), (rows[keep].astype(int), keep)),
                           shape=(len(doc_ids), vectors.shape[0]))
    summed = assign @ vectors
    summed = summed.toarray() if sp.issparse(summed) else np.asarray(summed)
    return np.asarray(l2_normalise(summed), dtype=np.float32)


def save_vectors(path: str | Path, ids: list[str], matrix: Matrix) -> None:
    """Write row ids and a dense or sparse matrix to one ``.npz`` (no pickle)."""
    ids_array = np.asarray(ids, dtype=str)
    if sp.issparse(matrix):
        csr = sp.csr_matrix(matrix)
        write_arrays({"ids": ids_array, "format": np.asarray("csr"), "data": csr.data,
                      "indices": csr.indices, "indptr": csr.indptr,
                      "shape": np.asarray(csr.shape)}, path)
    else:
        write_arrays({"ids": ids_array, "format": np.asarray("dense"),
                      "vectors": np.asarray(matrix, dtype=np.float32)}, path)


def load_vectors(path: str | Path) -> tuple[list[str], Matrix]:
    """Read what :func:`save_vectors` wrote: ids and the (dense or CSR) matrix."""
    arrays = read_arrays(path)
    ids = [str(i) for i in arrays["ids"]]
    if str(arrays["format"]) == "csr":
        shape = tuple(int(n) for n in arrays["shape"])
        return ids, sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                  shape=shape)
    return ids, arrays["vectors"]
