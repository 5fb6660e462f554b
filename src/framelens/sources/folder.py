"""The folder format: UTF-8 ``.txt`` articles plus ``metadata.csv``.

``metadata.csv`` has at least the columns ``file`` and ``outlet`` (optional: ``date``,
``title``, ``url``, ``language``, ``event``; extra columns are kept). Structural
problems (a file not listed, a row without its file, ids that collide) are found by
:func:`check_corpus` without reading any article; :func:`folder_records` then yields one
:class:`~framelens.sources.records.SourceRecord` per listed file, with its decoding
problems attached.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from framelens.errors import CorpusError, Problem
from framelens.sources.records import SourceRecord
from framelens.sources.timestamps import parse_timestamp

METADATA_FILE = "metadata.csv"
REQUIRED_COLUMNS = ("file", "outlet")
OPTIONAL_COLUMNS = ("date", "title", "url", "language", "event")
UNATTRIBUTED = "unattributed"
DECODE_POLICIES = ("fail", "replace")
MAX_OUTLET_CHARS = 100
#: Longest metadata.csv field (the csv module's default limit; tables of articles may
#: raise the process-wide limit, so it is checked here): longer is an unclosed quote.
MAX_METADATA_FIELD = 131_072
_LANGUAGE_TAG_RE = re.compile(
    r"[a-z]{2,3}(?:-[a-z]{3}){0,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- metadata


def read_metadata(folder: Path, *, check_rows: bool = True) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``metadata.csv`` (BOM, CRLF and extra columns tolerated) and check each row
    (unless ``check_rows`` is false: a reader after :func:`check_corpus` passed).

    Returns the table (all values as stripped strings, one row per file) and
    the problems found, each naming the row by its line in the CSV file.
    """
    path = folder / METADATA_FILE
    if not path.is_file():
        return pd.DataFrame(), [Problem(str(path), "metadata file not found")]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return pd.DataFrame(), [Problem(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start})")]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            longest = max(map(len, row), default=0)
            if longest > MAX_METADATA_FIELD:
                return pd.DataFrame(), [
                    Problem(
                        str(path),
                        f"not a readable CSV file (a field of {longest} characters, "
                        f"more than {MAX_METADATA_FIELD}: an unclosed quote?)",
                        reader.line_num,
                    )
                ]
            rows.append(row)
    except csv.Error as exc:
        return pd.DataFrame(), [
            Problem(str(path), f"not a readable CSV file ({exc})", reader.line_num + 1)
        ]
    if not rows:
        return pd.DataFrame(), [Problem(str(path), "empty file; expected a header row")]
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return pd.DataFrame(), [
            Problem(str(path), f"missing column(s) {missing}; found {header}", line=1)
        ]
    problems: list[Problem] = []
    records: list[dict[str, str | int]] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(str(path), f"has {len(row)} fields, header has {len(header)}", line_no)
            )
            continue
        record: dict[str, str | int] = {
            h: cell.strip() for h, cell in zip(header, row, strict=True)
        }
        record["_line"] = line_no
        records.append(record)
    table = pd.DataFrame.from_records(records, columns=[*header, "_line"])
    for column in OPTIONAL_COLUMNS:
        if column not in table:
            table[column] = ""
    if check_rows:
        problems.extend(_check_metadata_rows(table, folder, path))
    return table, problems


