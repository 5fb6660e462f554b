"""Quote marks: the spans of quotations in a text, masking them, and counting quoted words.

Straight and curly double quotes delimit quotations (:func:`quote_spans`); the words inside
are masked with ``¤`` (:func:`_mask_spans`) so that names and speech verbs are looked for
outside quotes only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MASK = "¤"
_OPEN, _CLOSE, _STRAIGHT = "“", "”", '"'


def quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, closed)`` of each quotation in ``text``: ``text[start:end]`` runs from
    the opening mark to the closing mark inclusive.

    Curly marks say which way they face; a straight ``"`` opens when a quote is not open
    and closes when one is (one that looks like an opener, after a space and before a word,
    closes an unclosed quote and opens a new one). A quote still open at a line break
    (``\\n``, a paragraph end) or at the end ends there, unclosed (``closed`` False).
    Single quotes are not delimiters (``’`` is also the apostrophe).
    """
    spans: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    for match in re.finditer(r'[“”"\n]', text):
        mark, at = match.group(), match.start()
        if mark == "\n":
            if open_at is not None:
                spans.append((open_at, at, False))
                open_at = None
        elif mark == _OPEN or (mark == _STRAIGHT and (open_at is None or _opens_quote(text, at))):
            if open_at is not None:
                spans.append((open_at, at, False))
            open_at = at
        elif open_at is not None:
            spans.append((open_at, at + 1, True))
            open_at = None
    if open_at is not None:
        spans.append((open_at, len(text), False))
    return spans


def _opens_quote(text: str, at: int) -> bool:
    """True when a straight quote at ``at`` faces right: after a space (or the start) and
    before a non-space character."""
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-:/") and not after.isspace()


def _mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every character inside the spans replaced by ``¤`` (same length)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


def count_words(text: str) -> int:
    """Whitespace-separated tokens holding a letter or digit ("don’t" is one word)."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def _clean_quote(text: str) -> str:
    """Quoted or reported words without the marks, spacing collapsed, trailing commas cut."""
    inner = text.strip().strip('“”"').strip()
    return " ".join(inner.split()).rstrip(",;: ")
