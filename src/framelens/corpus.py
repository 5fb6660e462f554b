"""Ingest: read a corpus folder into documents and sentences tables.

A corpus folder holds UTF-8 ``.txt`` articles and a ``metadata.csv`` with at
least the columns ``file`` and ``outlet`` (optional: ``date``, ``title``,
``url``, ``language``, ``event``; extra columns are kept). Ingest never
invents what the text does not say, and never drops anything silently:
removed headers and HTML markup, flagged boilerplate and repeats all go to the
ingest report.

What counts as an error (a :class:`CorpusError` naming the file and, for
metadata, the line) and what is ingested with a flag in the report:

* errors: a ``.txt`` file not in the metadata, a row whose file is missing, a
  path outside the folder (``..``, absolute, a symlink pointing out), a file
  listed twice, two files with the same document id (``a/b.txt`` and
  ``a__b.txt``) or whose ids differ only in case or Unicode normalisation
  (``A.txt`` and ``a.txt``: one file on case-insensitive file systems), an
  empty, binary, unreadable or (by default) non-UTF-8 article, a bad date, a
  ``language`` that is not a BCP-47 tag (``English`` instead of ``en``);
* flags: ``html_stripped`` (markup converted to text, every piece recorded
  under ``removed``), ``outlet_unusual`` (an outlet name that is only
  punctuation, over 100 characters, or holds control characters or markup; the
  name is kept), ``decode_replaced``, ``no_content`` (no content sentence left:
  the text had none, or every sentence was flagged as boilerplate or a repeat; also
  counted in the report's totals and logged as a warning naming the file),
  ``date_differs``, ``outlet_differs``.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from framelens.errors import CorpusError, Problem
from framelens.text import (
    Header,
    MarkupEdit,
    detect_language,
    embedded_segments,
    normalise_text,
    parse_header,
    segment,
    sentence_boilerplate_reason,
    strip_markup,
)

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.csv"
REQUIRED_COLUMNS = ("file", "outlet")
OPTIONAL_COLUMNS = ("date", "title", "url", "language", "event")
UNATTRIBUTED = "unattributed"
DECODE_POLICIES = ("fail", "replace")
MAX_OUTLET_CHARS = 100
_LANGUAGE_TAG_RE = re.compile(
    r"[a-z]{2,3}(?:-[a-z]{3}){0,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?",
    re.IGNORECASE,
)

DOCUMENT_COLUMNS = [
    "doc_id", "file", "outlet", "outlet_label", "date", "date_source", "title",
    "title_source", "language", "language_source", "event", "url", "dateline",
    "n_sentences", "n_content_sentences", "n_chars", "sha256",
]
SENTENCE_COLUMNS = [
    "sent_id", "doc_id", "position", "paragraph", "text", "heading", "duplicate_of",
    "boilerplate", "boilerplate_reason", "char_start", "char_end",
]


@dataclass
class IngestResult:
    """The three ingest outputs: documents, sentences and the report."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    report: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- metadata


def read_metadata(folder: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``metadata.csv`` (BOM, CRLF and extra columns tolerated) and check each row.

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
    try:
        rows = list(reader)
    except csv.Error as exc:
        return pd.DataFrame(), [Problem(str(path), f"not a readable CSV file ({exc})",
                                        reader.line_num + 1)]
    if not rows:
        return pd.DataFrame(), [Problem(str(path), "empty file; expected a header row")]
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return pd.DataFrame(), [
            Problem(str(path), f"missing column(s) {missing}; found {header}", line=1)
        ]
    problems: list[Problem] = []
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(str(path), f"has {len(row)} fields, header has {len(header)}", line_no)
            )
            continue
        record = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        record["_line"] = line_no
        records.append(record)
    table = pd.DataFrame.from_records(records, columns=[*header, "_line"])
    for column in OPTIONAL_COLUMNS:
        if column not in table:
            table[column] = ""
    problems.extend(_check_metadata_rows(table, folder, path))
    return table, problems


