"""Speaker names: titles stripped, accents folded, and surname-only mentions and obvious
typos merged into one canonical name per event (:func:`normalise_speakers`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from framelens.quotes.names import (
    _COURTESY,
    _ROLE_WORDS,
    _TITLES,
    _fold,
    _is_possessive,
    _strip_possessive,
)

MAX_TYPO_DISTANCE = 2
MIN_TYPO_LENGTH = 5
MAX_TYPO_SUFFIX = 3


def strip_titles(name: str) -> str:
    """The bare name: role and courtesy titles, possessives and punctuation removed.

    "Serbian President Aleksandar Vucic" -> "Aleksandar Vucic", "Mr. Vučić’s" -> "Vučić",
    "Kosovo’s Interior Minister, Xhelal Svecla" -> "Xhelal Svecla".
    """
    tokens = [t.strip(",.;:") for t in name.replace(",", " ").split()]
    tokens = [t for t in tokens if t]
    cut = 0
    for i, token in enumerate(tokens):
        bare = _strip_possessive(token)
        if (
            bare.lower() in _COURTESY
            or bare in _TITLES
            or bare.lower() in _ROLE_WORDS
            or (_is_possessive(token) and i < len(tokens) - 1)
        ):
            cut = i + 1
    kept = [_strip_possessive(t) for t in tokens[cut:]]
    return " ".join(kept)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions) between two strings."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _typo_match(token: str, surnames: Iterable[str]) -> str | None:
    """The known surname that ``token`` (casefolded) is an obvious typo of, when unique.

    A typo starts with the same letter, both have at least ``MIN_TYPO_LENGTH`` letters,
    and it is within ``MAX_TYPO_DISTANCE`` edits of the surname ("vuvic" -> "vucic") or is
    the surname plus up to ``MAX_TYPO_SUFFIX`` stray letters ("vucicofi" -> "vucic"). Short
    names are never merged ("kurz" is not "kurti").
    """
    scored = []
    for surname in surnames:
        if min(len(surname), len(token)) < MIN_TYPO_LENGTH or surname[0] != token[0]:
            continue
        if token.startswith(surname) and len(token) - len(surname) <= MAX_TYPO_SUFFIX:
            scored.append((0, surname))
        elif (distance := edit_distance(token, surname)) <= MAX_TYPO_DISTANCE:
            scored.append((distance, surname))
    if not scored:
        return None
    scored.sort()
    best = [s for d, s in scored if d == scored[0][0]]
    return best[0] if len(best) == 1 else None


def normalise_speakers(names: Iterable[str]) -> dict[str, str]:
    """Map each name as written to one canonical speaker name.

    ``names`` are the name mentions of one event, as written (titles and roles allowed;
    repeats count). Steps: strip titles and roles (:func:`strip_titles`) and fold accents;
    a full name (two or more words) keys its surname (last word); a surname alone, or a
    full name with that surname, maps to the longest full name with that surname
    ("Kurti" -> "Albin Kurti"), unless two full names with different first names share it
    (then it is left as is). A surname that no full name has but that is an obvious typo
    of one (:func:`_typo_match`: "Vuvic", "Vučicofi") maps like that surname; a one-word
    name with no full name may still be a typo of a more frequent one-word name. Other
    names map to their bare, folded form. Returns ``{name as written: canonical}``.
    """
    mentions = list(names)
    bare = {name: _fold(strip_titles(name)) or _fold(name.strip()) for name in mentions}
    canonical = _canonical_full_names(bare.values())
    singles = _frequent_single_names([bare[name] for name in mentions], canonical)
    mapping = {}
    for name in dict.fromkeys(mentions):
        tokens = bare[name].split()
        surname = tokens[-1].casefold()
        if surname not in canonical:
            surname = _typo_match(surname, canonical) or surname
        target = canonical.get(surname)
        if target is not None and set(tokens[:-1]) <= set(target.split()):
            mapping[name] = target
        elif len(tokens) == 1:
            mapping[name] = singles.get(surname, bare[name])
        else:
            mapping[name] = bare[name]
    return mapping


def _canonical_full_names(names: Iterable[str]) -> dict[str, str]:
    """Surname (casefolded) -> the longest full name with it, for surnames whose full
    names agree (every one's words are in the longest); ambiguous surnames are left out."""
    full: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        tokens = name.split()
        if len(tokens) >= 2:
            full.setdefault(tokens[-1].casefold(), []).append(name)
    canonical = {}
    for surname, fulls in full.items():
        longest = max(fulls, key=lambda n: (len(n.split()), len(n)))
        if all(set(n.split()) <= set(longest.split()) for n in fulls):
            canonical[surname] = longest
    return canonical


def _frequent_single_names(names: list[str], canonical: dict[str, str]) -> dict[str, str]:
    """For one-word names without a full name: casefolded name -> the more frequent
    one-word name it is a typo of (ties: the one seen first), or its own form."""
    counts = Counter(n for n in names if " " not in n and n.casefold() not in canonical)
    order = {name: -i for i, name in reversed(list(enumerate(names)))}
    ranked = sorted(counts, key=lambda n: (counts[n], order[n]), reverse=True)
    found: dict[str, str] = {}
    for i, name in enumerate(ranked):
        anchors = {a.casefold(): a for a in ranked[:i]}
        match = _typo_match(name.casefold(), anchors)
        found.setdefault(name.casefold(), found[match] if match else name)
    return found
