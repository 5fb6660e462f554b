"""Table corpora: one row per article, in CSV, TSV, JSON lines, a JSON array or Parquet.

Any of them may be compressed (``.gz``, ``.bz2``, ``.zst``); :func:`open_binary`
decompresses by suffix, streaming. Columns are mapped to framelens' fields
(:data:`~framelens.sources.records.FIELDS`) by, in this order, the config's
``corpus.columns``, a ``corpus.preset`` (:data:`PRESETS`) and guessing from well-known
names (:data:`WELL_KNOWN`, only when exactly one candidate is present):
:func:`resolve_columns`. :func:`check_table` does that from the header alone, at workflow
load time; :func:`read_table` then streams the rows as
:class:`~framelens.sources.records.SourceRecord` objects: CSV/TSV and JSON lines line by
line, Parquet by record batches, a JSON array element by element with an incremental
parser. Nothing is loaded whole (a compressed Parquet file is first decompressed into a
temporary file, since Parquet needs random access).

A bad row never stops the reader: empty text, undecodable bytes, a CSV row with the wrong
number of fields, a JSON line that is not an object each become a
:class:`~framelens.errors.Problem` on that row's record, naming the row (``row N``, the
1-based data row) or the line (``line N``, the physical line of a JSON lines file).
"""

from __future__ import annotations

import bz2
import csv
import datetime as dt
import difflib
import gzip
import io
import itertools
import json
import math
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from framelens.errors import CorpusError, Problem
from framelens.sources.records import FIELDS, SourceRecord
from framelens.sources.spec import CorpusSource, split_compression

#: Column names of common exports, per framelens field: the first of a field's names that
#: the table has is used. Filled in after ``corpus.columns`` and before guessing.
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    # NELA-GT (2019-2022, Gruppi, Horne & Adalı; Harvard Dataverse): JSON/SQLite records
    # with id, date (YYYY-MM-DD), source, title, content, author, url, published (the
    # date string as the article gives it), published_utc and collection_utc (epochs).
    # ``date`` is always filled; set corpus.columns.date: published to keep the time.
    "nela": {
        "id": ("id",),
        "text": ("content",),
        "outlet": ("source",),
        "date": ("date", "published"),
        "title": ("title",),
        "url": ("url",),
    },
    # Media Cloud story exports. Current search API / CSV download (search.mediacloud.org):
    # id, indexed_date, language, media_name, media_url, publish_date, title, url, and
    # text when the story text is fetched. Legacy v2 API / Explorer CSV: stories_id,
    # media_id, media_name, media_url, publish_date, title, url, language, and story_text
    # with ``text=true``.
    "mediacloud": {
        "id": ("stories_id", "id"),
        "text": ("text", "story_text"),
        "outlet": ("media_name",),
        "date": ("publish_date",),
        "title": ("title",),
        "url": ("url",),
        "language": ("language",),
    },
    # news-please (fhamborg/news-please) JSON, as in its CC-News extractions: authors,
    # date_download, date_modify, date_publish, description, filename, image_url,
    # language, localpath, maintext, source_domain, title, title_page, title_rss, url.
    "news-please": {
        "text": ("maintext",),
        "outlet": ("source_domain",),
        "date": ("date_publish",),
        "title": ("title",),
        "url": ("url",),
        "language": ("language",),
    },
    # CC-News as published on the Hugging Face hub (``cc_news``): title, text, domain,
    # date, description, url, image_url.
    "cc-news": {
        "text": ("text",),
        "outlet": ("domain",),
        "date": ("date",),
        "title": ("title",),
        "url": ("url",),
    },
}

#: Per field, the column names that guessing recognises (case-insensitively). A field is
#: guessed only when exactly one of its names is among the table's columns.
WELL_KNOWN: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id", "story_id", "stories_id", "article_id", "guid", "uuid"),
    "text": (
        "text",
        "content",
        "body",
        "maintext",
        "article",
        "article_text",
        "full_text",
        "story_text",
    ),
    "outlet": (
        "outlet",
        "source",
        "publisher",
        "media_name",
        "source_name",
        "source_domain",
        "site_name",
        "publication",
        "domain",
    ),
    "date": (
        "date",
        "published",
        "publish_date",
        "published_at",
        "pubdate",
        "date_publish",
        "publication_date",
        "datetime",
        "timestamp",
    ),
    "title": ("title", "headline"),
    "url": ("url", "link", "article_url", "canonical_url"),
    "language": ("language", "lang"),
    "event": ("event", "event_id"),
}

