"""Embedding: sentence vectors with an on-disk cache (document vectors from them:
:func:`framelens.basics.similarity.document_vectors`).

The cache is content-addressed: a vector is stored under the SHA-256 of its
text, inside a folder named by the model's fingerprint (a hash of its
identity: source, revision or weights hash, dimension, ...). A rerun, or a
corpus with a few new articles, embeds only texts the cache has not seen.
Cache shards are ``.npz`` files written atomically and read with
``allow_pickle=False``; a killed run leaves at most an unused temp file.

Encoding follows an :class:`EmbeddingPlan`: the corpus's unique texts, longest
first, cut into batches of the model's ``batch_size``, batch *b* going to shard
*b* mod *n*. The workflow encodes each shard in a job of its own
(:func:`embed_shard`; rule ``embed_shard``) and puts them together
(:func:`gather_shards`; rule ``embed``). A batch holds the same texts however
many shards there are, so the vectors equal, bit for bit, those of one job
(:func:`embed_texts`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from framelens.basics.similarity import Matrix
from framelens.errors import FramelensError
from framelens.io import read_arrays, write_arrays
from framelens.models import Encoder

log = logging.getLogger(__name__)


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
        write_arrays(
            {
                "keys": np.asarray(keys, dtype="U64"),
                "vectors": np.asarray(vectors, dtype=np.float32),
            },
            self.folder / f"shard-{name}.npz",
        )


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


def limit_threads(threads: int | None) -> None:
    """Let torch use ``threads`` CPU threads (a job's share of the machine) once it is loaded.

    Without it torch takes every core it sees, and shard jobs side by side on one
    cluster node would fight over them. The thread count does not change the vectors.
    """
    if threads and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(int(threads))


# --------------------------------------------------------------------------- plan and shards


@dataclass
class EmbeddingPlan:
    """In which batches a corpus's unique texts are encoded, and which shard encodes which.

    The unique texts are sorted longest first (ties by text hash), the order
    sentence-transformers itself uses inside one ``encode`` call so that a batch
    holds texts of about one length and little padding, and cut into batches of
    ``batch_size``. Batch *b* belongs to shard *b* mod ``n_shards``: round robin, so
    every shard gets long and short texts and about the same work. A model's vector
    of a text can differ in its last bits with the other texts of its batch; the
    batches do not depend on the number of shards, so shards give the same vectors,
    bit for bit, as one job, and the plan depends on the corpus alone (not on the
    order of jobs or on ``--cores``).
    """

    texts: list[str]
    keys: list[str]
    counts: np.ndarray
    batch_size: int
    n_shards: int = 1
    row_of: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, texts: Iterable[str], batch_size: int, n_shards: int = 1) -> EmbeddingPlan:
        """The plan for a corpus's sentence texts (repeats are encoded once)."""
        if batch_size < 1 or n_shards < 1:
            raise ValueError(f"batch_size and n_shards must be >= 1, got {batch_size}, {n_shards}")
        counted = Counter(texts)
        unique = list(counted)
        keys = [text_key(t) for t in unique]
        lengths = np.fromiter((len(t) for t in unique), dtype=np.int64, count=len(unique))
        order = (
            np.lexsort((np.asarray(keys, dtype="S64"), -lengths))
            if unique
            else np.zeros(0, dtype=np.int64)
        )
        planned = [unique[i] for i in order]
        return cls(
            texts=planned,
            keys=[keys[i] for i in order],
            counts=np.fromiter((counted[t] for t in planned), dtype=np.int64, count=len(planned)),
            batch_size=batch_size,
            n_shards=n_shards,
        )

    @property
    def n_batches(self) -> int:
        """Batches in the whole corpus."""
        return -(-len(self.texts) // self.batch_size)

    def rows(self, shard: int) -> np.ndarray:
        """Rows (into ``texts``) of one shard, in encoding order: its batches one after another."""
        if not 0 <= shard < self.n_shards:
            raise ValueError(f"shard {shard} is not in 0..{self.n_shards - 1}")
        batch = np.arange(len(self.texts)) // self.batch_size
        return np.flatnonzero(batch % self.n_shards == shard)

    def digest(self, shard: int) -> str:
        """SHA-256 of one shard's text keys, in order: names exactly what the shard holds."""
        return hashlib.sha256(
            "\n".join(self.keys[i] for i in self.rows(shard)).encode("ascii")
        ).hexdigest()

    def sentence_rows(self, texts: Sequence[str]) -> np.ndarray:
        """For each of ``texts`` (the sentences the plan was built from), its row."""
        if len(self.row_of) != len(self.texts):  # built on first use (shard jobs need none)
            self.row_of = {t: i for i, t in enumerate(self.texts)}
        return np.fromiter((self.row_of[t] for t in texts), dtype=np.int64, count=len(texts))


def encode_planned(
    texts: list[str],
    keys: list[str],
    encoder: Encoder,
    cache: EmbeddingCache | None,
    *,
    batch_size: int,
    chunk_size: int = 4096,
    show_progress: bool = False,
) -> tuple[np.ndarray, int]:
    """Vectors of unique ``texts`` (in plan order): from the cache, or encoded in batches.

    Texts the cache lacks are encoded in order, one ``encoder.encode`` call per
    ``batch_size`` of them, so with a cold cache the batches are exactly the plan's.
    Every ``chunk_size`` texts (rounded to whole batches) go into the cache as soon
    as they are done (written while the next chunk encodes), so an interrupted run
    keeps what it finished. Returns the
    float32 matrix, one row per text, and how many rows came from the cache.
    """
    found = cache.lookup(keys) if cache is not None else {}
    missing = [i for i, k in enumerate(keys) if k not in found]
    log.info("cache has %d of %d unique texts; encoding %d", len(found), len(keys), len(missing))
    matrix: np.ndarray | None = None
    if found:
        hits = [i for i, k in enumerate(keys) if k in found]
        matrix = np.empty((len(keys), len(found[keys[hits[0]]])), dtype=np.float32)
        matrix[hits] = np.stack([found[keys[i]] for i in hits])
    step = max(1, chunk_size // batch_size) * batch_size
    started = time.perf_counter()
    # A chunk is written to the cache by a second thread while the next one encodes (file
    # writes release the GIL), at most one write at a time; leaving the block waits for it,
    # also after an interruption, so every finished chunk is stored.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="framelens-cache") as writer:
        pending: Future[None] | None = None
        for offset in range(0, len(missing), step):
            chunk = missing[offset : offset + step]
            fresh = np.concatenate(
                [
                    np.asarray(
                        encoder.encode([texts[i] for i in chunk[b : b + batch_size]]),
                        dtype=np.float32,
                    )
                    for b in range(0, len(chunk), batch_size)
                ]
            )
            if cache is not None:
                if pending is not None:
                    pending.result()  # raises the write's error, if any
                pending = writer.submit(cache.store, [keys[i] for i in chunk], fresh)
            if matrix is None:
                matrix = np.empty((len(keys), fresh.shape[1]), dtype=np.float32)
            matrix[chunk] = fresh
            done, elapsed = offset + len(chunk), time.perf_counter() - started
            log.log(
                logging.INFO if show_progress else logging.DEBUG,
                "encoded %d/%d texts (%.1f per second)",
                done,
                len(missing),
                done / elapsed if elapsed > 0 else float("nan"),
            )
        if pending is not None:
            pending.result()
    if matrix is None:
        matrix = np.zeros((0, 0), dtype=np.float32)
    return matrix, len(found)


def embed_shard(
    plan: EmbeddingPlan,
    shard: int,
    encoder: Encoder,
    cache: EmbeddingCache | None = None,
    *,
    chunk_size: int = 4096,
    show_progress: bool = False,
) -> tuple[np.ndarray, EmbeddingStats]:
    """Vectors of one shard's texts (rows :meth:`EmbeddingPlan.rows`), using and filling
    the cache. What a shard job of the workflow runs."""
    start = time.perf_counter()
    rows = plan.rows(shard)
    texts = [plan.texts[i] for i in rows]
    matrix, n_cached = encode_planned(
        texts,
        [plan.keys[i] for i in rows],
        encoder,
        cache,
        batch_size=plan.batch_size,
        chunk_size=chunk_size,
        show_progress=show_progress,
    )
    stats = EmbeddingStats(
        int(plan.counts[rows].sum()),
        len(rows),
        n_cached,
        len(rows) - n_cached,
        encoder.count_truncated(texts),
        time.perf_counter() - start,
    )
    return matrix, stats


def gather_shards(plan: EmbeddingPlan, parts: Iterable[np.ndarray]) -> np.ndarray:
    """The vectors of every unique text, in plan order, from the shards' vectors (in shard
    order; read one at a time when ``parts`` is a generator, so memory holds one shard)."""
    matrix: np.ndarray | None = None
    count = 0
    for shard, part in enumerate(parts):
        count += 1
        rows = plan.rows(shard) if shard < plan.n_shards else np.zeros(0, dtype=np.int64)
        if len(part) != len(rows):
            raise ValueError(
                f"shard {shard} has {len(part)} vectors; the plan gives it {len(rows)} texts"
            )
        if not len(rows):
            continue
        if matrix is None:
            matrix = np.zeros((len(plan.texts), part.shape[1]), dtype=np.float32)
        elif part.shape[1] != matrix.shape[1]:
            raise ValueError(
                f"shard {shard} has vectors of dimension {part.shape[1]}, "
                f"the shards before it {matrix.shape[1]}"
            )
        matrix[rows] = part
    if count != plan.n_shards:
        raise ValueError(f"expected {plan.n_shards} shards, got {count}")
    return matrix if matrix is not None else np.zeros((len(plan.texts), 0), dtype=np.float32)


def embed_texts(
    texts: list[str],
    encoder: Encoder,
    cache: EmbeddingCache | None = None,
    *,
    show_progress: bool = False,
    chunk_size: int = 4096,
) -> tuple[Matrix, EmbeddingStats]:
    """Vectors for ``texts`` (one row each, same order), using and filling the cache.

    Identical texts are encoded once, in the batches of a one-shard
    :class:`EmbeddingPlan` (so the vectors equal those of any number of shards).
    A model that is fitted on the texts (``cacheable`` false: TF-IDF) gets them all
    at once. Returns the matrix and what was done.
    """
    start = time.perf_counter()
    if not encoder.cacheable:
        unique = list(dict.fromkeys(texts))
        row_of = {t: i for i, t in enumerate(unique)}
        matrix = encoder.encode(unique, show_progress=show_progress)
        order = np.fromiter((row_of[t] for t in texts), dtype=np.int64, count=len(texts))
        stats = EmbeddingStats(
            len(texts),
            len(unique),
            0,
            len(unique),
            encoder.count_truncated(unique),
            time.perf_counter() - start,
        )
        return matrix[order], stats
    plan = EmbeddingPlan.build(texts, encoder.spec.batch_size)
    vectors, stats = embed_shard(
        plan, 0, encoder, cache, chunk_size=chunk_size, show_progress=show_progress
    )
    stats.seconds = time.perf_counter() - start
    return vectors[plan.sentence_rows(texts)], stats


def save_shard(path: str | Path, vectors: np.ndarray, digest: str) -> None:
    """Write one shard's vectors with the digest of the text keys they belong to."""
    write_arrays(
        {"vectors": np.asarray(vectors, dtype=np.float32), "keys_sha256": np.asarray(digest)}, path
    )


def load_shard(path: str | Path, digest: str) -> np.ndarray:
    """A shard's vectors, checked to belong to the texts ``digest`` names."""
    arrays = read_arrays(path)
    if str(arrays["keys_sha256"]) != digest:
        raise FramelensError(
            f"{path} holds other texts than this corpus gives its shard "
            "(another corpus, batch size or shard count); rerun embed_shard"
        )
    return arrays["vectors"]


def summarise_shards(records: Sequence[dict[str, Any]], n_sentences: int) -> dict[str, Any]:
    """``embedding.json`` fields from the shard jobs' summaries: counts and seconds summed,
    throughput over the summed encoding time, the device(s) that ran them."""
    total = {
        k: sum(int(r[k]) for r in records)
        for k in ("n_sentences", "n_unique", "n_cached", "n_encoded", "n_truncated")
    }
    if total["n_sentences"] != n_sentences:
        raise FramelensError(
            f"the shards hold {total['n_sentences']} sentences, the corpus "
            f"{n_sentences}; rerun embed_shard"
        )
    seconds = sum(float(r["seconds"]) for r in records)
    devices = sorted({r["device"] for r in records if r.get("device")})
    stats = EmbeddingStats(
        n_sentences,
        total["n_unique"],
        total["n_cached"],
        total["n_encoded"],
        total["n_truncated"],
        seconds,
    )
    return {
        **stats.as_dict(),
        "device": "+".join(devices) or None,
        "shards": len(records),
        "load_seconds": sum(float(r.get("load_seconds") or 0) for r in records),
        "per_shard": [
            {
                k: r.get(k)
                for k in (
                    "shard",
                    "device",
                    "n_sentences",
                    "n_unique",
                    "n_cached",
                    "n_encoded",
                    "seconds",
                    "load_seconds",
                    "sentences_per_second",
                )
            }
            for r in records
        ],
    }
