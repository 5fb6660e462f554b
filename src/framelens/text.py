"""Plain-text handling for news articles: normalisation, headers, sentences, boilerplate, language.

Everything here is standard library only and deterministic. The central guarantee is that
segmentation never loses text: for any string ``s``::

    header, body = parse_header(normalise_text(s))
    segments = segment(body)

keeps every non-whitespace character of ``normalise_text(s)``, in order, in ``header.text``
followed by the segments' texts, and ``body[seg.start:seg.end] == seg.text`` for every segment.

Layout rules used by :func:`segment`:

* paragraphs (blocks) are separated by blank lines;
* inside a block, a line break is a hard boundary when the line before ends a sentence or is a
  heading line; otherwise it is a soft wrap inside a sentence flow;
* a short unit without sentence-final punctuation is a heading (one segment, ``heading=True``);
* everything else is split into sentences by :func:`split_sentences`;
* an embedded social post ends a sentence where it ends (a tweet signature
  ``— Name (@handle) August 17, 2022``, Instagram's ``A post shared by ...``), and
  ``View this post on Instagram`` is a sentence of its own, so scraped text that runs an embed
  and the prose after it together still gets them as separate sentences.
"""

from __future__ import annotations

import bisect
import datetime
import html
import html.entities
import itertools
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "NORMALISATION",
    "Header",
    "MarkupEdit",
    "Segment",
    "boilerplate_reason",
    "detect_language",
    "embedded_segments",
    "is_copyright",
    "is_credit",
    "is_promo",
    "is_social_embed",
    "normalise_text",
    "paragraph_spans",
    "parse_header",
    "segment",
    "sentence_boilerplate_reason",
    "social_embed_flags",
    "social_embed_paragraphs",
    "split_sentences",
    "strip_markup",
]

NORMALISATION = (
    "leading BOM stripped, CRLF and CR converted to LF, Unicode NFC; "
    "whitespace otherwise left untouched"
)

# --------------------------------------------------------------------------- normalisation

_BOM = "\ufeff"


def normalise_text(raw: str) -> str:
    """Strip a leading BOM, convert CRLF/CR to LF and apply Unicode NFC; nothing else."""
    if raw.startswith(_BOM):
        raw = raw[1:]
    unix = raw.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", unix)


# --------------------------------------------------------------------------- header


@dataclass(frozen=True)
class Header:
    """What :func:`parse_header` found at the start of an article.

    ``text`` is exactly the prefix removed from the input (``input == text + body``), including
    surrounding whitespace; it is ``""`` when no header was recognised.
    """

    date: str | None
    outlet: str | None
    dateline: str | None
    text: str


_EMPTY_HEADER = Header(None, None, None, "")
_WHITESPACE_RE = re.compile(r"\s*")
_DATE_RE = re.compile(r"\s*date:?[ \t]+([0-9]{4})-([0-9]{2})-([0-9]{2})(?![\w-])", re.IGNORECASE)
_DASH = r"(?:--?|[–—])(?![-–—])"
_OUTLET_AFTER_DATE_RE = re.compile(r"[ \t]+\(([^()\n]{1,40})\)[ \t]*" + _DASH)
_DATELINE_RE = re.compile(r"([^\W\d_][^()\n]{0,60}?)[ \t]*\(([^()\n]{1,40})\)[ \t]*" + _DASH)
_NAME_PUNCTUATION = frozenset(" .'’-&")


def _skip_whitespace(text: str, pos: int) -> int:
    """Return the first position at or after ``pos`` that is not whitespace (or ``len(text)``)."""
    match = _WHITESPACE_RE.match(text, pos)
    return match.end() if match else pos


_INVISIBLE_RE = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]*")


def _skip_invisible(text: str, pos: int) -> int:
    """Like :func:`_skip_whitespace`, also skipping zero-width and bidi marks (RLM, LRM, ...).

    Used to find the first visible character of the next sentence: RTL text often starts a
    sentence with a right-to-left mark.
    """
    match = _INVISIBLE_RE.match(text, pos)
    return match.end() if match else pos


def _is_calendar_date(year: str, month: str, day: str) -> bool:
    """True when the three digit strings form a real calendar date."""
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _is_outlet(name: str) -> bool:
    """True for a plausible outlet name: 1-3 words, starting with an uppercase letter."""
    words = name.split()
    return (
        1 <= len(words) <= 3
        and name[:1].isupper()
        and all(c.isalnum() or c in _NAME_PUNCTUATION for c in name)
    )


def _is_place(words: str, *, capitals: bool) -> bool:
    """True for 1-4 words of letters and name punctuation (all capitals, or capitalised)."""
    parts = words.split()
    if not 1 <= len(parts) <= 4:
        return False
    if not all(c.isalpha() or c in _NAME_PUNCTUATION for c in words):
        return False
    if capitals:
        return sum(c.isalpha() for c in words) >= 2 and not any(c.islower() for c in words)
    return all(part[:1].isupper() for part in parts)


def _is_dateline(candidate: str) -> bool:
    """True for an AP-style dateline: 'BRUSSELS' or 'KYIV, Ukraine'."""
    place, comma, region = candidate.partition(",")
    if not _is_place(place, capitals=True):
        return False
    return not comma or _is_place(region, capitals=False)


