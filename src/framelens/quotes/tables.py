"""The quotes table of a corpus (:func:`find_quotes`, speakers normalised per event) and each
outlet's speakers table (:func:`speaker_shares`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np
import pandas as pd

from framelens.basics.tables import outlet_keys
from framelens.lookup import run_bounds
from framelens.quotes.documents import _document_quotes, _DocumentQuotes
from framelens.quotes.marks import count_words
from framelens.quotes.speakers import normalise_speakers
from framelens.workers import PIECES, ordered_map

QUOTE_COLUMNS = [
    "quote_id",
    "doc_id",
    "sent_ids",
    "quote",
    "kind",
    "speaker_raw",
    "speaker",
    "role",
    "verb",
    "n_words",
    "attribution",
]
SHARE_COLUMNS = [
    "outlet",
    "speaker",
    "n_quotes",
    "n_direct",
    "quoted_words",
    "share_of_quoted_words",
]
UNATTRIBUTED_SPEAKER = "(unattributed)"


def find_quotes(
    sentences: pd.DataFrame, *, events: pd.Series | None = None, workers: int = 1
) -> pd.DataFrame:
    """One row per quote in the documents' sentences.

    ``sentences``: content sentences (boilerplate and repeats already removed) with
    ``sent_id``, ``doc_id``, ``position`` and ``text``; ``paragraph`` is used when present
    (an unclosed quote ends with its paragraph, else with its sentence). ``events`` maps
    ``doc_id`` to event; speaker names are normalised within each event (all documents
    form one event when it is None).

    Returns :data:`QUOTE_COLUMNS`: ``quote_id`` (``<doc_id>:q<nnn>``), ``doc_id``,
    ``sent_ids`` (comma-joined), ``quote`` (the words, marks removed), ``kind``
    (``direct``, ``indirect``, ``scare``; see the package docstring), ``speaker_raw`` (as
    written: "Serbian President Aleksandar Vucic", "he"), ``speaker`` (canonical name,
    :func:`normalise_speakers`), ``role`` ("NATO Secretary General", taken from elsewhere
    in the document when this attribution has none), ``verb``, ``n_words`` (words in
    ``quote``) and ``attribution`` (how the speaker was found: ``name``, ``pronoun``,
    ``continuation`` or None), ordered by document and position. ``workers`` processes
    parse batches of events (:func:`framelens.workers.ordered_map`; the same table for
    any count).
    """
    keys = sentences[["doc_id", "position"]].reset_index(drop=True)
    order = keys.sort_values(["doc_id", "position"], kind="stable").index.to_numpy()
    doc_codes, doc_ids = pd.factorize(keys["doc_id"].iloc[order])  # codes rise in that order
    order, doc_codes = order[doc_codes >= 0], doc_codes[doc_codes >= 0]
    bounds = run_bounds(doc_codes)
    event_of = events if events is not None else pd.Series(dtype=object)
    by_event: dict[str, list[int]] = {}  # documents by event, events in order of their first
    for doc in range(len(bounds) - 1):
        by_event.setdefault(str(event_of.get(str(doc_ids[doc]), "all")), []).append(doc)
    has_paragraphs = "paragraph" in sentences
    fields = ["sent_id", "text", "paragraph"] if has_paragraphs else ["sent_id", "text"]
    # an event's documents at a time (their texts fetched a batch of events at a time),
    # so only one event's parsed documents are held; batches go to ``workers`` processes
    at_once = _ROWS_AT_ONCE
    if workers > 1:
        at_once = min(at_once, max(1, len(order) // PIECES))
    batches = list(_event_batches(list(by_event.values()), bounds, at_once))

    def batch_records(number: int) -> list[dict[str, object]]:
        batch = batches[number]
        rows = np.concatenate(
            [order[bounds[doc] : bounds[doc + 1]] for docs in batch for doc in docs]
        )
        values = [sentences[field].iloc[rows].tolist() for field in fields]
        at = 0
        records: list[dict[str, object]] = []
        for docs in batch:
            documents = []
            for doc in docs:
                end = at + int(bounds[doc + 1] - bounds[doc])
                documents.append(
                    _document_quotes(
                        str(doc_ids[doc]),
                        list(zip(*(v[at:end] for v in values), strict=True)),
                        has_paragraphs,
                    )
                )
                at = end
            names = [n for d in documents for n in d.persons]
            names += [q.name for d in documents for q in d.quotes if q.name]
            mapping = normalise_speakers(names)
            records.extend(r for d in documents for r in _quote_records(d, mapping))
        return records

    columns: dict[str, list[object]] = {column: [] for column in QUOTE_COLUMNS}
    for records in ordered_map(batch_records, len(batches), workers):
        for record in records:
            for column in QUOTE_COLUMNS:
                columns[column].append(record[column])
    table = pd.DataFrame(columns, columns=QUOTE_COLUMNS, dtype=object)
    table = table.where(table.notna(), None)
    return table.astype({"n_words": int})


_ROWS_AT_ONCE = 1 << 16  # sentences whose texts are fetched as Python strings at a time


def _event_batches(
    events: list[list[int]], bounds: np.ndarray, at_once: int = _ROWS_AT_ONCE
) -> Iterator[list[list[int]]]:
    """Consecutive events (lists of documents) in batches of about ``at_once`` sentences
    (an event with more is a batch of its own)."""
    batch: list[list[int]] = []
    size = 0
    for docs in events:
        rows = sum(int(bounds[doc + 1] - bounds[doc]) for doc in docs)
        if batch and size + rows > at_once:
            yield batch
            batch, size = [], 0
        batch.append(docs)
        size += rows
    if batch:
        yield batch


def _quote_records(doc: _DocumentQuotes, mapping: dict[str, str]) -> list[dict[str, object]]:
    """Output rows of one document's quotes, with canonical speakers and filled roles."""
    roles: dict[str, Counter[str]] = {}
    for name, mentioned in doc.roles:
        roles.setdefault(mapping.get(name, name), Counter())[mentioned] += 1
    records: list[dict[str, object]] = []
    for number, quote in enumerate(doc.quotes):
        speaker = mapping.get(quote.name, quote.name) if quote.name else None
        role = quote.role
        if role is None and speaker in roles:
            role = max(roles[speaker].items(), key=lambda item: (len(item[0]), item[1]))[0]
        records.append(
            {
                "quote_id": f"{doc.doc_id}:q{number:03d}",
                "doc_id": doc.doc_id,
                "sent_ids": ",".join(doc.sent_ids[i] for i in quote.sentences),
                "quote": quote.quote,
                "kind": quote.kind,
                "speaker_raw": quote.speaker_raw,
                "speaker": speaker,
                "role": role,
                "verb": quote.verb,
                "n_words": count_words(quote.quote),
                "attribution": quote.attribution,
            }
        )
    return records


