"""Ingest: read a corpus, in any supported format, into documents and sentences tables.

A reader per format (:mod:`framelens.sources`) yields one record per article; ingest turns
every record into a document row, sentence rows and a report entry the same way. Ingest
never invents what the text does not say, and never drops anything silently: removed headers
and HTML markup, what an HTML extractor left out, flagged boilerplate and repeats all go to
the ingest report.

What counts as an error (a :class:`CorpusError` naming the file, row or record; every error
of a corpus is collected and raised together) and what is ingested with a flag:

* errors: for folders, a ``.txt`` file not in the metadata, a row whose file is missing, a
  path outside the folder (``..``, absolute, a symlink pointing out), a file listed twice,
  two files with the same document id (``a/b.txt`` and ``a__b.txt``) or whose ids differ
  only in case or Unicode normalisation; for tables, a missing or unknown column; for
  every format, an empty, binary, unreadable or (by default) non-UTF-8 article or row, no
  outlet (neither given nor a URL to take the domain from), a date that is neither a date
  nor a timestamp, a ``language`` that is not a BCP-47 tag (``English`` instead of ``en``);
* flags: ``html_stripped`` (markup converted to text, every piece recorded under
  ``removed``), ``outlet_unusual`` (an outlet name that is only punctuation, over 100
  characters, or holds control characters or markup; the name is kept),
  ``decode_replaced``, ``no_content`` (no content sentence left: the text had none, or
  every sentence was flagged as boilerplate or a repeat; also counted in the report's
  totals and logged as a warning naming the file), ``date_differs``, ``outlet_differs``,
  ``duplicate_id`` (a second article under an id already taken, with other text: kept
  under ``<id>~2``), ``duplicate_url`` (a URL already seen, with other text), ``truncated``
  (the text stops mid-sentence: its last sentence is marked ``partial``, and kept),
  ``syndicated`` (the content equals an earlier article's: ``syndicated_of``).

A record whose id and text equal an earlier one's (the same page fetched twice) is not
ingested twice: it is listed under ``duplicate_records`` in the report with both places.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import logging
import re
import shutil
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framelens.errors import CorpusError, Problem
from framelens.io import atomic_path, write_parquet
from framelens.repeats import (
    SiteBoilerplateSettings,
    SiteRepeats,
    content_fingerprint,
    syndication_sources,
    text_hash,
)
from framelens.schema import defaults
from framelens.sources import check_source, read_records
from framelens.sources.folder import (
    DECODE_POLICIES,
    MAX_OUTLET_CHARS,
    METADATA_FILE,
    UNATTRIBUTED,
    check_corpus,
    doc_id_for,
    is_language_tag,
    list_corpus_files,
)
from framelens.sources.records import SourceRecord, url_domain
from framelens.sources.spec import CorpusSource
from framelens.sources.timestamps import parse_timestamp
from framelens.text import (
    Header,
    MarkupEdit,
    Segment,
    detect_language,
    embedded_segments,
    is_cut_off,
    is_truncation_marker,
    normalise_text,
    parse_header,
    segment,
    sentence_boilerplate_reason,
    strip_markup,
)
from framelens.workers import map_in_pieces

__all__ = ["METADATA_FILE", "UNATTRIBUTED", "check_corpus", "doc_id_for", "list_corpus_files"]

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = [
    "doc_id",
    "file",
    "outlet",
    "outlet_label",
    "date",
    "date_source",
    "title",
    "title_source",
    "language",
    "language_source",
    "event",
    "url",
    "dateline",
    "n_sentences",
    "n_content_sentences",
    "n_chars",
    "sha256",
    "time",
    "record",
    "outlet_source",
    "truncated",
    "syndicated_of",
]
SENTENCE_COLUMNS = [
    "sent_id",
    "doc_id",
    "position",
    "paragraph",
    "text",
    "heading",
    "duplicate_of",
    "boilerplate",
    "boilerplate_reason",
    "char_start",
    "char_end",
    "partial",
]
SENTENCE_SCHEMA = pa.schema(
    [
        ("sent_id", pa.string()),
        ("doc_id", pa.string()),
        ("position", pa.int64()),
        ("paragraph", pa.int64()),
        ("text", pa.string()),
        ("heading", pa.bool_()),
        ("duplicate_of", pa.string()),
        ("boilerplate", pa.bool_()),
        ("boilerplate_reason", pa.string()),
        ("char_start", pa.int64()),
        ("char_end", pa.int64()),
        ("partial", pa.bool_()),
    ]
)
#: Sentence rows held in memory before a chunk is spooled to disk (ingest_to_files).
CHUNK_ROWS = 50_000
#: Flagged sentences listed per article in the report (the counts cover all of them).
SITE_BOILERPLATE = "site_boilerplate"
#: Formats whose records are web pages: a page that is no article (an index, a login page)
#: or cannot be read is skipped and listed in the report, not an error that stops the run.
WEB_FORMATS = ("html", "warc")
#: A syndicated copy equals its original in every content sentence of at least this many
#: words (shorter ones, such as bylines and datelines, may differ between outlets).
SYNDICATION_WORDS = 6


@dataclass
class IngestResult:
    """The three ingest outputs: documents, sentences and the report."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    report: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestSettings:
    """How to ingest (config ``ingest``): the decode policy and site boilerplate."""

    on_decode_error: str = defaults("ingest")["on_decode_error"]
    site_boilerplate: SiteBoilerplateSettings = field(default_factory=SiteBoilerplateSettings)

    def __post_init__(self) -> None:
        if self.on_decode_error not in DECODE_POLICIES:
            raise ValueError(
                f"on_decode_error must be one of {DECODE_POLICIES}, not {self.on_decode_error!r}"
            )

    @classmethod
    def from_config(cls, entry: dict[str, Any]) -> IngestSettings:
        """From the validated ``ingest`` config mapping."""
        return cls(
            on_decode_error=entry.get("on_decode_error", cls.on_decode_error),
            site_boilerplate=SiteBoilerplateSettings.from_config(entry.get("site_boilerplate")),
        )


