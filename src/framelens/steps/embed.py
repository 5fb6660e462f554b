"""Stage embed (``workflow/rules/embed.smk``): each model's sentence vectors, in shards
(``embed_shard``) put together by ``embed``; a model fitted on the corpus (TF-IDF) is
fitted by ``embed`` alone."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.embed import (
    EmbeddingCache,
    EmbeddingPlan,
    EmbeddingStats,
    embed_texts,
    fingerprint,
    gather_shards,
    limit_threads,
    load_shard,
    save_shard,
    summarise_shards,
)
from framelens.embed import embed_shard as embed_plan_shard
from framelens.errors import FramelensError
from framelens.io import write_json
from framelens.models import ModelSpec, load_encoder
from framelens.steps.dag import is_shardable
from framelens.vectorfile import save_vectors

log = logging.getLogger("framelens")


def embed_shard(
    *,
    sentences: str,
    model_key: str,
    model_entry: dict[str, Any],
    device: str,
    cache_dir: str | None,
    shard: int,
    n_shards: int,
    threads: int | None,
    vectors: str,
    stats: str,
) -> None:
    """Embed one shard of a model's unique texts (:class:`EmbeddingPlan`); write its
    vectors and a summary. The model is loaded once, and not at all for an empty shard."""
    if not is_shardable(model_entry):
        raise FramelensError(
            f"models.{model_key}: kind {model_entry.get('kind')!r} is fitted "
            "on the whole corpus; it is embedded by the embed rule, not in "
            "shards"
        )
    texts = pd.read_parquet(sentences, columns=["text"])["text"].tolist()
    spec = ModelSpec.from_config(model_key, model_entry)
    plan = EmbeddingPlan.build(texts, spec.batch_size, n_shards)
    record: dict[str, Any] = {
        "shard": shard,
        "n_shards": n_shards,
        "keys_sha256": plan.digest(shard),
    }
    if not len(plan.rows(shard)):
        log.info(
            "shard %d of %d: no texts (%d batches of %d in the corpus)",
            shard,
            n_shards,
            plan.n_batches,
            plan.batch_size,
        )
        save_shard(vectors, np.zeros((0, 0), dtype=np.float32), record["keys_sha256"])
        write_json(
            {
                **record,
                "identity": None,
                "fingerprint": None,
                "device": None,
                "load_seconds": 0.0,
                **EmbeddingStats(0, 0, 0, 0, 0, 0.0).as_dict(),
            },
            stats,
        )
        return
    started = time.perf_counter()
    encoder = load_encoder(spec, device=device)
    identity = encoder.identity()  # loads the model
    limit_threads(threads)
    load_seconds = time.perf_counter() - started
    cache = EmbeddingCache(cache_dir, fingerprint(identity)) if cache_dir else None
    log.info(
        "model %s: %s (loaded in %.1f s)",
        model_key,
        json.dumps(identity, sort_keys=True, default=str),
        load_seconds,
    )
    log.info(
        "shard %d of %d: %d of %d unique texts",
        shard,
        n_shards,
        len(plan.rows(shard)),
        len(plan.texts),
    )
    matrix, summary = embed_plan_shard(plan, shard, encoder, cache, show_progress=True)
    save_shard(vectors, matrix, record["keys_sha256"])
    write_json(
        {
            **record,
            "identity": identity,
            "fingerprint": fingerprint(identity),
            "device": getattr(encoder, "device", "cpu"),
            "load_seconds": load_seconds,
            **summary.as_dict(),
        },
        stats,
    )
    log.info(
        "embedded %d sentences (%d unique, %d from cache, %d encoded, %d truncated) in %.1f s",
        summary.n_sentences,
        summary.n_unique,
        summary.n_cached,
        summary.n_encoded,
        summary.n_truncated,
        summary.seconds,
    )


def embed(
    *,
    sentences: str,
    shard_vectors: list[str],
    shard_stats: list[str],
    model_key: str,
    model_entry: dict[str, Any],
    device: str,
    vectors: str,
    stats: str,
    dtype: str = "float32",
) -> None:
    """All sentence vectors of one model and a summary with its identity: put together
    from the shard jobs, or, for a model fitted on the corpus (TF-IDF), computed here.
    Dense vectors are stored as ``dtype`` (config ``embedding.dtype``)."""
    table = pd.read_parquet(sentences, columns=["sent_id", "text"])
    texts = table["text"].tolist()
    spec = ModelSpec.from_config(model_key, model_entry)
    if not is_shardable(model_entry):
        encoder = load_encoder(spec, device=device)
        identity = encoder.identity()
        log.info("model %s: %s", model_key, json.dumps(identity, sort_keys=True, default=str))
        matrix, summary = embed_texts(texts, encoder, None, show_progress=True)
        save_vectors(vectors, table["sent_id"].tolist(), matrix, dtype)
        write_json(
            {
                "identity": identity,
                **spec.runtime(),
                "vector_dtype": "sparse" if sp.issparse(matrix) else dtype,
                "device": getattr(encoder, "device", "cpu"),
                "fingerprint": fingerprint(identity),
                "shards": 0,
                **summary.as_dict(),
            },
            stats,
        )
        log.info(
            "embedded %d sentences (%d unique) in %.1f s",
            summary.n_sentences,
            summary.n_unique,
            summary.seconds,
        )
        return
    plan = EmbeddingPlan.build(texts, spec.batch_size, len(shard_vectors))
    records = [json.loads(Path(p).read_text(encoding="utf-8")) for p in shard_stats]
    parts = (load_shard(p, plan.digest(i)) for i, p in enumerate(shard_vectors))
    # cast before the rows are repeated per sentence: one copy, in the stored type
    matrix = gather_shards(plan, parts).astype(dtype, copy=False)[plan.sentence_rows(texts)]
    gathered = summarise_shards(records, len(texts))
    identities = {r["fingerprint"]: r["identity"] for r in records if r.get("identity")}
    if len(identities) > 1:
        raise FramelensError(
            f"the shards of {model_key} were embedded by different models "
            f"(fingerprints {sorted(identities)}); rerun embed_shard"
        )
    if identities:
        identity = next(iter(identities.values()))
    else:  # no sentences at all: ask the model who it is
        identity = load_encoder(spec, device=device).identity()
    save_vectors(vectors, table["sent_id"].tolist(), matrix, dtype)
    write_json(
        {
            "identity": identity,
            **spec.runtime(),
            "vector_dtype": dtype,
            "fingerprint": fingerprint(identity),
            **gathered,
        },
        stats,
    )
    log.info(
        "gathered %d shards: %d sentences (%d unique, %d from cache, %d encoded, "
        "%d truncated), %.1f s encoding on %s",
        gathered["shards"],
        gathered["n_sentences"],
        gathered["n_unique"],
        gathered["n_cached"],
        gathered["n_encoded"],
        gathered["n_truncated"],
        gathered["seconds"],
        gathered["device"],
    )
