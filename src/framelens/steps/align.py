"""Stage align (``workflow/rules/align.smk``): sentence pairs across articles with their
relation, the outlet overlap they add up to, and their figures."""

from __future__ import annotations

import logging

import pandas as pd

from framelens.align import ALIGNMENT_COLUMNS, Thresholds, align_corpus
from framelens.basics.tables import CONTENT_MASK_COLUMNS, content_mask
from framelens.io import write_csv, write_parquet
from framelens.overlap import SIGNIFICANCE_LEVEL, drop_syndicated_pairs, reuse_sources
from framelens.overlap import outlet_overlap as overlap_table
from framelens.shards import EventShard, gather_frames, read_shard_sentences, vector_rows_view
from framelens.steps._common import (
    read_events,
    read_identity,
    read_top_pair_alignments,
    save_figure,
)

log = logging.getLogger("framelens")


def align_shard(
    *,
    sentences: str,
    documents: str,
    vectors: str,
    events: str,
    thresholds: Thresholds,
    candidates: int,
    shard: int,
    shards: int,
    alignments: str,
    workers: int = 1,
) -> None:
    """Cross-document sentence pairs of one model's events in shard ``shard`` of
    ``shards`` (config ``event_shards``; ``thresholds``: config ``alignment`` with the
    model's paraphrase cosine; ``candidates``: nearest sentences considered per sentence
    and other document), from only those events' sentences and vectors, aligned by
    ``workers`` processes (the rule's threads)."""
    part = EventShard.read(events, sentences, shard, shards)
    sents, rows = read_shard_sentences(sentences, part.doc_ids)
    matrix = vector_rows_view(vectors, rows, sents["sent_id"].tolist())
    docs = pd.read_parquet(documents)
    table = align_corpus(
        matrix, sents, docs, thresholds, events=part.event_of(), k=candidates, workers=workers
    )
    write_parquet(table, alignments)
    log.info(
        "shard %d of %d: %d events, %d sentences, %d aligned pairs",
        shard,
        shards,
        part.events["event_id"].nunique(),
        len(sents),
        len(table),
    )


def align(*, parts: list[str], alignments: str) -> None:
    """The shards' aligned pairs as one table, ordered by event as one job orders them."""
    table = gather_frames(parts, "event", pd.DataFrame(columns=ALIGNMENT_COLUMNS))
    write_parquet(table, alignments)
    log.info(
        "aligned %d sentence pairs: %s", len(table), table["relation"].value_counts().to_dict()
    )


#: The alignment columns outlet overlap and likely sources read.
OVERLAP_COLUMNS = ["sent_id_a", "sent_id_b", "doc_id_a", "doc_id_b", "relation", "source_doc_id"]


def outlet_overlap(
    *,
    sentences: str,
    documents: str,
    events: str,
    alignments: str,
    bootstrap: int,
    confidence: float,
    permutations: int,
    random_state: int,
    syndication: str = "count",
    overlap: str,
    sources: str,
    workers: int = 1,
) -> None:
    """Outlet overlap with bootstrap intervals and permutation p-values (BH-adjusted),
    and the likely sources of reused copy; syndicated copies counted as reuse or left out
    (``syndication``: ``count`` or ``exclude``); the outlets are taken by ``workers``
    processes (the rule's threads)."""
    # the text is not needed here: reading it would be most of the step's memory
    sents = pd.read_parquet(sentences, columns=["sent_id", "doc_id", *CONTENT_MASK_COLUMNS])
    docs = pd.read_parquet(documents)
    # only the columns the tests and sources read (4.3M pairs at 100,000 articles)
    pairs = pd.read_parquet(alignments, columns=OVERLAP_COLUMNS)
    if syndication == "exclude":
        kept = drop_syndicated_pairs(pairs, docs)
        log.info(
            "syndication excluded: %d of %d aligned pairs join copies of one story",
            len(pairs) - len(kept),
            len(pairs),
        )
        pairs = kept
    content = sents[content_mask(sents)]
    table = overlap_table(
        content,
        pairs,
        docs,
        read_events(events),
        n_boot=bootstrap,
        confidence=confidence,
        random_state=random_state,
        n_perm=permutations,
        workers=workers,
    )
    write_csv(table, overlap)
    write_csv(reuse_sources(content, pairs, docs), sources)
    significant = table[table["p_adjusted"] < SIGNIFICANCE_LEVEL]
    log.info(
        "%d ordered outlet pairs, %d with significant reuse (BH-adjusted p < %g, %d permutations)",
        len(table),
        len(significant),
        SIGNIFICANCE_LEVEL,
        permutations,
    )


def plot_outlet_overlap(*, overlap: str, embedding: str, model_key: str, figure: str) -> None:
    """Directional outlet-overlap heatmap of one model."""
    from framelens.plots.common import model_label
    from framelens.plots.outlet_overlap import outlet_overlap_figure

    save_figure(
        outlet_overlap_figure(
            pd.read_csv(overlap), model=model_label(model_key, read_identity(embedding))
        ),
        figure,
    )


VIEW_SENTENCE_COLUMNS = ("doc_id", "sent_id", "text", *CONTENT_MASK_COLUMNS)


def plot_alignment_views(
    *,
    sentences: str,
    documents: str,
    alignments: str,
    embedding: str,
    model_key: str,
    figures: list[str],
) -> None:
    """Side-by-side views of the document pairs with the most reused sentences, one figure
    per path in ``figures``, best pair first."""
    from framelens.plots.alignment_view import alignment_views
    from framelens.plots.common import model_label

    pairs = read_top_pair_alignments(alignments, len(figures))
    doc_ids = set(pairs["doc_id_a"]) | set(pairs["doc_id_b"])
    views = alignment_views(
        read_shard_sentences(sentences, doc_ids, columns=list(VIEW_SENTENCE_COLUMNS))[0],
        pd.read_parquet(documents),
        pairs,
        n=len(figures),
        model=model_label(model_key, read_identity(embedding)),
    )
    for fig, path in zip(views, figures, strict=True):
        save_figure(fig, path)