def duplicate_key(text: str) -> str:
    """Key under which two sentences count as exact repeats (case and spacing ignored)."""
    return " ".join(text.split()).casefold()


_WORDS_RE = re.compile(r"\w+")
_TITLE_SUFFIX_SEPARATORS = (" | ", " - ", " – ", " — ")
HEADLINE_LEAD_SEGMENTS = 3  # where a title already in the text is looked for


def title_in_lead(title: str, segments: list[Segment]) -> bool:
    """Whether ``title`` already opens the text: its words, in order, run contiguously
    through the first :data:`HEADLINE_LEAD_SEGMENTS` segments (case and punctuation
    ignored). A trailing site name (``Title | Site``, ``Title - Site``) may be missing, and
    the title's last word may be cut short (a title field truncated at a length).

    >>> from framelens.text import segment
    >>> title_in_lead("Talks fail | Daily", segment("Report: talks fail.\\n\\nMore."))
    True
    >>> title_in_lead("Talks fail", segment("The talks did fail."))
    False
    """
    lead = " ".join(seg.text for seg in segments[:HEADLINE_LEAD_SEGMENTS])
    lead_words = f" {' '.join(_WORDS_RE.findall(lead.casefold()))} "
    candidates = [title] + [
        title.rsplit(sep, 1)[0] for sep in _TITLE_SUFFIX_SEPARATORS if sep in title
    ]
    for candidate in candidates:
        words = _WORDS_RE.findall(candidate.casefold())
        if words and f" {' '.join(words)}" in lead_words:  # the last word may be cut off
            return True
    return False


def headline_segment(title: str | None, segments: list[Segment]) -> Segment | None:
    """The title as the article's headline when the text does not open with it: a
    heading segment before the body, at offsets ``-1`` (it is not in the text).

    Scraped pages and table exports keep the headline apart from the text, while
    other articles open with it; putting it on top makes both read alike, and the
    headline is where news states its story and frame."""
    if not title or not title.strip() or title_in_lead(title, segments):
        return None
    return Segment(" ".join(title.split()), start=-1, end=-1, paragraph=0, heading=True)


def sentence_rows(doc_id: str, body: str, title: str | None = None) -> list[dict[str, Any]]:
    """Segment a body into sentence rows with boilerplate and repeat flags; a ``title``
    the body does not open with comes first, as the headline (:func:`headline_segment`:
    offsets ``-1``, paragraph 0, the body's paragraphs counted from 1)."""
    segments = segment(body)
    headline = headline_segment(title, segments)
    if headline is not None:
        segments = [
            headline,
            *(dataclasses.replace(seg, paragraph=seg.paragraph + 1) for seg in segments),
        ]
    embeds = embedded_segments(segments)
    first_seen: dict[str, str] = {}
    rows = []
    for position, seg in enumerate(segments):
        sent_id = f"{doc_id}:{position:04d}"
        key = duplicate_key(seg.text)
        duplicate_of = first_seen.get(key)
        first_seen.setdefault(key, sent_id)
        reason = "social_embed" if position in embeds else sentence_boilerplate_reason(seg.text)
        if reason is None and seg.heading and duplicate_of is not None:
            reason = "repeated_headline"
        rows.append(
            {
                "sent_id": sent_id,
                "doc_id": doc_id,
                "position": position,
                "paragraph": seg.paragraph,
                "text": seg.text,
                "heading": seg.heading,
                "duplicate_of": duplicate_of,
                "boilerplate": reason is not None,
                "boilerplate_reason": reason,
                "char_start": seg.start,
                "char_end": seg.end,
                "partial": False,
            }
        )
    mark_partial_ending(rows)
    return rows