def parse_header(text: str) -> tuple[Header, str]:
    """Return the header found at the very start of ``text`` and the body after it.

    Recognised (after optional whitespace): ``date YYYY-MM-DD`` (a real calendar date), then
    optionally ``(Outlet) --``; and/or an AP-style dateline ``BRUSSELS (AP) —`` (any dash:
    ``-``, ``--``, ``–``, ``—``). Nothing is invented: without a match the header is empty and the
    text is returned unchanged. ``header.text + body == text`` always holds.
    """
    date = outlet = dateline = None
    pos = 0
    date_match = _DATE_RE.match(text)
    if date_match and _is_calendar_date(*date_match.groups()):
        date = "-".join(date_match.groups())
        pos = date_match.end()
        outlet_match = _OUTLET_AFTER_DATE_RE.match(text, pos)
        if outlet_match and _is_outlet(outlet_match.group(1).strip()):
            outlet = outlet_match.group(1).strip()
            pos = outlet_match.end()
    if outlet is None:
        dateline_match = _DATELINE_RE.match(text, _skip_whitespace(text, pos))
        if (
            dateline_match
            and _is_dateline(dateline_match.group(1))
            and _is_outlet(dateline_match.group(2).strip())
        ):
            dateline = dateline_match.group(1)
            outlet = dateline_match.group(2).strip()
            pos = dateline_match.end()
    if pos == 0:
        return _EMPTY_HEADER, text
    end = _skip_whitespace(text, pos)
    return Header(date, outlet, dateline, text[:end]), text[end:]


# --------------------------------------------------------------------------- sentences


@dataclass(frozen=True)
class Segment:
    """One sentence (or heading) of a body, with its offsets: ``body[start:end] == text``."""

    text: str
    start: int
    end: int
    paragraph: int
    heading: bool


_CLOSERS = "”\"’')]»」』）】〉》›"
_OPENERS = "“\"‘'([«„‚¿¡「『（【〈《‹"
_SPACED_ENDERS = ".!?…؟।"  # end a sentence only when followed by whitespace
_CJK_ENDERS = "。！？｡"  # end a sentence even without whitespace
_HEADING_ENDERS = frozenset(_SPACED_ENDERS + _CJK_ENDERS + ":;：；")
_TERMINATOR_RE = re.compile(
    "[" + re.escape(_SPACED_ENDERS + _CJK_ENDERS) + "]+[" + re.escape(_CLOSERS) + "]*"
)
_WORD_RE = re.compile(r"\S+")
_BLANK_LINES_RE = re.compile(r"\n(?:[^\S\n]*\n)+")
_MAX_TOKEN = 24  # longer tokens are never abbreviations
_LETTERS_RE = re.compile(rf"[^\W\d_]{{0,{_MAX_TOKEN}}}")
_ACRONYM_RE = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")


def _word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words`` as a frozen set."""
    return frozenset(words.split())


_TITLES = _word_set(
    "mr mrs ms dr prof sen rep gov gen lt col capt sgt st rev hon pres mt ft messrs"
)
_NUMBERED = _word_set("jan feb mar apr jun jul aug sep sept oct nov dec no nos p pp vol art")
_ACRONYM_WORDS = _word_set("etc inc ltd co corp vs approx jr sr ph.d")
_SENTENCE_STARTERS = _word_set(
    """The A An He She It They We I You This That These Those There Here His Her Their Its Our
    My Your But And Or In On At As After Before When While If So Yet However Meanwhile Then Now
    Still Also Although Though Because Since What Why How Where Who Which Some Many Most All
    No Not For From With By To Last Next One Two Three Such Each Both Neither Nor Once Instead
    Later Earlier Today Yesterday Tomorrow Thus Therefore Moreover Furthermore Nevertheless
    Asked According"""
)
_FUNCTION_WORDS = _word_set(
    """a an the of to in on at for from by with and or but as that which who than into about
    over after before between under nearly some his her their its our your my is are was were
    der die das den dem des und oder zu von mit für im am ein eine le la les du des et ou à au
    aux en un une pour par sur el los las del y por para con il lo gli di della che per e o
    da do na no em um uma het een van te op voor të në një dhe për nga i u je se od"""
)
_CONTINUATION_END = frozenset(",-–—/&([{“‘«„")


def _can_start_sentence(char: str) -> bool:
    """True for an uppercase or caseless letter, a digit, an opening quote/bracket, @ or #."""
    if char.isdigit() or char in _OPENERS or char in "@#":
        return True
    return char.isalpha() and not char.islower()


def _token_before(text: str, end: int, floor: int) -> tuple[str, int] | None:
    """The whitespace-free token ending at ``end`` (not before ``floor``), with its start.

    Returns ``None`` when the token is longer than any abbreviation.
    """
    start = end
    limit = max(floor, end - _MAX_TOKEN)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    if start == limit and start > floor and not text[start - 1].isspace():
        return None
    return text[start:end], start


def _word_at(text: str, pos: int) -> str:
    """The run of letters starting at ``pos`` (at most ``_MAX_TOKEN`` characters)."""
    match = _LETTERS_RE.match(text, pos)
    return match.group() if match else ""


def _period_ends_sentence(text: str, dot: int, next_pos: int, sentence_start: int) -> bool:
    """Apply the abbreviation rules to a single '.' at ``dot`` followed by ``text[next_pos]``."""
    found = _token_before(text, dot, sentence_start)
    if found is None:
        return True
    token, token_start = found
    bare = token.lstrip(_OPENERS)
    lower = bare.lower()
    next_word = _word_at(text, next_pos)
    if lower in _TITLES:
        return False
    if lower in _NUMBERED and text[next_pos].isdigit():
        return False
    if len(bare) == 1 and bare.isupper():
        return len(next_word) > 1 and next_word in _SENTENCE_STARTERS
    if lower in _ACRONYM_WORDS or _ACRONYM_RE.fullmatch(bare):
        return next_word in _SENTENCE_STARTERS
    return not (bare.isdigit() and len(bare) <= 3 and token_start == sentence_start)


