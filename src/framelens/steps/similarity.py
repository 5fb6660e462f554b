"""Stage similarity (``workflow/rules/similarity.smk``): how alike the articles are under
each model, as a square matrix with its heatmap (corpora up to
``similarity.matrix_max_documents``) and as the pairs within each event (every corpus)."""

from __future__ import annotations

import logging

import pandas as pd

from framelens import similarity as sim
from framelens.basics.tables import CONTENT_MASK_COLUMNS
from framelens.errors import FramelensError
from framelens.io import write_csv, write_parquet
from framelens.shards import (
    EventShard,
    gather_frames,
    read_shard_sentences,
    read_vector_rows,
    vector_rows_view,
)
from framelens.steps._common import read_identity, read_vectors_for, save_figure

log = logging.getLogger("framelens")


def _languages(documents: str) -> pd.Series:
    """Each document's language tag (``documents.parquet``'s ``language``), by ``doc_id``:
    the ``story`` measure scores pairs of two known, different languages apart."""
    table = pd.read_parquet(documents, columns=["doc_id", "language"])
    return pd.Series(table["language"].to_numpy(), index=table["doc_id"], name="language")


def doc_similarity(
    *,
    sentences: str,
    vectors: str,
    documents: str,
    method: sim.DocMethod,
    story: sim.StorySettings,
    table: str,
) -> None:
    """Document × document similarity under one model, as a square CSV (``method``:
    config ``similarity.doc_method``; ``story``: the ``story`` measure's weights;
    ``documents``: the documents table, for their languages)."""
    sents, matrix = read_vectors_for(sentences, vectors)
    doc_ids = list(dict.fromkeys(sents["doc_id"]))
    write_csv(
        sim.doc_similarity(
            matrix,
            sents,
            doc_ids,
            method,
            story,
            _languages(documents) if method is sim.DocMethod.STORY else None,
        ),
        table,
        index=True,
    )


def _no_pairs() -> pd.DataFrame:
    """The table of no document pairs, as :func:`framelens.similarity.doc_pairs_within_events`
    gives it."""
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c != "similarity" else float) for c in sim.DOC_PAIR_COLUMNS}
    )


def story_text(*, sentences: str, documents: str, profiles: str, workers: int = 1) -> None:
    """The ``story`` measure's TF-IDF profiles (names and numbers; words; the names shared
    across languages) of every document, fitted once on the whole corpus's text and
    languages, for the ``doc_pairs`` shards to read their documents' rows from (the two
    views fitted side by side by ``workers`` processes, the rule's threads)."""
    columns = ["doc_id", "position", "text", *CONTENT_MASK_COLUMNS]
    languages = _languages(documents)
    ordered = sorted(languages.index.astype(str))
    text = sim.story_text(
        pd.read_parquet(sentences, columns=columns), ordered, languages, workers=workers
    )
    sim.save_story_text(text, profiles)
    log.info(
        "story profiles of %d documents: %d names, %d words",
        len(ordered),
        text.names.shape[1],
        text.words.shape[1],
    )


def doc_pairs_shard(
    *,
    sentences: str,
    vectors: str,
    story_profiles: str | None,
    events: str,
    method: sim.DocMethod,
    story: sim.StorySettings,
    shard: int,
    shards: int,
    table: str,
) -> None:
    """Document similarity of every ordered pair of documents within each event of shard
    ``shard`` of ``shards`` (config ``event_shards``), long form (``method`` and ``story``
    as in :func:`doc_similarity`). Only the shard's vectors are read, and for ``story``
    only its documents' rows of the TF-IDF profiles :func:`story_text` fitted on the whole
    corpus (``story_profiles``), as one job fits them."""
    part = EventShard.read(events, sentences, shard, shards)
    if part.events.empty:  # more shards than events
        write_parquet(_no_pairs(), table)
        log.info("shard %d of %d: no events", shard, shards)
        return
    sents, rows = read_shard_sentences(sentences, part.doc_ids)
    matrix = (  # story: document vectors summed a block of documents at a time
        vector_rows_view(vectors, rows, sents["sent_id"].tolist())
        if method is sim.DocMethod.STORY
        else read_vector_rows(vectors, rows, sents["sent_id"].tolist())
    )
    text = None
    if method is sim.DocMethod.STORY:
        if story_profiles is None:
            raise FramelensError("doc_pairs_shard: the story measure needs the story profiles")
        text = sim.read_story_text(story_profiles, sorted(part.doc_ids))
    pairs = sim.doc_pairs_within_events(
        matrix, sents, part.events[["doc_id", "event_id"]], method, story, text
    )
    write_parquet(pairs, table)
    log.info(
        "shard %d of %d: %d document pairs within %d events",
        shard,
        shards,
        len(pairs),
        part.events["event_id"].nunique(),
    )


def doc_pairs(*, parts: list[str], table: str) -> None:
    """The shards' document pairs as one table, ordered by event as one job orders them."""
    pairs = gather_frames(parts, "event_id", _no_pairs())
    write_parquet(pairs, table)
    log.info("%d document pairs within %d events", len(pairs), pairs["event_id"].nunique())


def plot_doc_similarity(
    *, table: str, documents: str, embedding: str, model_key: str, method: str, figure: str
) -> None:
    """Clustered heatmap of one model's document similarity, outlet names on the axes."""
    from framelens.plots.common import model_label
    from framelens.plots.similarity_heatmap import doc_similarity_figure

    save_figure(
        doc_similarity_figure(
            pd.read_csv(table, index_col=0),
            pd.read_parquet(documents),
            method=method,
            model=model_label(model_key, read_identity(embedding)),
        ),
        figure,
    )