def mark_partial_ending(rows: list[dict[str, Any]]) -> None:
    """Mark the last sentence ``partial`` when the text stops in the middle of it (cut off
    mid-word or mid-sentence, or an API's ``[+1234 chars]`` marker); it stays content. A
    marker that stands alone is flagged ``truncation_marker`` and the sentence before it is
    the partial one."""
    if rows and is_truncation_marker(rows[-1]["text"]):
        rows[-1].update(boilerplate=True, boilerplate_reason="truncation_marker")
        if len(rows) > 1 and not rows[-2]["boilerplate"]:
            rows[-2]["partial"] = True
        return
    if rows and not rows[-1]["heading"] and not rows[-1]["boilerplate"]:
        rows[-1]["partial"] = is_cut_off(rows[-1]["text"])


def outlet_labels(documents: pd.DataFrame) -> list[str]:
    """Labels for figures: the outlet name, plus a short document id where the outlet
    covers several documents or is unattributed (so no two labels are the same)."""
    doc_ids = documents["doc_id"].tolist()
    outlets = documents["outlet"].tolist()
    peers_of: dict[str, list[str]] = defaultdict(list)
    for doc_id, outlet in zip(doc_ids, outlets, strict=True):
        peers_of[outlet].append(doc_id)
    for peers in peers_of.values():
        peers.sort()
    labels = []
    for doc_id, outlet in zip(doc_ids, outlets, strict=True):
        peers = peers_of[outlet]
        if len(peers) == 1 and outlet != UNATTRIBUTED:
            labels.append(outlet)
            continue
        labels.append(f"{outlet} ({short_unique_prefix(doc_id, sorted_neighbours(peers, doc_id))})")
    return labels


def sorted_neighbours(sorted_ids: list[str], doc_id: str) -> list[str]:
    """The ids just before and after ``doc_id`` in ``sorted_ids`` (other than itself).

    Ids that start with a prefix of ``doc_id`` sit together around it in sorted order,
    so when any other id starts with that prefix, one of these two does.
    """
    before = bisect.bisect_left(sorted_ids, doc_id)
    after = bisect.bisect_right(sorted_ids, doc_id)
    return sorted_ids[max(before - 1, 0) : before] + sorted_ids[after : after + 1]


def short_unique_prefix(doc_id: str, others: list[str]) -> str:
    """The shortest readable prefix of ``doc_id`` that no id in ``others`` starts with."""
    for cut in [doc_id.find(sep) for sep in "_-."] + list(range(3, len(doc_id))):
        if cut <= 0:
            continue
        prefix = doc_id[:cut]
        if not any(o.startswith(prefix) for o in others):
            return prefix
    return doc_id


def ingest_corpus(
    corpus: str | Path | dict[str, Any] | CorpusSource,
    *,
    on_decode_error: str = "fail",
    settings: IngestSettings | None = None,
) -> IngestResult:
    """Read every article of a corpus (any format, :mod:`framelens.sources`) into documents
    and sentences tables held in memory, with the ingest report.

    Every problem in the corpus is collected first and raised together as one
    :class:`CorpusError`; on success the report records everything removed (headers, HTML
    markup, what the extractor left out) or flagged (boilerplate, repeats, replaced bytes, odd
    outlets, conflicts, duplicates, syndication, articles with no content left).
    """
    source = as_source(corpus)
    settings = settings or IngestSettings(on_decode_error=on_decode_error)
    spool = SentenceSpool()
    state = read_corpus(source, settings, spool)
    sentences = (
        pd.concat(list(finish_sentences(spool, state)), ignore_index=True)
        if spool.n_rows
        else pd.DataFrame(columns=SENTENCE_COLUMNS)
    )
    docs = finish_documents(state)
    return IngestResult(docs, sentences, build_report(source, docs, state))


def ingest_to_files(
    corpus: str | Path | dict[str, Any] | CorpusSource,
    settings: IngestSettings,
    *,
    documents: str | Path,
    sentences: str | Path,
    workers: int = 1,
) -> dict[str, Any]:
    """Ingest a corpus straight to the Parquet tables, streaming: sentence rows go to disk in
    chunks of :data:`CHUNK_ROWS`, so memory does not grow with the corpus' text; articles
    are ingested by ``workers`` processes (:func:`read_corpus`). Returns the report
    (written by the caller)."""
    source = as_source(corpus)
    spool = SentenceSpool(spill_parent=Path(sentences).parent)
    try:
        state = read_corpus(source, settings, spool, workers)
        write_sentences(finish_sentences(spool, state), Path(sentences))
    finally:
        spool.close()
    docs = finish_documents(state)
    write_parquet(docs, documents)
    return build_report(source, docs, state)


def as_source(corpus: str | Path | dict[str, Any] | CorpusSource) -> CorpusSource:
    """The corpus as a :class:`CorpusSource` (a path or a ``corpus`` config mapping)."""
    if isinstance(corpus, CorpusSource):
        return corpus
    return CorpusSource.from_config(str(corpus) if isinstance(corpus, Path) else corpus)


