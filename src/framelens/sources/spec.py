"""The ``corpus`` config key: where a corpus is and in which format.

A string is a path (today's configs keep working); a mapping says more::

    corpus:
      path: exports/stories.csv.gz
      format: csv            # optional: chosen by extension when left out
      preset: nela           # optional: a known export's column names
      columns: {text: content, outlet: publisher}

Formats: ``folder`` (``.txt`` files plus ``metadata.csv``), ``csv``, ``tsv``, ``jsonl``
(also ``.ndjson``), ``json`` (an array of records), ``parquet``, ``html`` (a folder of
``.html``/``.htm`` pages) and ``warc`` (one ``.warc``/``.warc.gz`` file, a folder of them,
or a list of them). ``.gz``, ``.bz2`` and ``.zst`` are read transparently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framelens.errors import ConfigError
from framelens.sources.records import FIELDS

FORMATS = ("folder", "csv", "tsv", "jsonl", "json", "parquet", "html", "warc")
TABLE_FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}
_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".warc": "warc",
    ".html": "html",
    ".htm": "html",
}
METADATA_FILE = "metadata.csv"
HTML_SUFFIXES = (".html", ".htm")


def split_compression(name: str) -> tuple[str, str | None]:
    """A file name without its compression suffix, and the compression (``gzip``, ``bz2``,
    ``zstd``) or None: ``a.csv.gz`` -> (``a.csv``, ``gzip``)."""
    for suffix, compression in COMPRESSIONS.items():
        if name.lower().endswith(suffix):
            return name[: -len(suffix)], compression
    return name, None


def format_of_file(path: Path) -> str | None:
    """The format a file's extension names (compression ignored), or None."""
    stem, _ = split_compression(path.name)
    return _SUFFIX_FORMATS.get(Path(stem).suffix.lower())


def is_warc_file(path: Path) -> bool:
    """True for ``.warc``, ``.warc.gz`` (and other compressions) files."""
    return path.is_file() and format_of_file(path) == "warc"


def format_of_folder(folder: Path) -> str | None:
    """``folder`` when it holds ``metadata.csv``, ``warc`` when it holds WARC files,
    ``html`` when it holds pages; else None."""
    if (folder / METADATA_FILE).is_file():
        return "folder"
    if any(is_warc_file(p) for p in folder.iterdir()):
        return "warc"
    if any(p.suffix.lower() in HTML_SUFFIXES for p in folder.rglob("*") if p.is_file()):
        return "html"
    return None


@dataclass(frozen=True)
class CorpusSource:
    """A corpus: its path(s), format and the mapping of its columns to framelens' fields.

    ``paths`` are as given (one folder or file; several files for ``warc``). ``columns``
    maps framelens' field names (:data:`~framelens.sources.records.FIELDS`) to the
    table's names; ``preset`` names a known export whose names fill in what ``columns``
    leaves out (:mod:`framelens.sources.tables`).
    """

    paths: tuple[Path, ...]
    format: str
    columns: dict[str, str] = field(default_factory=dict)
    preset: str | None = None

    @property
    def path(self) -> Path:
        """The first (usually the only) path."""
        return self.paths[0]

    @property
    def label(self) -> str:
        """The corpus as the config names it, for messages and the report."""
        return ", ".join(str(p) for p in self.paths)

    @classmethod
    def from_config(cls, value: str | dict[str, Any]) -> CorpusSource:
        """Build from the ``corpus`` config value (a path, or a mapping with ``path``).

        Raises :class:`ConfigError` naming the ``corpus`` key when the path does not exist,
        the format cannot be told, or ``columns`` names an unknown field.
        """
        entry: dict[str, Any] = {"path": value} if isinstance(value, str) else dict(value)
        raw = entry.get("path")
        if not raw:
            raise ConfigError("corpus.path: missing; give the corpus folder or file")
        paths = tuple(Path(p) for p in ([raw] if isinstance(raw, str) else raw))
        for path in paths:
            if not path.exists():
                raise ConfigError(f"corpus.path: {str(path)!r} not found")
        columns = dict(entry.get("columns") or {})
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise ConfigError(
                f"corpus.columns: unknown field(s) {unknown}; framelens' fields "
                f"are {list(FIELDS)} (map each to your table's column name)"
            )
        fmt = entry.get("format") or _detect_format(paths)
        if fmt not in FORMATS:
            raise ConfigError(f"corpus.format: {fmt!r} is not one of {list(FORMATS)}")
        if len(paths) > 1 and fmt != "warc":
            raise ConfigError(f"corpus.path: a list of paths is for WARC files, not {fmt!r}")
        if columns and fmt not in TABLE_FORMATS:
            raise ConfigError(
                f"corpus.columns: only tables ({', '.join(TABLE_FORMATS)}) have "
                f"columns to map; {fmt!r} does not"
            )
        return cls(paths=paths, format=fmt, columns=columns, preset=entry.get("preset"))


def _detect_format(paths: tuple[Path, ...]) -> str:
    """The format of the corpus at ``paths``, from the folder's contents or the extension."""
    path = paths[0]
    found = format_of_folder(path) if path.is_dir() else format_of_file(path)
    if found is None:
        what = (
            "a folder with metadata.csv, HTML pages or WARC files"
            if path.is_dir()
            else "a file ending in " + ", ".join(sorted(_SUFFIX_FORMATS))
        )
        raise ConfigError(
            f"corpus: cannot tell the format of {str(path)!r}; expected {what} "
            f"(optionally compressed: {', '.join(COMPRESSIONS)}), or set "
            f"corpus.format to one of {list(FORMATS)}"
        )
    if found == "html" and path.is_file():
        raise ConfigError(f"corpus.path: {str(path)!r} is one page; give the folder of pages")
    return found
