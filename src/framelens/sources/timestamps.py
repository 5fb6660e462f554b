"""Dates and times as exports and web pages write them.

``2022-08-18``, ``2022-08-18T14:03:00Z``, ``2022-08-18 14:03:00+02:00`` and
``Thu, 18 Aug 2022 14:03:00 +0200`` all become the date ``2022-08-18``; the time, when
there is one, is kept apart as ``14:03:00+02:00`` (``+00:00`` for ``Z``; no offset when
the input gives none). The date is the one written, in the writer's own time zone: a
story dated 00:30 in Belgrade stays on its Belgrade day.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import NamedTuple

_EPOCH_RE = re.compile(r"\d{9,13}(?:\.\d+)?")


class Timestamp(NamedTuple):
    """A parsed date (``YYYY-MM-DD``) and its time of day (``HH:MM:SS[±HH:MM]``) or None."""

    date: str
    time: str | None


def _format_time(moment: dt.datetime) -> str:
    """``HH:MM:SS`` plus ``±HH:MM`` when the moment carries a zone."""
    text = moment.strftime("%H:%M:%S")
    offset = moment.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_timestamp(value: str) -> Timestamp | None:
    """The date and time in ``value`` (ISO 8601 or RFC 2822), or None if it is neither.

    A bare date has no time; Unix epoch seconds (or milliseconds) are read as UTC.
    """
    text = value.strip()
    if not text:
        return None
    if _EPOCH_RE.fullmatch(text):
        seconds = float(text) / (1000 if len(text.split(".")[0]) > 10 else 1)
        instant = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        return Timestamp(instant.date().isoformat(), _format_time(instant))
    if len(text) == 10:
        try:
            return Timestamp(dt.date.fromisoformat(text).isoformat(), None)
        except ValueError:
            return None
    moment = _parse_iso(text) or _parse_rfc2822(text)
    if moment is None:
        return None
    return Timestamp(moment.date().isoformat(), _format_time(moment))


def _parse_iso(text: str) -> dt.datetime | None:
    """ISO 8601 date-time (``T`` or space, ``Z`` or offset, fractions allowed)."""
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> dt.datetime | None:
    """RFC 2822 (``Thu, 18 Aug 2022 14:03:00 +0200``), as in RSS and HTTP headers."""
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment
