"""Comparing models, and how firm the headline findings are.

Four questions, each answered from the per-model outputs of one run:

- **Do the models agree?** :func:`agreement_table` gives, for every pair of
  models, the Spearman correlation of their document-similarity matrices
  (off-diagonal cells), the adjusted Rand index of their claim clusterings (over
  the sentences both clustered), the Jaccard index of their sets of aligned
  sentence pairs (unordered; all relations, and reuse only), and Kendall's tau of
  their outlet-overlap ``reuse_share`` over the ordered outlet pairs both have.
- **Is the headline reuse finding significant?** :func:`significance_table`
  takes the outlet pair with the most reuse (averaged over models) and reports
  each model's permutation p-values for it (see :mod:`framelens.overlap`), and
  :func:`significance_sentence` says in words whether it holds under every
  neural model.
- **How much do the numbers depend on the thresholds?**
  :func:`sensitivity_table` reruns alignment, outlet overlap and claim
  clustering on a model's vectors with each main threshold moved around its
  configured value, one at a time.
- **What exactly was each model?** :func:`model_card` collects its identity,
  truncation, speed on this run and, when configured, its STS-B Spearman.

The workflow's compare rules (``workflow/rules/compare.smk``) run these through the
steps of :mod:`framelens.steps.compare`.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, spearmanr
from sklearn.metrics import adjusted_rand_score

from framelens.align import REUSE, Thresholds, align_corpus
from framelens.embed import content_mask
from framelens.errors import ConfigError, FramelensError
from framelens.overlap import SIGNIFICANCE_LEVEL, outlet_keys, outlet_overlap

log = logging.getLogger("framelens")

AGREEMENT_COLUMNS = [
    "model_a", "model_b", "doc_similarity_spearman", "n_doc_pairs", "claims_ari",
    "n_sentences", "alignment_jaccard", "reuse_jaccard", "n_aligned_a", "n_aligned_b",
    "n_aligned_both", "overlap_kendall_tau", "n_outlet_pairs",
]
SIGNIFICANCE_COLUMNS = [
    "pair_rank", "outlet_a", "outlet_b", "model", "neural", "reuse_share", "ci_low", "ci_high",
    "p_value", "p_adjusted", "significant",
]
SENSITIVITY_COLUMNS = [
    "threshold", "offset", "threshold_value", "quantity", "outlet_a", "outlet_b", "value",
    "sampled_share",
]
SENSITIVITY_THRESHOLDS = ("rewrite_alone", "rewrite", "paraphrase", "claim")


# --------------------------------------------------------------------------- agreement


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
    return (correlation(spearmanr, both["similarity_x"].to_numpy(float),
                        both["similarity_y"].to_numpy(float)), len(both))


def long_doc_similarity(table: pd.DataFrame) -> pd.DataFrame:
    """``doc_id_a, doc_id_b, similarity`` of a square or long document-similarity table,
    diagonal left out."""
    if {"doc_id_a", "doc_id_b", "similarity"} <= set(table.columns):
        long = table[["doc_id_a", "doc_id_b", "similarity"]]
    else:
        values = table.to_numpy(dtype=float)
        a, b = np.nonzero(~np.eye(*values.shape, dtype=bool))
        long = pd.DataFrame({"doc_id_a": np.asarray(table.index, dtype=object)[a],
                             "doc_id_b": np.asarray(table.columns, dtype=object)[b],
                             "similarity": values[a, b]})
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


def aligned_pairs(alignments: pd.DataFrame, *, reuse_only: bool = False
                  ) -> set[tuple[str, str]]:
    """The aligned sentence pairs of an alignments table, each as a sorted tuple."""
    if reuse_only:
        alignments = alignments[alignments["relation"].isin([r.value for r in REUSE])]
    return {(a, b) if a <= b else (b, a)
            for a, b in zip(alignments["sent_id_a"], alignments["sent_id_b"], strict=True)}


def jaccard(a: set[Any], b: set[Any]) -> float:
    """|a ∩ b| / |a ∪ b|; NaN when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else float("nan")


def alignment_jaccard(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float | int]:
    """Jaccard index of two models' aligned sentence pairs (unordered), of their reuse
    (verbatim or rewrite) pairs, and the pair counts."""
    pairs_a, pairs_b = aligned_pairs(a), aligned_pairs(b)
    return {"alignment_jaccard": jaccard(pairs_a, pairs_b),
            "reuse_jaccard": jaccard(aligned_pairs(a, reuse_only=True),
                                     aligned_pairs(b, reuse_only=True)),
            "n_aligned_a": len(pairs_a), "n_aligned_b": len(pairs_b),
            "n_aligned_both": len(pairs_a & pairs_b)}


