"""What exactly was each model? Model cards.

:func:`model_card` collects a model's identity, truncation, speed on this run (from
``embedding.json`` and Snakemake's benchmark files) and, when configured, its STS-B
Spearman (:func:`read_sts`, :func:`stsb_spearman`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from framelens.errors import FramelensError


def read_sts(path: str | Path) -> pd.DataFrame:
    """An STS-B style file (tab-separated, no quoting; score in column 5, the two
    sentences in columns 6 and 7), or a folder holding ``sts-test.csv``: columns
    ``score, a, b``."""
    path = Path(path)
    if path.is_dir():
        path = path / "sts-test.csv"
    if not path.is_file():
        raise FramelensError(f"compare.stsb: {path} not found")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 7:
            try:
                rows.append((float(fields[4]), fields[5].strip(), fields[6].strip()))
            except ValueError:
                continue  # a header line
    if not rows:
        raise FramelensError(f"compare.stsb: no STS-B pairs in {path}")
    return pd.DataFrame(rows, columns=["score", "a", "b"])


def stsb_spearman(encoder: Any, pairs: pd.DataFrame, cache: Any = None) -> float:
    """Spearman's rho between the cosine of each pair under ``encoder`` and its score."""
    from framelens.basics.similarity import l2_normalise
    from framelens.embed import embed_texts

    texts = list(dict.fromkeys([*pairs["a"], *pairs["b"]]))
    matrix, _ = embed_texts(texts, encoder, cache)
    matrix = l2_normalise(matrix)
    row = {t: i for i, t in enumerate(texts)}
    va, vb = matrix[[row[t] for t in pairs["a"]]], matrix[[row[t] for t in pairs["b"]]]
    product = va.multiply(vb).sum(axis=1) if hasattr(va, "multiply") else (va * vb).sum(axis=1)
    return float(spearmanr(np.asarray(product).ravel(), pairs["score"]).statistic)


def read_benchmark(path: str | Path) -> dict[str, float | None]:
    """Seconds and peak memory (MB) from a Snakemake benchmark file (last line)."""
    table = pd.read_csv(path, sep="\t")
    if table.empty:
        return {"seconds": None, "max_rss_mb": None}
    last = table.iloc[-1]

    def number(column: str) -> float | None:
        value = pd.to_numeric(last.get(column), errors="coerce")
        return None if pd.isna(value) else round(float(value), 3)

    return {"seconds": number("s"), "max_rss_mb": number("max_rss")}


def rule_timing(paths: list[str]) -> dict[str, float | int | None]:
    """One rule's time and memory over its jobs' benchmark files (a rule such as
    ``embed_shard`` runs as several jobs): seconds summed, the largest peak memory, and
    how many jobs."""
    readings = [read_benchmark(path) for path in paths]
    seconds = [r["seconds"] for r in readings if r["seconds"] is not None]
    memory = [r["max_rss_mb"] for r in readings if r["max_rss_mb"] is not None]
    return {
        "seconds": round(sum(seconds), 3) if seconds else None,
        "max_rss_mb": max(memory) if memory else None,
        "jobs": len(paths),
    }


IDENTITY_FIELDS = (
    "name",
    "kind",
    "source",
    "upstream",
    "package",
    "package_version",
    "revision",
    "version",
    "weights_sha256",
    "files_sha256",
    "dimension",
    "max_seq_length",
    "trust_remote_code",
    "backend",
    "quantization",
    "onnx_sha256",
    "backend_versions",
)


def model_card(
    model_key: str,
    embedding: dict[str, Any],
    benchmarks: dict[str, list[str]],
    thresholds: Mapping[str, float | None],
    stsb: dict[str, Any] | None,
) -> dict[str, Any]:
    """A JSON-able card: identity, sentences embedded and truncated, speed on this run
    (from ``embedding.json`` and Snakemake's benchmark files, ``benchmarks`` naming each
    rule's files), thresholds and, when
    measured, STS-B Spearman. It holds no corpus text. ``max_seq_length`` null means
    the model reads texts of any length."""
    identity = embedding["identity"]
    timings = {rule: rule_timing(paths) for rule, paths in benchmarks.items()}
    rate = embedding.get("sentences_per_second")
    return {
        "model": model_key,
        "identity": {k: identity[k] for k in IDENTITY_FIELDS if k in identity},
        "fingerprint": embedding.get("fingerprint"),
        "device": embedding.get("device"),
        "backend": identity.get("backend", embedding.get("backend")),
        "quantization": identity.get("quantization", embedding.get("quantization")),
        "sentences": {
            k: embedding.get(k)
            for k in ("n_sentences", "n_unique", "n_cached", "n_encoded", "n_truncated")
        },
        "speed": {
            "sentences_per_second": rate,
            "note": (
                None
                if rate
                else "every sentence came from the cache on this run: no encoding speed measured"
            ),
            "embedding_seconds": embedding.get("seconds"),
            "rules": timings,
        },
        "thresholds": thresholds,
        "stsb": stsb
        or {
            "spearman": None,
            "note": "not measured (set compare.stsb to an STS-B file to measure it)",
        },
    }
