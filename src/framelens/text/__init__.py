"""Plain-text handling for news articles: turning raw article text into clean, segmented,
flagged sentences.

A raw text is normalised (:func:`normalise_text`), its HTML converted to plain text
(:func:`strip_markup`), a leading date/outlet/dateline header split off (:func:`parse_header`)
and the body split into paragraphs, headings and sentences (:func:`segment`). Sentences that
are boilerplate (an embedded social post, a copyright, credit or promo line) are flagged
(:func:`embedded_segments`, :func:`sentence_boilerplate_reason`), a last sentence cut off by an
API is recognised (:func:`is_cut_off`) and the text's language is detected
(:func:`detect_language`).

Everything here is standard library only and deterministic. The central guarantee is that
segmentation never loses text: for any string ``s``::

    header, body = parse_header(normalise_text(s))
    segments = segment(body)

keeps every non-whitespace character of ``normalise_text(s)``, in order, in ``header.text``
followed by the segments' texts, and ``body[seg.start:seg.end] == seg.text`` for every segment.

Modules: :mod:`~framelens.text.normalise` (BOM, line ends, NFC),
:mod:`~framelens.text.headers` (date, outlet and dateline at the start of a text),
:mod:`~framelens.text.sentences` (paragraphs, headings, sentences; where an embedded post
breaks a sentence flow), :mod:`~framelens.text.markup` (HTML to plain text),
:mod:`~framelens.text.boilerplate` (embedded posts, copyright, credit, promo, cut-off text)
and :mod:`~framelens.text.language` (language detection).
"""

from __future__ import annotations

from framelens.text.boilerplate import (
    boilerplate_reason,
    embedded_segments,
    is_copyright,
    is_credit,
    is_cut_off,
    is_promo,
    is_social_embed,
    is_truncation_marker,
    sentence_boilerplate_reason,
    social_embed_flags,
    social_embed_paragraphs,
)
from framelens.text.headers import Header, parse_header
from framelens.text.language import detect_language
from framelens.text.markup import MarkupEdit, strip_markup
from framelens.text.normalise import NORMALISATION, normalise_text
from framelens.text.sentences import Segment, paragraph_spans, segment, split_sentences

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
    "is_cut_off",
    "is_promo",
    "is_social_embed",
    "is_truncation_marker",
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