#: How a field's column was chosen.
HOW = ("config", "preset", "guessed")

_FIELD_LIMIT = 1 << 27  # characters in one CSV field (the csv module's default is 128 Ki)
_JSON_SAMPLE = 100  # JSON records whose keys make up the columns
_BATCH_ROWS = 2048  # Parquet rows per batch
_READ_BUFFER = 1 << 16  # bytes buffered from a decompressor (all lost when it breaks off)
_BOM = b"\xef\xbb\xbf"
_SURROGATES = re.compile("[\ud800-\udfff]")  # undecodable bytes, as surrogateescape keeps them
_DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zstandard.ZstdError)

csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))


# -- opening ------------------------------------------------------------------------------


def open_binary(path: Path) -> BinaryIO:
    """``path`` opened for reading bytes, decompressed by suffix (``.gz``, ``.bz2``,
    ``.zst``), streaming; use it as a context manager."""
    _, compression = split_compression(path.name)
    # a large buffer over each decompressor: reading lines straight from them is slow
    if compression == "gzip":
        return io.BufferedReader(gzip.open(path, "rb"), _READ_BUFFER)
    if compression == "bz2":
        return io.BufferedReader(bz2.open(path, "rb"), _READ_BUFFER)
    if compression == "zstd":
        reader = zstandard.ZstdDecompressor(max_window_size=1 << 31).stream_reader(
            path.open("rb"), read_across_frames=True, closefd=True
        )
        return io.BufferedReader(reader, _READ_BUFFER)
    return path.open("rb")


@contextmanager
def _parquet_file(path: Path) -> Iterator[pq.ParquetFile]:
    """A Parquet file; a compressed one is decompressed into a temporary file first."""
    _, compression = split_compression(path.name)
    if compression is None:
        with path.open("rb") as raw:
            yield pq.ParquetFile(raw)
        return
    with tempfile.TemporaryFile() as tmp:
        with open_binary(path) as source:
            shutil.copyfileobj(source, tmp, 1 << 20)
        tmp.seek(0)
        yield pq.ParquetFile(tmp)


def _file_message(source: CorpusSource, exc: BaseException) -> str:
    """What is wrong with a table that cannot be opened, decompressed or parsed."""
    _, compression = split_compression(source.path.name)
    what = f"cannot be decompressed ({compression})" if compression else "cannot be read"
    if isinstance(exc, pa.ArrowException):
        what = "is not a readable Parquet file"
    return f"{what}: {exc}"


def _file_problem(source: CorpusSource, exc: BaseException) -> CorpusError:
    """A CorpusError for a table that cannot be opened or decompressed at all."""
    return CorpusError(source.label, [Problem(str(source.path), _file_message(source, exc))])


# -- column mapping -----------------------------------------------------------------------


@dataclass
class ColumnMapping:
    """Which column holds each framelens field, and how it was chosen.

    ``columns`` maps a field to the table's column name; ``how`` maps the same fields to
    ``"config"``, ``"preset"`` or ``"guessed"``; ``notes`` says what was left unmapped and
    why (an ambiguous guess, a preset's column the table lacks), for the ingest report.
    """

    columns: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> str | None:
        """The column mapped to field ``name``, or None."""
        return self.columns.get(name)

    def report(self) -> dict[str, dict[str, str]]:
        """``{field: {"column": ..., "how": ...}}`` in :data:`FIELDS` order."""
        return {
            name: {"column": self.columns[name], "how": self.how[name]}
            for name in FIELDS
            if name in self.columns
        }

    def describe(self) -> list[str]:
        """One line per mapped field (``text <- 'content' (preset)``), then the notes."""
        lines = [
            f"{name} <- {self.columns[name]!r} ({self.how[name]})"
            for name in FIELDS
            if name in self.columns
        ]
        return lines + self.notes


