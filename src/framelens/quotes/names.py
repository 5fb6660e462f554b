"""Names in a sentence: name phrases with their roles and titles, and whether a name is a
person rather than a place or an organisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a frozen set."""
    return frozenset(text.split())


_COURTESY = _words("mr mrs ms miss dr prof sir dame")
_TITLES = _words(
    """President Premier Prime Minister Secretary General Chancellor Foreign Interior Defence
    Defense Finance Deputy Vice Chief Spokesman Spokeswoman Spokesperson Ambassador Envoy
    Commissioner Chairman Chairwoman Chair Head Leader King Queen Pope Senator Sen Governor
    Gov Mayor Director Representative High Gen Col Lt Capt Commander Speaker Justice Judge
    Rep"""
)
_ROLE_WORDS = frozenset(t.lower() for t in _TITLES) | _words(
    "policy affairs official spokesman spokeswoman spokesperson envoy"
)
_STOP_CAPS = _words(
    """The A An He She It They We I You This That These Those There Here His Her Their Its Our
    My Your But And Or In On At As After Before When While If So Yet However Meanwhile Then
    Now Still Also Although Though Because Since What Why How Where Who Which Some Many Most
    All No Not For From With By To Last Next One Two Three Such Each Both Neither Nor Once
    Instead Later Earlier Today Yesterday Tomorrow Thus Therefore Moreover Furthermore
    Nevertheless Asked According Under Even Only Monday Tuesday Wednesday Thursday Friday
    Saturday Sunday January February March April May June July August September October
    November December Good Our"""
)
_ORG_WORDS = _words(
    """Union Nations States Organization Organisation Force Forces Council Commission Agency
    Ministry Government Party Army Alliance Bank Fund Court Parliament Assembly Office
    Department Republic Kingdom News Press Times Post Company Group Institute University
    Police Treaty"""
)
_WORD_RE = re.compile(r"[^\W\d_][\w’'\-]*")


@dataclass(frozen=True)
class NamePhrase:
    """A name in a sentence with the role words before it.

    ``raw`` as written ("Serbian President Aleksandar Vucic"), ``name`` the name part
    ("Aleksandar Vucic"), ``role`` ("Serbian President") or None; ``titled`` when a role
    or courtesy title (Mr., Dr.) comes with it; ``possessive`` for "Vučić’s".
    """

    raw: str
    name: str
    role: str | None
    start: int
    end: int
    titled: bool
    possessive: bool


@dataclass(frozen=True)
class _Token:
    """A word of a sentence and its kind: courtesy, title, role, cap, poss or other."""

    word: str
    kind: str
    start: int
    end: int


def _is_possessive(word: str) -> bool:
    """True for "Serbia’s", "Kurti's"."""
    return word.endswith(("’s", "'s"))


def _strip_possessive(word: str) -> str:
    """ "Vučić’s" -> "Vučić"."""
    return word[:-2] if _is_possessive(word) else word


def _token_kind(word: str) -> str:
    """Kind of one word for name finding (see :class:`_Token`)."""
    bare = _strip_possessive(word)
    if bare.lower() in _COURTESY:
        return "courtesy"
    if word[0].isupper():
        if bare in _TITLES:
            return "title"
        if bare in _STOP_CAPS:
            return "other"
        return "poss" if _is_possessive(word) else "cap"
    return "role" if word in _ROLE_WORDS else "other"


def _word_runs(masked: str) -> list[list[_Token]]:
    """Runs of words separated by spaces only (or ". " after Mr/Dr): names never cross
    punctuation or quotes."""
    runs: list[list[_Token]] = []
    previous: _Token | None = None
    for match in _WORD_RE.finditer(masked):
        token = _Token(match.group(), _token_kind(match.group()), match.start(), match.end())
        gap = masked[previous.end : token.start] if previous else ""
        joined = previous is not None and (
            (gap.isspace() and "\n" not in gap)
            or (previous.kind == "courtesy" and gap.startswith(".") and gap[1:].isspace())
        )
        if joined:
            runs[-1].append(token)
        else:
            runs.append([token])
        previous = token
    return runs