def _check_metadata_rows(table: pd.DataFrame, folder: Path, path: Path) -> list[Problem]:
    """Problems of each row on its own, rows listed twice, and document id collisions."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
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
        problems += [Problem(str(path), message, line) for message in _row_faults(row, folder)]
    return problems + check_doc_ids(table, path)


def _row_faults(row: dict[str, Any], folder: Path) -> list[str]:
    """What is wrong with one metadata row on its own (path, outlet, date, language)."""
    name = row["file"]
    faults = []
    if not is_inside_folder(folder, name):
        faults.append(f"file {name!r} points outside the corpus folder")
    if not row["outlet"]:
        faults.append(f"empty 'outlet' for {name!r} (write {UNATTRIBUTED!r})")
    if row["date"] and parse_iso_date(row["date"]) is None:
        faults.append(f"date {row['date']!r} for {name!r} is not YYYY-MM-DD")
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
        why = (f"both get document id {ids[0]!r}" if ids[0] == ids[1] else
               f"get document ids {ids[0]!r} and {ids[1]!r}, which differ only in case or "
               "Unicode normalisation (one file on case-insensitive file systems)")
        problems.append(Problem(str(path), f"files {other!r} (line {other_line}) and {name!r} "
                                           f"{why}; rename one", int(line)))
    return problems


def is_inside_folder(folder: Path, name: str) -> bool:
    """True when ``name`` is a relative path that stays inside ``folder``."""
    candidate = Path(name)
    if "\x00" in name or candidate.is_absolute() or ".." in candidate.parts:
        return False
    try:
        root = folder.resolve()
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
    problems = [
        Problem(meta_path, f"lists {name!r}, which is not in the corpus folder", int(line))
        for name, line in listed.items()
        if name and is_inside_folder(folder, name) and not (folder / name).is_file()
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


# --------------------------------------------------------------------------- articles


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


def duplicate_key(text: str) -> str:
    """Key under which two sentences count as exact repeats (case and spacing ignored)."""
    return " ".join(text.split()).casefold()


def sentence_rows(doc_id: str, body: str) -> list[dict[str, Any]]:
    """Segment a body into sentence rows with boilerplate and repeat flags."""
    segments = segment(body)
    embeds = embedded_segments(segments)
    first_seen: dict[str, str] = {}
    rows = []
    for position, seg in enumerate(segments):
        sent_id = f"{doc_id}:{position:04d}"
        key = duplicate_key(seg.text)
        duplicate_of = first_seen.get(key)
        first_seen.setdefault(key, sent_id)
        reason = ("social_embed" if position in embeds
                  else sentence_boilerplate_reason(seg.text))
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
            }
        )
    return rows


def doc_id_for(file: str) -> str:
    """Stable document id: the path without ``.txt``, folders joined by ``__``."""
    name = file[:-4] if file.lower().endswith(".txt") else file
    return name.replace("/", "__")


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
    return sorted_ids[max(before - 1, 0):before] + sorted_ids[after:after + 1]


def short_unique_prefix(doc_id: str, others: list[str]) -> str:
    """The shortest readable prefix of ``doc_id`` that no id in ``others`` starts with."""
    for cut in [doc_id.find(sep) for sep in "_-."] + list(range(3, len(doc_id))):
        if cut <= 0:
            continue
        prefix = doc_id[:cut]
        if not any(o.startswith(prefix) for o in others):
            return prefix
    return doc_id


def ingest_corpus(folder: str | Path, *, on_decode_error: str = "fail") -> IngestResult:
    """Read every article listed in ``metadata.csv`` into documents and sentences.

    Every problem in the corpus is collected first and raised together as one
    :class:`CorpusError`; on success the report records everything removed
    (headers, HTML markup) or flagged (boilerplate, repeats, replaced bytes, odd
    outlets, conflicts, articles with no content left).
    """
    if on_decode_error not in DECODE_POLICIES:
        raise ValueError(
            f"on_decode_error must be one of {DECODE_POLICIES}, not {on_decode_error!r}"
        )
    folder = Path(folder)
    metadata = check_corpus(folder)
    documents, sentences, entries, problems = [], [], [], []
    for row in metadata.sort_values("file").to_dict("records"):
        data, text, found = read_article(folder, row["file"], on_decode_error=on_decode_error)
        errors = [p for p in found if not p.message.startswith("flag:")]
        if errors:
            problems += errors
            continue
        document, rows, entry = ingest_article(row, text, data)
        entry["flags"] += [{"code": "decode_replaced", "detail": str(p)} for p in found]
        if document["n_content_sentences"] == 0:
            entry["flags"].append(no_content_flag(rows))
            log.warning("%s: no content sentence left (%s); every measure will skip it",
                        row["file"], entry["flags"][-1]["detail"])
        documents.append(document)
        sentences += rows
        entries.append(entry)
    if problems:
        raise CorpusError(str(folder), problems)
    docs = pd.DataFrame.from_records(documents, columns=DOCUMENT_COLUMNS)
    docs["outlet_label"] = outlet_labels(docs)
    sents = pd.DataFrame.from_records(sentences, columns=SENTENCE_COLUMNS)
    report = build_report(folder, docs, sents, entries)
    return IngestResult(docs, sents, report)


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
    doc_id = doc_id_for(row["file"])
    clean, markup = strip_markup(normalise_text(text))
    header, body = parse_header(clean)
    rows = sentence_rows(doc_id, body)
    flags = markup_flags(markup) + outlet_flags(row["outlet"])
    date, date_source = _choose(row.get("date") or None, header.date, "date", flags)
    if header.outlet and header.outlet.casefold() != row["outlet"].casefold():
        flags.append({"code": "outlet_differs",
                      "detail": f"text names {header.outlet!r}, metadata says {row['outlet']!r}"})
    title, title_source = _title(row, rows)
    content = [r["text"] for r in rows if not r["boilerplate"] and r["duplicate_of"] is None]
    language, language_source = _language(row, content)
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
    }
    entry = {
        "file": row["file"],
        "doc_id": doc_id,
        "body_offset": len(header.text),
        "removed": removed_items(header, markup),
        "flags": flags,
    }
    return document, rows, entry


def no_content_flag(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``no_content`` flag of an article without a content sentence, saying why.

    ``reasons`` counts the article's sentences by boilerplate reason (``repeat`` for an exact
    repeat that is not boilerplate); it is empty when no sentence was found at all (the text
    was only markup or a header).
    """
    reasons = Counter(row["boilerplate_reason"] or "repeat" for row in rows)
    if not rows:
        detail = "no sentence in the text after removing markup and the header"
    else:
        counted = ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))
        detail = f"all {len(rows)} sentences flagged as boilerplate or repeats ({counted})"
    return {"code": "no_content", "n_sentences": len(rows),
            "reasons": dict(sorted(reasons.items())), "detail": detail}


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
        {"what": f"html_{edit.kind}", "text": edit.text, "at": edit.at,
         "replacement": edit.replacement}
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
    return [{"code": "html_stripped", "count": len(markup),
             "detail": f"HTML converted to text ({counted}); each piece is under 'removed'"}]


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
    return [{"code": "outlet_unusual", "detail": f"outlet {outlet[:MAX_OUTLET_CHARS]!r}: "
                                                 + ", ".join(oddities)}]