def _find(columns: Iterable[str], names: Iterable[str]) -> list[str]:
    """The columns named (case-insensitively) by any of ``names``, in the table's order."""
    wanted = {n.lower() for n in names}
    return [c for c in columns if c.lower() in wanted]


def _preset_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first of a preset's ``names`` that the table has: exact, else case-insensitive."""
    for name in names:
        if name in columns:
            return name
        found = _find(columns, [name])
        if found:
            return found[0]
    return None


def _unknown_column(key: str, name: str, file: str, columns: list[str]) -> Problem:
    """The problem for a ``corpus.columns`` value that the table lacks."""
    hint = difflib.get_close_matches(name, columns, n=1) or _find(columns, [name])
    maybe = f" (did you mean {hint[0]!r}?)" if hint else ""
    return Problem(
        f"corpus.columns.{key}",
        f"{name!r} is not a column of {file}{maybe}; its columns are {columns}",
    )


def resolve_columns(
    source: CorpusSource, columns: list[str]
) -> tuple[ColumnMapping, list[Problem]]:
    """Map framelens' fields to the table's ``columns``: the config's ``corpus.columns``
    first, then the preset's names, then unambiguous guesses (:data:`WELL_KNOWN`).

    Problems, each naming the config key and the file: a configured column the table
    lacks, an unknown preset, no (or an ambiguous) text column, and neither an outlet
    nor a URL column (ingest takes the outlet from the URL's domain when it has a URL).
    """
    file = str(source.path)
    mapping, problems = ColumnMapping(), []
    for key, name in source.columns.items():
        if name in columns:
            mapping.columns[key], mapping.how[key] = name, "config"
        else:
            problems.append(_unknown_column(key, name, file, columns))
    preset = PRESETS.get(source.preset) if source.preset else None
    if source.preset and preset is None:
        problems.append(
            Problem(
                "corpus.preset",
                f"{source.preset!r} is not a known preset "
                f"(for {file}); known presets are {sorted(PRESETS)}",
            )
        )
    for key, names in (preset or {}).items():
        if key in mapping.columns or key in source.columns:
            continue
        found = _preset_column(columns, names)
        if found:
            mapping.columns[key], mapping.how[key] = found, "preset"
        else:
            mapping.notes.append(
                f"{key}: preset {source.preset!r} names "
                f"{' or '.join(map(repr, names))}, not a column of {file}"
            )
    ambiguous = _guess(mapping, source, columns)
    problems += _required(mapping, ambiguous, file, columns, set(source.columns))
    return mapping, problems


def _guess(
    mapping: ColumnMapping, source: CorpusSource, columns: list[str]
) -> dict[str, list[str]]:
    """Fill in unmapped fields whose well-known names match exactly one unused column;
    return the fields with several candidates (noted in ``mapping.notes``)."""
    ambiguous: dict[str, list[str]] = {}
    for key in FIELDS:
        if key in mapping.columns or key in source.columns:
            continue
        used = set(mapping.columns.values())
        found = [c for c in _find(columns, WELL_KNOWN[key]) if c not in used]
        if len(found) == 1:
            mapping.columns[key], mapping.how[key] = found[0], "guessed"
        elif found:
            ambiguous[key] = found
            mapping.notes.append(
                f"{key}: not guessed, several candidate columns {found} in "
                f"{source.path}; set corpus.columns.{key} to one of them"
            )
    return ambiguous