@dataclass
class SentenceSpool:
    """Sentence rows of pass one, in chunks of :data:`CHUNK_ROWS`: in memory, or, with
    ``spill_parent``, spilled to Parquet files in a temporary folder made there when first
    needed (so one chunk at a time is in memory)."""

    spill_parent: Path | None = None
    buffer: list[dict[str, Any]] = field(default_factory=list)
    chunks: list[pd.DataFrame | Path] = field(default_factory=list)
    n_rows: int = 0
    folder: Path | None = None

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Add one article's rows (an article never straddles two chunks)."""
        self.buffer += rows
        self.n_rows += len(rows)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        """Turn the buffered rows into a chunk."""
        if not self.buffer:
            return
        frame = pd.DataFrame.from_records(self.buffer, columns=SENTENCE_COLUMNS)
        self.buffer = []
        if self.spill_parent is None:
            self.chunks.append(frame)
            return
        if self.folder is None:
            self.spill_parent.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=".ingest.", dir=self.spill_parent))
        path = self.folder / f"{len(self.chunks):06d}.parquet"
        pq.write_table(
            pa.Table.from_pandas(frame, schema=SENTENCE_SCHEMA, preserve_index=False), path
        )
        self.chunks.append(path)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        self.flush()
        for chunk in self.chunks:
            yield chunk if isinstance(chunk, pd.DataFrame) else pd.read_parquet(chunk)

    def close(self) -> None:
        """Remove the spill folder, if one was made."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


@dataclass
class CorpusState:
    """What pass one over the records leaves for pass two: document rows and report entries
    (in corpus order), site repeat counts, and the records not ingested twice."""

    source: CorpusSource
    documents: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    repeats: SiteRepeats = field(default_factory=SiteRepeats)
    duplicate_records: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    site_lines: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    fingerprints: dict[str, int | None] = field(default_factory=dict)
    flagged: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    doc_reasons: dict[str, Counter[str]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)


def read_corpus(
    source: CorpusSource, settings: IngestSettings, spool: SentenceSpool, workers: int = 1
) -> CorpusState:
    """Pass one: every record to a document row, sentence rows (into ``spool``) and a report
    entry; raise one :class:`CorpusError` with every problem found. Records are read and
    checked here, and ingested :data:`RECORDS_AT_ONCE` at a time by ``workers`` processes
    (:func:`ingest_records`)."""
    check_corpus_source(source, settings)
    problems: list[Problem] = []
    state = CorpusState(source, repeats=SiteRepeats(settings.site_boilerplate))
    seen = SeenRecords()
    pending: list[tuple[SourceRecord, dict[str, Any]]] = []  # read, checked, not ingested
    for record in read_records(
        source, on_decode_error=settings.on_decode_error, extra=state.extra, checked=True
    ):
        errors = [p for p in record.problems if not p.message.startswith("flag:")]
        if errors and source.format in WEB_FORMATS:
            state.skipped.append(
                {
                    "where": record.where,
                    "url": record.get("url"),
                    "why": "; ".join(p.message for p in errors),
                }
            )
            continue
        row = None if errors else record_row(record, source.format, errors)
        if row is None:
            problems += errors
            continue
        duplicate = seen.check(record, row)
        if duplicate is not None:
            state.duplicate_records.append(duplicate)
            continue
        pending.append((record, row))
        if len(pending) >= RECORDS_AT_ONCE:
            ingest_records(pending, state, spool, workers)
            pending = []
    ingest_records(pending, state, spool, workers)
    if problems:
        raise CorpusError(source.label, problems)
    if state.skipped:
        shown = "; ".join(f"{item['where']}: {item['why']}" for item in state.skipped[:5])
        log.warning(
            "%d page(s) skipped, not articles or not readable (all listed under "
            "'skipped' in the ingest report): %s%s",
            len(state.skipped),
            shown,
            " …" if len(state.skipped) > 5 else "",
        )
    return state


RECORDS_AT_ONCE = 2048  # records read before they are ingested together


def ingest_records(
    pending: list[tuple[SourceRecord, dict[str, Any]]],
    state: CorpusState,
    spool: SentenceSpool,
    workers: int = 1,
) -> None:
    """Ingest checked records (:func:`ingest_article`, in ``workers`` processes:
    :func:`framelens.workers.ordered_map`) and add their documents, report entries,
    repeats and sentence rows to ``state`` and ``spool`` in reading order, so the tables
    are the same for any worker count."""
    done = map_in_pieces(
        lambda read: ingest_article(read[1], read[1]["text"], read[0].data),
        pending,
        workers,
        [len(row["text"]) for _, row in pending],
    )
    for (record, row), (document, rows, entry) in zip(pending, done, strict=True):
        entry["flags"] += [
            {"code": "decode_replaced", "detail": str(p)} for p in record.problems
        ] + row["flags"]
        if record.extraction is not None:
            entry["extraction"] = record.extraction
        if record.record is not None:
            entry["record"] = record.record
        state.documents.append(document)
        state.entries.append(entry)
        state.repeats.add_article(document["outlet"], (duplicate_key(r["text"]) for r in rows))
        spool.add(rows)


def check_corpus_source(
    corpus: str | dict[str, Any] | CorpusSource, settings: IngestSettings
) -> CorpusSource:
    """The corpus of a config, checked before any job: structural problems (unlisted files,
    missing columns) raise one :class:`CorpusError` that also lists the problems inside the
    articles, so one run reports both kinds. Returns the :class:`CorpusSource`."""
    source = as_source(corpus)
    problems = check_source(source)
    if problems:
        raise CorpusError(source.label, problems + content_problems(source, settings, problems))
    return source


def content_problems(
    source: CorpusSource, settings: IngestSettings, structural: list[Problem]
) -> list[Problem]:
    """Problems inside the articles of a corpus that also has the ``structural`` problems,
    so both kinds are reported in one run (nothing is ingested)."""
    try:
        records = read_records(
            source, on_decode_error=settings.on_decode_error, extra={}, skip_structure=True
        )
        found: list[Problem] = []
        for record in records:
            errors = [p for p in record.problems if not p.message.startswith("flag:")]
            found += errors
            if not errors:
                record_row(record, source.format, found)
        return found
    except CorpusError as error:  # the structure hides the content (no column to read)
        return [p for p in error.problems if p not in structural]


class SeenRecords:
    """Ids and URLs seen so far: a second record under a taken id is renamed ``<id>~2`` (or
    skipped when its text is the same), a URL seen before is flagged."""

    def __init__(self) -> None:
        self.ids: dict[str, tuple[str, str]] = {}
        self.urls: dict[str, str] = {}

    def check(self, record: SourceRecord, row: dict[str, Any]) -> dict[str, str] | None:
        """Settle the row's doc_id; return a duplicate-record entry when it is skipped."""
        digest = hashlib.sha256(row["text"].encode("utf-8")).hexdigest()
        doc_id = row["doc_id"]
        if doc_id in self.ids:
            where, first_digest = self.ids[doc_id]
            if first_digest == digest:
                return {
                    "doc_id": doc_id,
                    "kept": where,
                    "skipped": record.where,
                    "why": "same id and same text",
                }
            n = 2
            while f"{doc_id}~{n}" in self.ids:
                n += 1
            row["doc_id"] = f"{doc_id}~{n}"
            row["flags"].append(
                {
                    "code": "duplicate_id",
                    "detail": f"id {doc_id!r} is also "
                    f"{where} (other text); this one is {row['doc_id']!r}",
                }
            )
        self.ids[row["doc_id"]] = (record.where, digest)
        url = row.get("url")
        if url:
            if url in self.urls and self.urls[url] != row["doc_id"]:
                row["flags"].append(
                    {
                        "code": "duplicate_url",
                        "detail": f"URL {url!r} is also document {self.urls[url]!r}",
                    }
                )
            self.urls.setdefault(url, row["doc_id"])
        return None


