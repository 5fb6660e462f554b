"""Do the models agree? Pairwise agreement between models' outputs of one run.

:func:`agreement_table` gives, for every pair of models, the Spearman correlation of
their document-similarity matrices (off-diagonal cells), the adjusted Rand index of
their claim clusterings (over the sentences both clustered), the Jaccard index of their
sets of aligned sentence pairs (unordered; all relations, and reuse only), and Kendall's
tau of their outlet-overlap ``reuse_share`` over the ordered outlet pairs both have.
:class:`ModelOutputs` reads what one model produced, as the comparison needs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, spearmanr
from sklearn.metrics import adjusted_rand_score

from framelens.basics.tables import REUSE

AGREEMENT_COLUMNS = [
    "model_a",
    "model_b",
    "doc_similarity_spearman",
    "n_doc_pairs",
    "claims_ari",
    "n_sentences",
    "alignment_jaccard",
    "reuse_jaccard",
    "n_aligned_a",
    "n_aligned_b",
    "n_aligned_both",
    "overlap_kendall_tau",
    "n_outlet_pairs",
]


def doc_similarity_spearman(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, int]:
    """Spearman's rho between two document-similarity tables over the ordered document
    pairs both have (off-diagonal, finite), and the pair count. A table is square
    (``doc_similarity.csv``) or long (``doc_pairs.parquet``: ``doc_id_a, doc_id_b,
    similarity``, pairs within each model's own events).

    >>> t = pd.DataFrame([[1, .2, .5], [.3, 1, .1], [.6, .4, 1]], index=list("xyz"),
    ...                  columns=list("xyz"))
    >>> doc_similarity_spearman(t, t)
    (1.0, 6)
    """
    both = long_doc_similarity(a).merge(long_doc_similarity(b), on=["doc_id_a", "doc_id_b"])
    both = both[np.isfinite(both["similarity_x"]) & np.isfinite(both["similarity_y"])]
    return (
        correlation(
            spearmanr, both["similarity_x"].to_numpy(float), both["similarity_y"].to_numpy(float)
        ),
        len(both),
    )


def long_doc_similarity(table: pd.DataFrame) -> pd.DataFrame:
    """``doc_id_a, doc_id_b, similarity`` of a square or long document-similarity table,
    diagonal left out."""
    if {"doc_id_a", "doc_id_b", "similarity"} <= set(table.columns):
        long = table[["doc_id_a", "doc_id_b", "similarity"]]
    else:
        values = table.to_numpy(dtype=float)
        a, b = np.nonzero(~np.eye(*values.shape, dtype=np.bool_))
        long = pd.DataFrame(
            {
                "doc_id_a": np.asarray(table.index, dtype=object)[a],
                "doc_id_b": np.asarray(table.columns, dtype=object)[b],
                "similarity": values[a, b],
            }
        )
    return long[long["doc_id_a"] != long["doc_id_b"]]


def correlation(method: Any, x: np.ndarray, y: np.ndarray) -> float:
    """``method(x, y).statistic``, NaN when fewer than two values or either is constant."""
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(method(x, y).statistic)


def claims_ari(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, int]:
    """Adjusted Rand index of two claim clusterings (``sent_id``, ``claim_id``) over the
    sentences both have, and how many those are."""
    both = a[["sent_id", "claim_id"]].merge(b[["sent_id", "claim_id"]], on="sent_id")
    if both.empty:
        return float("nan"), 0
    return float(adjusted_rand_score(both["claim_id_x"], both["claim_id_y"])), len(both)


def aligned_pairs(alignments: pd.DataFrame, *, reuse_only: bool = False) -> set[tuple[str, str]]:
    """The aligned sentence pairs of an alignments table, each as a sorted tuple."""
    if reuse_only:
        alignments = alignments[alignments["relation"].isin([r.value for r in REUSE])]
    return {
        (a, b) if a <= b else (b, a)
        for a, b in zip(alignments["sent_id_a"], alignments["sent_id_b"], strict=True)
    }


def jaccard(a: set[Any], b: set[Any]) -> float:
    """|a ∩ b| / |a ∪ b|; NaN when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else float("nan")


def alignment_jaccard(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float | int]:
    """Jaccard index of two models' aligned sentence pairs (unordered), of their reuse
    (verbatim or rewrite) pairs, and the pair counts."""
    pairs_a, pairs_b = aligned_pairs(a), aligned_pairs(b)
    return {
        "alignment_jaccard": jaccard(pairs_a, pairs_b),
        "reuse_jaccard": jaccard(
            aligned_pairs(a, reuse_only=True), aligned_pairs(b, reuse_only=True)
        ),
        "n_aligned_a": len(pairs_a),
        "n_aligned_b": len(pairs_b),
        "n_aligned_both": len(pairs_a & pairs_b),
    }


def overlap_kendall_tau(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, int]:
    """Kendall's tau (tau-b, ties allowed) between two models' ``reuse_share`` over the
    ordered outlet pairs both tables have, and how many those are."""
    both = a.merge(b, on=["outlet_a", "outlet_b"], suffixes=("_x", "_y"))
    return (
        correlation(
            kendalltau, both["reuse_share_x"].to_numpy(float), both["reuse_share_y"].to_numpy(float)
        ),
        len(both),
    )


@dataclass
class ModelOutputs:
    """What one model produced in a run, as the comparison needs it."""

    key: str
    neural: bool
    doc_similarity: pd.DataFrame
    claims: pd.DataFrame
    alignments: pd.DataFrame
    overlap: pd.DataFrame

    @classmethod
    def read(
        cls,
        key: str,
        *,
        embedding: str,
        doc_similarity: str,
        claims: str,
        alignments: str,
        overlap: str,
    ) -> ModelOutputs:
        """Read one model's tables (``embedding`` says whether the model is neural)."""
        identity = json.loads(Path(embedding).read_text(encoding="utf-8"))["identity"]
        return cls(
            key=key,
            neural=identity.get("kind") != "tfidf",
            doc_similarity=read_doc_similarity(doc_similarity),
            claims=pd.read_parquet(claims, columns=["sent_id", "claim_id"]),
            alignments=pd.read_parquet(alignments),
            overlap=read_table(overlap),
        )


def read_doc_similarity(path: str | Path) -> pd.DataFrame:
    """A square ``doc_similarity.csv`` or a long ``doc_pairs.parquet``."""
    if str(path).endswith(".parquet"):
        return pd.read_parquet(path, columns=["doc_id_a", "doc_id_b", "similarity"])
    return pd.read_csv(path, index_col=0)


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV of this package, outlet names kept as written ("NA" is an outlet, not a gap)."""
    return pd.read_csv(path, keep_default_na=False, na_values=["", "nan", "NaN"])


def agreement_table(outputs: list[ModelOutputs]) -> pd.DataFrame:
    """One row per pair of models (in the given order): see the module doc."""
    rows = []
    for a, b in combinations(outputs, 2):
        rho, n_doc = doc_similarity_spearman(a.doc_similarity, b.doc_similarity)
        ari, n_sent = claims_ari(a.claims, b.claims)
        tau, n_outlet = overlap_kendall_tau(a.overlap, b.overlap)
        rows.append(
            {
                "model_a": a.key,
                "model_b": b.key,
                "doc_similarity_spearman": rho,
                "n_doc_pairs": n_doc,
                "claims_ari": ari,
                "n_sentences": n_sent,
                **alignment_jaccard(a.alignments, b.alignments),
                "overlap_kendall_tau": tau,
                "n_outlet_pairs": n_outlet,
            }
        )
    return pd.DataFrame.from_records(rows, columns=AGREEMENT_COLUMNS)