def _is_break(
    text: str,
    run_start: int,
    punct_end: int,
    close_end: int,
    sentence_start: int,
    *,
    relaxed: bool = False,
) -> bool:
    """Decide whether the terminator ``text[run_start:close_end]`` ends a sentence.

    ``text[run_start:punct_end]`` is the punctuation run, ``text[punct_end:close_end]`` the
    closing quotes/brackets. ``relaxed`` (used at line ends) accepts any next character that is
    not a lowercase letter.
    """
    if run_start <= sentence_start:
        return False
    if text[punct_end - 1] in _CJK_ENDERS:
        return True
    next_pos = _skip_invisible(text, close_end)
    if next_pos >= len(text) or not any(c.isspace() for c in text[close_end:next_pos]):
        return False
    first = text[next_pos]
    if first.islower() if relaxed else not _can_start_sentence(first):
        return False
    if punct_end - run_start == 1 and text[run_start] == "." and close_end == punct_end:
        return _period_ends_sentence(text, run_start, next_pos, sentence_start)
    return True


def _punctuation_end(text: str, start: int, end: int) -> int:
    """End of the run of sentence-ending punctuation starting at ``start`` (before closers)."""
    pos = start
    while pos < end and text[pos] not in _CLOSERS:
        pos += 1
    return pos


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of one paragraph.

    Spans carry no leading/trailing whitespace, are in order and cover every non-whitespace
    character. Line breaks are treated as ordinary whitespace (see :func:`segment`). Where an
    embedded social post ends inside the text (:func:`_embed_breaks`) a sentence ends too.
    """
    spans: list[tuple[int, int]] = []
    start = _skip_whitespace(paragraph, 0)
    for match in _TERMINATOR_RE.finditer(paragraph):
        if match.start() < start:
            continue
        punct_end = _punctuation_end(paragraph, match.start(), match.end())
        if _is_break(paragraph, match.start(), punct_end, match.end(), start):
            spans.append((start, match.end()))
            start = _skip_whitespace(paragraph, match.end())
    rest = paragraph[start:].rstrip()
    if rest:
        spans.append((start, start + len(rest)))
    return _cut_at_embeds(paragraph, spans)


def _has_at_most_words(text: str, limit: int) -> bool:
    """True when ``text`` has at most ``limit`` whitespace-separated words (stops early)."""
    words = _WORD_RE.finditer(text)
    return next(itertools.islice(words, limit, None), None) is None


def _ends_with_heading_punctuation(text: str) -> bool:
    """True when the stripped text ends with . ! ? … : ; (optionally before closing quotes)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _HEADING_ENDERS


def _looks_like_heading(text: str, max_words: int) -> bool:
    """A heading: at most ``max_words`` words, a letter, no final punctuation, one sentence."""
    return (
        not _ends_with_heading_punctuation(text)
        and _has_at_most_words(text, max_words)
        and any(c.isalpha() for c in text)
        and len(split_sentences(text)) == 1
    )


def _is_heading_line(line: str, next_char: str) -> bool:
    """True when a line inside a block stands alone as a heading (not a wrapped line)."""
    stripped = line.rstrip()
    last_word = stripped.rsplit(None, 1)[-1] if stripped else ""
    return (
        not next_char.islower()
        and not next_char.isdigit()
        and stripped[-1:] not in _CONTINUATION_END
        and last_word not in _FUNCTION_WORDS
        and _looks_like_heading(stripped, 12)
    )


def _trailing_terminator(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(run_start, punct_end)`` of sentence-ending punctuation (+ closers) ending at ``end``."""
    pos = end
    while pos > start and text[pos - 1] in _CLOSERS:
        pos -= 1
    punct_end = pos
    enders = _SPACED_ENDERS + _CJK_ENDERS
    while pos > start and text[pos - 1] in enders:
        pos -= 1
    return (pos, punct_end) if pos < punct_end else None


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``(start, end)`` so that ``text[start:end]`` has no surrounding whitespace."""
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    return start + left, start + max(left, right)


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph (block between blank lines) of ``body``, stripped.

    The list index is the ``paragraph`` number used by :func:`segment`.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for separator in _BLANK_LINES_RE.finditer(body):
        spans.append(_strip_span(body, start, separator.start()))
        start = separator.end()
    spans.append(_strip_span(body, start, len(body)))
    return [(start, end) for start, end in spans if start < end]


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Stripped ``(start, end)`` of every line of ``text[start:end]``."""
    spans = []
    while True:
        newline = text.find("\n", start, end)
        if newline < 0:
            spans.append(_strip_span(text, start, end))
            return spans
        spans.append(_strip_span(text, start, newline))
        start = newline + 1


def _line_is_hard_break(body: str, line: tuple[int, int], unit_start: int, next_pos: int) -> bool:
    """True when the line break after ``line`` (a stripped span) ends the current sentence flow."""
    start, end = line
    terminator = _trailing_terminator(body, start, end)
    if terminator is not None:
        return _is_break(body, *terminator, end, unit_start, relaxed=True)
    return start == unit_start and _is_heading_line(body[start:end], body[next_pos])


def _units(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph into units at hard line breaks; soft wraps stay inside a unit."""
    if body.find("\n", start, end) < 0:
        return [(start, end)]
    lines = _line_spans(body, start, end)
    units = []
    unit_start = lines[0][0]
    for line, following in itertools.pairwise(lines):
        if _line_is_hard_break(body, line, unit_start, following[0]):
            units.append((unit_start, line[1]))
            unit_start = following[0]
    units.append((unit_start, lines[-1][1]))
    return units


def _segment_unit(body: str, start: int, end: int, paragraph: int) -> list[Segment]:
    """Segments of one unit: a single heading, or its sentences."""
    unit = body[start:end]
    if _looks_like_heading(unit, 20):
        left, right = _strip_span(unit, 0, len(unit))
        return [Segment(unit[left:right], start + left, start + right, paragraph, True)]
    return [
        Segment(unit[s:e], start + s, start + e, paragraph, False) for s, e in split_sentences(unit)
    ]


def segment(body: str) -> list[Segment]:
    """Split a body into paragraphs (blank-line blocks), then headings and sentences."""
    segments: list[Segment] = []
    for index, (block_start, block_end) in enumerate(paragraph_spans(body)):
        for start, end in _units(body, block_start, block_end):
            segments.extend(_segment_unit(body, start, end, index))
    return segments


# --------------------------------------------------------------------------- markup


@dataclass(frozen=True)
class MarkupEdit:
    """One piece of HTML that :func:`strip_markup` replaced.

    ``text`` is the markup exactly as it was at ``start`` in the input; ``replacement`` is what
    stands in its place at ``at`` in the output. ``kind`` is ``script`` or ``style`` (the whole
    element, contents included), ``comment``, ``declaration`` (``<!DOCTYPE ...>``, ``<?...?>``),
    ``tag`` or ``entity``.
    """

    kind: str
    text: str
    start: int
    at: int
    replacement: str


_ATTRIBUTE = r"""\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]{0,2000}"|'[^']{0,2000}'|[^\s"'<>=`]+))?"""
_MARKUP_RE = re.compile(
    r"(?P<script><(?P<element>script|style)\b[^<>]{0,2000}>.*?</(?P=element)\s*>)"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<declaration><![A-Za-z][^<>]{0,2000}>|<\?[^<>]{0,2000}\?>)"
    rf"|(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9]{{0,15}})(?:{_ATTRIBUTE})*\s*/?>)"
    r"|(?P<entity>&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_ELEMENTS = _word_set(
    """address article aside blockquote body caption center dd details dialog div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html legend li main
    nav ol p pre section summary table tbody tfoot thead title tr ul"""
)
_CELL_ELEMENTS = _word_set("td th")
_INLINE_ELEMENTS = _word_set(
    """a abbr audio b bdi bdo big button cite code data del dfn em embed font i iframe img input
    ins kbd label link mark meta noscript object option picture q s samp script select small
    source span strike strong style sub sup svg template textarea time tt u var video wbr br"""
)
_MARKUP_KINDS = ("script", "comment", "declaration", "tag", "entity")


