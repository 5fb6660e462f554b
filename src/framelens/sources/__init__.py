"""Corpus sources: the ``corpus`` config key and a reader per input format.

Each reader yields :class:`~framelens.sources.records.SourceRecord` objects, one per
article; :mod:`framelens.corpus` ingests them all the same way. The functions here pick
the reader by :attr:`CorpusSource.format`; the table, HTML and WARC readers are imported
only when used, so building the workflow's job graph stays light.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from framelens.errors import CorpusError, Problem
from framelens.sources.folder import (
    METADATA_FILE,
    check_corpus,
    folder_records,
    list_corpus_files,
    read_metadata,
)
from framelens.sources.records import SourceRecord
from framelens.sources.spec import CorpusSource

__all__ = [
    "CorpusSource",
    "SourceRecord",
    "check_source",
    "count_articles",
    "read_records",
    "source_inputs",
]


def check_source(source: CorpusSource) -> list[Problem]:
    """Structural problems of a corpus, found cheaply (no article read): metadata rows
    against files for a folder, columns for a table, no page or record file at all."""
    if source.format == "folder":
        try:
            check_corpus(source.path)
        except CorpusError as error:
            return list(error.problems)
        return []
    if source.format in ("csv", "tsv", "jsonl", "json", "parquet"):
        from framelens.sources.tables import check_table

        return check_table(source)[1]
    if source.format == "html":
        from framelens.sources.web import list_html_pages

        if not list_html_pages(source.path):
            return [Problem(str(source.path), "no .html or .htm page in the folder")]
        return []
    from framelens.sources.warc import warc_files

    if not warc_files(source):
        return [Problem(source.label, "no .warc or .warc.gz file")]
    return []


def read_records(
    source: CorpusSource,
    *,
    on_decode_error: str = "fail",
    extra: dict[str, Any] | None = None,
    skip_structure: bool = False,
    checked: bool = False,
) -> Iterator[SourceRecord]:
    """Every article of the corpus as a record, in a stable order (folders and pages by
    path, tables by row, WARC by record). ``extra`` receives what the reader has to say
    for the report (column mapping, records skipped). With ``skip_structure``, read what
    can be read despite structural problems (to report content problems in the same run);
    with ``checked``, the caller has run :func:`check_source` already (not repeated)."""
    extra = {} if extra is None else extra
    if source.format == "folder":
        if skip_structure or checked:
            metadata, _ = read_metadata(source.path, check_rows=False)  # problems unused
            if metadata.empty:
                return iter(())
        else:
            metadata = check_corpus(source.path)
        return folder_records(source.path, metadata, on_decode_error=on_decode_error)
    if source.format in ("csv", "tsv", "jsonl", "json", "parquet"):
        from framelens.sources.tables import check_table, read_table

        mapping, problems = check_table(source)
        if mapping is None or (problems and not skip_structure) or mapping.column("text") is None:
            raise CorpusError(source.label, problems)
        extra["columns"] = {"mapping": mapping.report(), "notes": mapping.notes}
        return read_table(source, mapping)
    if source.format == "html":
        from framelens.sources.web import read_html_folder

        return read_html_folder(source)
    from framelens.sources.warc import read_warc

    return read_warc(source, summary=extra.setdefault("warc", {}))


def source_inputs(source: CorpusSource) -> list[str]:
    """The files a corpus is read from (a change to any reruns ingest)."""
    if source.format == "folder":
        folder = source.path
        return [str(folder / METADATA_FILE), *(str(folder / n) for n in list_corpus_files(folder))]
    if source.format == "html":
        from framelens.sources.web import list_html_pages

        return [str(source.path / name) for name in list_html_pages(source.path)]
    if source.format == "warc":
        from framelens.sources.warc import warc_files

        return [str(p) for p in warc_files(source)]
    return [str(source.path)]


def count_articles(source: CorpusSource, limit: int | None = None) -> int:
    """How many articles the corpus holds, as cheaply as the format allows (files for
    folders and pages, rows for tables, HTML responses for WARC). With ``limit``, counting
    may stop once it is passed (the result is then more than ``limit``, not exact)."""
    if source.format == "folder":
        return len(list_corpus_files(source.path))
    if source.format == "html":
        from framelens.sources.web import list_html_pages

        return len(list_html_pages(source.path))
    if source.format == "warc":
        from framelens.sources.warc import count_warc_responses

        return count_warc_responses(source, limit=limit)
    from framelens.sources.tables import count_rows

    return count_rows(source, limit=limit)
