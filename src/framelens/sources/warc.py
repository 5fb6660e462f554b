"""The ``warc`` reader: HTML pages from web archives (``.warc``, ``.warc.gz``).

Archives are streamed record by record with warcio (a 5 GB WARC is never loaded whole;
a skipped record's payload is never read). Only ``response`` records with an HTTP 2xx
status and an HTML ``Content-Type`` (``text/html``, ``application/xhtml+xml``) become
articles, through :func:`framelens.sources.web.page_record`; every other record is
skipped and counted in a :class:`WarcSummary`, which the caller passes in and reads once
the reader is exhausted::

    summary = WarcSummary()
    records = list(read_warc(source, summary))
    summary.as_dict()   # {"files": [...], "records": 120, "html": 40, "skipped_records":
                        #  {"request": 40, ...}, "skipped_responses": {"image/png": 3}, ...}

A file that cannot be read (not a WARC, truncated, corrupt) stops that file only: the
reader yields one record carrying the problem (``file`` the WARC, ``record`` None, no
fields) and goes on with the next file.
"""

from __future__ import annotations

import bz2
import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from framelens.errors import Problem
from framelens.sources.records import SourceRecord
from framelens.sources.spec import CorpusSource, is_warc_file, split_compression
from framelens.sources.web import MAX_PAGE_BYTES, empty_fields, page_record

