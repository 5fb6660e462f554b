"""Article headers: a leading ``date YYYY-MM-DD``, ``(Outlet) --`` and AP-style dateline
(``BRUSSELS (AP) —``) split off the start of a text, nothing invented."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


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
