"""Web pages as articles: main-text extraction with trafilatura, and the ``html`` reader.

:func:`extract_page` turns one page's raw bytes into framelens' fields, a summary of what
the extractor kept and dropped, and the problems found; both the folder-of-pages reader
(:func:`read_html_folder`) and the WARC reader (:mod:`framelens.sources.warc`) use it.

Per page, the bytes are decoded once (:func:`decode_html`), parsed once into an lxml tree,
and that tree serves trafilatura's ``bare_extraction`` (main text plus its metadata, dates
through htmldate), the page's own metadata (``og:site_name``, ``article:published_time``,
canonical link, ``<html lang>``) and the dropped-lines summary.

Fields produced (strings or None): ``text`` (main text, paragraphs separated by a blank
line; the headline is its first paragraph when trafilatura keeps it there), ``title``,
``outlet``, ``date`` (``YYYY-MM-DD``), ``time`` (``HH:MM:SS[±HH:MM]``, only when the page
metadata gives one), ``url``, ``language``, ``id`` and ``event`` (always None), plus where
metadata came from: ``outlet_source`` (``site_name`` | ``url_domain``), ``date_source``
(``page_metadata`` | ``json_ld`` | ``htmldate``) and ``url_source`` (``canonical`` |
``og_url`` | ``given``: the WARC-Target-URI or another URL the caller knows).

A page is a problem (never an exception) when it is empty, too large, undecodable, not
HTML, or has no article text (:data:`NO_TEXT`: fewer than :data:`MIN_ARTICLE_WORDS`
words besides the headline; trafilatura otherwise returns a cookie banner or a menu as
text). A few bytes replaced in decoding give a ``flag:`` problem, which ingest keeps as
a note. htmldate's 1 January guessed from a bare year (a copyright line) is not taken
for the publication date.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from framelens.errors import Problem
from framelens.sources.folder import is_language_tag
from framelens.sources.records import FIELDS, SourceRecord, url_domain
from framelens.sources.spec import HTML_SUFFIXES, CorpusSource
from framelens.sources.timestamps import parse_timestamp

#: Name and version of the extractor, as recorded in every extraction summary.
EXTRACTOR = f"trafilatura {trafilatura.__version__}"
#: Pages larger than this are not parsed (trafilatura's own default limit).
MAX_PAGE_BYTES = 20_000_000
#: How many dropped lines the summary quotes, and how long each quote may be.
DROPPED_SAMPLE_LINES = 5
DROPPED_SAMPLE_CHARS = 120
#: A page whose decoded text has more replacement characters than this share (and more
#: than :data:`_MAX_BAD_CHARS_ANYWAY`) is reported as undecodable, not only noted.
MAX_BAD_SHARE = 0.01
_MAX_BAD_CHARS_ANYWAY = 10

#: trafilatura in precision mode: in balanced mode a short article (one paragraph) is
#: retried with recall settings and comes back with its share bar and byline glued on.
FAVOR_PRECISION = True

NO_TEXT = "no article text found in the page"
#: Least article text: trafilatura falls back to whatever text a page has (a cookie
#: banner, a menu), so the text (less a leading headline) must have this many words, and
#: one paragraph this many, to count as an article.
MIN_ARTICLE_WORDS = 25
MIN_PARAGRAPH_WORDS = 10

# legacy charsets as browsers read them (WHATWG Encoding Standard): each label (as Python
# names its codec) read with the superset that pages labelled so are in fact written in
_BROWSER_CODECS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w")
_WORDS_RE = re.compile(r"\w+")

#: Page metadata naming the publication time, best first (``name``, ``property`` or
#: ``itemprop`` of a ``<meta>``, lower-cased).
DATE_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "publication_date",
    "publish-date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)
#: Elements whose text is never visible (left out of the dropped-lines summary).
_INVISIBLE = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "title",
    "meta",
    "link",
    "svg",
    "iframe",
    "object",
    "select",
    "option",
}
#: Elements that start a new line of visible text.
_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "label",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}


def quiet_extractor_logs() -> None:
    """Silence trafilatura's and htmldate's per-page log messages ("discarding data: …");
    framelens reports what matters itself, as problems and in the extraction summary."""
    for name in ("trafilatura", "htmldate", "charset_normalizer", "justext", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


quiet_extractor_logs()


class Decoded(NamedTuple):
    """A page decoded to text: the text, the codec used, where the codec came from
    (``bom`` | ``utf8_valid`` | ``http_header`` | ``meta_charset`` | ``fallback``), a note
    when decoding was lossy or a declared charset was unusable (else None), and the number
    of replacement characters decoding introduced."""

    text: str
    encoding: str
    source: str
    note: str | None
    bad_chars: int


class ExtractedPage(NamedTuple):
    """What :func:`extract_page` found: fields, extraction summary, problems."""

    fields: dict[str, str | None]
    extraction: dict[str, Any]
    problems: list[Problem]


@dataclass
class _PageMeta:
    """Metadata read from the page itself (before trafilatura's own guesses)."""

    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    json_ld_published: str | None = None
    language: str | None = None


# ---------------------------------------------------------------------------- decoding


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` of an HTTP ``Content-Type`` value (``text/html; charset=UTF-8``)."""
    if not content_type:
        return None
    found = _HEADER_CHARSET_RE.search(content_type)
    return found.group(1) if found else None


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first 4 KiB (``<meta charset>``, the
    ``http-equiv`` content type, or an XML declaration), or None."""
    head = data[:4096]
    found = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return found.group(1).decode("ascii") if found else None


def _codec(label: str | None, *, from_meta: bool = False) -> str | None:
    """Python's codec for a charset label as browsers read it, or None when unknown.

    ISO-8859-1 and ASCII become windows-1252, GB2312 GB18030, Shift_JIS cp932 and so on
    (their supersets, as in browsers); a page declaring UTF-16 in its own ASCII-readable
    markup is in fact read as UTF-8.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"
    return _BROWSER_CODECS.get(name, name)


def decode_html(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page's bytes: a byte-order mark first; else UTF-8 when the bytes are valid
    UTF-8 (ASCII included; legacy single-byte text is almost never valid UTF-8, while
    servers often declare the wrong charset); else the charset of the HTTP
    ``Content-Type`` (``content_type``), else the one the page declares; else UTF-8 with
    replacement characters, noted in :attr:`Decoded.note`."""
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(bom_encoding, errors="replace")
            return _decoded(text, bom_encoding, "bom")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf8_valid", None, 0)
    except UnicodeDecodeError:
        pass
    notes: list[str] = []
    candidates = (
        ("http_header", charset_from_content_type(content_type), False),
        ("meta_charset", declared_charset(data), True),
    )
    for source, label, from_meta in candidates:
        if not label:
            continue
        encoding = _codec(label, from_meta=from_meta)
        if encoding is None:
            notes.append(f"unknown charset {label!r} ({source})")
            continue
        if encoding == "utf-8":
            notes.append(f"invalid bytes for the declared charset {label!r} ({source})")
            continue
        try:
            return Decoded(data.decode(encoding), encoding, source, "; ".join(notes) or None, 0)
        except UnicodeDecodeError:
            text = data.decode(encoding, errors="replace")
            return _decoded(text, encoding, source, f"invalid bytes for {label!r} ({source})")
    text = data.decode("utf-8", errors="replace")
    return _decoded(text, "utf-8", "fallback", "; ".join(notes) or "no charset declared")


def _decoded(text: str, encoding: str, source: str, note: str | None = None) -> Decoded:
    """A :class:`Decoded` for text decoded with replacement: count the replacements and
    add them to the note."""
    bad = text.count("\ufffd")
    if bad:
        lossy = f"decoded as {encoding} with {bad} replacement character(s)"
        note = f"{note}; {lossy}" if note else lossy
    return Decoded(text, encoding, source, note, bad)


def _undecodable(decoded: Decoded) -> bool:
    """True when so much of the page was replaced that its text would be noise."""
    return decoded.bad_chars > max(_MAX_BAD_CHARS_ANYWAY, MAX_BAD_SHARE * len(decoded.text))


# ---------------------------------------------------------------------------- metadata


def _page_meta(tree: HtmlElement) -> _PageMeta:
    """The page's ``<meta>`` values (first of each lower-cased name/property/itemprop),
    canonical link, JSON-LD ``datePublished`` and ``<html lang>`` (when a BCP-47 tag, as
    :func:`~framelens.sources.folder.is_language_tag` checks; ``en_US`` read as
    ``en-US``)."""
    found = _PageMeta()
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            found.meta.setdefault(key.strip().lower(), content.strip())
    for element in tree.iter("link"):
        rels = (element.get("rel") or "").lower().split()
        if "canonical" in rels and (element.get("href") or "").strip():
            found.canonical = element.get("href", "").strip()
            break
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    lang = lang.strip().replace("_", "-")
    if lang and is_language_tag(lang):
        found.language = lang
    found.json_ld_published = _json_ld_published(tree)
    return found


def _absolute_url(value: str | None, base: str | None) -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base``), or None."""
    if not value:
        return None
    url = urljoin(base, value) if base else value
    url = f"https:{url}" if url.startswith("//") else url
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def _page_url(meta: _PageMeta, given: str | None) -> tuple[str | None, str | None]:
    """The article's URL and where it came from: the canonical link, ``og:url``, else the
    URL the caller knows (``given``, e.g. the WARC-Target-URI)."""
    og_url = _absolute_url(meta.meta.get("og:url"), given)
    canonical = _absolute_url(meta.canonical, given or og_url)
    for url, source in ((canonical, "canonical"), (og_url, "og_url"), (given, "given")):
        if url:
            return url, source
    return None, None


def _json_ld_published(tree: HtmlElement) -> str | None:
    """The first ``datePublished`` in the page's JSON-LD, or None."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                value = item.get("datePublished")
                if isinstance(value, str) and value.strip():
                    return value.strip()
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def _publication(
    meta: _PageMeta, found_date: str | None, tree: HtmlElement, url: str | None
) -> tuple[str | None, str | None, str | None]:
    """Date, time and source: the page's metadata (``article:published_time`` and kin,
    then JSON-LD ``datePublished``) split by :func:`parse_timestamp`; else the date
    trafilatura/htmldate found (no time), unless it is a bare year's 1 January that
    htmldate's quick search does not confirm (see :func:`_year_guess`)."""
    for key in DATE_META_KEYS:
        raw = meta.meta.get(key)
        stamp = parse_timestamp(raw) if raw else None
        if stamp is not None:
            return stamp.date, stamp.time, "page_metadata"
    raw = meta.json_ld_published
    stamp = parse_timestamp(raw) if raw else None
    if stamp is not None:
        return stamp.date, stamp.time, "json_ld"
    stamp = parse_timestamp(found_date) if found_date else None
    if stamp is None or _year_guess(stamp.date, tree, url):
        return None, None, None
    return stamp.date, None, "htmldate"


def _year_guess(date: str, tree: HtmlElement, url: str | None) -> bool:
    """True when ``date`` is 1 January found only by htmldate's extensive search, which
    turns a bare year (``© 2022 Balkan Daily``) into ``2022-01-01``: htmldate without it
    (markup, ``<time>``, URL; cheap, and run only for such dates) does not find it."""
    if not date.endswith("-01-01"):
        return False
    try:
        quick = find_date(tree, extensive_search=False, original_date=True, url=url)
    except Exception:  # htmldate failing on one page: keep the guess out
        return True
    return quick != date


def _outlet(
    meta: _PageMeta, sitename: str | None, url: str | None
) -> tuple[str | None, str | None]:
    """The outlet and its source: ``og:site_name`` or trafilatura's site name
    (``site_name``) unless that is only the URL's host; else the URL's domain."""
    name = (meta.meta.get("og:site_name") or sitename or "").strip()
    domain = url_domain(url)
    if name and not (domain and url_domain(f"http://{name.lower()}") == domain):
        return name, "site_name"
    if domain:
        return domain, "url_domain"
    return (name or None), ("site_name" if name else None)


# ---------------------------------------------------------------------------- text


def paragraphs(text: str | None) -> str:
    """trafilatura's plain text (one block a line) as framelens' paragraphs: stripped
    non-empty lines separated by a blank line."""
    if not text:
        return ""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def is_article_text(text: str, title: str | None = None) -> bool:
    """True when ``text`` (framelens paragraphs) is substantial enough to be an article:
    :data:`MIN_ARTICLE_WORDS` words besides a leading headline equal to ``title``, and a
    paragraph of :data:`MIN_PARAGRAPH_WORDS` words."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    if paras and title and " ".join(paras[0].split()) == " ".join(title.split()):
        paras = paras[1:]
    counts = [len(_WORDS_RE.findall(p)) for p in paras]
    return sum(counts) >= MIN_ARTICLE_WORDS and max(counts, default=0) >= MIN_PARAGRAPH_WORDS


def visible_lines(tree: HtmlElement) -> list[str]:
    """The page body's visible text as lines (one per block element), whitespace
    collapsed; scripts, styles and other invisible elements left out, and lines without a
    letter or digit skipped."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    lines: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        if parts:
            line = " ".join("".join(parts).split())
            if line and _WORD_RE.search(line):
                lines.append(line)
            parts.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if tag in _INVISIBLE or not isinstance(tag, str):
                walker.skip_subtree()
                continue
            if tag in _BLOCKS:
                flush()
            if element.text:
                parts.append(element.text)
        else:
            if tag in _BLOCKS:
                flush()
            if element.tail and element is not root:
                parts.append(element.tail)
    flush()
    return lines


def _dropped(lines: list[str], text: str) -> list[str]:
    """The visible lines not kept in the extracted text."""
    paras = {_SPACE_RE.sub(" ", p).strip() for p in text.split("\n\n")}
    flat = _SPACE_RE.sub(" ", text)
    return [line for line in lines if line not in paras and line not in flat]


def _summary(data: bytes, decoded: Decoded | None, lines: list[str], text: str) -> dict[str, Any]:
    """The JSON-serialisable extraction summary of one page (see :func:`extract_page`)."""
    dropped = _dropped(lines, text)
    summary: dict[str, Any] = {
        "extractor": EXTRACTOR,
        "page_bytes": len(data),
        "encoding": decoded.encoding if decoded else None,
        "encoding_source": decoded.source if decoded else None,
        "page_chars": sum(len(line) for line in lines),
        "text_chars": len(text),
        "dropped_chars": sum(len(line) for line in dropped),
        "dropped_lines": len(dropped),
        "dropped_sample": [_cut(line) for line in dropped[:DROPPED_SAMPLE_LINES]],
    }
    if decoded is not None and decoded.note:
        summary["decoding_note"] = decoded.note
    return summary


def _cut(line: str) -> str:
    """A line cut at :data:`DROPPED_SAMPLE_CHARS` characters (``…`` marks a cut)."""
    return line if len(line) <= DROPPED_SAMPLE_CHARS else line[: DROPPED_SAMPLE_CHARS - 1] + "…"


# ---------------------------------------------------------------------------- pages


#: The fields every page record has besides framelens' own (:data:`FIELDS`).
EXTRA_FIELDS = ("time", "outlet_source", "date_source", "url_source")


def empty_fields() -> dict[str, str | None]:
    """All of framelens' fields (:data:`FIELDS`) and :data:`EXTRA_FIELDS`, set to None."""
    return dict.fromkeys((*FIELDS, *EXTRA_FIELDS))


def extract_page(
    data: bytes, where: str, *, url: str | None = None, content_type: str | None = None
) -> ExtractedPage:
    """Extract one page's article: fields, extraction summary and problems; never raises.

    ``where`` names the page in problems (as :attr:`SourceRecord.where` does); ``url`` is
    a URL known from outside the page (the WARC-Target-URI), used when the page names
    none and handed to trafilatura; ``content_type`` is the HTTP ``Content-Type`` (its
    charset is used when the bytes are not UTF-8).

    The extraction summary holds ``extractor``, ``page_bytes``, ``encoding``,
    ``encoding_source``, ``page_chars`` (characters of the page's visible text lines),
    ``text_chars`` (of ``text``), ``dropped_chars`` and ``dropped_lines`` (visible lines
    not in ``text``), ``dropped_sample`` (the first few, cut at 120 characters) and,
    when decoding was lossy or a declared charset unusable, ``decoding_note``.

    Problems: an empty or oversized page, a page that cannot be decoded (mostly
    replacement characters) or parsed, and a page without article text
    (:data:`NO_TEXT`). A page decoded with a few replacement characters is kept, with a
    ``flag:`` problem (ingest's convention for a note that does not stop the record).
    """
    fields = empty_fields()
    if not data.strip():
        return ExtractedPage(
            fields, _summary(data, None, [], ""), [Problem(where, "the page is empty")]
        )
    if len(data) > MAX_PAGE_BYTES:
        return ExtractedPage(fields, _summary(data, None, [], ""), [Problem(where, _too_large())])
    decoded = decode_html(data, content_type)
    problems: list[Problem] = []
    if decoded.bad_chars and not _undecodable(decoded):
        problems.append(Problem(where, f"flag: {decoded.note}"))
    if _undecodable(decoded):
        message = (
            f"cannot decode the page: {decoded.bad_chars} of {len(decoded.text)} "
            f"characters are invalid ({decoded.note})"
        )
        return ExtractedPage(fields, _summary(data, decoded, [], ""), [Problem(where, message)])
    tree = load_html(decoded.text)
    if tree is None:
        return ExtractedPage(
            fields,
            _summary(data, decoded, [], ""),
            [Problem(where, "not an HTML page (cannot parse it)")],
        )
    meta = _page_meta(tree)
    lines = visible_lines(tree)  # before trafilatura, whatever it does to the tree
    page_url, url_source = _page_url(meta, url)
    document = _bare_extraction(tree, page_url)
    title = (document.title if document else None) or meta.meta.get("og:title")
    text = paragraphs(document.text if document is not None else None)
    if not is_article_text(text, title):
        problems.append(Problem(where, NO_TEXT))
        text = ""
    date, time, date_source = _publication(
        meta, document.date if document else None, tree, page_url
    )
    outlet, outlet_source = _outlet(meta, document.sitename if document else None, page_url)
    fields.update(
        {
            "text": text or None,
            "title": (title or "").strip() or None,
            "outlet": outlet,
            "date": date,
            "time": time,
            "url": page_url,
            "language": meta.language,
            "outlet_source": outlet_source,
            "date_source": date_source,
            "url_source": url_source,
        }
    )
    return ExtractedPage(fields, _summary(data, decoded, lines, text), problems)


def _too_large() -> str:
    """The problem message of a page over :data:`MAX_PAGE_BYTES` (a WARC's payload is
    read no further, so its size is not known)."""
    return f"the page is larger than the {MAX_PAGE_BYTES:,}-byte limit"


def _bare_extraction(tree: HtmlElement, url: str | None) -> Any:
    """trafilatura's ``bare_extraction`` on a parsed page (it works on a copy), with its
    metadata; None when it finds no main text or fails."""
    try:
        return trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            favor_precision=FAVOR_PRECISION,
            include_comments=False,
        )
    except Exception:  # a bug in one page's extraction must not stop the corpus
        return None


def page_record(
    file: str,
    record: str | None,
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
) -> SourceRecord:
    """The :class:`SourceRecord` of one page (see :func:`extract_page`)."""
    where = file if record is None else f"{file}, {record}"
    try:
        page = extract_page(data, where, url=url, content_type=content_type)
    except Exception as err:  # an extractor bug on one page must not stop the corpus
        problem = Problem(where, f"cannot extract the page: {err or type(err).__name__}")
        page = ExtractedPage(empty_fields(), _summary(data, None, [], ""), [problem])
    return SourceRecord(
        file=file,
        record=record,
        fields=page.fields,
        data=data,
        extraction=page.extraction,
        problems=page.problems,
    )


# ---------------------------------------------------------------------------- folder reader


def list_html_pages(folder: Path) -> list[str]:
    """The ``.html``/``.htm`` files under ``folder`` (recursively), as sorted POSIX paths
    relative to it."""
    found = (
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in HTML_SUFFIXES and path.is_file()
    )
    return sorted(path.relative_to(folder).as_posix() for path in found)


def read_html_folder(source: CorpusSource) -> Iterator[SourceRecord]:
    """One record per page of the folder ``source.path`` (in :func:`list_html_pages`
    order): ``file`` is the page's path relative to the folder, ``record`` None, ``data``
    the page's bytes. A page that cannot be read, is over :data:`MAX_PAGE_BYTES` or has
    no article text gives a record carrying the problem; nothing is raised for one bad
    page."""
    folder = source.path
    for name in list_html_pages(folder):
        path = folder / name
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= MAX_PAGE_BYTES else None
        except OSError as err:
            problem = Problem(name, f"cannot read the page: {err.strerror or err}")
            yield SourceRecord(file=name, record=None, fields=empty_fields(), problems=[problem])
            continue
        if data is None:
            problem = Problem(name, _too_large())
            yield SourceRecord(file=name, record=None, fields=empty_fields(), problems=[problem])
            continue
        yield page_record(name, None, data)