#: HTTP content types read as HTML pages.
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class WarcSummary:
    """What a pass over the WARC files saw, filled in as :func:`read_warc` (or
    :func:`count_warc_responses`) goes.

    ``records`` counts every WARC record read; ``responses`` the ``response`` records;
    ``html`` those read as pages (yielded); ``skipped_records`` the other records by
    WARC-Type (``request``, ``metadata``, ``warcinfo``, ``revisit``, …);
    ``skipped_responses`` the responses left out, by reason: their content type
    (``image/png``), ``HTTP 404`` (a status other than 2xx), ``no Content-Type`` or
    ``not HTTP`` (e.g. ``dns:`` records). ``problems`` lists files that could not be read.
    """

    files: list[str] = field(default_factory=list)
    records: int = 0
    responses: int = 0
    html: int = 0
    skipped_records: Counter[str] = field(default_factory=Counter)
    skipped_responses: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """All records skipped, responses included."""
        return sum(self.skipped_records.values()) + sum(self.skipped_responses.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy (counters sorted by name), for the ingest report."""
        return {
            "files": list(self.files),
            "records": self.records,
            "responses": self.responses,
            "html": self.html,
            "skipped": self.skipped,
            "skipped_records": dict(sorted(self.skipped_records.items())),
            "skipped_responses": dict(sorted(self.skipped_responses.items())),
            "problems": [str(p) for p in self.problems],
        }


def warc_files(source: CorpusSource) -> list[Path]:
    """The WARC files of ``source``: its paths in the order given, a folder replaced by
    its WARC files (``.warc``, ``.warc.gz``, …; not in subfolders) sorted by name; each
    file once."""
    found: list[Path] = []
    for path in source.paths:
        if path.is_dir():
            found.extend(
                sorted((p for p in path.iterdir() if is_warc_file(p)), key=lambda p: p.name)
            )
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


@contextlib.contextmanager
def _open_warc(path: Path) -> Iterator[IO[bytes]]:
    """The WARC's uncompressed byte stream: gzip is left to warcio (record by record);
    ``.bz2`` and ``.zst`` files are decompressed as a stream here."""
    _, compression = split_compression(path.name)
    with open(path, "rb") as raw:
        if compression == "bz2":
            with bz2.open(raw, "rb") as stream:
                yield stream
        elif compression == "zstd":
            import zstandard

            with zstandard.ZstdDecompressor().stream_reader(raw) as stream:
                yield stream
        else:
            yield raw


def skip_reason(record: Any) -> str | None:
    """Why a warcio record is not read as a page (a key of the summary's counters), or
    None for a ``response`` with HTTP status 2xx and an HTML content type."""
    if record.rec_type != "response":
        return record.rec_type or "untyped"
    http = record.http_headers
    if http is None:
        return "not HTTP"
    status = http.get_statuscode() or ""
    if not status.startswith("2"):
        return f"HTTP {status or '?'}"
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if not content_type:
        return "no Content-Type"
    return None if content_type in HTML_CONTENT_TYPES else content_type


def _count(summary: WarcSummary, record: Any, reason: str | None) -> None:
    """Add one record to the summary's counts."""
    summary.records += 1
    if record.rec_type == "response":
        summary.responses += 1
        if reason is None:
            summary.html += 1
        else:
            summary.skipped_responses[reason] += 1
    else:
        summary.skipped_records[reason or "untyped"] += 1


def _file_problem(path: Path, summary: WarcSummary, read: int, err: Exception) -> Problem:
    """The problem of a WARC file that broke off after ``read`` records (added to the
    summary)."""
    problem = Problem(
        str(path), f"cannot read the WARC file after {read} record(s): {_detail(err)}"
    )
    summary.problems.append(problem)
    return problem


def _html_responses(path: Path, summary: WarcSummary) -> Iterator[Any]:
    """The HTML responses (warcio records, payload unread) of one WARC file, counting
    every record in ``summary``. Reading errors, and a record that is not WARC (warcio
    reads ARC, and reads garbage as ARC), are raised to the caller after what was read so
    far was yielded."""
    with _open_warc(path) as stream:
        for record in ArchiveIterator(stream):
            if record.format != "warc":  # warcio reads ARC, and garbage as ARC
                raise ValueError(f"not a WARC record ({record.format} format)")
            reason = skip_reason(record)
            _count(summary, record, reason)
            if reason is None:
                yield record


def _truncated(record: Any) -> bool:
    """True when the archive ends inside ``record`` (its payload read to the end): fewer
    bytes were there than its Content-Length promised."""
    raw = record.raw_stream
    raw.read()  # what decoding left unread (a chunked body's last CRLF): normally nothing
    return getattr(raw, "limit", 0) > 0


def _warc_page(path: Path, record: Any) -> SourceRecord:
    """The :class:`SourceRecord` of one HTML response; a payload that cannot be read, or
    is cut short by the end of the file, gives a record carrying the problem."""
    headers = record.rec_headers
    record_id = headers.get_header("WARC-Record-ID")
    where = f"{path}, {record_id}"
    try:
        payload = record.content_stream().read(MAX_PAGE_BYTES + 1)
        truncated = len(payload) <= MAX_PAGE_BYTES and _truncated(record)
    except Exception as err:  # e.g. a broken chunked body
        problem = Problem(where, f"cannot read the HTTP payload: {_detail(err)}")
        return SourceRecord(
            file=str(path), record=record_id, fields=empty_fields(), problems=[problem]
        )
    page = page_record(
        str(path),
        record_id,
        payload,
        url=headers.get_header("WARC-Target-URI"),
        content_type=record.http_headers.get_header("Content-Type"),
    )
    if truncated:
        page.problems.insert(
            0, Problem(where, "the record is truncated (the WARC file ends inside it)")
        )
    return page


def _detail(err: Exception, limit: int = 200) -> str:
    """An exception's message for a problem, cut at ``limit`` characters."""
    detail = str(err) or type(err).__name__
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"


def read_warc(
    source: CorpusSource, summary: WarcSummary | dict[str, Any] | None = None
) -> Iterator[SourceRecord]:
    """One record per HTML response of the WARC files of ``source`` (:func:`warc_files`
    order, then file order), extracted with :func:`~framelens.sources.web.page_record`.

    ``file`` is the WARC path as given (``str(path)``), ``record`` its WARC-Record-ID,
    ``data`` the HTTP payload (de-chunked and decompressed by warcio); the page's URL
    falls back to the WARC-Target-URI. ``summary``, when given, is filled in as the
    reader goes (complete once it is exhausted): a :class:`WarcSummary`, or a dict that
    receives :meth:`WarcSummary.as_dict` after each file. Never raises for a bad page or
    file: an unreadable file gives one record carrying its problem.
    """
    counts = summary if isinstance(summary, WarcSummary) else WarcSummary()
    try:
        for path in warc_files(source):
            counts.files.append(str(path))
            before = counts.records
            try:
                for record in _html_responses(path, counts):
                    yield _warc_page(path, record)
            except Exception as err:  # corrupt or truncated archive: report it, go on
                problem = _file_problem(path, counts, counts.records - before, err)
                yield SourceRecord(
                    file=str(path), record=None, fields=empty_fields(), problems=[problem]
                )
            if isinstance(summary, dict):
                summary.update(counts.as_dict())
    finally:
        if isinstance(summary, dict):
            summary.update(counts.as_dict())


def count_warc_responses(
    source: CorpusSource, summary: WarcSummary | None = None, limit: int | None = None
) -> int:
    """How many records :func:`read_warc` yields for pages (HTML responses), without
    reading payloads or extracting anything (the archives are still decompressed).
    ``summary``, when given, gets the same counts as from :func:`read_warc`; unreadable
    files are listed in its problems and counted up to where they break off. With
    ``limit``, counting stops once it is passed (the result is then ``limit + 1``)."""
    summary = summary if summary is not None else WarcSummary()
    total = 0
    for path in warc_files(source):
        summary.files.append(str(path))
        before = summary.records
        try:
            for _ in _html_responses(path, summary):
                total += 1
                if limit is not None and total > limit:
                    return total
        except Exception as err:  # corrupt or truncated archive: report it, go on
            _file_problem(path, summary, summary.records - before, err)
    return total
