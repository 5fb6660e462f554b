"""Stage claims (``workflow/rules/claims.smk``): the claims of each event, which outlet
carries which, and their figures."""

from __future__ import annotations

import logging

import pandas as pd

from framelens.basics.tables import content_mask, outlet_keys
from framelens.claims import CLAIM_COLUMNS, SUMMARY_COLUMNS, claims_summary, cluster_claims
from framelens.coverage import COVERAGE_COLUMNS, coverage_table, outlet_coverage
from framelens.io import write_csv, write_parquet
from framelens.shards import EventShard, gather_frames, read_shard_sentences, vector_rows_view
from framelens.steps._common import read_identity, save_figure

log = logging.getLogger("framelens")


def claims_shard(
    *,
    sentences: str,
    documents: str,
    vectors: str,
    events: str,
    alignments: str,
    claim_threshold: float,
    evidence_link: float,
    core_share: float,
    lead_sentences: int,
    shard: int,
    shards: int,
    claims: str,
    summary: str,
    coverage: str,
    workers: int = 1,
) -> None:
    """Claims of the events in shard ``shard`` of ``shards`` (config ``event_shards``),
    their summary and outlet x claim coverage, as Parquet parts for :func:`claims`
    (``alignments``: the same shard's aligned pairs; ``evidence_link``: config
    ``alignment.evidence.link``, the evidence from which an aligned paraphrase joins its
    two sentences in one claim; ``core_share`` and ``lead_sentences``: config
    ``coverage``), clustered by ``workers`` processes (the rule's threads)."""
    part = EventShard.read(events, sentences, shard, shards)
    sents, rows = read_shard_sentences(sentences, part.doc_ids)
    matrix = vector_rows_view(vectors, rows, sents["sent_id"].tolist())
    outlet_of = outlet_keys(pd.read_parquet(documents))
    table = cluster_claims(
        matrix,
        sents,
        part.events,
        # only the columns claims read: the pairs, their relation and evidence
        pd.read_parquet(alignments, columns=["sent_id_a", "sent_id_b", "relation", "evidence"]),
        outlet_of,
        threshold=claim_threshold,
        min_evidence=evidence_link,
        workers=workers,
    )
    write_parquet(table, claims)
    write_parquet(claims_summary(table, sents, matrix, outlet_of, workers=workers), summary)
    cover = coverage_table(
        table,
        sents[content_mask(sents)],
        outlet_of,
        core_share=core_share,
        lead_sentences=lead_sentences,
    )
    write_parquet(cover, coverage)
    log.info(
        "shard %d of %d: %d sentences in %d claims over %d events",
        shard,
        shards,
        len(table),
        table["claim_id"].nunique(),
        table["event_id"].nunique(),
    )


def claims(
    *,
    claim_parts: list[str],
    summary_parts: list[str],
    coverage_parts: list[str],
    claims: str,
    summary: str,
    coverage: str,
    outlets: str,
) -> None:
    """The shards' claims, summaries and coverage as one table each, ordered by event as
    one job orders them, and the per-outlet totals over all events."""
    table = gather_frames(claim_parts, "event_id", pd.DataFrame(columns=CLAIM_COLUMNS))
    write_parquet(table, claims)
    write_csv(
        gather_frames(summary_parts, "event_id", pd.DataFrame(columns=SUMMARY_COLUMNS)), summary
    )
    cover = gather_frames(coverage_parts, "event_id", pd.DataFrame(columns=COVERAGE_COLUMNS))
    write_csv(cover, coverage)
    write_csv(outlet_coverage(cover), outlets)
    log.info(
        "%d sentences in %d claims over %d events",
        len(table),
        table["claim_id"].nunique(),
        table["event_id"].nunique(),
    )


def plot_coverage(
    *,
    coverage: str,
    summary: str,
    embedding: str,
    model_key: str,
    matrices: list[str],
    intersections: list[str],
) -> None:
    """Coverage matrix and claim-intersection chart of the events with most outlets, one
    of each per path in ``matrices`` and ``intersections``, largest event first."""
    from framelens.plots.common import model_label
    from framelens.plots.coverage_matrix import coverage_figures

    figures = coverage_figures(
        pd.read_csv(coverage, dtype={"event_id": str}),
        pd.read_csv(summary, dtype={"event_id": str}),
        n=len(matrices),
        model=model_label(model_key, read_identity(embedding)),
    )
    for (matrix, sets), matrix_path, sets_path in zip(
        figures, matrices, intersections, strict=True
    ):
        save_figure(matrix, matrix_path)
        save_figure(sets, sets_path)
