"""What every corpus reader yields: one :class:`SourceRecord` per article.

A reader (folder, table, HTML pages, WARC) turns its input into records; ingest
(:mod:`framelens.corpus`) turns records into the documents and sentences tables. A
record carries the article's text and metadata under framelens' own field names,
where it came from (file, row or WARC record, URL), and the problems found reading
it, so ingest can report every problem of a corpus in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from framelens.errors import Problem

#: framelens' names for an article's fields. ``text`` is required; ``outlet`` too,
#: unless the URL gives a domain to use.
FIELDS = ("id", "text", "outlet", "date", "title", "url", "language", "event")
REQUIRED_FIELDS = ("text",)
#: What readers may add beside :data:`FIELDS`: the time of day of a timestamp, and where a
#: web page's outlet, date and URL came from.
EXTRA_FIELDS = ("time", "outlet_source", "date_source", "url_source")


def url_domain(url: str | None) -> str | None:
    """The host of a URL, lower-cased, without ``www.``: the outlet's name when the
    article gives none (None when the URL has no host)."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


@dataclass
class SourceRecord:
    """One article as a reader found it, before segmentation.

    ``file`` is the input file it came from (a path as the user gave it, or relative to
    the corpus folder); ``record`` locates it inside that file: ``"row 17"`` (1-based data
    row of a table), ``"line 17"`` (JSON lines), ``"<urn:uuid:…>"`` (WARC-Record-ID), or
    None for a file that is one article. ``fields`` holds framelens' fields (see
    :data:`FIELDS`) as strings or None; ``data`` the raw bytes of the article (hashed into
    ``sha256``); ``extraction`` what an HTML extractor kept and dropped (None for text);
    ``problems`` what stops this record (empty text, undecodable bytes), each naming it.
    """

    file: str
    record: str | None
    fields: dict[str, str | None]
    data: bytes = b""
    extraction: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def where(self) -> str:
        """Where the record is, for messages: ``file`` or ``file, row 17``."""
        return self.file if self.record is None else f"{self.file}, {self.record}"

    def get(self, name: str) -> str | None:
        """A field's value, None when absent or blank."""
        value = self.fields.get(name)
        return value if value is not None and str(value).strip() else None