def _entity_value(entity: str) -> str | None:
    """The text an HTML character reference stands for, or ``None`` for an unknown name.

    Control characters (other than tab and line feed) become a space, so the output stays
    plain LF-only text.
    """
    if entity[1] != "#" and entity[1:] not in html.entities.html5:
        return None
    value = html.unescape(entity)
    return "".join(
        " " if unicodedata.category(c) == "Cc" and c not in "\t\n" else c for c in value
    )


def _markup_replacement(match: re.Match[str]) -> tuple[str, str] | None:
    """``(kind, replacement)`` for one match of ``_MARKUP_RE``; ``None`` when it is not markup
    (an unknown element or entity name, e.g. ``<y and z>`` in prose)."""
    kind = next(k for k in _MARKUP_KINDS if match.group(k) is not None)
    if kind == "script":
        return match.group("element").lower(), ""
    if kind == "entity":
        value = _entity_value(match.group())
        return None if value is None else (kind, value)
    if kind != "tag":
        return kind, ""
    name = match.group("name").lower()
    if name == "br":
        return kind, "\n"
    if name in _BLOCK_ELEMENTS:
        return kind, "\n\n"
    if name in _CELL_ELEMENTS:
        return kind, " "
    return (kind, "") if name in _INLINE_ELEMENTS else None


def strip_markup(text: str) -> tuple[str, list[MarkupEdit]]:
    """Convert HTML in ``text`` to plain text; return the text and every edit made.

    Recognised: tags of known HTML elements (``<p>``, ``</div>``, ``<br/>``,
    ``<img src=x onerror="...">``), comments, ``<!DOCTYPE>``/``<?...?>`` declarations, named and
    numeric character references (``&amp;``, ``&#8212;``), and ``<script>``/``<style>`` elements,
    which are removed whole, contents included (an unclosed ``<script>`` is only a tag). Block
    tags become a paragraph break, ``<br>`` a line break, table cells a space, other tags
    nothing; references become their character. A ``<`` in prose (``a < b``, ``<3``,
    ``x<y and z>``) is not a tag and stays. Text without markup is returned unchanged with no
    edits. Applying each edit in reverse (``out[at:at + len(replacement)]`` back to ``text``)
    gives the input again, so nothing is lost.
    """
    pieces: list[str] = []
    edits: list[MarkupEdit] = []
    copied = search_from = out_len = 0
    while (match := _MARKUP_RE.search(text, search_from)) is not None:
        found = _markup_replacement(match)
        if found is None:
            search_from = match.start() + 1
            continue
        kind, replacement = found
        pieces += [text[copied : match.start()], replacement]
        out_len += match.start() - copied
        edits.append(MarkupEdit(kind, match.group(), match.start(), out_len, replacement))
        out_len += len(replacement)
        copied = search_from = match.end()
    if not edits:
        return text, []
    pieces.append(text[copied:])
    return "".join(pieces), edits


# --------------------------------------------------------------------------- boilerplate