def _phrase_from_tokens(tokens: list[_Token], text: str) -> NamePhrase | None:
    """The name phrase of a run of name-like tokens: trailing capitalised words are the
    name, the words before it the role; None without a name."""
    end = len(tokens)
    possessive = tokens[-1].kind == "poss"
    first = end - 1 if possessive else end
    while first > 0 and tokens[first - 1].kind == "cap":
        first -= 1
    if first == end:
        return None
    name = " ".join(_strip_possessive(t.word) for t in tokens[first:])
    role_tokens = [t for t in tokens[:first] if t.kind != "courtesy"]
    role = " ".join(t.word for t in role_tokens).replace("’", "'") or None
    titled = first > 0 and any(t.kind in ("courtesy", "title", "role") for t in tokens[:first])
    return NamePhrase(
        text[tokens[0].start : tokens[-1].end],
        name,
        role,
        tokens[0].start,
        tokens[-1].end,
        titled,
        possessive,
    )


def name_phrases(masked: str, text: str) -> list[NamePhrase]:
    """Names in one sentence, in order. ``masked`` is the sentence with quoted words masked
    (names inside quotes do not count); ``text`` the sentence as written.

    A role phrase followed by ", Name," is merged into one phrase ("Kosovo’s Interior
    Minister, Xhelal Svecla").
    """
    phrases: list[NamePhrase] = []
    role_only: dict[int, tuple[int, str]] = {}  # end of a role without a name -> start, role
    for run in _word_runs(masked):
        chunk: list[_Token] = []
        for token in [*run, None]:
            if token is not None and token.kind != "other":
                chunk.append(token)
                continue
            if chunk:
                phrase = _phrase_from_tokens(chunk, text)
                if phrase is not None:
                    phrases.append(_merge_appositive(phrase, role_only, masked, text))
                elif any(t.kind in ("title", "role") for t in chunk):
                    role_only[chunk[-1].end] = (chunk[0].start, " ".join(t.word for t in chunk))
            chunk = []
    return phrases


def _merge_appositive(
    phrase: NamePhrase, role_only: dict[int, tuple[int, str]], masked: str, text: str
) -> NamePhrase:
    """Merge "Interior Minister, Xhelal Svecla" into one phrase when the name has no role
    and comes right after a role and a comma."""
    if phrase.role is not None:
        return phrase
    for end, (start, role) in role_only.items():
        if re.fullmatch(r",\s*", masked[end : phrase.start]):
            return NamePhrase(
                text[start : phrase.end],
                phrase.name,
                role.replace("’", "'"),
                start,
                phrase.end,
                True,
                phrase.possessive,
            )
    return phrase


def _fold(text: str) -> str:
    """Accents removed ("Vučić" -> "Vucic"), case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@dataclass(frozen=True)
class _Known:
    """What a document says about its names: ``surnames`` of multi-word person names and
    ``modifiers``, words that also qualify other names ("Kosovo" in "Kosovo Premier Albin
    Kurti" or "Kosovo Force"), so that a name ending in one is a place, not a person."""

    surnames: frozenset[str] = frozenset()
    modifiers: frozenset[str] = frozenset()


def _key(word: str) -> str:
    """Comparison key of a name word: accents folded, case folded."""
    return _fold(word).casefold()


def _looks_like_person(phrase: NamePhrase, known: _Known) -> bool:
    """A person rather than a place or organisation: titled; or two or more name words,
    none an acronym or an organisation word, the last not a modifier ("Muslim Kosovo");
    or a known surname alone."""
    if phrase.titled:
        return True
    tokens = phrase.name.split()
    if any(t.isupper() and len(t) > 1 for t in tokens) or any(t in _ORG_WORDS for t in tokens):
        return False
    if len(tokens) >= 2:
        return _key(tokens[-1]) not in known.modifiers
    return _key(tokens[0]) in known.surnames
