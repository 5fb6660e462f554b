"""Tokens: words, names and numbers of a text, and the word lists they are filtered by.

- :data:`WORD` and :func:`word_tokens`: the words lexical comparison sees (alignment's
  shared phrasing, vocabulary's terms): lower case, accents and punctuation gone.
- :data:`TOKEN`: words that keep inner dots, apostrophes and hyphens (names such as
  "U.S." or "NATO-led", numbers such as "3.5"); :func:`anchors` and the events' names and
  numbers read them.
- :func:`anchors`: the names, numbers and dates of a sentence, normalised;
  :func:`quantities`: its numbers by unit ("5 people", "$3 million", "Sept. 1").
- :func:`word_set` and the stop-word lists. There are three, and they differ on purpose
  (merging them would change what each finds; see each list's comment).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as _SKLEARN_ENGLISH

WORD = re.compile(r"\w+")
TOKEN = re.compile(r"[\w'’.-]+")  # names with dots and hyphens


T = TypeVar("T")


def per_text(function: Callable[[str], T], size: int = 1 << 16) -> Callable[[str], T]:
    """``function`` of a sentence, memoised for the ``size`` texts last seen: wire copy
    repeats sentences word for word, and each is analysed once. Equal texts share one
    result: read it, never change it."""
    return functools.lru_cache(maxsize=size)(function)


def word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words`` as a frozen set."""
    return frozenset(words.split())


# --------------------------------------------------------------------------- stop words

# scikit-learn's English list (318 words; the list of ``stop_words="english"``, which the
# TF-IDF views of events and document similarity use by that name). Broad: it holds words
# that are content in news ("fire", "bill", "system", "five", "former"), which is right for
# what reads it: whether a sentence's capitalised first word is a name (anchors), whether
# the word after a number is its unit (quantities), and claim labels.
ENGLISH_STOP_WORDS = frozenset(_SKLEARN_ENGLISH)

# The function words a distinctive phrase may neither begin nor end with (vocabulary):
# narrower than scikit-learn's, so that "fire", "bill" or "former" can be an outlet's
# distinctive word, and with the pieces a tokeniser leaves of contractions ("don", "ll").
PHRASE_STOP_WORDS = word_set(
    """a about above after again against all almost also am an and any are as at be because
    been before being below between both but by can could did do does doing don down during
    each either else even ever every few for from further had has have having he her here
    hers herself him himself his how however i if in into is it its itself just least less
    like ll many may me might mine more most much must my myself neither no nor not now of
    off on once one only or other our ours ourselves out over own per re s same shall she
    should since so some such t than that the their theirs them themselves then there these
    they this those though through thus to too under until up upon us very via was we were
    what when where whether which while who whom whose why will with within without would
    yet you your yours yourself yourselves ve d m"""
)

# The words that end the look-ahead for the noun a number counts (facts): articles,
# prepositions, auxiliaries and pronouns only. "3,700 more troops" must reach "troops",
# so quantity words ("more", "many", "few", "some") and adverbs are not stops here.
UNIT_STOP_WORDS = word_set(
    """of in to and or the a an were was is are have has had will would from at on for by
    with who that which since after before than as per its their his her this these those
    it they we"""
)


# --------------------------------------------------------------------------- words


def fold(token: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def word_tokens(text: str) -> list[str]:
    """Lower-cased words without accents or punctuation ("Vučić's" -> ["vucic", "s"])."""
    if text.isascii():  # nothing to fold: most news text, much faster
        return WORD.findall(text.lower())
    return WORD.findall(fold(text))


# --------------------------------------------------------------------------- anchors

MONTHS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}
MONTH_NAMES = frozenset(MONTHS.values()) | {"may"}
ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def anchors(sentence: str) -> set[str]:
    """Names and numbers of a sentence, normalised: capitalised words (a sentence's
    first word only when it is not a stop word), tokens with digits, month
    abbreviations spelled out, ordinals as numbers, accents and case folded."""
    found = set()
    for i, token in enumerate(TOKEN.findall(sentence)):
        token = token.strip(".,'’-")
        if not token:
            continue
        upper = token[0].isupper()
        digit = not token.isalpha() and any(ch.isdigit() for ch in token)
        if not upper and not digit:
            continue  # neither a name nor a number: no need to fold it
        lower = token.lower() if token.isascii() else fold(token)
        capital = upper and (i > 0 or lower not in ENGLISH_STOP_WORDS)
        if capital or digit:
            lower = MONTHS.get(lower, lower)
            found.add(ORDINAL.sub(r"\1", lower))
    return found


# --------------------------------------------------------------------------- quantities

NUMBER = re.compile(r"([$£€])?(\d[\d,]*(?:\.\d+)?)(%)?")
QUANTITY_TOKEN = re.compile(r"[$£€]?\d[\d,]*(?:\.\d+)?%?|[\w'’.-]+")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
WORD_NUMBERS = {w: i for i, w in enumerate(_NUMBER_WORDS.split())}
SCALES = {"hundred", "thousand", "million", "billion", "trillion", "m", "bn", "k"}
YEAR = re.compile(r"^(1[89]|20)\d\d$")


def quantities(sentence: str) -> dict[str, set[float]]:
    """Numbers of a sentence by unit: ``{unit: {values}}``.

    The unit of a number is its currency sign or percent sign, ``year`` for a
    four-digit year, the month for a day after a month name ("Sept. 1"), else the
    next word that is not a scale word ("5 people", "$3 million" -> "$" with
    "million" kept in the value). Number words up to twenty count ("five people").
    Digits inside a word (COVID-19, F-16) are not quantities.
    """
    words = QUANTITY_TOKEN.findall(sentence)
    found: dict[str, set[float]] = {}
    for i, raw in enumerate(words):
        token = raw.strip(".,'’")
        lower = token.lower()
        value: float | None = None
        unit: str | None = None
        match = NUMBER.fullmatch(token) if token else None
        if match:
            try:
                value = float(match.group(2).replace(",", ""))
            except ValueError:
                continue
            unit = match.group(1) or match.group(3)
        elif lower in WORD_NUMBERS:
            value = float(WORD_NUMBERS[lower])
        else:
            continue
        following = [w.strip(".,'’").lower() for w in words[i + 1 : i + 3]]
        if following and following[0] in SCALES:
            value *= {
                "hundred": 1e2,
                "thousand": 1e3,
                "k": 1e3,
                "million": 1e6,
                "m": 1e6,
                "billion": 1e9,
                "bn": 1e9,
                "trillion": 1e12,
            }[following[0]]
            following = following[1:]
        previous = (
            MONTHS.get(words[i - 1].strip(".,").lower(), words[i - 1].strip(".,").lower())
            if i
            else ""
        )
        if unit is None and following and following[0] in ("percent", "%"):
            unit = "%"
        if unit is None and YEAR.match(token):
            unit = "year"
        if unit is None and previous in MONTH_NAMES:
            unit = previous
        if (
            unit is None
            and following
            and following[0].isalpha()
            and following[0] not in ENGLISH_STOP_WORDS
        ):
            unit = following[0][:-1] if following[0].endswith("s") else following[0]
        if unit is not None:
            found.setdefault(unit, set()).add(value)
    return found