def record_row(record: SourceRecord, fmt: str, problems: list[Problem]) -> dict[str, Any] | None:
    """The metadata row of a record in framelens' terms (doc_id, outlet, date, time, …),
    checked; a fault is added to ``problems`` (naming the record) and gives None."""
    where = record.where
    text = record.get("text")
    faults = []
    if text is None:
        faults.append("empty text")
    url = record.get("url")
    outlet = record.get("outlet")
    outlet_source = record.fields.get("outlet_source") or ("metadata" if outlet else None)
    if outlet is None and url and url_domain(url):
        outlet, outlet_source = url_domain(url), "url_domain"
    if outlet is None:
        faults.append("no outlet (no outlet value, and no URL to take the domain from)")
    date = time = None
    raw_date = record.get("date")
    if raw_date:
        stamp = parse_timestamp(raw_date)
        if stamp is None:
            faults.append(
                f"date {raw_date!r} is not a date (YYYY-MM-DD) or a timestamp "
                "(ISO 8601 such as 2022-08-18T14:03:00Z, or RFC 2822)"
            )
        else:
            date, time = stamp.date, record.get("time") or stamp.time
    language = record.get("language")
    if language and not is_language_tag(language):
        faults.append(
            f"language {language!r} is not a BCP-47 language tag such as 'en' "
            "(leave it empty to detect the language)"
        )
    problems += [Problem(where, fault) for fault in faults]
    if faults:
        return None
    return {
        "doc_id": record_doc_id(record, fmt),
        "file": record.file,
        "record": record.record,
        "text": text,
        "outlet": outlet,
        "outlet_source": outlet_source,
        "date": date,
        "time": time,
        "date_source": record.fields.get("date_source"),
        "title": record.get("title"),
        "url": url,
        "language": language,
        "event": record.get("event"),
        "flags": [],
    }