def _required(
    mapping: ColumnMapping,
    ambiguous: dict[str, list[str]],
    file: str,
    columns: list[str],
    configured: set[str],
) -> list[Problem]:
    """Problems for an unmapped text column, and for outlet and url both unmapped (unless
    the config named them: a configured column the table lacks is reported already)."""
    problems = []
    if "text" not in mapping.columns and "text" not in configured:
        if "text" in ambiguous:
            what = f"several columns could hold the article text: {ambiguous['text']}"
        else:
            what = (
                f"no column holds the article text (looked for "
                f"{list(WELL_KNOWN['text'])}); its columns are {columns}"
            )
        problems.append(
            Problem(
                "corpus.columns.text", f"{file}: {what}; set corpus.columns.text to the text column"
            )
        )
    if not {"outlet", "url"} & (set(mapping.columns) | configured):
        if "outlet" in ambiguous:
            what = f"several columns could hold the outlet: {ambiguous['outlet']}"
        else:
            what = (
                f"no outlet column (looked for {list(WELL_KNOWN['outlet'])}) and no url "
                f"column to take the domain from; its columns are {columns}"
            )
        problems.append(
            Problem(
                "corpus.columns.outlet",
                f"{file}: {what}; set corpus.columns.outlet (or corpus.columns.url)",
            )
        )
    return problems


# -- columns ------------------------------------------------------------------------------


def table_columns(source: CorpusSource) -> list[str]:
    """The table's column names, cheaply: the CSV/TSV header row, the Parquet schema, or
    the union of the keys of the first 100 JSON records (JSON lines and JSON arrays both
    stream; nothing else is read).

    Raises :class:`~framelens.errors.CorpusError` when the file cannot be opened,
    decompressed or parsed that far, or has no header or record.
    """
    try:
        if source.format == "parquet":
            with _parquet_file(source.path) as parquet:
                return list(parquet.schema_arrow.names)
        with open_binary(source.path) as fh:
            if source.format in ("csv", "tsv"):
                return _csv_header(source, _csv_records(fh, _delimiter(source)))
            return _json_columns(source, fh)
    except CorpusError:
        raise
    except (*_DECOMPRESS_ERRORS, pa.ArrowException) as exc:
        raise _file_problem(source, exc) from exc


def _csv_header(source: CorpusSource, records: Iterator[_CsvRecord]) -> list[str]:
    """The header row (the first non-blank one) of a CSV/TSV file, names stripped."""
    for row, messages in records:
        if messages:
            where = f"{source.path}, header"
            raise CorpusError(source.label, [Problem(where, m) for m in messages])
        if row and any(name.strip() for name in row):
            return [name.strip() for name in row]
    raise CorpusError(
        source.label, [Problem(str(source.path), "empty file; expected a header row")]
    )


def _json_columns(source: CorpusSource, fh: BinaryIO) -> list[str]:
    """The keys of the first :data:`_JSON_SAMPLE` JSON objects, in first-seen order."""
    rows = _jsonl_rows(source, fh) if source.format == "jsonl" else _json_array_rows(source, fh)
    keys: dict[str, None] = {}
    seen, problems = 0, []
    for _, values, found in rows:
        problems += found
        if values is not None:
            keys.update(dict.fromkeys(values))
            seen += 1
            if seen >= _JSON_SAMPLE:
                break
    if not seen:
        raise CorpusError(
            source.label,
            problems[:3]
            or [Problem(str(source.path), "no JSON object found; expected one article per record")],
        )
    return list(keys)


def check_table(source: CorpusSource) -> tuple[ColumnMapping | None, list[Problem]]:
    """The column mapping and its problems, from the header alone (for workflow load).

    The mapping is None when the table cannot be read far enough to know its columns;
    otherwise it is returned even with problems (as far as it got).
    """
    try:
        columns = table_columns(source)
    except CorpusError as exc:
        return None, list(exc.problems)
    return resolve_columns(source, columns)


# -- rows ---------------------------------------------------------------------------------

# -- rows ---------------------------------------------------------------------------------

# A row as a format's reader yields it: its label ("row N" / "line N"), its values by column
# name (None when the row could not be parsed at all), and the problems found reading it.
_Row = tuple[str, Mapping[str, Any] | None, list[Problem]]
# A CSV record: its fields (None when the csv module rejected it) and problem messages.
_CsvRecord = tuple[list[str] | None, list[str]]