def _choose(
    from_metadata: str | None, from_text: str | None, what: str, flags: list[dict[str, str]]
) -> tuple[str | None, str | None]:
    """Prefer metadata, fall back to the text; flag a disagreement between the two."""
    if from_metadata and from_text and from_metadata != from_text:
        flags.append({"code": f"{what}_differs",
                      "detail": f"text says {from_text!r}, metadata says {from_metadata!r}"})
    if from_metadata:
        return from_metadata, "metadata"
    if from_text:
        return from_text, "header"
    return None, None


def build_report(
    folder: Path, docs: pd.DataFrame, sents: pd.DataFrame, entries: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ingest report: per file what was removed and flagged, plus totals."""
    by_doc = {e["doc_id"]: e for e in entries}
    flagged = sents[sents["boilerplate"] | sents["duplicate_of"].notna()]
    for row in flagged.astype(object).where(flagged.notna(), None).to_dict("records"):
        by_doc[row["doc_id"]].setdefault("sentences_flagged", []).append(
            {key: row[key] for key in ("sent_id", "boilerplate_reason", "duplicate_of", "text")}
        )
    reasons = Counter(r for r in sents["boilerplate_reason"] if isinstance(r, str))
    no_content = [e["file"] for e in entries
                  if any(flag["code"] == "no_content" for flag in e["flags"])]
    return {
        "corpus": str(folder),
        "n_files": len(docs),
        "n_sentences": len(sents),
        "n_boilerplate": int(sents["boilerplate"].sum()),
        "n_duplicates": int(sents["duplicate_of"].notna().sum()),
        "boilerplate_reasons": dict(sorted(reasons.items())),
        "n_no_content": len(no_content),
        "no_content_files": sorted(no_content),
        "files": [by_doc[d] for d in docs["doc_id"]],
    }