def record_doc_id(record: SourceRecord, fmt: str) -> str:
    """A stable document id: the id given, else the file path (formats with one file per
    article), else the URL (without its scheme), else the file and row (``a.csv#row17``)."""
    given = record.get("id")
    if given:
        return given.strip()
    if record.record is None:
        return doc_id_for(record.file)
    url = record.get("url")
    if url:
        parts = urlsplit(url.strip())
        return (
            parts.netloc + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
        ) or url.strip()
    return f"{Path(record.file).name}#{record.record.replace(' ', '')}"


def finish_sentences(spool: SentenceSpool, state: CorpusState) -> Iterator[pd.DataFrame]:
    """Pass two, chunk by chunk: flag site boilerplate, count each article's content
    sentences and take its content fingerprint (for syndication)."""
    site = state.repeats.boilerplate()
    outlet_of = {doc["doc_id"]: doc["outlet"] for doc in state.documents}
    n_content: Counter[str] = Counter()
    for chunk in spool:
        if site:
            flag_site_boilerplate(chunk, outlet_of, site, state.site_lines)
        content = ~chunk["boilerplate"] & chunk["duplicate_of"].isna()
        n_content.update(chunk.loc[content, "doc_id"].tolist())
        in_text = content & (chunk["char_start"] >= 0)  # a headline added from the title
        for doc_id, texts in chunk.loc[in_text].groupby("doc_id", sort=False)["text"]:
            state.fingerprints[doc_id] = content_fingerprint(
                key for key in map(duplicate_key, texts) if key.count(" ") >= SYNDICATION_WORDS - 1
            )
        note_flagged(chunk.loc[~content], state)
        state.totals["n_sentences"] += len(chunk)
        state.totals["n_boilerplate"] += int(chunk["boilerplate"].sum())
        state.totals["n_duplicates"] += int(chunk["duplicate_of"].notna().sum())
        yield chunk
    for doc in state.documents:
        doc["n_content_sentences"] = n_content.get(doc["doc_id"], 0)


def note_flagged(flagged: pd.DataFrame, state: CorpusState) -> None:
    """Record flagged sentences (boilerplate or repeats) in the report, per article, and
    count them by reason."""
    for row in flagged.astype(object).where(flagged.notna(), None).to_dict("records"):
        state.flagged.setdefault(row["doc_id"], []).append(
            {key: row[key] for key in ("sent_id", "boilerplate_reason", "duplicate_of", "text")}
        )
        state.doc_reasons.setdefault(row["doc_id"], Counter())[
            row["boilerplate_reason"] or "repeat"
        ] += 1
        if row["boilerplate_reason"]:
            state.reasons[row["boilerplate_reason"]] += 1


def flag_site_boilerplate(
    chunk: pd.DataFrame,
    outlet_of: dict[str, str],
    site: dict[tuple[str, int], int],
    lines: dict[str, dict[int, dict[str, Any]]],
) -> None:
    """Flag (in place) the not yet flagged sentences that are their outlet's site
    boilerplate, and note each line's text and article count per outlet."""
    candidates = chunk.index[~chunk["boilerplate"]]
    outlets = [outlet_of[d] for d in chunk.loc[candidates, "doc_id"]]
    hashes = [text_hash(duplicate_key(t)) for t in chunk.loc[candidates, "text"]]
    hits = [
        (index, outlet, hashed, site[(outlet, hashed)])
        for index, outlet, hashed in zip(candidates, outlets, hashes, strict=True)
        if (outlet, hashed) in site
    ]
    hits = spare_whole_articles(chunk, hits)
    if not hits:
        return
    rows = [index for index, *_ in hits]
    chunk.loc[rows, "boilerplate"] = True
    chunk.loc[rows, "boilerplate_reason"] = SITE_BOILERPLATE
    chunk.loc[rows, "partial"] = False
    for index, outlet, hashed, n_articles in hits:
        lines.setdefault(outlet, {}).setdefault(
            hashed, {"text": chunk.at[index, "text"], "n_articles": n_articles}
        )


def spare_whole_articles(
    chunk: pd.DataFrame, hits: list[tuple[Any, str, int, int]]
) -> list[tuple[Any, str, int, int]]:
    """The site-boilerplate hits, less those in articles they would leave without a content
    sentence: an outlet's repeated text that is all an article holds is its story (say, one
    story republished under several ids), not its template."""
    content = ~chunk["boilerplate"] & chunk["duplicate_of"].isna()
    n_content = chunk.loc[content, "doc_id"].value_counts()
    hit_rows = [index for index, *_ in hits]
    n_hit = chunk.loc[hit_rows].loc[content.loc[hit_rows], "doc_id"].value_counts()
    emptied = set(n_hit.index[n_hit.to_numpy() >= n_content.reindex(n_hit.index).to_numpy()])
    if not emptied:
        return hits
    return [hit for hit in hits if chunk.at[hit[0], "doc_id"] not in emptied]