_LEADING_MARKS = " \t\n([{*•>|-–—_"
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?|Dec\\.?"
)
_DATE = r"(?:" + _MONTHS + r")\s+\d{1,2},\s+\d{4}"
# A tweet signature "— Name (@handle) August 17, 2022": found from its "(@handle) date" end, then
# checked for the "— Name" before it (a bounded look back, so long runs of dashes stay linear).
_HANDLE_DATE_RE = re.compile(r"\(@\w{1,30}\)\s*" + _DATE)
_SIGNATURE_LEAD_RE = re.compile(r"[—–-]+\s*[^\n()—–]{1,80}?\s*\Z")
_SIGNATURE_LEAD = 120
_IG_LABEL_RE = re.compile(r"\bView this (?:post|profile) on Instagram\b")
_IG_SHARED_RE = re.compile(r"\bA post shared by\b")
# Text that only an embed widget leaves behind, wherever it stands in a sentence.
_EMBED_MARKER_RE = re.compile(
    r"pic\.twitter\.com/|(?<![\w.])t\.co/\w"
    r"|\bA post shared by\b|\bView this (?:post|profile) on Instagram\b"
    r"|\bPosted by [^\n()]{1,80}? on (?:[A-Z][a-z]{2,5}day,?\s+)?" + _DATE
    + r"|\bThis content is imported from\b"
    r"|\bYou may be able to find the same content in another format\b"
)
# A post's own link (tweet, Instagram, Facebook, YouTube, TikTok): an embed leftover when it
# stands (nearly) alone in its sentence, a citation when prose surrounds it.
_POST_LINK_RE = re.compile(
    r"\b(?:https?://)?(?:www\.|m\.|mobile\.)?(?:(?:twitter|x)\.com/\w{1,15}/status(?:es)?/\d"
    r"|instagram\.com/(?:p|reel|tv)/\w|facebook\.com/[^\s/]{1,80}/(?:posts|videos)/|fb\.watch/\w"
    r"|youtube\.com/(?:watch\?|embed/|shorts/)|youtu\.be/\w|tiktok\.com/@[\w.]{1,30}/video/\d)\S*"
)
_MAX_LINK_WORDS = 3  # words beside a post link in an embed leftover ("Watch on YouTube:")
# Where an embed ends inside a sentence flow: Instagram's and Facebook's attribution lines,
# and a tweet's own link (when no signature follows it).
_EMBED_END_RE = re.compile(
    r"\bA post shared by\b[^\n()]{0,80}?\(@[\w.]{1,30}\)(?:\s+on\s+" + _DATE
    + r"(?:\s+at\s+\d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\.?(?:\s+[A-Z]{2,5}\b)?)?)?"
    r"|\bPosted by [^\n()]{1,80}? on (?:[A-Z][a-z]{2,5}day,?\s+)?" + _DATE
    + r"|pic\.twitter\.com/\w+|(?<![\w.])(?:https?://)?t\.co/\w+|" + _POST_LINK_RE.pattern
)
# Where a post link starts a new sentence flow: after a sentence's final punctuation.
_LINK_AFTER_SENTENCE_RE = re.compile(
    "[" + re.escape(_SPACED_ENDERS) + "][" + re.escape(_CLOSERS) + r"]*\s+(?="
    + _POST_LINK_RE.pattern + ")"
)
# Every embed marker, break and signature holds one of these (a cheap test before the regexes).
_EMBED_NEEDLES = (
    "pic.twitter.com/", "t.co/", "(@", "A post shared by", "View this ", "Posted by ",
    "This content is imported", "You may be able to find", ".com/", "youtu.be/", "fb.watch/",
)
_SOCIAL_MARK_RE = re.compile(r"(?<![\w.@#])[@#]\w")
_MAX_POST_CHARS = 280  # a tweet's text
_MAX_CAPTION_CHARS = 2_200  # an Instagram caption
_COPYRIGHT_RE = re.compile(
    r"©|\(c\)\s*(?:19|20)\d\d\b|copyright\s*(?:©|\(c\))?\s*(?:19|20)\d\d\b|copyright\s*©"
    r"|all rights reserved\.?\s*\Z|this material may not be published\b",
    re.IGNORECASE,
)
_CREDIT_START_RE = re.compile(
    r"(?:additional\s+)?(?:reporting|writing|editing|research|translation|translated|compiled"
    r"|graphics)\s+by\b|with assistance from\b|to contact the (?:reporters?|editors?)\b"
    r"|(?:photo|photograph|image)\s*(?:credit)?\s*:",
    re.IGNORECASE,
)
_CREDIT_ANYWHERE_RE = re.compile(
    r"\bcontributed\s+(?:reporting|to\s+this\s+(?:report|story|article))\b", re.IGNORECASE
)
_PROMO_RE = re.compile(
    r"read (?:more|also)\s*(?::|\.?\s*\Z)|(?:also read|related|see also|more on this)\s*:"
    r"|sign up\b.*\bnewsletters?\b|subscribe\b.*\b(?:newsletters?|channel|podcast)\b"
    r"|follow us\b|click here\b|download (?:our|the) app\b|like us on facebook\b",
    re.IGNORECASE,
)


# An API's cut-off marker ("… [+2345 chars]", NewsAPI), or a text that stops on a word.
_CUT_MARKER_RE = re.compile(r"(?:…|\.\.\.)?\s*\[\+\d+ (?:chars|characters)\]\s*\Z")
_MIN_CUT_WORDS = 4


def is_truncation_marker(sentence: str) -> bool:
    """True for a sentence that is only an API's cut-off marker (``[+2345 chars]``)."""
    return _CUT_MARKER_RE.fullmatch(sentence.strip()) is not None


def is_cut_off(sentence: str) -> bool:
    """True when a text's last sentence stops in the middle: an API's ``[+N chars]``
    marker, or no closing punctuation after a word (``… said it would rec``).

    A short line without punctuation (a heading, a name, a place) is not taken as cut off.
    """
    text = sentence.rstrip()
    if _CUT_MARKER_RE.search(text):
        return True
    if not text or len(text.split()) < _MIN_CUT_WORDS:
        return False
    last = text[-1]
    return last.isalnum() or last in ",;:-–—"


def _lead(text: str) -> str:
    """``text`` without leading whitespace, brackets, bullets and dashes."""
    return text.lstrip(_LEADING_MARKS)


def _may_hold_embed(text: str) -> bool:
    """False when ``text`` holds none of ``_EMBED_NEEDLES`` (so no embed marker at all)."""
    return any(needle in text for needle in _EMBED_NEEDLES)


def _signature_ends(text: str) -> list[int]:
    """End offsets of the tweet signatures (``— Name (@handle) August 17, 2022``) in ``text``."""
    ends = []
    for match in _HANDLE_DATE_RE.finditer(text):
        lead = text[max(0, match.start() - _SIGNATURE_LEAD) : match.start()]
        if _SIGNATURE_LEAD_RE.search(lead):
            ends.append(match.end())
    return ends