def speaker_shares(quotes: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Who gets the word in each outlet.

    ``quotes``: :func:`find_quotes` output; ``documents``: ``doc_id``, ``outlet`` and
    ``outlet_label`` (an unattributed document counts as its own outlet, as in
    :func:`framelens.overlap.outlet_keys`). Scare quotes are left out; quotes without a
    speaker count under ``(unattributed)``, so shares add up to 1 per outlet.

    Returns :data:`SHARE_COLUMNS`, one row per outlet and speaker: ``n_quotes`` (direct and
    indirect), ``n_direct``, ``quoted_words`` (words of those quotes) and
    ``share_of_quoted_words`` (of the outlet's quoted words), sorted by outlet then share.
    """
    kept = quotes[quotes["kind"] != "scare"]
    outlet_of = (
        outlet_keys(documents)
        if "outlet_label" in documents
        else documents.set_index("doc_id")["outlet"]
    )
    table = pd.DataFrame(
        {
            "outlet": kept["doc_id"].map(outlet_of).to_numpy(),
            "speaker": kept["speaker"].fillna(UNATTRIBUTED_SPEAKER).to_numpy(),
            "direct": (kept["kind"] == "direct").to_numpy(),
            "words": kept["n_words"].to_numpy(),
        }
    )
    if table.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    grouped = (
        table.groupby(["outlet", "speaker"], sort=True)
        .agg(
            n_quotes=("words", "size"),
            n_direct=("direct", "sum"),
            quoted_words=("words", "sum"),
        )
        .reset_index()
    )
    totals = grouped.groupby("outlet")["quoted_words"].transform("sum")
    grouped["share_of_quoted_words"] = grouped["quoted_words"] / totals.where(totals > 0)
    grouped = grouped.sort_values(
        ["outlet", "share_of_quoted_words", "speaker"], ascending=[True, False, True], kind="stable"
    )
    return (
        grouped[SHARE_COLUMNS]
        .reset_index(drop=True)
        .astype({"n_quotes": int, "n_direct": int, "quoted_words": int})
    )
