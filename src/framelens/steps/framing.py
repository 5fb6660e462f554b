"""Stage framing (``workflow/rules/framing.smk``): what each outlet puts first, whom it
quotes, the words that set it apart and the figures it disputes; and their figures."""

from __future__ import annotations

import logging

import pandas as pd
import pyarrow.parquet as pq

from framelens.basics.tables import content_mask, outlet_keys
from framelens.facts import disputed_facts
from framelens.io import write_csv
from framelens.quotes import find_quotes, speaker_shares
from framelens.salience import salience_table
from framelens.steps._common import read_events, read_identity, save_figure
from framelens.vocabulary import distinctive_terms

log = logging.getLogger("framelens")


def framing(
    *,
    sentences: str,
    documents: str,
    events: str,
    claims: str,
    summary: str,
    lead_sentences: int,
    vocabulary_top: int,
    salience: str,
    quotes: str,
    speakers: str,
    vocabulary: str,
    disputed: str,
) -> None:
    """Salience, quotes and speakers, distinctive vocabulary and disputed figures."""
    # the columns the measures read (not offsets, headings, boilerplate reasons)
    wanted = ["sent_id", "doc_id", "position", "paragraph", "text", "boilerplate", "duplicate_of"]
    present = set(pq.read_schema(sentences).names)
    sents = pd.read_parquet(sentences, columns=[c for c in wanted if c in present])
    content = sents[content_mask(sents)]
    del sents  # only the content sentences are used below
    docs = pd.read_parquet(documents)
    event_of = read_events(events)
    claim_table = pd.read_parquet(claims)
    outlet_of = outlet_keys(docs)
    representatives = pd.read_csv(summary, dtype=str, usecols=["claim_id", "representative"])
    write_csv(
        salience_table(
            claim_table, content, representatives, outlet_of, lead_sentences=lead_sentences
        ),
        salience,
    )
    del representatives  # each table is written and let go before the next is built
    quote_table = find_quotes(content, events=event_of)
    write_csv(quote_table, quotes)
    write_csv(speaker_shares(quote_table, docs), speakers)
    n_quotes = len(quote_table)
    del quote_table
    write_csv(distinctive_terms(content, docs, events=event_of, top=vocabulary_top), vocabulary)
    disputes = disputed_facts(content, claim_table.set_index("sent_id")["claim_id"])
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