def _next_starts_sentence(text: str, pos: int) -> bool:
    """True when whitespace follows ``pos`` and then a character that can start a sentence."""
    next_pos = _skip_invisible(text, pos)
    return pos < next_pos < len(text) and _can_start_sentence(text[next_pos])


def _embed_breaks(text: str) -> list[int]:
    """Sorted offsets where an embedded post starts or ends inside ``text``'s sentence flow.

    An embed ends after a tweet signature, after Instagram's ``A post shared by Name (@handle)
    on <date> at <time>``, after Facebook's ``Posted by Name on <date>`` and after a tweet's
    ``pic.twitter.com/`` or ``t.co/`` link or a post link, each when text that can start a
    sentence follows (so a link before its signature is no break). A post link after a
    sentence's final punctuation starts a sentence, and ``View this post on Instagram`` is a
    sentence of its own. Scraped text often runs an embed and the prose around it into one line.
    """
    if not _may_hold_embed(text):
        return []
    ends = _signature_ends(text) + [m.end() for m in _EMBED_END_RE.finditer(text)]
    breaks = {pos for pos in ends if _next_starts_sentence(text, pos)}
    breaks.update(match.end() for match in _LINK_AFTER_SENTENCE_RE.finditer(text))
    for label in _IG_LABEL_RE.finditer(text):
        breaks.update(label.span())
    return sorted(breaks)