def _check_metadata_rows(table: pd.DataFrame, folder: Path, path: Path) -> list[Problem]:
    """Problems of each row on its own, rows listed twice, and document id collisions."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    root = folder.resolve()
    for row in table.to_dict("records"):
        line = int(row["_line"])
        name = row["file"]
        if not name:
            problems.append(Problem(str(path), "empty 'file' value", line))
            continue
        if name in seen:
            problems.append(
                Problem(str(path), f"file {name!r} is listed twice (also line {seen[name]})", line)
            )
        seen.setdefault(name, line)
        problems += [Problem(str(path), message, line) for message in _row_faults(row, root)]
    return problems + check_doc_ids(table, path)


def _row_faults(row: dict[str, Any], root: Path) -> list[str]:
    """What is wrong with one metadata row on its own (path, outlet, date, language;
    ``root``: the corpus folder, resolved)."""
    name = row["file"]
    faults = []
    if not is_inside_folder(root, name, resolved=True):
        faults.append(f"file {name!r} points outside the corpus folder")
    if not row["outlet"]:
        faults.append(f"empty 'outlet' for {name!r} (write {UNATTRIBUTED!r})")
    if row["date"] and parse_timestamp(row["date"]) is None:
        faults.append(
            f"date {row['date']!r} for {name!r} is not a date (YYYY-MM-DD) or a "
            "timestamp (ISO 8601 such as 2022-08-18T14:03:00Z, or RFC 2822)"
        )
    if row["language"] and not is_language_tag(row["language"]):
        faults.append(
            f"language {row['language']!r} for {name!r} is not a BCP-47 language tag such as "
            "'en', 'sr-Latn' or 'zh-Hant' (leave it empty to detect the language)"
        )
    return faults


def is_language_tag(value: str) -> bool:
    """True for a plausible BCP-47 tag whose language is a 2-3 letter ISO 639 code.

    ``en``, ``EN``, ``sr-Latn``, ``zh-Hant-TW``, ``es-419``, ``und`` pass; ``English``,
    ``xx-??``, ``en_US`` and ``e`` do not. Well-formedness only: ``xx`` passes, since
    codes are not looked up in a registry.
    """
    return _LANGUAGE_TAG_RE.fullmatch(value) is not None


def _collision_key(doc_id: str) -> str:
    """``doc_id`` as a case-insensitive, normalisation-insensitive file system would see it."""
    return unicodedata.normalize("NFC", doc_id).casefold()


def check_doc_ids(table: pd.DataFrame, path: Path) -> list[Problem]:
    """Two listed files whose document ids collide, naming both files.

    Ids collide when equal (``a/b.txt`` and ``a__b.txt`` are both ``a__b``) or equal after
    case folding and NFC (``A.txt`` and ``a.txt``: one file on case-insensitive file systems,
    and outputs named by id would overwrite each other). A file listed twice is not a
    collision (it is reported as listed twice).
    """
    first: dict[str, tuple[str, int]] = {}
    problems = []
    for name, line in zip(table["file"], table["_line"], strict=True):
        if not name:
            continue
        key = _collision_key(doc_id_for(name))
        other, other_line = first.setdefault(key, (name, int(line)))
        if other == name:
            continue
        ids = (doc_id_for(other), doc_id_for(name))
        why = (
            f"both get document id {ids[0]!r}"
            if ids[0] == ids[1]
            else f"get document ids {ids[0]!r} and {ids[1]!r}, which differ only in case or "
            "Unicode normalisation (one file on case-insensitive file systems)"
        )
        problems.append(
            Problem(
                str(path),
                f"files {other!r} (line {other_line}) and {name!r} {why}; rename one",
                int(line),
            )
        )
    return problems


def is_inside_folder(folder: Path, name: str, *, resolved: bool = False) -> bool:
    """True when ``name`` is a relative path that stays inside ``folder`` (``resolved``:
    ``folder`` is already resolved, as when many names are checked)."""
    candidate = Path(name)
    if "\x00" in name or candidate.is_absolute() or ".." in candidate.parts:
        return False
    try:
        root = folder if resolved else folder.resolve()
        return (root / candidate).resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop, a name too long for the file system
        return False


def parse_iso_date(value: str) -> str | None:
    """Return ``value`` if it is a real ``YYYY-MM-DD`` calendar date, else None."""
    try:
        return dt.date.fromisoformat(value).isoformat() if len(value) == 10 else None
    except ValueError:
        return None


def list_corpus_files(folder: Path) -> list[str]:
    """All ``.txt`` files under ``folder`` as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.txt") if p.is_file())


