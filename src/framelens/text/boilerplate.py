"""Boilerplate sentences: embedded social posts, copyright, credit and promo lines, and
a text cut off by an API."""

from __future__ import annotations

import re
from collections.abc import Sequence

from framelens.text.sentences import (
    _DATE,
    _IG_LABEL_RE,
    _POST_LINK_RE,
    Segment,
    _has_at_most_words,
    _may_hold_embed,
    _signature_ends,
    segment,
)

_LEADING_MARKS = " \t\n([{*•>|-–—_"
_IG_SHARED_RE = re.compile(r"\bA post shared by\b")
# Text that only an embed widget leaves behind, wherever it stands in a sentence.
_EMBED_MARKER_RE = re.compile(
    r"pic\.twitter\.com/|(?<![\w.])t\.co/\w"
    r"|\bA post shared by\b|\bView this (?:post|profile) on Instagram\b"
    r"|\bPosted by [^\n()]{1,80}? on (?:[A-Z][a-z]{2,5}day,?\s+)?"
    + _DATE
    + r"|\bThis content is imported from\b"
    r"|\bYou may be able to find the same content in another format\b"
)
_MAX_LINK_WORDS = 3  # words beside a post link in an embed leftover ("Watch on YouTube:")
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