def _cut_at_embeds(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` of ``text`` cut at :func:`_embed_breaks`, each piece stripped of whitespace."""
    breaks = _embed_breaks(text)
    if not breaks:
        return spans
    cut = []
    for start, end in spans:
        inside = breaks[bisect.bisect_right(breaks, start) : bisect.bisect_left(breaks, end)]
        for left, right in itertools.pairwise([start, *inside, end]):
            piece = _strip_span(text, left, right)
            if piece[0] < piece[1]:
                cut.append(piece)
    return cut


def is_social_embed(text: str) -> bool:
    """True when ``text`` holds a marker of an embedded social post.

    Markers: a tweet's ``pic.twitter.com/`` or ``t.co/`` link and its signature
    ``— Name (@handle) August 17, 2022``; Instagram's ``View this post on Instagram`` and
    ``A post shared by ...``; Facebook's ``Posted by Name on <date>``; ``This content is
    imported from ...`` placeholders; and a link to a post (a tweet's status, Instagram,
    Facebook, YouTube, TikTok) with at most three other words beside it (a link inside prose
    is a citation, not an embed). Which sentences of a paragraph belong to the post is decided
    by :func:`social_embed_flags`.
    """
    return _may_hold_embed(text) and (
        _EMBED_MARKER_RE.search(text) is not None
        or bool(_signature_ends(text))
        or _is_post_link_leftover(text)
    )


def _is_post_link_leftover(text: str) -> bool:
    """True when ``text`` holds a post link and at most ``_MAX_LINK_WORDS`` other words."""
    if _POST_LINK_RE.search(text) is None:
        return False
    return _has_at_most_words(_POST_LINK_RE.sub(" ", text), _MAX_LINK_WORDS)


def is_copyright(sentence: str) -> bool:
    """True for a copyright line: '©2022 Bloomberg L.P.', 'Copyright 2022 ...', '(c) 2021 ...'."""
    return bool(_COPYRIGHT_RE.match(sentence.lstrip()) or _COPYRIGHT_RE.match(_lead(sentence)))


def is_credit(sentence: str) -> bool:
    """True for a credit line: '(Reporting by X; Editing by Y)', 'X contributed to this report'."""
    return bool(_CREDIT_START_RE.match(_lead(sentence)) or _CREDIT_ANYWHERE_RE.search(sentence))


def is_promo(sentence: str) -> bool:
    """True for a promotional line: 'Read more: ...', 'Sign up for our newsletter', ..."""
    return _PROMO_RE.match(_lead(sentence)) is not None


def boilerplate_reason(segment_text: str, paragraph_text: str) -> str | None:
    """Reason code when the sentence is boilerplate, else ``None``.

    Codes: ``social_embed`` (the sentence belongs to an embedded post of its paragraph, see
    :func:`social_embed_flags`), ``copyright``, ``credit`` and ``promo``.
    """
    if _is_embedded_in(segment_text, paragraph_text):
        return "social_embed"
    return sentence_boilerplate_reason(segment_text)


def sentence_boilerplate_reason(sentence: str) -> str | None:
    """Reason code from the sentence alone (``copyright``, ``credit``, ``promo``), else ``None``.

    Callers that classify many sentences of one body take ``social_embed`` from
    :func:`embedded_segments` once and this per sentence (same result as
    :func:`boilerplate_reason`).
    """
    if is_copyright(sentence):
        return "copyright"
    if is_credit(sentence):
        return "credit"
    if is_promo(sentence):
        return "promo"
    return None


def _unflagged_runs(flags: list[bool]) -> list[tuple[int, int]]:
    """``(start, stop)`` of each maximal run of ``False`` in ``flags``."""
    runs = []
    start = None
    for index, flag in enumerate([*flags, True]):
        if not flag and start is None:
            start = index
        elif flag and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _chars(sentences: Sequence[str], start: int, stop: int) -> int:
    """Characters in ``sentences[start:stop]``."""
    return sum(len(sentence) for sentence in sentences[start:stop])


def _flag_captions(sentences: Sequence[str], flags: list[bool]) -> None:
    """Flag an Instagram caption: the sentences from ``View this post on Instagram`` up to its
    ``A post shared by`` line (when that line comes within a caption's length, before another
    label)."""
    labels = [_IG_LABEL_RE.search(sentence) is not None for sentence in sentences]
    if not any(labels):
        return
    shared = [_IG_SHARED_RE.search(sentence) is not None for sentence in sentences]
    for label in [index for index, is_label in enumerate(labels) if is_label]:
        caption = 0
        for stop in range(label + 1, len(sentences)):
            if shared[stop]:
                flags[label + 1 : stop] = [True] * (stop - label - 1)
                break
            caption += len(sentences[stop])
            if labels[stop] or caption > _MAX_CAPTION_CHARS:
                break


def _is_embed_only(sentences: Sequence[str], flags: list[bool]) -> bool:
    """True when a paragraph is nothing but embedded posts: it ends inside one, and every
    stretch of unflagged sentences is short enough to be a post's own text and is followed by
    that post's link or signature (not by ``View this post on Instagram``)."""
    return flags[-1] and all(
        _chars(sentences, start, stop) <= _MAX_POST_CHARS
        and not _IG_LABEL_RE.search(sentences[stop])
        for start, stop in _unflagged_runs(flags)
    )


def _flag_post_text(sentences: Sequence[str], flags: list[bool]) -> None:
    """Flag a post's own sentences in a paragraph that also holds prose: the unflagged
    sentences right before a post's link or signature that carry an @mention or #hashtag
    (``Good meeting w/#Serbia's President @avucic ...``), within a tweet's length."""
    for start, stop in _unflagged_runs(flags):
        if stop == len(sentences) or _IG_LABEL_RE.search(sentences[stop]):
            continue
        index = stop - 1
        while (
            index >= start
            and _SOCIAL_MARK_RE.search(sentences[index])
            and _chars(sentences, index, stop) <= _MAX_POST_CHARS
        ):
            flags[index] = True
            index -= 1


def social_embed_flags(sentences: Sequence[str]) -> list[bool]:
    """Which sentences of one paragraph belong to an embedded social post.

    A sentence holding an embed marker (:func:`is_social_embed`: a link, a signature, an
    attribution line) is flagged, and so is an Instagram caption between its label and its
    attribution. A paragraph that is nothing but embeds (:func:`_is_embed_only`, e.g. a tweet's
    text, link and signature) is flagged whole. Otherwise the paragraph also holds prose (a
    scraped article in one paragraph), and only the embed's own sentences are flagged: the
    marked ones, plus the post text right before them that has @mentions or #hashtags. The
    prose around an embed is never flagged for it.
    """
    flags = [is_social_embed(sentence) for sentence in sentences]
    if not any(flags):
        return flags
    _flag_captions(sentences, flags)
    if _is_embed_only(sentences, flags):
        return [True] * len(flags)
    _flag_post_text(sentences, flags)
    return flags


def embedded_segments(segments: Sequence[Segment]) -> set[int]:
    """Indices of the segments (of one body, see :func:`segment`) that belong to embedded
    social posts, decided paragraph by paragraph with :func:`social_embed_flags`."""
    by_paragraph: dict[int, list[int]] = {}
    for index, seg in enumerate(segments):
        by_paragraph.setdefault(seg.paragraph, []).append(index)
    embedded: set[int] = set()
    for indices in by_paragraph.values():
        flags = social_embed_flags([segments[i].text for i in indices])
        embedded.update(i for i, flag in zip(indices, flags, strict=True) if flag)
    return embedded


def _is_embedded_in(sentence: str, paragraph: str) -> bool:
    """True when ``sentence``, found in ``paragraph``, overlaps one of its embed sentences."""
    if not _may_hold_embed(paragraph):
        return False
    start = paragraph.find(sentence)
    if start < 0:
        return is_social_embed(sentence)
    end = start + len(sentence)
    segments = segment(paragraph)
    return any(
        segments[i].start < end and start < segments[i].end for i in embedded_segments(segments)
    )


def social_embed_paragraphs(body: str) -> set[int]:
    """Indices of the paragraphs of ``body`` that are nothing but embedded social posts."""
    segments = segment(body)
    embedded = embedded_segments(segments)
    paragraphs = {seg.paragraph for seg in segments}
    partly = {seg.paragraph for i, seg in enumerate(segments) if i not in embedded}
    return paragraphs - partly


# --------------------------------------------------------------------------- language

_LANGUAGE_SAMPLE = 100_000
_DOMINANT_SHARE = 0.8
_MIN_LETTERS = 8
_MIN_CJK = 4
_MIN_WORDS = 3
_MIN_HITS = 2
_MARGIN = 1.5
_LETTER_BONUS = 0.5
_LATIN_WORD_RE = re.compile(r"[^\W\d_]+")
_DELETE_ASCII_LETTERS = dict.fromkeys(map(ord, string.ascii_letters))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

_STOPWORDS: dict[str, frozenset[str]] = {
    code: _word_set(words)
    for code, words in {
        "en": """the of and to in is that for it with as was on be by at this are from or an
            have not but has had were which they their his her its he she we you will would
            been who said a""",
        "de": """der die das und ist nicht ein eine einer einen dem den des mit von zu auf für
            sich auch als im bei wir ich sie es hat wird werden nach wie aus oder aber noch nur
            über sind war vor""",
        "fr": """le la les et est une un des du de que qui dans pour pas sur au aux ce cette il
            elle nous vous ne se par plus avec sont était mais ou leur ses son été""",
        "es": """el la los las y es un una que de del en por para con no se lo su sus al como
            más pero fue ha son está este esta también entre""",
        "it": """il lo la gli le di del della dei che è e un una per non con sono si da nel
            nella alla al come più ma anche questo questa ha""",
        "pt": """o a os as e é um uma de do da dos das que em no na nos nas para por com não se
            ao como mais mas foi são está também pelo pela seu sua""",
        "nl": """de het een en van is dat die in te op voor met zijn niet er aan ook als maar om
            bij wordt werd naar door hij zij ze wij nog dan heeft""",
        "sq": """të e në një dhe është për me nga që se ka do u i si ishte janë më por ky kjo
            nuk edhe tij saj ata duke pas mbi""",
        "sr": """i u je da se na za od do su to ne što kao koji koja koje sa iz o ali bi ili će
            smo sam nije biti jer samo još već ima bio bila""",
        "ru": """и в не на что с он как это по но из у к я за от же так то все она был была
            для мы они бы о его ее уже или если только""",
        "sr-Cyrl": """и у је да се на за од до су то не што као који која које са из о али би или
            ће смо сам није бити јер само још већ има био била""",
    }.items()
}
_DISTINCTIVE_LETTERS = {
    "sr": frozenset("čćđšž"),
    "sq": frozenset("ë"),
    "de": frozenset("äöüß"),
    "es": frozenset("ñ¿¡"),
    "pt": frozenset("ãõ"),
    "fr": frozenset("èêœîû"),
}
_LATIN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sq", "sr")
_SERBIAN_CYRILLIC = frozenset("ђјљњћџЂЈЉЊЋЏ")
_RUSSIAN_CYRILLIC = frozenset("ыэъщёйЫЭЪЩЁЙ")
_EAST_SLAVIC_OTHER = frozenset("іїєґўІЇЄҐЎ")
_SCRIPT_RANGES = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x1100, 0x11FF, "hangul"),
    (0x1E00, 0x1EFF, "latin"),
    (0x1F00, 0x1FFF, "greek"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF66, 0xFF9F, "kana"),
    (0x20000, 0x2FFFF, "han"),
)
_SCRIPT_GROUP = {"han": "cjk", "kana": "cjk", "hangul": "cjk"}
_SCRIPT_LANGUAGE = {"greek": "el", "hebrew": "he", "arabic": "ar"}


def _script_of(char: str) -> str:
    """Script name of a letter (see ``_SCRIPT_RANGES``), or 'other'."""
    code = ord(char)
    for low, high, script in _SCRIPT_RANGES:
        if low <= code <= high:
            return script
    return "other"


def _script_counts(text: str) -> dict[str, int]:
    """Number of letters of ``text`` per script (ASCII letters counted in one pass)."""
    rest = text.translate(_DELETE_ASCII_LETTERS)
    counts: dict[str, int] = {}
    if len(rest) < len(text):
        counts["latin"] = len(text) - len(rest)
    for char in _NON_ASCII.findall(rest):
        if char.isalpha():
            script = _script_of(char)
            counts[script] = counts.get(script, 0) + 1
    return counts


def _dominant_group(counts: dict[str, int]) -> str | None:
    """The script group holding at least 80% of the letters, or ``None`` (mixed)."""
    groups: dict[str, int] = {}
    for script, count in counts.items():
        group = _SCRIPT_GROUP.get(script, script)
        groups[group] = groups.get(group, 0) + count
    total = sum(groups.values())
    for group, count in sorted(groups.items()):
        if total and count >= _DOMINANT_SHARE * total:
            return group
    return None


def _cjk_language(counts: dict[str, int]) -> str:
    """'ko' (mostly Hangul), 'ja' (any notable kana), 'zh' (Han only), or 'und'."""
    hangul, kana, han = (counts.get(s, 0) for s in ("hangul", "kana", "han"))
    total = hangul + kana + han
    if total < _MIN_CJK:
        return "und"
    if hangul * 2 >= total:
        return "ko"
    if kana * 20 >= total:
        return "ja"
    return "zh" if hangul == 0 and kana == 0 else "und"


def _best_language(scores: dict[str, float]) -> str:
    """The top-scoring language when it is clear enough (enough hits, clear margin), else 'und'."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best, best_score = ranked[0]
    second_score = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_score < _MIN_HITS or best_score <= _MARGIN * second_score:
        return "und"
    return best


def _latin_language(words: list[str]) -> str:
    """Stop-word (plus distinctive letter) vote among the Latin-script languages."""
    counts = Counter(words)
    accented = [word for word in counts if not word.isascii()]
    scores: dict[str, float] = {}
    for code in _LATIN_LANGUAGES:
        letters = _DISTINCTIVE_LETTERS.get(code, frozenset())
        hits = sum(counts[word] for word in _STOPWORDS[code].intersection(counts))
        marked = sum(counts[word] for word in accented if not letters.isdisjoint(word))
        scores[code] = hits + _LETTER_BONUS * marked
    return _best_language(scores)


def _cyrillic_language(text: str, words: list[str]) -> str:
    """'sr' or 'ru' from distinctive letters, then stop words; 'und' for other Cyrillic."""
    serbian = sum(c in _SERBIAN_CYRILLIC for c in text)
    russian = sum(c in _RUSSIAN_CYRILLIC for c in text)
    other = sum(c in _EAST_SLAVIC_OTHER for c in text)
    if other and other >= russian and not serbian:
        return "und"
    if serbian != russian:
        return "sr" if serbian > russian else "ru"
    scores = {
        "ru": float(sum(w in _STOPWORDS["ru"] for w in words)),
        "sr": float(sum(w in _STOPWORDS["sr-Cyrl"] for w in words)),
    }
    return _best_language(scores)


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` ('sr' for Serbian/Croatian/Bosnian), or 'und' when unsure.

    Script rules first (Arabic 'ar', Hebrew 'he', Greek 'el', Hangul 'ko', kana 'ja', Han only
    'zh'); stop-word profiles for Latin (en de fr es it pt nl sq sr) and Cyrillic (ru sr) text.
    Very short or mixed-script text gives 'und'. Deterministic.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    counts = _script_counts(sample)
    group = _dominant_group(counts)
    if group == "cjk":
        return _cjk_language(counts)
    if group is None or sum(counts.values()) < _MIN_LETTERS:
        return "und"
    if group in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[group]
    words = _LATIN_WORD_RE.findall(sample.lower())
    if len(words) < _MIN_WORDS:
        return "und"
    if group == "latin":
        return _latin_language(words)
    if group == "cyrillic":
        return _cyrillic_language(sample, words)
    return "und"