def check_files_match_metadata(folder: Path, metadata: pd.DataFrame) -> list[Problem]:
    """A ``.txt`` file that metadata does not list, or a row without its file, is a problem."""
    listed = dict(zip(metadata.get("file", []), metadata.get("_line", []), strict=True))
    on_disk = set(list_corpus_files(folder))
    meta_path = str(folder / METADATA_FILE)
    root = folder.resolve()
    problems = [
        Problem(meta_path, f"lists {name!r}, which is not in the corpus folder", int(line))
        for name, line in listed.items()
        if name and is_inside_folder(root, name, resolved=True) and not (folder / name).is_file()
    ]
    problems += [
        Problem(str(folder / name), f"not listed in {METADATA_FILE}")
        for name in sorted(on_disk - set(listed))
    ]
    return problems


def check_corpus(folder: str | Path) -> pd.DataFrame:
    """Cheap whole-corpus check (no article is read): metadata rows against files.

    Raises :class:`CorpusError` listing every problem; returns the metadata.
    Run at workflow load time so a bad corpus fails before any job starts.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(str(folder), [Problem(str(folder), "corpus folder not found")])
    metadata, problems = read_metadata(folder)
    if not metadata.empty or not problems:
        problems += check_files_match_metadata(folder, metadata)
    if problems:
        raise CorpusError(str(folder), problems)
    return metadata


def decode_article(data: bytes, where: str, *, on_decode_error: str) -> tuple[str, list[Problem]]:
    """Decode article bytes as UTF-8.

    Binary data (NUL bytes), empty or whitespace-only text are errors. Invalid
    UTF-8 is an error under ``on_decode_error="fail"``; under ``"replace"``
    the bad bytes become U+FFFD and a ``decode_replaced`` flag is returned.
    Returns the text and a list of problems (errors) or flags (``Problem``
    with a message starting ``flag:``).
    """
    if b"\x00" in data:
        return "", [Problem(where, "binary file (contains NUL bytes), not UTF-8 text")]
    try:
        text = data.decode("utf-8")
        flags: list[Problem] = []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if on_decode_error == "fail":
            return "", [
                Problem(
                    where,
                    f"not valid UTF-8 ({exc.reason} at byte {exc.start}); re-encode it as UTF-8 "
                    "or set ingest.on_decode_error: replace",
                    line,
                )
            ]
        text = data.decode("utf-8", errors="replace")
        flags = [Problem(where, f"flag: invalid UTF-8 from byte {exc.start} replaced", line)]
    if not text.strip():
        return "", [Problem(where, "empty or whitespace-only article")]
    return text, flags


def doc_id_for(file: str) -> str:
    """Stable document id: the path without ``.txt`` (or ``.html``/``.htm`` for pages),
    folders joined by ``__``."""
    for suffix in (".txt", ".html", ".htm"):
        if file.lower().endswith(suffix):
            file = file[: -len(suffix)]
            break
    return file.replace("/", "__")


def read_article(
    folder: Path, name: str, *, on_decode_error: str
) -> tuple[bytes, str, list[Problem]]:
    """Bytes and decoded text of one article, with problems and flags naming the file
    (see :func:`decode_article`; a file that cannot be read is a problem too)."""
    where = str(folder / name)
    try:
        data = (folder / name).read_bytes()
    except OSError as exc:
        return b"", "", [Problem(where, f"cannot be read ({exc.strerror or exc})")]
    text, found = decode_article(data, where, on_decode_error=on_decode_error)
    return data, text, found


def folder_records(
    folder: Path, metadata: pd.DataFrame, *, on_decode_error: str
) -> Iterator[SourceRecord]:
    """One record per file listed in ``metadata`` (sorted by file) that exists; its
    metadata row becomes the record's fields, its decoding problems the record's problems."""
    root = folder.resolve()
    for row in metadata.sort_values("file").to_dict("records"):
        name = row["file"]
        inside = bool(name) and is_inside_folder(root, name, resolved=True)
        if not inside or not (folder / name).is_file():
            continue
        data, text, found = read_article(folder, name, on_decode_error=on_decode_error)
        fields: dict[str, str | None] = {key: row.get(key) or None for key in OPTIONAL_COLUMNS}
        fields.update(text=text or None, outlet=row["outlet"] or None)
        yield SourceRecord(file=name, record=None, fields=fields, data=data, problems=found)