def write_sentences(chunks: Iterable[pd.DataFrame], target: Path) -> None:
    """Write the sentence chunks as one Parquet table, atomically (one row group a chunk)."""
    with atomic_path(target) as tmp:
        writer = pq.ParquetWriter(tmp, SENTENCE_SCHEMA)
        try:
            for chunk in chunks:
                writer.write_table(
                    pa.Table.from_pandas(chunk, schema=SENTENCE_SCHEMA, preserve_index=False)
                )
        finally:
            writer.close()


def finish_documents(state: CorpusState) -> pd.DataFrame:
    """The documents table after pass two: content counts, ``no_content`` flags, syndicated
    copies and figure labels."""
    copies = syndication_sources(state.documents, state.fingerprints)
    for doc, entry in zip(state.documents, state.entries, strict=True):
        doc["syndicated_of"] = copies.get(doc["doc_id"])
        if doc["syndicated_of"] is not None:
            entry["flags"].append(
                {
                    "code": "syndicated",
                    "detail": f"content equals document {doc['syndicated_of']!r} word for word",
                }
            )
        if doc["n_content_sentences"] == 0:
            entry["flags"].append(
                no_content_flag(state.doc_reasons.get(doc["doc_id"], {}), doc["n_sentences"])
            )
            log.warning(
                "%s: no content sentence left (%s); every measure will skip it",
                entry["where"],
                entry["flags"][-1]["detail"],
            )
    docs = pd.DataFrame.from_records(state.documents, columns=DOCUMENT_COLUMNS)
    docs["outlet_label"] = outlet_labels(docs)
    return docs


def ingest_article(
    row: dict[str, Any], text: str, data: bytes
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Turn one decoded article and its metadata row into a document row, sentence rows
    and a report entry (header and markup removed, flags, conflicts with metadata).

    The text is normalised, HTML is converted to text (:func:`strip_markup`), then the
    header is parsed and the body segmented. The entry's ``removed`` list holds every removed
    piece with ``at``, its offset in the cleaned text (header + body); ``body_offset`` is where
    the body starts in it (sentence ``char_start``/``char_end`` count from there).
    """
    doc_id = row.get("doc_id") or doc_id_for(row["file"])
    clean, markup = strip_markup(normalise_text(text))
    header, body = parse_header(clean)
    rows = sentence_rows(doc_id, body, row.get("title"))
    flags = markup_flags(markup) + outlet_flags(row["outlet"])
    date, date_source = _choose(row.get("date") or None, header.date, "date", flags)
    if date_source == "metadata" and row.get("date_source"):
        date_source = row["date_source"]
    if header.outlet and header.outlet.casefold() != row["outlet"].casefold():
        flags.append(
            {
                "code": "outlet_differs",
                "detail": f"text names {header.outlet!r}, metadata says {row['outlet']!r}",
            }
        )
    title, title_source = _title(row, rows)
    content = [r["text"] for r in rows if not r["boilerplate"] and r["duplicate_of"] is None]
    language, language_source = _language(row, content)
    partial = [r for r in rows[-2:] if r["partial"]]
    truncated = bool(partial)
    if truncated:
        flags.append(
            {
                "code": "truncated",
                "sent_id": partial[0]["sent_id"],
                "detail": f"the text stops mid-sentence: {partial[0]['text'][-80:]!r} "
                "(kept, marked partial)",
            }
        )
    document = {
        "doc_id": doc_id,
        "file": row["file"],
        "outlet": row["outlet"],
        "outlet_label": row["outlet"],
        "date": date,
        "date_source": date_source,
        "title": title,
        "title_source": title_source,
        "language": language,
        "language_source": language_source,
        "event": row.get("event") or None,
        "url": row.get("url") or None,
        "dateline": header.dateline,
        "n_sentences": len(rows),
        "n_content_sentences": len(content),
        "n_chars": len(text),
        "sha256": hashlib.sha256(data).hexdigest(),
        "time": row.get("time"),
        "record": row.get("record"),
        "outlet_source": row.get("outlet_source") or "metadata",
        "truncated": truncated,
        "syndicated_of": None,
    }
    entry = {
        "file": row["file"],
        "doc_id": doc_id,
        "where": row["file"] if row.get("record") is None else f"{row['file']}, {row['record']}",
        "body_offset": len(header.text),
        "removed": removed_items(header, markup),
        "flags": flags,
    }
    return document, rows, entry


def no_content_flag(reasons: dict[str, int], n_sentences: int) -> dict[str, Any]:
    """The ``no_content`` flag of an article without a content sentence, saying why.

    ``reasons`` counts the article's sentences by boilerplate reason (``repeat`` for an exact
    repeat that is not boilerplate); it is empty when no sentence was found at all (the text
    was only markup or a header).
    """
    reasons = dict(sorted(reasons.items()))
    if not n_sentences:
        detail = "no sentence in the text after removing markup and the header"
    else:
        counted = ", ".join(f"{reason}: {n}" for reason, n in reasons.items())
        detail = f"all {n_sentences} sentences flagged as boilerplate or repeats ({counted})"
    return {"code": "no_content", "n_sentences": n_sentences, "reasons": reasons, "detail": detail}


def _title(row: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The metadata title, else the article's leading headline, else none; with its source."""
    if row.get("title"):
        return row["title"], "metadata"
    if rows and rows[0]["heading"]:
        return rows[0]["text"], "headline"
    return None, None


