"""Stage framing (``workflow/rules/framing.smk``): what each outlet puts first, whom it
quotes, the words that set it apart and the figures it disputes; and their figures."""

from __future__ import annotations

import logging

import pandas as pd

from framelens.basics.tables import content_mask, outlet_keys
from framelens.facts import DISPUTE_COLUMNS, disputed_facts
from framelens.io import write_csv, write_parquet
from framelens.quotes import find_quotes, speaker_shares
from framelens.salience import SALIENCE_COLUMNS, salience_table
from framelens.shards import EventShard, gather_frames, read_shard_sentences
from framelens.steps._common import read_identity, save_figure
from framelens.vocabulary import CellCounts, cell_counts, distinctive_from_counts

log = logging.getLogger("framelens")


# the sentence columns the measures read (not offsets, headings, boilerplate reasons)
FRAMING_COLUMNS = [
    "sent_id",
    "doc_id",
    "position",
    "paragraph",
    "text",
    "boilerplate",
    "duplicate_of",
]
# the column of a quotes part that orders the shards' quotes as one job orders them
QUOTE_ORDER = "_event_first_doc"


def framing_shard(
    *,
    sentences: str,
    documents: str,
    events: str,
    claims: str,
    summary: str,
    lead_sentences: int,
    shard: int,
    shards: int,
    salience: str,
    quotes: str,
    counts: str,
    disputed: str,
    workers: int = 1,
) -> None:
    """Salience, quotes, term counts per (event, outlet) and disputed figures of the events
    in shard ``shard`` of ``shards`` (config ``event_shards``), as parts for
    :func:`framing` (``claims`` and ``summary``: the same shard's claims parts); quotes
    are found by ``workers`` processes (the rule's threads)."""
    part = EventShard.read(events, sentences, shard, shards)
    sents, _ = read_shard_sentences(sentences, part.doc_ids, FRAMING_COLUMNS)
    content = sents[content_mask(sents)]
    del sents  # only the content sentences are used below
    docs = pd.read_parquet(documents)
    event_of = part.event_of()
    claim_table = pd.read_parquet(claims)
    outlet_of = outlet_keys(docs)
    representatives = pd.read_parquet(summary, columns=["claim_id", "representative"])
    write_parquet(
        salience_table(
            claim_table, content, representatives, outlet_of, lead_sentences=lead_sentences
        ),
        salience,
    )
    del representatives  # each table is written and let go before the next is built
    quote_table = find_quotes(content, events=event_of, workers=workers)
    # find_quotes orders events by their first document with content: so does the gather
    first_doc = content["doc_id"].groupby(content["doc_id"].map(event_of)).min()
    quote_table[QUOTE_ORDER] = quote_table["doc_id"].map(event_of).map(first_doc)
    write_parquet(quote_table, quotes)
    n_quotes = len(quote_table)
    del quote_table
    shard_docs = docs[docs["doc_id"].isin(part.doc_ids)]
    cell_counts(content, shard_docs, events=event_of).save(counts)
    disputes = disputed_facts(content, claim_table.set_index("sent_id")["claim_id"])
    write_parquet(disputes, disputed)
    log.info(
        "shard %d of %d: %d quotes, %d disputed figures", shard, shards, n_quotes, len(disputes)
    )


def framing(
    *,
    documents: str,
    salience_parts: list[str],
    quote_parts: list[str],
    count_parts: list[str],
    disputed_parts: list[str],
    vocabulary_top: int,
    salience: str,
    quotes: str,
    speakers: str,
    vocabulary: str,
    disputed: str,
) -> None:
    """The shards' salience, quotes and disputed figures as one table each, ordered as one
    job orders them; speakers per outlet from all quotes, and distinctive vocabulary from
    the shards' term counts (exact: integer counts of disjoint events)."""
    docs = pd.read_parquet(documents)
    write_csv(
        gather_frames(salience_parts, "event_id", pd.DataFrame(columns=SALIENCE_COLUMNS)),
        salience,
    )
    quote_table = gather_frames(quote_parts, QUOTE_ORDER, None)
    quote_table = quote_table.drop(columns=QUOTE_ORDER)
    write_csv(quote_table, quotes)
    write_csv(speaker_shares(quote_table, docs), speakers)
    n_quotes = len(quote_table)
    del quote_table
    cells = CellCounts.concat([CellCounts.load(p) for p in count_parts])
    write_csv(distinctive_from_counts(cells, top=vocabulary_top), vocabulary)
    disputes = gather_frames(disputed_parts, "group", pd.DataFrame(columns=DISPUTE_COLUMNS))
    write_csv(disputes, disputed)
    log.info("%d quotes, %d disputed figures", n_quotes, len(disputes))


def plot_framing(
    *,
    salience: str,
    summary: str,
    speakers: str,
    vocabulary: str,
    embedding: str,
    model_key: str,
    leads: str,
    speaker_figure: str,
    vocabulary_figure: str,
) -> None:
    """Lead claims of the largest event, speakers per outlet, distinctive words
    (``speaker_figure``, ``vocabulary_figure``: the rule's outputs ``speakers`` and
    ``vocabulary``, named apart from the inputs of those names)."""
    from framelens.plots.common import model_label
    from framelens.plots.salience import event_leads_figure
    from framelens.plots.speakers import quoted_speakers_figure
    from framelens.plots.vocabulary import distinctive_words_figure

    save_figure(
        event_leads_figure(
            pd.read_csv(salience, dtype={"event_id": str}),
            pd.read_csv(summary, dtype={"event_id": str}),
            model=model_label(model_key, read_identity(embedding)),
        ),
        leads,
    )
    save_figure(quoted_speakers_figure(pd.read_csv(speakers)), speaker_figure)
    save_figure(distinctive_words_figure(pd.read_csv(vocabulary)), vocabulary_figure)