def overlap_kendall_tau(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, int]:
    """Kendall's tau (tau-b, ties allowed) between two models' ``reuse_share`` over the
    ordered outlet pairs both tables have, and how many those are."""
    both = a.merge(b, on=["outlet_a", "outlet_b"], suffixes=("_x", "_y"))
    return (correlation(kendalltau, both["reuse_share_x"].to_numpy(float),
                        both["reuse_share_y"].to_numpy(float)), len(both))


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
    def read(cls, key: str, *, embedding: str, doc_similarity: str, claims: str,
             alignments: str, overlap: str) -> ModelOutputs:
        """Read one model's tables (``embedding`` says whether the model is neural)."""
        identity = json.loads(Path(embedding).read_text(encoding="utf-8"))["identity"]
        return cls(key=key, neural=identity.get("kind") != "tfidf",
                   doc_similarity=read_doc_similarity(doc_similarity),
                   claims=pd.read_parquet(claims, columns=["sent_id", "claim_id"]),
                   alignments=pd.read_parquet(alignments),
                   overlap=read_table(overlap))


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
        rows.append({"model_a": a.key, "model_b": b.key, "doc_similarity_spearman": rho,
                     "n_doc_pairs": n_doc, "claims_ari": ari, "n_sentences": n_sent,
                     **alignment_jaccard(a.alignments, b.alignments),
                     "overlap_kendall_tau": tau, "n_outlet_pairs": n_outlet})
    return pd.DataFrame.from_records(rows, columns=AGREEMENT_COLUMNS)


# --------------------------------------------------------------------------- significance


def headline_pairs(overlaps: dict[str, pd.DataFrame], n: int = 1) -> list[tuple[str, str]]:
    """The ``n`` outlet pairs (unordered, names sorted) with the most reuse: the larger
    ``reuse_share`` of their two directions, averaged over models. Pairs without any
    reuse are left out."""
    totals: dict[tuple[str, str], float] = {}
    for table in overlaps.values():
        best: dict[tuple[str, str], float] = {}
        for a, b, share in zip(table["outlet_a"], table["outlet_b"], table["reuse_share"],
                               strict=True):
            pair = (a, b) if a <= b else (b, a)
            best[pair] = max(best.get(pair, 0.0), float(share))
        for pair, share in best.items():
            totals[pair] = totals.get(pair, 0.0) + share
    ranked = sorted((p for p in totals if totals[p] > 0), key=lambda p: (-totals[p], p))
    return ranked[:n]


def significance_table(outputs: list[ModelOutputs], n_pairs: int = 3, *,
                       alpha: float = SIGNIFICANCE_LEVEL) -> pd.DataFrame:
    """Each model's reuse share, interval and permutation p-values for both directions
    of the ``n_pairs`` outlet pairs with the most reuse (see :func:`headline_pairs`)."""
    pairs = headline_pairs({o.key: o.overlap for o in outputs}, n_pairs)
    rows = []
    for rank, (x, y) in enumerate(pairs, start=1):
        for a, b in ((x, y), (y, x)):
            for out in outputs:
                table = out.overlap
                hit = table[(table["outlet_a"] == a) & (table["outlet_b"] == b)]
                row = hit.iloc[0] if len(hit) else None

                def get(column: str, row: pd.Series | None = row) -> float:
                    return float(row[column]) if row is not None else float("nan")

                rows.append({"pair_rank": rank, "outlet_a": a, "outlet_b": b,
                             "model": out.key, "neural": out.neural,
                             "reuse_share": get("reuse_share"), "ci_low": get("ci_low"),
                             "ci_high": get("ci_high"), "p_value": get("p_value"),
                             "p_adjusted": get("p_adjusted"),
                             "significant": bool(get("p_adjusted") < alpha)})
    return pd.DataFrame.from_records(rows, columns=SIGNIFICANCE_COLUMNS)