def _lines(fh: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """``(line number, byte offset, bytes)`` of each physical line; a leading BOM dropped."""
    offset = 0
    for number, line in enumerate(fh, start=1):
        yield number, offset, (line[3:] if number == 1 and line.startswith(_BOM) else line)
        offset += len(line)


def _utf8_error(exc: UnicodeDecodeError, offset: int) -> str:
    """The message for undecodable bytes in a line that starts at file byte ``offset``."""
    return (
        f"invalid UTF-8 at byte {offset + exc.start} of the file ({exc.reason}); "
        "the bytes were replaced with U+FFFD"
    )


def _delimiter(source: CorpusSource) -> str:
    """The field separator: a tab for TSV, else a comma."""
    return "\t" if source.format == "tsv" else ","


def _csv_records(fh: BinaryIO, delimiter: str) -> Iterator[_CsvRecord]:
    """Every CSV record (header and blank ones included), each line decoded on its own so
    that undecodable bytes spoil only the record they are in."""
    bad: dict[int, str] = {}

    def decoded() -> Iterator[str]:
        for number, offset, raw in _lines(fh):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad[number] = _utf8_error(exc, offset)
                yield raw.decode("utf-8", "replace")

    reader = csv.reader(decoded(), delimiter=delimiter)
    while True:
        row: list[str] | None
        try:
            row, messages = next(reader), []
        except StopIteration:
            return
        except csv.Error as exc:
            row, messages = None, [f"not readable as a table row: {exc}"]
        if bad:
            messages += [bad.pop(n) for n in sorted(bad) if n <= reader.line_num]
        yield row, messages


def _csv_rows(source: CorpusSource, fh: BinaryIO, wanted: list[str]) -> Iterator[_Row]:
    """The data rows of a CSV/TSV file (blank ones skipped), with the ``wanted`` columns'
    values; ``row N`` counts every record after the header, blank ones too."""
    file = str(source.path)
    records = _csv_records(fh, _delimiter(source))
    header = _csv_header(source, records)
    index = {name: header.index(name) for name in dict.fromkeys(wanted) if name in header}
    for number, (row, messages) in enumerate(records, start=1):
        if row is not None and not messages and not any(f.strip() for f in row):
            continue
        where = f"{file}, row {number}"
        problems = [Problem(where, message) for message in messages]
        if row is None:
            yield f"row {number}", None, problems
            continue
        if len(row) != len(header):
            problems.append(Problem(where, f"has {len(row)} fields, the header has {len(header)}"))
        yield f"row {number}", {n: row[i] for n, i in index.items() if i < len(row)}, problems


def _json_kind(value: Any) -> str:
    """``array``, ``string``, ``number``... for a parsed JSON value that is not an object."""
    kinds = (
        (list, "array"),
        (str, "string"),
        (bool, "boolean"),
        (int, "number"),
        (float, "number"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


def _jsonl_rows(source: CorpusSource, fh: BinaryIO) -> Iterator[_Row]:
    """One JSON object per line; blank lines skipped; ``line N`` is the physical line."""
    file = str(source.path)
    for number, offset, raw in _lines(fh):
        if not raw.strip():
            continue
        label = f"line {number}"
        where = f"{file}, {label}"
        problems = []
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(where, _utf8_error(exc, offset)))
            text = raw.decode("utf-8", "replace")
        try:
            value = json.loads(text)
        except ValueError as exc:
            reason = (
                f"{exc.msg} at column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            yield label, None, [*problems, Problem(where, f"not valid JSON: {reason}")]
            continue
        if not isinstance(value, dict):
            message = f"a JSON {_json_kind(value)}, not an object (one article per line)"
            yield label, None, [*problems, Problem(where, message)]
            continue
        yield label, value, problems


class _JsonArray:
    """Stream the elements of a JSON array from text, holding about one element at a time.

    ``json.JSONDecoder.raw_decode`` parses each element from a buffer that is refilled
    (in growing chunks) while the element is incomplete.
    """

    _WHITESPACE = " \t\n\r"

    def __init__(self, stream: TextIO, chunk: int = 1 << 16) -> None:
        self.stream, self.chunk = stream, chunk
        self.buffer, self.pos, self.dropped, self.eof = "", 0, 0, False
        self.decoder = json.JSONDecoder()

    def _fill(self, size: int) -> bool:
        """Append up to ``size`` characters; False at the end of the stream."""
        text = self.stream.read(size)
        if not text:
            self.eof = True
            return False
        self.dropped += self.pos
        self.buffer, self.pos = self.buffer[self.pos :] + text, 0
        return True

    def _peek(self) -> str | None:
        """The next non-whitespace character (not consumed), or None at the end."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in self._WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill(self.chunk):
                return None

    def _element(self) -> Any:
        """Parse the element at the cursor; raise ``JSONDecodeError`` if it is invalid."""
        size = self.chunk
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if self.eof:
                    raise
            else:  # a number at the buffer's end may go on in the next chunk
                if end < len(self.buffer) or self.eof or self.buffer[end - 1] in '}]"':
                    self.pos = end
                    return value
            self._fill(size)
            size *= 2

    def _where(self) -> str:
        """The cursor's position, for messages."""
        return f"character {self.dropped + self.pos + 1} of the file"

    def __iter__(self) -> Iterator[tuple[int, Any, str | None]]:
        """``(element number, value, None)``, or ``(number, None, message)`` for an element
        that does not parse (the last one: the rest of the array cannot be found)."""
        first = self._peek()
        if first != "[":
            what = "nothing" if first is None else f"{first!r}"
            hint = " (one object per line? name it .jsonl or set corpus.format: jsonl)"
            raise ValueError(
                f"expected a JSON array of records ([{{...}}, ...]), found {what}"
                + (hint if first == "{" else "")
            )
        self.pos += 1
        if self._peek() == "]":
            return
        number = 0
        while True:
            number += 1
            if self._peek() in (None, "]"):  # a trailing comma is forgiven
                if self.eof:
                    yield number, None, f"the array is not closed with ']' at {self._where()}"
                return
            try:
                value = self._element()
            except json.JSONDecodeError as exc:
                where = f"character {self.dropped + exc.pos + 1} of the file"
                yield number, None, f"not valid JSON: {exc.msg} at {where}"
                return
            yield number, value, None
            after = self._peek()
            if after == "]":
                return
            if after != ",":
                what = "the end of the file" if after is None else repr(after)
                yield number + 1, None, f"expected ',' or ']' at {self._where()}, found {what}"
                return
            self.pos += 1


def _json_array_rows(source: CorpusSource, fh: BinaryIO) -> Iterator[_Row]:
    """The elements of a JSON array, streamed; ``row N`` is the N-th element. Undecodable
    bytes are kept as surrogates and reported per column when the record is built."""
    file = str(source.path)
    stream = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape")
    try:
        for number, value, message in _JsonArray(stream):
            where = f"{file}, row {number}"
            if message is not None:
                yield f"row {number}", None, [Problem(where, message)]
            elif not isinstance(value, dict):
                kind = _json_kind(value)
                yield f"row {number}", None, [Problem(where, f"a JSON {kind}, not an object")]
            else:
                yield f"row {number}", value, []
    except ValueError as exc:
        raise CorpusError(source.label, [Problem(file, str(exc))]) from exc


def _parquet_rows(parquet: pq.ParquetFile, wanted: list[str]) -> Iterator[_Row]:
    """The rows of a Parquet file, read by record batches of the ``wanted`` columns."""
    names = [name for name in dict.fromkeys(wanted) if name in parquet.schema_arrow.names]
    number = 0
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=names):
        columns = {name: batch.column(i).to_pylist() for i, name in enumerate(batch.schema.names)}
        for i in range(batch.num_rows):
            number += 1
            yield f"row {number}", {name: values[i] for name, values in columns.items()}, []


@contextmanager
def _open_rows(source: CorpusSource, wanted: list[str]) -> Iterator[Iterator[_Row]]:
    """The table's rows, by format, while its file is open."""
    if source.format == "parquet":
        with _parquet_file(source.path) as parquet:
            yield _parquet_rows(parquet, wanted)
        return
    with open_binary(source.path) as fh:
        if source.format in ("csv", "tsv"):
            yield _csv_rows(source, fh, wanted)
        elif source.format == "jsonl":
            yield _jsonl_rows(source, fh)
        else:
            yield _json_array_rows(source, fh)


# -- records ------------------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    """A cell as framelens keeps it: a stripped string, or None for null, NaN or blank.

    Integral floats lose their ``.0`` (ids read as floats); dates and times become ISO 8601
    (with the zone when they carry one); bytes are decoded as UTF-8 (bad bytes kept as
    surrogates, reported by :func:`_record`); lists and objects become JSON.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        if math.isnan(value):
            return None
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value.is_finite() else str(value)
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, bytes):
        text = value.decode("utf-8", "surrogateescape")
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text.strip() or None


def _record(
    file: str,
    label: str,
    values: Mapping[str, Any] | None,
    mapping: ColumnMapping,
    problems: list[Problem],
) -> SourceRecord:
    """The record for one row: its mapped fields, the text's bytes, and its problems."""
    where = f"{file}, {label}"
    fields: dict[str, str | None] = {}
    for key, column in mapping.columns.items():
        text = _as_text(values.get(column)) if values is not None else None
        if text is not None:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(
                    Problem(
                        where,
                        f"invalid UTF-8 in column {column!r}; the bytes were replaced with U+FFFD",
                    )
                )
                text = _SURROGATES.sub("\ufffd", text)
        fields[key] = text
    text_column = mapping.columns["text"]
    if values is not None and fields.get("text") is None:
        if text_column in values:
            problems.append(Problem(where, f"empty text in column {text_column!r}"))
        else:
            problems.append(Problem(where, f"no text: the row has no {text_column!r} value"))
    text = fields.get("text")
    data = text.encode("utf-8") if text is not None else b""
    return SourceRecord(file=file, record=label, fields=fields, data=data, problems=problems)


def read_table(source: CorpusSource, mapping: ColumnMapping) -> Iterator[SourceRecord]:
    """Stream the table's articles, one :class:`SourceRecord` per row, in file order.

    Every mapped field is in ``fields`` (a stripped string or None); ``data`` is the text's
    UTF-8 bytes. Row problems travel on their record; reading goes on. A compressed stream
    that breaks off (truncated or corrupt) ends the table with a record without fields
    (``record`` None) carrying that problem. Raises :class:`ValueError` when ``mapping``
    has no text column, and :class:`~framelens.errors.CorpusError` when the file cannot
    be opened or its header read (:func:`check_table` reports both up front).
    """
    if "text" not in mapping.columns:
        raise ValueError("the column mapping has no text column; check_table says why")
    file = str(source.path)
    last = "the header"
    try:
        with _open_rows(source, list(mapping.columns.values())) as rows:
            for label, values, problems in rows:
                last = label
                yield _record(file, label, values, mapping, problems)
    except CorpusError:
        raise
    except (*_DECOMPRESS_ERRORS, pa.ArrowException) as exc:
        if last == "the header":
            raise _file_problem(source, exc) from exc
        message = f"reading stopped after {last}: {_file_message(source, exc)}"
        yield SourceRecord(file=file, record=None, fields={}, problems=[Problem(file, message)])


def count_rows(source: CorpusSource, limit: int | None = None) -> int:
    """The number of records :func:`read_table` yields for rows (blank CSV rows and blank
    JSON lines are not rows): Parquet from its metadata, the rest by a streaming pass
    that parses no JSON lines and builds no records. With ``limit``, counting stops once
    it is passed (the result is then ``limit + 1``)."""
    try:
        if source.format == "parquet":
            with _parquet_file(source.path) as parquet:
                return int(parquet.metadata.num_rows)
        with open_binary(source.path) as fh:
            if source.format == "jsonl":
                rows: Iterator[Any] = (line for line in fh if line.strip())
            elif source.format == "json":
                rows = _json_array_rows(source, fh)
            else:
                rows = _csv_rows(source, fh, [])
            return sum(1 for _ in itertools.islice(rows, None if limit is None else limit + 1))
    except CorpusError:
        raise
    except (*_DECOMPRESS_ERRORS, pa.ArrowException) as exc:
        raise _file_problem(source, exc) from exc
