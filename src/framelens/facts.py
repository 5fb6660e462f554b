"""Numbers, dates and named quantities in text, and the figures that outlets disagree on.

:func:`extract_quantities` finds, in one string:

* counts and measures (``kind='quantity'``): digits with thousands separators and decimals
  ("3,800", "1.8 million" = 1,800,000), number words ("five percent", "ten days", "a dozen",
  "a decade" = 10 years), percentages ("5%", "5 percent", "five per cent"), attached
  compounds ("3,700-strong peacekeeping force", "27-nation bloc"). ``unit`` is the noun
  counted, looked up to three words ahead ("Nearly 4,000 NATO-led peacekeepers"), with
  synonyms grouped (:data:`UNIT_SYNONYMS`: troops, soldiers, peacekeepers and forces are
  all ``troops``; capitalised plurals such as "Serbs" or "Kosovars" are ``people``); with
  no noun, a multiplier word stands in ("a population of 1.8 million": ``million``), else
  None. ``approximate`` when a hedge comes right before ("about", "around", "nearly",
  "almost", "just over", "more than", ...), which ``text`` includes.
* years (``kind='year'``, ``unit`` None): a four-digit number from 1000 to 2100 not
  followed by a counted noun ("in 2008"), ranges ("1998-99", value 1998) and decades
  ("1990s").
* dates (``kind='date'``, ``unit`` None): "Sept. 1", "September 1st", "August 17, 2022",
  "1 September 2022", "June 2022", "2022-08-17". ``value`` encodes the date as a number:
  YYYYMMDD, or MMDD without a year, with DD = 00 for a month alone.

Not quantities, and skipped: identifiers ("Article 5", "Resolution 1244", "COVID-19",
"G7", "F-16", "5G"), phone numbers ("+381 11 123 4567", "555-123-4567"), clock times
("10:30"), ordinals ("21st"), "one" on its own ("No one was hurt", "one of the main
conditions") and vague amounts ("tens of thousands").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from framelens.basics.tokens import UNIT_STOP_WORDS, per_text, word_set
from framelens.lookup import map_values

__all__ = [
    "DISPUTE_COLUMNS",
    "UNIT_SYNONYMS",
    "Quantity",
    "counted_unit",
    "disputed_facts",
    "extract_quantities",
    "find_dates",
    "normalise_unit",
    "parse_number_words",
    "quantity_mentions",
]

DISPUTE_COLUMNS = [
    "group",
    "kind",
    "unit",
    "values",
    "n_values",
    "spread",
    "n_documents",
    "n_approximate",
    "doc_ids",
    "sent_ids",
    "texts",
]
LOOKAHEAD_WORDS = 3


@dataclass(frozen=True)
class Quantity:
    """A number found in text: ``text[start:end]`` as written (hedge word included),
    its ``value``, the ``unit`` it counts (normalised, or None), ``approximate`` when
    hedged, and ``kind``: ``quantity``, ``year`` or ``date`` (see the module docstring)."""

    value: float
    unit: str | None
    text: str
    start: int
    end: int
    approximate: bool
    kind: str = "quantity"


def _group(words: str, unit: str) -> dict[str, str]:
    """Map each whitespace-separated word to ``unit``."""
    return dict.fromkeys(words.split(), unit)


UNIT_SYNONYMS: dict[str, str] = {
    **_group(
        "troop troops soldier soldiers peacekeeper peacekeepers force forces "
        "servicemen servicemembers personnel",
        "troops",
    ),
    **_group("people person persons residents inhabitants citizens", "people"),
    **_group("nation nations country countries state states", "nation"),
    **_group("percent per-cent pc %", "percent"),
    **_group("day days", "days"),
    **_group("week weeks", "weeks"),
    **_group("month months", "months"),
    **_group("year years", "years"),
    **_group("hour hours", "hours"),
    **_group("minute minutes", "minutes"),
    **_group("km kilometre kilometres kilometer kilometers", "km"),
    **_group("mile miles", "miles"),
}
_MULTIPLIERS = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "mn": 1e6,
    "bn": 1e9,
    "m": 1e6,
    "k": 1e3,
}
_SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9}
_A_AMOUNTS = {
    "dozen": (12.0, None),
    "decade": (10.0, "years"),
    "century": (100.0, "years"),
    "hundred": (100.0, None),
    "thousand": (1e3, None),
    "million": (1e6, None),
    "billion": (1e9, None),
}
_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}


_REFERENCE_WORDS = word_set(
    """article articles section chapter resolution paragraph clause rule page pages no
    number flight route highway room gate platform protocol amendment phase level stage
    category grade class title part annex item line bus channel station vol season episode
    code model version"""
)
_CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_HEDGES = (
    r"about|around|approximately|roughly|nearly|almost|some|just\s+over|just\s+under|"
    r"more\s+than|less\s+than|fewer\s+than|over|under|up\s+to|at\s+least|at\s+most|"
    r"close\s+to|an\s+estimated|estimated|circa|ca\.|upwards\s+of|as\s+many\s+as|"
    r"as\s+few\s+as|~"
)
_HEDGE_RE = re.compile(r"(?:^|(?<=\W))(?P<hedge>" + _HEDGES + r")\s*$", re.IGNORECASE)
_MONTH = (
    r"(?P<month>"
    + "|".join(sorted((m.capitalize() for m in _MONTHS), key=len, reverse=True))
    + r")\.?"
)
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<mm>\d{2})-(?P<day>\d{2})\b"),
    re.compile(
        r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
        r"(?:,?\s+(?P<year>\d{4})\b)?"
    ),
    re.compile(
        r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<year>\d{4})\b)?"
    ),
    re.compile(r"\b" + _MONTH + r",?\s+(?P<year>\d{4})\b"),
)
_PHONE_RE = re.compile(
    r"(?<![\w.,])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}[\s.-]\d{2,4}[\s.-]\d{2,5}"
    r"(?![\w,])"
)
_TIME_RE = re.compile(r"\b\d{1,2}:\d{2}\b")
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![\d]|,\d{3})"
)
_NUMBER_WORD_RE = re.compile(
    r"\b(?:(?:" + "|".join(sorted({*_SMALL, *_SCALES}, key=len, reverse=True)) + r")"
    r"(?:[\s-]+(?:and\s+)?(?=(?:" + "|".join(sorted({*_SMALL, *_SCALES})) + r")\b))?)+\b",
    re.IGNORECASE,
)
_A_AMOUNT_RE = re.compile(r"\b[Aa]\s+(?P<what>" + "|".join(_A_AMOUNTS) + r")\b")
_WORD_RE = re.compile(r"[^\W\d_][\w’'\-]*|%|[^\w\s]")
_YEAR_SUFFIX_RE = re.compile(r"(?:[-–/](?:\d{4}|\d{2})(?!\d)|s\b)")


# --------------------------------------------------------------------------- units


def normalise_unit(word: str) -> str:
    """The unit a counted noun stands for: synonyms grouped (:data:`UNIT_SYNONYMS`),
    capitalised plurals ("Serbs", "Kosovars") as ``people``, anything else lower-cased."""
    lower = word.lower().strip("’'")
    if lower in UNIT_SYNONYMS:
        return UNIT_SYNONYMS[lower]
    if _is_capitalised_plural(word):
        return "people"
    return lower


def _is_capitalised_plural(word: str) -> bool:
    """ "Serbs", "Kosovars": a group of people; not "NATO", "Belgrade's" or "NATO-led"."""
    return (
        word[:1].isupper()
        and word.endswith("s")
        and not word.isupper()
        and "-" not in word
        and not word.endswith(("'s", "’s"))
    )


def _is_noun_like(word: str) -> bool:
    """A word that may be the noun a number counts: lower-case letters, not a function word,
    not a past participle or gerund ("fled", "peacekeeping")."""
    return (
        word.isalpha()
        and word.islower()
        and word not in UNIT_STOP_WORDS
        and not word.endswith(("ed", "ing"))
    )


def counted_unit(text: str, at: int) -> str | None:
    """The unit counted by a number ending at ``at``: the first known unit
    (:data:`UNIT_SYNONYMS`) or capitalised plural within ``LOOKAHEAD_WORDS`` words, else the
    next word when it looks like a noun, else None. Stops at punctuation and function words.
    """
    words: list[str] = []
    for match in _WORD_RE.finditer(text, at):
        word = match.group()
        if not word[0].isalpha() and word != "%":
            break
        if word.lower() in UNIT_STOP_WORDS or len(words) == LOOKAHEAD_WORDS:
            break
        words.append(word)
    for word in words:
        if word.lower() in UNIT_SYNONYMS or _is_capitalised_plural(word):
            return normalise_unit(word)
    if words and _is_noun_like(words[0]):
        return normalise_unit(words[0])
    return None


# --------------------------------------------------------------------------- parsing


def parse_number_words(words: str) -> float | None:
    """The value of English number words: "five" 5, "twenty-five" 25, "two hundred and
    fifty thousand" 250000; None when they are not a number."""
    total, current = 0.0, 0.0
    seen = False
    for word in re.split(r"[\s-]+", words.lower()):
        if word in ("and", ""):
            continue
        if word in _SMALL:
            current += _SMALL[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _hedge_start(text: str, start: int) -> int | None:
    """Start of a hedge word ("about", "just over") right before ``start``, if any."""
    match = _HEDGE_RE.search(text[max(0, start - 20) : start])
    return max(0, start - 20) + match.start("hedge") if match else None


def _attached_to_letters(text: str, start: int, end: int) -> bool:
    """True for a number written into a name: "G7", "COVID-19", "F-16", "5G"."""
    before = text[max(0, start - 2) : start]
    if before[-1:].isalpha() or (before[-1:] in "-‑" and before[:1].isalpha()):
        return True
    after = re.match(r"[^\W\d_]+", text[end:])
    return after is not None and after.group().lower() not in _MULTIPLIERS


def _after_reference_word(text: str, start: int) -> bool:
    """True for a number that refers to something: "Article 5", "Resolution 1244"."""
    previous = re.search(r"([^\W\d_]+)\.?\s+$", text[max(0, start - 30) : start])
    return previous is not None and previous.group(1).lower() in _REFERENCE_WORDS


def _date_value(year: str | None, month: int, day: str | None) -> float:
    """Date as a number: YYYYMMDD, or MMDD without a year (DD 00 for a month alone)."""
    value = month * 100 + (int(day) if day else 0)
    return float(int(year) * 10000 + value) if year else float(value)


def find_dates(text: str) -> list[Quantity]:
    """Dates in ``text`` (``kind='date'``), first pattern first, never overlapping."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            groups = match.groupdict()
            month = int(groups["mm"]) if groups.get("mm") else _MONTHS[groups["month"].lower()]
            day, year = groups.get("day"), groups.get("year")
            if not _valid_date(year, month, day):
                continue
            taken.append((match.start(), match.end()))
            found.append(
                Quantity(
                    _date_value(year, month, day),
                    None,
                    match.group(),
                    match.start(),
                    match.end(),
                    False,
                    "date",
                )
            )
    return found


def _valid_date(year: str | None, month: int, day: str | None) -> bool:
    """True for a real calendar date (29 February allowed when the year is unknown)."""
    try:
        dt.date(int(year) if year else 2000, month, int(day) if day else 1)
    except ValueError:
        return False
    return True


def _blocked_spans(text: str, dates: list[Quantity]) -> list[tuple[int, int]]:
    """Spans numbers must not come from: dates, phone numbers, clock times."""
    spans = [(d.start, d.end) for d in dates]
    spans += [(m.start(), m.end()) for m in _PHONE_RE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _TIME_RE.finditer(text)]
    return spans


def _next_word(text: str, at: int) -> str:
    """The word right after position ``at`` (after spaces), lower-cased, or ""."""
    match = re.match(r"\s+([^\W\d_]+)", text[at:])
    return match.group(1).lower() if match else ""


def _digit_quantity(text: str, match: re.Match[str]) -> Quantity | None:
    """The quantity or year of one run of digits; None for an identifier or ordinal."""
    start, end = match.start(), match.end()
    raw = match.group("number")
    value = float(raw.replace(",", ""))
    if _after_reference_word(text, start):
        return None
    if re.fullmatch(r"\d{4}", raw) and 1000 <= value <= 2100:
        suffix = _YEAR_SUFFIX_RE.match(text, end)
        if suffix or _next_word(text, end) not in UNIT_SYNONYMS:
            end = suffix.end() if suffix else end
            return Quantity(value, None, text[start:end], start, end, False, "year")
    if re.match(r"(?:st|nd|rd|th)\b", text[end:]) or _attached_to_letters(text, start, end):
        return None
    return _measure(text, start, end, value)


def _measure(text: str, start: int, end: int, value: float) -> Quantity:
    """A count or measure whose number spans ``start:end``: multiplier, percent sign or
    word, hyphenated compound, counted noun and hedge."""
    unit: str | None = None
    multiplier = re.match(r"\s*(thousand|million|billion|trillion|bn|mn|m|k)\b", text[end:])
    if multiplier:
        value *= _MULTIPLIERS[multiplier.group(1)]
        end += multiplier.end()
    percent = re.match(r"\s*(%|percent\b|per\s+cent\b)", text[end:])
    compound = re.match(r"[-‑]([^\W\d_]+)\b", text[end:])
    if percent:
        unit, end = "percent", end + percent.end()
    elif compound and compound.group(1).lower() != "strong":
        unit, end = normalise_unit(compound.group(1)), end + compound.end()
    else:
        if compound:  # "3,700-strong peacekeeping force": the noun follows
            end += compound.end()
        unit = counted_unit(text, end) or (multiplier.group(1) if multiplier else None)
    currency = re.search(r"(?:US\$|[$€£])\s?$", text[max(0, start - 4) : start])
    if currency:
        start -= len(currency.group())
        unit = _CURRENCIES[currency.group().strip()]
    hedge = _hedge_start(text, start)
    first = hedge if hedge is not None else start
    return Quantity(value, unit, text[first:end], first, end, hedge is not None)


def _word_quantities(text: str) -> list[Quantity]:
    """Quantities written in words ("five percent", "ten days", "a decade")."""
    found = []
    for match in _NUMBER_WORD_RE.finditer(text):
        words = match.group()
        if words.lower() == "one" or words.lower() in _SCALES:
            continue
        value = parse_number_words(words)
        if value is not None:
            found.append(_measure(text, match.start(), match.end(), value))
    for match in _A_AMOUNT_RE.finditer(text):
        value, unit = _A_AMOUNTS[match.group("what")]
        quantity = _measure(text, match.start(), match.end(), value)
        if unit is not None:
            quantity = Quantity(
                value, unit, quantity.text, quantity.start, quantity.end, quantity.approximate
            )
        found.append(quantity)
    return found


def extract_quantities(text: str) -> list[Quantity]:
    """Every count, measure, year and date in ``text``, in order (see the module docstring).

    >>> [(q.value, q.unit, q.text) for q in extract_quantities("about 3,800 troops")]
    [(3800.0, 'troops', 'about 3,800')]
    """
    dates = find_dates(text)
    blocked = _blocked_spans(text, dates)
    found = list(dates)
    for match in _NUMBER_RE.finditer(text):
        if any(match.start() < e and s < match.end() for s, e in blocked):
            continue
        quantity = _digit_quantity(text, match)
        if quantity is not None:
            found.append(quantity)
            blocked.append((quantity.start, quantity.end))
    taken = [(q.start, q.end) for q in found]
    found += [
        q for q in _word_quantities(text) if not any(q.start < e and s < q.end for s, e in taken)
    ]
    return sorted(found, key=lambda q: q.start)


# --------------------------------------------------------------------------- disputes


def _format_value(value: float) -> str:
    """A value as written in tables: "3800", "1800000", "2.5"."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


_SENTENCES_AT_ONCE = 1 << 16


def quantity_mentions(sentences: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Quantities of the grouped sentences, one row per mention.

    ``sentences``: ``sent_id``, ``doc_id``, ``text``; ``groups``: group id by ``sent_id``
    (sentences without one are skipped). Counts without a unit are left out (what they
    count is unknown). Columns: ``group``, ``kind``, ``unit`` (the unit, or the kind for
    years and dates), ``value``, ``approximate``, ``doc_id``, ``sent_id``, ``text``.
    """
    columns = ["group", "kind", "unit", "value", "approximate", "doc_id", "sent_id", "text"]
    group = map_values(sentences["sent_id"], groups)
    rows = np.flatnonzero(group.notna().to_numpy())
    found: dict[str, list[object]] = {column: [] for column in columns}
    quantities_of = per_text(extract_quantities)
    for lo in range(0, len(rows), _SENTENCES_AT_ONCE):  # Python strings a chunk at a time
        chunk = rows[lo : lo + _SENTENCES_AT_ONCE]
        for text, group_id, doc_id, sent_id in zip(
            sentences["text"].iloc[chunk].tolist(),
            group.iloc[chunk].tolist(),
            sentences["doc_id"].iloc[chunk].tolist(),
            sentences["sent_id"].iloc[chunk].tolist(),
            strict=True,
        ):
            for q in quantities_of(str(text)):
                if q.kind == "quantity" and q.unit is None:
                    continue
                for column, value in zip(
                    columns,
                    (
                        group_id,
                        q.kind,
                        q.unit or q.kind,
                        q.value,
                        q.approximate,
                        doc_id,
                        sent_id,
                        q.text,
                    ),
                    strict=True,
                ):
                    found[column].append(value)
    if not found["group"]:
        return pd.DataFrame.from_records([], columns=columns)
    return pd.DataFrame(found, columns=columns)


def disputed_facts(sentences: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Figures on the same claim that differ across documents.

    ``sentences``: ``sent_id``, ``doc_id``, ``text``; ``groups``: a group (claim) id by
    ``sent_id``. Within a group, quantities of one kind and unit (e.g. ``troops``) are
    disputed when at least two documents mention them and at least two distinct values
    occur. Every literally different number counts: "about 3,800" and "nearly 4,000" are
    a dispute; ``spread`` = (max - min) / max and ``n_approximate`` (hedged mentions) let a
    reader set rounding apart. Identical figures ("Sept. 1" and "September 1") are not.

    Returns :data:`DISPUTE_COLUMNS`, one row per group, kind and unit: ``values`` (sorted
    unique, ';'-joined), ``n_values``, ``spread``, ``n_documents``, ``n_approximate``, and
    one entry per mention, in the same order (by value, then sentence), ';'-joined, in
    ``doc_ids``, ``sent_ids`` and ``texts`` (the quantity as written, e.g. "Nearly 4,000").
    """
    mentions = quantity_mentions(sentences, groups)
    keys = ["group", "kind", "unit"]
    if len(mentions):  # only figures with two values in two documents can be disputed
        spread = mentions.groupby(keys, sort=False).agg(
            n_values=("value", "nunique"), n_documents=("doc_id", "nunique")
        )
        candidates = spread.index[(spread["n_values"] >= 2) & (spread["n_documents"] >= 2)]
        mentions = mentions[pd.MultiIndex.from_frame(mentions[keys]).isin(candidates)]
    records = []
    # one sort of all mentions: each group's rows, taken in this order, are by value,
    # then sentence (a stable sort, as a sort of each group alone would give)
    mentions = mentions.sort_values(["value", "sent_id", "text"], kind="stable")
    for (group, kind, unit), rows in mentions.groupby(keys, sort=True):
        values = sorted(set(rows["value"]))
        if len(values) < 2 or rows["doc_id"].nunique() < 2:
            continue
        top = max(abs(v) for v in values)
        records.append(
            {
                "group": group,
                "kind": kind,
                "unit": unit,
                "values": ";".join(_format_value(v) for v in values),
                "n_values": len(values),
                "spread": (values[-1] - values[0]) / top if top else 0.0,
                "n_documents": int(rows["doc_id"].nunique()),
                "n_approximate": int(rows["approximate"].sum()),
                "doc_ids": ";".join(rows["doc_id"].astype(str)),
                "sent_ids": ";".join(rows["sent_id"].astype(str)),
                "texts": ";".join(rows["text"]),
            }
        )
    return pd.DataFrame.from_records(records, columns=DISPUTE_COLUMNS)