def _language(row: dict[str, Any], content: list[str]) -> tuple[str, str]:
    """The metadata language (checked to be a BCP-47 tag by :func:`check_corpus`), else the
    one detected from the content sentences; with its source."""
    if row.get("language"):
        return row["language"], "metadata"
    return detect_language(" ".join(content)), "detected"


def removed_items(header: Header, markup: list[MarkupEdit]) -> list[dict[str, Any]]:
    """Report items for the removed header and markup, in text order.

    Each item has ``what`` (``header`` or ``html_<kind>``), ``text`` (exactly what was
    removed; the header without surrounding whitespace) and ``at`` (its offset in the cleaned
    text); markup items also have ``replacement``, the text that took its place there.
    """
    items: list[dict[str, Any]] = [
        {
            "what": f"html_{edit.kind}",
            "text": edit.text,
            "at": edit.at,
            "replacement": edit.replacement,
        }
        for edit in markup
    ]
    stripped = header.text.strip()
    if stripped:
        lead = len(header.text) - len(header.text.lstrip())
        items.append({"what": "header", "text": stripped, "at": lead})
    return sorted(items, key=lambda item: item["at"])


def markup_flags(markup: list[MarkupEdit]) -> list[dict[str, Any]]:
    """An ``html_stripped`` flag counting the markup converted to text, if there was any."""
    if not markup:
        return []
    kinds = Counter(edit.kind for edit in markup)
    counted = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return [
        {
            "code": "html_stripped",
            "count": len(markup),
            "detail": f"HTML converted to text ({counted}); each piece is under 'removed'",
        }
    ]


def outlet_flags(outlet: str) -> list[dict[str, str]]:
    """An ``outlet_unusual`` flag when the outlet name looks odd; the name is kept as given.

    Odd: no letter or digit, over ``MAX_OUTLET_CHARS`` characters, control or format
    characters, or HTML markup. Any other name is fine, known or not.
    """
    oddities = []
    if not any(c.isalnum() for c in outlet):
        oddities.append("no letter or digit")
    if len(outlet) > MAX_OUTLET_CHARS:
        oddities.append(f"{len(outlet)} characters (more than {MAX_OUTLET_CHARS})")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in outlet):
        oddities.append("control or format characters")
    if strip_markup(outlet)[1]:
        oddities.append("HTML markup")
    if not oddities:
        return []
    return [
        {
            "code": "outlet_unusual",
            "detail": f"outlet {outlet[:MAX_OUTLET_CHARS]!r}: " + ", ".join(oddities),
        }
    ]


def _choose(
    from_metadata: str | None, from_text: str | None, what: str, flags: list[dict[str, str]]
) -> tuple[str | None, str | None]:
    """Prefer metadata, fall back to the text; flag a disagreement between the two."""
    if from_metadata and from_text and from_metadata != from_text:
        flags.append(
            {
                "code": f"{what}_differs",
                "detail": f"text says {from_text!r}, metadata says {from_metadata!r}",
            }
        )
    if from_metadata:
        return from_metadata, "metadata"
    if from_text:
        return from_text, "header"
    return None, None


def build_report(source: CorpusSource, docs: pd.DataFrame, state: CorpusState) -> dict[str, Any]:
    """The ingest report: per article what was removed and flagged, plus totals."""
    totals = state.totals
    no_content = [
        e["where"]
        for e in state.entries
        if any(flag["code"] == "no_content" for flag in e["flags"])
    ]
    files = []
    for entry in state.entries:
        entry = {key: value for key, value in entry.items() if key != "where"}
        flagged = state.flagged.get(entry["doc_id"])
        if flagged:
            entry["sentences_flagged"] = flagged
        files.append(entry)
    report: dict[str, Any] = {
        "corpus": source.label,
        "format": source.format,
        "n_files": len(docs),
        "n_sentences": totals["n_sentences"],
        "n_boilerplate": totals["n_boilerplate"],
        "n_duplicates": totals["n_duplicates"],
        "boilerplate_reasons": dict(sorted(state.reasons.items())),
        "n_no_content": len(no_content),
        "no_content_files": sorted(no_content),
        "n_syndicated": int(docs["syndicated_of"].notna().sum()),
        "n_truncated": int(docs["truncated"].sum()),
        "duplicate_records": state.duplicate_records,
        "n_skipped": len(state.skipped),
        "skipped": state.skipped,
        "site_boilerplate": {
            outlet: sorted(lines.values(), key=lambda line: (-line["n_articles"], line["text"]))
            for outlet, lines in sorted(state.site_lines.items())
        },
        "files": files,
    }
    report.update(state.extra)
    return report
