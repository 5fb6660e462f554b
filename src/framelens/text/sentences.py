"""Segmentation: a body split into paragraphs, headings and sentences, with offsets.

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

The embed rule lives here too (the last section: where an embedded post starts or ends inside a
sentence flow); :mod:`framelens.text.boilerplate` uses the same markers to flag the post's
sentences.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from framelens.text.headers import _skip_whitespace


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
_INVISIBLE_RE = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]*")


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


def _skip_invisible(text: str, pos: int) -> int:
    """Like :func:`_skip_whitespace`, also skipping zero-width and bidi marks (RLM, LRM, ...).

    Used to find the first visible character of the next sentence: RTL text often starts a
    sentence with a right-to-left mark.
    """
    match = _INVISIBLE_RE.match(text, pos)
    return match.end() if match else pos


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


# --------------------------------------------------------------------------- embedded posts

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
# A post's own link (tweet, Instagram, Facebook, YouTube, TikTok): an embed leftover when it
# stands (nearly) alone in its sentence, a citation when prose surrounds it.
_POST_LINK_RE = re.compile(
    r"\b(?:https?://)?(?:www\.|m\.|mobile\.)?(?:(?:twitter|x)\.com/\w{1,15}/status(?:es)?/\d"
    r"|instagram\.com/(?:p|reel|tv)/\w|facebook\.com/[^\s/]{1,80}/(?:posts|videos)/|fb\.watch/\w"
    r"|youtube\.com/(?:watch\?|embed/|shorts/)|youtu\.be/\w|tiktok\.com/@[\w.]{1,30}/video/\d)\S*"
)
# Where an embed ends inside a sentence flow: Instagram's and Facebook's attribution lines,
# and a tweet's own link (when no signature follows it).
_EMBED_END_RE = re.compile(
    r"\bA post shared by\b[^\n()]{0,80}?\(@[\w.]{1,30}\)(?:\s+on\s+"
    + _DATE
    + r"(?:\s+at\s+\d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\.?(?:\s+[A-Z]{2,5}\b)?)?)?"
    r"|\bPosted by [^\n()]{1,80}? on (?:[A-Z][a-z]{2,5}day,?\s+)?"
    + _DATE
    + r"|pic\.twitter\.com/\w+|(?<![\w.])(?:https?://)?t\.co/\w+|"
    + _POST_LINK_RE.pattern
)
# Where a post link starts a new sentence flow: after a sentence's final punctuation.
_LINK_AFTER_SENTENCE_RE = re.compile(
    "["
    + re.escape(_SPACED_ENDERS)
    + "]["
    + re.escape(_CLOSERS)
    + r"]*\s+(?="
    + _POST_LINK_RE.pattern
    + ")"
)
# Every embed marker, break and signature holds one of these (a cheap test before the regexes).
_EMBED_NEEDLES = (
    "pic.twitter.com/",
    "t.co/",
    "(@",
    "A post shared by",
    "View this ",
    "Posted by ",
    "This content is imported",
    "You may be able to find",
    ".com/",
    "youtu.be/",
    "fb.watch/",
)


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