def format_p(p: float) -> str:
    """'p = 0.010', 'p < 0.001' or 'p n/a'."""
    if not math.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significance_sentence(table: pd.DataFrame, *, alpha: float = SIGNIFICANCE_LEVEL) -> str:
    """Whether the top reuse finding holds (both directions, BH-adjusted permutation
    p < alpha) under every neural model, in one or two plain sentences."""
    top = table[table["pair_rank"] == 1]
    if top.empty:
        return "No outlet pair shares verbatim or rewritten sentences under any model."
    x, y = top.iloc[0]["outlet_a"], top.iloc[0]["outlet_b"]
    verdict = {}
    worst = {}
    for model, part in top.groupby("model", sort=False):
        verdict[model] = bool(part["significant"].all())
        worst[model] = float(part["p_adjusted"].max())
    neural = list(dict.fromkeys(top.loc[top["neural"], "model"]))
    lexical = list(dict.fromkeys(top.loc[~top["neural"], "model"]))

    def listing(models: list[str]) -> str:
        return ", ".join(f"{m} ({format_p(worst[m])})" for m in models)

    head = f"Reuse between {x} and {y} (the outlet pair with the most reuse)"
    criterion = f"BH-adjusted permutation p < {alpha:g} in both directions"
    if not neural:
        text = f"{head}: no neural model is configured."
    elif all(verdict[m] for m in neural):
        text = (f"{head} is significant under every neural model ({criterion}): "
                f"{listing(neural)}.")
    else:
        yes = [m for m in neural if verdict[m]]
        no = [m for m in neural if not verdict[m]]
        text = (f"{head} is NOT significant under every neural model ({criterion}): "
                f"not under {listing(no)}" + (f"; significant under {listing(yes)}."
                                              if yes else "."))
    if lexical:
        yes = [m for m in lexical if verdict[m]]
        state = ("significant" if len(yes) == len(lexical)
                 else "not significant" if not yes else "mixed")
        text += f" Lexical baseline: {state} ({listing(lexical)})."
    return text


# --------------------------------------------------------------------------- sensitivity


def offset_values(default: float, offsets: list[float]) -> list[tuple[float, float]]:
    """(offset, value) pairs around ``default``, the default (offset 0) included, values
    rounded to 4 decimals and kept within [-1, 1]."""
    steps = sorted({0.0, *(float(o) for o in offsets)})
    return [(o, round(default + o, 4)) for o in steps if -1.0 <= default + o <= 1.0]


def sample_events(events: pd.DataFrame, sentences: pd.DataFrame, max_sentences: int | None,
                  random_state: int) -> pd.DataFrame:
    """Whole events, in a seeded random order, while their content sentences add up to
    at most ``max_sentences`` (the first event always); all of them when that is None or
    the corpus is within it. ``events`` has ``doc_id, event_id``."""
    per_doc = sentences[content_mask(sentences)].groupby("doc_id").size()
    per_event = (events.assign(n=events["doc_id"].map(per_doc).fillna(0))
                 .groupby("event_id", sort=True)["n"].sum())
    if max_sentences is None or per_event.sum() <= max_sentences:
        return events
    order = np.random.default_rng(random_state).permutation(len(per_event))
    shuffled = per_event.iloc[order]
    within = shuffled.cumsum().to_numpy() <= max_sentences
    within[0] = True
    return events[events["event_id"].isin(shuffled.index[within])]


