"""Workflow steps: read a step's inputs, call the package, write its outputs.

Each function here is what one Snakemake rule runs (through a ~10-line script
in ``workflow/scripts/``), and can be called directly from Python or tests.
:func:`run_logged` gives every step the same logging and error handling: a
:class:`FramelensError` becomes one clear message and a non-zero exit.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from framelens.corpus import ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint, load_vectors, save_vectors
from framelens.errors import FramelensError
from framelens.io import write_csv, write_json, write_parquet
from framelens.models import ModelSpec, load_encoder
from framelens.provenance import build_provenance
from framelens.similarity import DocMethod, doc_similarity

log = logging.getLogger("framelens")


def run_logged(log_path: str | None, step: Callable[..., Any], **kwargs: Any) -> None:
    """Run ``step(**kwargs)`` with logging to ``log_path`` and stderr.

    A FramelensError is logged as one message (no traceback) and exits with 1.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        step(**kwargs)
    except FramelensError as error:
        log.error("%s", error)
        sys.exit(1)


def ingest_step(corpus: str, documents: str, sentences: str, report: str,
                on_decode_error: str) -> None:
    """Ingest a corpus folder into the documents and sentences tables and the report."""
    result = ingest_corpus(corpus, on_decode_error=on_decode_error)
    write_parquet(result.documents, documents)
    write_parquet(result.sentences, sentences)
    write_json(result.report, report)
    log.info("ingested %d documents, %d sentences (%d boilerplate, %d repeats)",
             len(result.documents), len(result.sentences), result.report["n_boilerplate"],
             result.report["n_duplicates"])


def embed_step(sentences: str, model_key: str, model_entry: dict[str, Any], device: str,
               cache_dir: str | None, vectors: str, stats: str) -> None:
    """Embed every sentence with one model; write the vectors and a summary with identity."""
    table = pd.read_parquet(sentences, columns=["sent_id", "text"])
    spec = ModelSpec.from_config(model_key, model_entry)
    encoder = load_encoder(spec, device=device)
    identity = encoder.identity()
    cache = EmbeddingCache(cache_dir, fingerprint(identity)) if cache_dir else None
    log.info("model %s: %s", model_key, json.dumps(identity, sort_keys=True, default=str))
    matrix, summary = embed_texts(table["text"].tolist(), encoder, cache, show_progress=True)
    save_vectors(vectors, table["sent_id"].tolist(), matrix)
    write_json({"identity": identity, "device": getattr(encoder, "device", "cpu"),
                "fingerprint": fingerprint(identity), **summary.as_dict()}, stats)
    log.info("embedded %d sentences (%d unique, %d from cache, %d truncated) in %.1f s",
             summary.n_sentences, summary.n_unique, summary.n_cached, summary.n_truncated,
             summary.seconds)


def doc_similarity_step(sentences: str, vectors: str, method: str, table: str) -> None:
    """Document × document similarity under one model, as a square CSV."""
    sents = pd.read_parquet(sentences)
    ids, matrix = load_vectors(vectors)
    if ids != sents["sent_id"].tolist():
        raise FramelensError(f"{vectors} does not match {sentences}; rerun the embed rule")
    doc_ids = list(dict.fromkeys(sents["doc_id"]))
    write_csv(doc_similarity(matrix, sents, doc_ids, DocMethod.parse(method)), table, index=True)


def heatmap_step(table: str, documents: str, embedding: str, model_key: str, method: str,
                 figure: str) -> None:
    """Clustered heatmap of one model's document similarity, outlet names on the axes."""
    from framelens.io import atomic_path
    from framelens.plots.similarity_heatmap import similarity_heatmap

    sim = pd.read_csv(table, index_col=0)
    docs = pd.read_parquet(documents)
    identity = json.loads(Path(embedding).read_text(encoding="utf-8"))["identity"]
    labels = dict(zip(docs["doc_id"], docs["outlet_label"], strict=True))
    upstream = identity.get("upstream") or identity.get("name")
    described = {"best_match": "best-match sentence similarity",
                 "mean_vector": "cosine of mean sentence vectors"}[method]
    fig = similarity_heatmap(sim, labels, directional=method == "best_match",
                             title=f"Document similarity, {described}\n"
                                   f"under model {model_key!r} ({upstream})")
    with atomic_path(figure) as tmp:
        fig.savefig(tmp, format="png", dpi=150)


def provenance_step(config: dict[str, Any], embeddings: list[str], provenance: str) -> None:
    """Record config, model identities, package versions and the corpus hash."""
    models = {}
    for path in embeddings:
        stats = json.loads(Path(path).read_text(encoding="utf-8"))
        models[stats["identity"]["key"]] = {**stats["identity"], "device": stats["device"],
                                            "fingerprint": stats["fingerprint"]}
    write_json(build_provenance(config, models, config["corpus"]), provenance)
