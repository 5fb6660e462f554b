"""How much do the numbers depend on the thresholds?

:func:`sensitivity_table` reruns alignment (:func:`framelens.align.align_corpus`),
outlet overlap (:func:`framelens.overlap.outlet_overlap`) and claim clustering
(:func:`framelens.claims.cluster_claims`) on one model's vectors with each main
threshold moved around its configured value, one at a time, on a seeded sample of whole
events when the corpus is large (:func:`sample_events`).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np
import pandas as pd

from framelens.align import EventFeatures, Thresholds, align_corpus
from framelens.basics.similarity import Matrix, as_float32
from framelens.basics.tables import REUSE, content_mask, outlet_keys
from framelens.errors import ConfigError
from framelens.overlap import outlet_overlap
from framelens.schema import default_value
from framelens.vectorfile import VectorFile, take_rows

log = logging.getLogger("framelens")

SENSITIVITY_COLUMNS = [
    "threshold",
    "offset",
    "threshold_value",
    "quantity",
    "outlet_a",
    "outlet_b",
    "value",
    "sampled_share",
]
SENSITIVITY_THRESHOLDS = ("rewrite_alone", "rewrite", "paraphrase", "claim")


def offset_values(default: float, offsets: list[float]) -> list[tuple[float, float]]:
    """(offset, value) pairs around ``default``, the default (offset 0) included, values
    rounded to 4 decimals and kept within [-1, 1]."""
    steps = sorted({0.0, *(float(o) for o in offsets)})
    return [(o, round(default + o, 4)) for o in steps if -1.0 <= default + o <= 1.0]


def sample_events(
    events: pd.DataFrame, sentences: pd.DataFrame, max_sentences: int | None, random_state: int
) -> pd.DataFrame:
    """Whole events, in a seeded random order, while their content sentences add up to
    at most ``max_sentences`` (the first event always); all of them when that is None or
    the corpus is within it. ``events`` has ``doc_id, event_id``."""
    per_doc = sentences[content_mask(sentences)].groupby("doc_id").size()
    per_event = (
        events.assign(n=events["doc_id"].map(per_doc).fillna(0))
        .groupby("event_id", sort=True)["n"]
        .sum()
    )
    if max_sentences is None or per_event.sum() <= max_sentences:
        return events
    order = np.random.default_rng(random_state).permutation(len(per_event))
    shuffled = per_event.iloc[order]
    within = shuffled.cumsum().to_numpy() <= max_sentences
    within[0] = True
    return events[events["event_id"].isin(shuffled.index[within])]


def sensitivity_table(
    vectors: Matrix | VectorFile,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    events: pd.DataFrame,
    *,
    thresholds: Thresholds,
    candidates: int,
    claim_threshold: float,
    offsets: list[float],
    max_sentences: int | None = None,
    random_state: int = default_value("random_state"),
) -> pd.DataFrame:
    """Headline numbers as each main threshold moves by ``offsets``, the others fixed
    (``vectors``: one row per row of ``sentences``, in memory or a file whose sampled rows
    alone are read; ``thresholds``: the configured alignment with this model's paraphrase cosine;
    ``candidates``: config ``alignment.candidates``).

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
        vectors, sentences = take_rows(vectors, np.flatnonzero(inside)), sentences[inside]
        sentences = sentences.reset_index(drop=True)
        documents = documents[documents["doc_id"].isin(events["doc_id"])]
        log.info(
            "sensitivity: %d of %d events sampled (max_sentences %s)",
            events["event_id"].nunique(),
            documents.shape[0],
            max_sentences,
        )
    elif isinstance(vectors, VectorFile):
        vectors = vectors.take(np.arange(len(sentences)))
    vectors = as_float32(vectors)
    sampled_share = round(int(content_mask(sentences).sum()) / max(n_content, 1), 4)

    configured = thresholds
    base = {
        k: getattr(configured, k)
        for k in ("verbatim", "rewrite_alone", "rewrite", "min_shared", "paraphrase")
    }
    event_of = pd.Series(events["event_id"].to_numpy(), index=events["doc_id"])
    outlet_of = outlet_keys(documents)
    content = sentences[content_mask(sentences)]
    defaults = {**base, "claim": claim_threshold}
    cache: dict[tuple[float, ...], pd.DataFrame] = {}
    # each event's alignment search and claim edges, once for every setting
    features: dict[str, EventFeatures] = {}
    edges: dict[str, dict[tuple[int, int], float]] = {}
    claim_counts: dict[tuple[Any, ...], int] = {}
    rows = []
    for name in SENSITIVITY_THRESHOLDS:
        for offset, value in offset_values(defaults[name], offsets):
            setting = {**defaults, name: value}
            try:
                thresholds = dataclasses.replace(configured, **{k: setting[k] for k in base})
            except ConfigError as error:
                log.info("sensitivity: %s = %s skipped (%s)", name, value, error)
                continue
            key = tuple(float(setting[k]) for k in base)
            if key not in cache:
                cache[key] = align_corpus(
                    vectors,
                    sentences,
                    documents,
                    thresholds,
                    events=event_of,
                    k=candidates,
                    features=features,
                )
            pairs = cache[key]
            overlap = outlet_overlap(content, pairs, documents, event_of, n_boot=0, n_perm=0)
            reused = pairs[pairs["relation"].isin([r.value for r in REUSE])]
            claims_key = (float(setting["claim"]), *key)  # claims: aligned pairs, threshold
            if claims_key not in claim_counts:
                claim_counts[claims_key] = cluster_claims(
                    vectors,
                    sentences,
                    events,
                    pairs,
                    outlet_of,
                    threshold=setting["claim"],
                    min_evidence=configured.evidence.link,
                    edges=edges,
                )["claim_id"].nunique()
            common = {
                "threshold": name,
                "offset": offset,
                "threshold_value": value,
                "sampled_share": sampled_share,
            }
            for quantity in ("reuse_share", "share_a_in_b"):
                rows += [
                    {
                        **common,
                        "quantity": quantity,
                        "outlet_a": a,
                        "outlet_b": b,
                        "value": float(v),
                    }
                    for a, b, v in zip(
                        overlap["outlet_a"], overlap["outlet_b"], overlap[quantity], strict=True
                    )
                ]
            rows += [
                {
                    **common,
                    "quantity": "n_claims",
                    "outlet_a": None,
                    "outlet_b": None,
                    "value": float(claim_counts[claims_key]),
                },
                {
                    **common,
                    "quantity": "n_reuse_pairs",
                    "outlet_a": None,
                    "outlet_b": None,
                    "value": float(len(reused)),
                },
            ]
    return pd.DataFrame.from_records(rows, columns=SENSITIVITY_COLUMNS)