def sensitivity_table(
    vectors: Any, sentences: pd.DataFrame, documents: pd.DataFrame, events: pd.DataFrame,
    *, alignment: dict[str, Any], paraphrase_threshold: float, claim_threshold: float,
    offsets: list[float], max_sentences: int | None = None, random_state: int = 0,
) -> pd.DataFrame:
    """Headline numbers as each main threshold moves by ``offsets``, the others fixed.

    Thresholds: ``rewrite_alone``, ``rewrite`` (alignment, lexical), ``paraphrase``
    (this model's cosine) and ``claim`` (claim clustering). For each setting the
    corpus is aligned again (:func:`framelens.align.align_corpus`), outlet overlap
    computed without intervals or tests, and claims clustered again: rows give every
    ordered outlet pair's ``reuse_share`` and ``share_a_in_b``, and the numbers of
    claims and of reuse pairs. A setting the alignment rules refuse (e.g. ``rewrite``
    above ``rewrite_alone``) is left out. Cost: one alignment per distinct alignment
    setting (13 with four offsets) and one claim clustering per distinct alignment
    setting and claim threshold (at most 17); ``offsets=[]`` computes the configured
    setting only. Corpora with more than ``max_sentences`` content sentences are
    measured on a seeded sample of whole events (:func:`sample_events`), so the cost
    stops growing with the corpus; ``sampled_share`` is the share of content sentences
    the sample holds (1.0: the whole corpus).
    """
    from framelens.claims import cluster_claims

    n_content = int(content_mask(sentences).sum())
    events = sample_events(events, sentences, max_sentences, random_state)
    if len(events) < len(documents):
        inside = sentences["doc_id"].isin(events["doc_id"]).to_numpy()
        vectors, sentences = vectors[np.flatnonzero(inside)], sentences[inside]
        sentences = sentences.reset_index(drop=True)
        documents = documents[documents["doc_id"].isin(events["doc_id"])]
        log.info("sensitivity: %d of %d events sampled (max_sentences %s)",
                 events["event_id"].nunique(), documents.shape[0], max_sentences)
    sampled_share = round(int(content_mask(sentences).sum()) / max(n_content, 1), 4)

    configured = Thresholds.from_config(alignment, paraphrase_threshold)
    base = {k: getattr(configured, k)
            for k in ("verbatim", "rewrite_alone", "rewrite", "min_shared", "paraphrase")}
    event_of = pd.Series(events["event_id"].to_numpy(), index=events["doc_id"])
    outlet_of = outlet_keys(documents)
    content = sentences[content_mask(sentences)]
    defaults = {**base, "claim": claim_threshold}
    cache: dict[tuple[float, ...], pd.DataFrame] = {}
    claim_counts: dict[tuple[Any, ...], int] = {}
    rows = []
    for name in SENSITIVITY_THRESHOLDS:
        for offset, value in offset_values(defaults[name], offsets):
            setting = {**defaults, name: value}
            try:
                thresholds = Thresholds(**{k: setting[k] for k in base},
                                        evidence=configured.evidence)
            except ConfigError as error:
                log.info("sensitivity: %s = %s skipped (%s)", name, value, error)
                continue
            key = tuple(float(setting[k]) for k in base)
            if key not in cache:
                cache[key] = align_corpus(vectors, sentences, documents, thresholds,
                                          events=event_of, k=alignment["candidates"])
            pairs = cache[key]
            overlap = outlet_overlap(content, pairs, documents, event_of, n_boot=0, n_perm=0)
            reused = pairs[pairs["relation"].isin([r.value for r in REUSE])]
            claims_key = (float(setting["claim"]), *key)  # claims: aligned pairs, threshold
            if claims_key not in claim_counts:
                claim_counts[claims_key] = cluster_claims(
                    vectors, sentences, events, pairs, outlet_of, threshold=setting["claim"],
                    min_evidence=configured.evidence.link)["claim_id"].nunique()
            common = {"threshold": name, "offset": offset, "threshold_value": value,
                      "sampled_share": sampled_share}
            for quantity in ("reuse_share", "share_a_in_b"):
                rows += [{**common, "quantity": quantity, "outlet_a": a, "outlet_b": b,
                          "value": float(v)}
                         for a, b, v in zip(overlap["outlet_a"], overlap["outlet_b"],
                                            overlap[quantity], strict=True)]
            rows += [{**common, "quantity": "n_claims", "outlet_a": None, "outlet_b": None,
                      "value": float(claim_counts[claims_key])},
                     {**common, "quantity": "n_reuse_pairs", "outlet_a": None,
                      "outlet_b": None, "value": float(len(reused))}]
    return pd.DataFrame.from_records(rows, columns=SENSITIVITY_COLUMNS)


# --------------------------------------------------------------------------- model card


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
    from framelens.embed import embed_texts, l2_normalise

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
    return {"seconds": round(sum(seconds), 3) if seconds else None,
            "max_rss_mb": max(memory) if memory else None, "jobs": len(paths)}


IDENTITY_FIELDS = ("name", "kind", "source", "upstream", "package", "package_version",
                   "revision", "version", "weights_sha256", "files_sha256", "dimension",
                   "max_seq_length", "trust_remote_code")


def model_card(model_key: str, embedding: dict[str, Any], benchmarks: dict[str, list[str]],
               thresholds: dict[str, float], stsb: dict[str, Any] | None) -> dict[str, Any]:
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
        "sentences": {k: embedding.get(k) for k in ("n_sentences", "n_unique", "n_cached",
                                                    "n_encoded", "n_truncated")},
        "speed": {
            "sentences_per_second": rate,
            "note": (None if rate else "every sentence came from the cache on this run: "
                     "no encoding speed measured"),
            "embedding_seconds": embedding.get("seconds"),
            "rules": timings,
        },
        "thresholds": thresholds,
        "stsb": stsb or {"spearman": None, "note": "not measured (set compare.stsb to an "
                                                   "STS-B file to measure it)"},
    }
