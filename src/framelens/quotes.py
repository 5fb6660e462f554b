"""Quotations and who is quoted: quote spans, their speakers, and each outlet's share of voice.

:func:`find_quotes` reads a document's content sentences in order and returns one row per
quote. Three kinds:

``direct``
    Words inside quotation marks (straight ``"``, curly ``“ ”``; single curly ``‘ ’`` are
    kept inside as nested quotes), at least ``MIN_DIRECT_WORDS`` (4) words. A quote may
    open in one sentence and close in a later one. A partial quote inside reported speech
    ("Kurti told Reuters that Belgrade could turn to “an assault against Kosovo”") is a
    direct quote of that speaker.
``scare``
    One to three quoted words: a scare quote (a so-called “special operation”) or a quoted
    fragment ("it was “a lie”"). They are never counted as a speaker's quote
    (:func:`speaker_shares` skips them), but ``speaker`` is filled when the sentence
    attributes speech to someone, since such fragments are often the speaker's own words.
``indirect``
    Reported speech without quotation marks: "Stoltenberg said NATO-led troops have ...",
    "Vucic reiterated his appeal that ...", and sentences whose quotation marks are missing
    ("Our land is ours, he said."). The quote is the reported clause. A speech verb whose
    sentence holds a direct quote attributed to it gives no indirect row (no double count).

Attribution, in this order for a quote: an attribution right after it (``“...,” Vucic
told reporters``, ``“...,” said Vucic``, ``“...,” he said``, ``“...,” Malush Bajraj, 41,
a resident of Pristina, told Reuters``); else the nearest speech verb before it in its first
sentence whose subject is known (``Borrell, speaking before the meeting, said “...”``,
``Mr Vucic said Serbia would ... and accused Kosovo of “...”``, ``according to X, “...”``);
else the colon form (``Vucic expected a difficult conversation with Kurti: "..."``: the
sentence's subject speaks); else, for a sentence that is nothing but a quote, the speaker of
the quote or reported speech at most ``CONTINUATION_WINDOW`` (2) sentences earlier in the
same document (news copy continues a speaker's quote in the next sentence).

``he``/``she`` resolve to the most recent named person who spoke or was the subject of a
sentence earlier in the same document (``speaker`` stays None when there is none).
Speaker names are normalised across each event with :func:`normalise_speakers`.

Known limits: common-noun speakers ("the minister said") and plural speakers ("residents
say") are not attributed; organisations and places can speak ("Kosovo said ...").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from framelens.lookup import run_bounds
from framelens.overlap import outlet_keys

__all__ = [
    "QUOTE_COLUMNS",
    "SHARE_COLUMNS",
    "count_words",
    "find_quotes",
    "normalise_speakers",
    "quote_spans",
    "speaker_shares",
]

QUOTE_COLUMNS = [
    "quote_id", "doc_id", "sent_ids", "quote", "kind", "speaker_raw", "speaker", "role",
    "verb", "n_words", "attribution",
]
SHARE_COLUMNS = [
    "outlet", "speaker", "n_quotes", "n_direct", "quoted_words", "share_of_quoted_words",
]
MIN_DIRECT_WORDS = 4
CONTINUATION_WINDOW = 2
UNATTRIBUTED_SPEAKER = "(unattributed)"
MAX_TYPO_DISTANCE = 2
MIN_TYPO_LENGTH = 5
MAX_TYPO_SUFFIX = 3

_MASK = "¤"
_OPEN, _CLOSE, _STRAIGHT = "“", "”", '"'


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` as a frozen set."""
    return frozenset(text.split())


SPEECH_VERBS = _words(
    """said says told tells tweeted tweets wrote writes added adds claimed claims accused
    accuses stated announced announces insisted insists warned warns explained noted argued
    asserted declared replied responded stressed emphasised emphasized acknowledged admitted
    denied reiterated urged asked commented remarked posted vowed promised confirmed
    maintained"""
)
# verbs whose reported clause may follow directly ("said it was a lie"); the others need
# "that" ("told reporters that ...", "reiterated his appeal that ...")
_BARE_CLAUSE_VERBS = _words(
    """said says claimed claims stated added adds insisted insists noted argued wrote writes
    tweeted tweets warned warns explained asserted stressed emphasised emphasized
    acknowledged admitted confirmed maintained"""
)
_NOT_A_CLAUSE_START = _words(
    """on in at to after before during when while as last this earlier later of for from by
    with about is was are were be been"""
)
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
_PRONOUNS = _words("he she He She")
_ADVERBS = (
    r"(?:also|again|later|then|previously|repeatedly|once|has|had|have|reportedly|separately|"
    r"further|publicly|earlier|first|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday))"
)
_WORD_RE = re.compile(r"[^\W\d_][\w’'\-]*")
_VERB_RE = re.compile(
    r"\b(?:(?P<according>[Aa]ccording\s+to)|(?P<verb>" + "|".join(sorted(SPEECH_VERBS)) + r"))\b"
)
_GAP_BEFORE_VERB_RE = re.compile(r"(?:\s*,[^" + _MASK + r"]*?,)?\s*(?:" + _ADVERBS + r"\s+)*")
_PRONOUN_BEFORE_RE = re.compile(r"\b(?P<pronoun>[Hh]e|[Ss]he)\s+(?:" + _ADVERBS + r"\s+)*$")
_COORDINATED_RE = re.compile(r"\b(?:and|but|then|also)\s+(?:also\s+)?$")
_NEXT_VERB_RE = re.compile(
    r"[,;]?\s+(?:and|but)\s+(?:also\s+)?(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b"
    r"|,\s*according\s+to\b"
)
_THAT_RE = re.compile(r"\bthat\b")
_PREPOSITION_BEFORE_RE = re.compile(
    r"\b(?:in|of|at|from|with|to|by|for|on|between|against|among|into)\s+$"
)
_AGE_RE = re.compile(r"^\d{1,3}\s*,\s*")
_TRAILING_TAIL_RE = re.compile(r"(?:\s+[^,.;:!?" + _MASK + r"]{0,40})?[.!?]?\s*$")
_LETTER_RE = re.compile(r"[^\W\d_]")


# --------------------------------------------------------------------------- quote marks


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
        elif mark == _OPEN or (mark == _STRAIGHT and (open_at is None
                                                      or _opens_quote(text, at))):
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
    inner = text.strip().strip("“”\"").strip()
    return " ".join(inner.split()).rstrip(",;: ")


# --------------------------------------------------------------------------- names


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
    """"Vučić’s" -> "Vučić"."""
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
        gap = masked[previous.end:token.start] if previous else ""
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
    return NamePhrase(text[tokens[0].start:tokens[-1].end], name, role, tokens[0].start,
                      tokens[-1].end, titled, possessive)


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


def _merge_appositive(phrase: NamePhrase, role_only: dict[int, tuple[int, str]], masked: str,
                      text: str) -> NamePhrase:
    """Merge "Interior Minister, Xhelal Svecla" into one phrase when the name has no role
    and comes right after a role and a comma."""
    if phrase.role is not None:
        return phrase
    for end, (start, role) in role_only.items():
        if re.fullmatch(r",\s*", masked[end:phrase.start]):
            return NamePhrase(text[start:phrase.end], phrase.name, role.replace("’", "'"),
                              start, phrase.end, True, phrase.possessive)
    return phrase


def _fold(text: str) -> str:
    """Accents removed ("Vučić" -> "Vucic"), case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                 if not unicodedata.combining(c)))


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


# --------------------------------------------------------------------------- speakers


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
        if (bare.lower() in _COURTESY or bare in _TITLES or bare.lower() in _ROLE_WORDS
                or (_is_possessive(token) and i < len(tokens) - 1)):
            cut = i + 1
    kept = [_strip_possessive(t) for t in tokens[cut:]]
    return " ".join(kept)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions) between two strings."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
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


# --------------------------------------------------------------------------- attribution


@dataclass(frozen=True)
class Subject:
    """Who a speech verb belongs to: a name phrase or a pronoun (``phrase`` None)."""

    raw: str
    phrase: NamePhrase | None
    start: int
    role: str | None = None


@dataclass(frozen=True)
class Attribution:
    """A speech verb in a sentence and its subject; ``anchor`` is where the attribution
    starts (the subject when it comes first, else the verb)."""

    verb: str
    start: int
    end: int
    anchor: int
    subject: Subject | None


def _appositive_role(text: str) -> str | None:
    """The role in an appositive ", 41, an ethnic Albanian resident of Pristina," (age
    dropped), or None when it is empty."""
    role = _AGE_RE.sub("", text.strip().strip(",").strip()).strip()
    return role.replace("’", "'") or None


def _subject_before(masked: str, at: int, phrases: list[NamePhrase]) -> Subject | None:
    """The name (or he/she) right before position ``at``, allowing an appositive between
    commas and adverbs ("also", "has", "on Wednesday")."""
    pronoun = _PRONOUN_BEFORE_RE.search(masked[:at])
    if pronoun:
        return Subject(pronoun.group("pronoun"), None, pronoun.start("pronoun"))
    for phrase in sorted((p for p in phrases if p.end <= at and not p.possessive),
                         key=lambda p: -p.end):
        if _PREPOSITION_BEFORE_RE.search(masked[:phrase.start]):
            continue  # "the government in Pristina announced": not the subject
        gap = masked[phrase.end:at]
        appositive_name = phrase.titled and phrase.raw.count(",") > 0
        if _GAP_BEFORE_VERB_RE.fullmatch(gap) or (appositive_name and
                                                  re.fullmatch(r"\s*,\s*", gap)):
            role = phrase.role
            if role is None and gap.strip().startswith(","):
                role = _appositive_role(gap)
            return Subject(phrase.raw, phrase, phrase.start, role)
    return None


def _subject_after(masked: str, at: int, phrases: list[NamePhrase]) -> Subject | None:
    """The name right after position ``at`` ("said Nenad Radosavljevic, editor in chief of
    RTV Mir, ..."), with the role from an appositive after it when it has none."""
    for phrase in phrases:
        if phrase.start >= at and not phrase.possessive and masked[at:phrase.start].isspace():
            role = phrase.role
            appositive = re.match(r",\s*([^,;." + _MASK + r"]+)", masked[phrase.end:])
            if role is None and appositive:
                role = _appositive_role(appositive.group(1))
            return Subject(phrase.raw, phrase, phrase.start, role)
    return None


def sentence_subject(masked: str, phrases: list[NamePhrase]) -> Subject | None:
    """The subject of a sentence: a name or he/she opening it, or opening the clause after
    its first comma ("Meanwhile, NATO Secretary General Jens Stoltenberg ...")."""
    opening = len(masked) - len(masked.lstrip(_MASK + " ,"))
    starts = {opening}
    comma = masked.find(",", opening)
    if comma >= 0:
        after = masked[comma + 1:]
        starts.add(comma + 1 + len(after) - len(after.lstrip()))
    pronoun = re.match(r"\s*(He|She)\b", masked[opening:])
    if pronoun:
        return Subject(pronoun.group(1), None, opening + pronoun.start(1))
    for phrase in phrases:
        if phrase.start in starts and not phrase.possessive:
            return Subject(phrase.raw, phrase, phrase.start, phrase.role)
    return None


def attributions(masked: str, phrases: list[NamePhrase]) -> list[Attribution]:
    """Every speech verb of a sentence (outside quotes) with its subject, in order.

    The subject is the name or pronoun right before the verb; for a verb right after a
    quote, the name right after it ("“...,” said Vucic"); for "according to", the name
    after it; for a coordinated verb ("... and added"), the previous verb's subject or the
    sentence's subject. ``subject`` is None when none is found ("The said agreement").
    """
    found: list[Attribution] = []
    for match in _VERB_RE.finditer(masked):
        start, end = match.start(), match.end()
        verb = "according to" if match.group("according") else match.group("verb")
        subject: Subject | None
        if match.group("according"):
            subject = _subject_after(masked, end, phrases)
        else:
            subject = _subject_before(masked, start, phrases)
            if subject is None and re.search(r"(?:" + _MASK + r"|,)\s*$", masked[:start]):
                subject = _subject_after(masked, end, phrases)
            if subject is None and _COORDINATED_RE.search(masked[:start]):
                previous = next((a.subject for a in reversed(found) if a.subject), None)
                subject = previous or sentence_subject(masked, phrases)
        anchor = min(start, subject.start) if subject and subject.start < start else start
        found.append(Attribution(verb, start, end, anchor, subject))
    return found


def reported_clause(text: str, masked: str, att: Attribution) -> tuple[int, int] | None:
    """Span of the clause an attribution reports ("said [it was a lie that ...]"), cut at
    a following coordinated speech verb; None when the verb reports no clause here
    ("told reporters in Belgrade", "said on Instagram", "what Pristina says is ...").
    """
    if att.verb == "according to":
        return _according_to_clause(masked, att)
    rest = masked[att.end:]
    first_words = _WORD_RE.findall(rest)[:8]
    that = _THAT_RE.search(rest)
    if that and "that" in first_words and not re.search(r"[" + _MASK + ".;]",
                                                        rest[:that.start()]):
        start = att.end + that.end()
    elif att.verb in _BARE_CLAUSE_VERBS and first_words and re.match(r"\s+\S", rest) \
            and first_words[0].lower() not in _NOT_A_CLAUSE_START:
        start = att.end
    else:
        return None
    stop = _NEXT_VERB_RE.search(masked, start)
    end = stop.start() if stop else len(text)
    return start, end


def _according_to_clause(masked: str, att: Attribution) -> tuple[int, int] | None:
    """The clause of "According to X, [...]" or "[...], according to X"."""
    if att.subject is None or att.subject.phrase is None:
        return None
    if masked[:att.start].strip(" ,") == "":
        comma = masked.find(",", att.subject.phrase.end)
        return (comma + 1, len(masked)) if comma >= 0 else None
    before = masked[:att.start].rstrip()
    return (0, len(before.rstrip(","))) if before.endswith(",") else None


def unmarked_quote(masked: str, att: Attribution) -> tuple[int, int] | None:
    """Span of the words a sentence-final attribution reports when the quotation marks are
    missing ("Our land is ours, he said.", "..., said Vucic."); None otherwise."""
    if _MASK in masked or att.subject is None:
        return None
    before = masked[:att.anchor].rstrip()
    after = masked[att.end:]
    if att.subject.start > att.start and att.subject.phrase is not None:
        after = masked[att.subject.phrase.end:]
    if not before.endswith(",") or not _TRAILING_TAIL_RE.fullmatch(after):
        return None
    return 0, len(before) - 1


# --------------------------------------------------------------------------- documents


@dataclass
class _Sentence:
    """One sentence of a document during quote finding."""

    sent_id: str
    text: str
    offset: int
    masked: str = ""
    phrases: list[NamePhrase] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    subject: Subject | None = None


@dataclass
class _Quote:
    """A quote before speaker names are normalised; ``name`` is the name as written of the
    speaker (a pronoun's antecedent), ``sentences`` index the document's sentences."""

    at: int
    sentences: list[int]
    quote: str
    kind: str
    speaker_raw: str | None = None
    name: str | None = None
    role: str | None = None
    verb: str | None = None
    attribution: str | None = None
    attribution_key: tuple[int, int] | None = None


@dataclass
class _DocumentQuotes:
    """Quotes of one document, plus the person names and roles it mentions."""

    doc_id: str
    sent_ids: list[str]
    quotes: list[_Quote]
    persons: list[str]
    roles: list[tuple[str, str]]


def _document_sentences(rows: list[tuple[object, ...]], has_paragraphs: bool
                        ) -> tuple[str, list[_Sentence]]:
    """The document text (sentences joined by spaces, paragraphs by line breaks) and its
    sentences with their offsets in it. ``rows``: ``(sent_id, text)``, plus ``paragraph``
    when ``has_paragraphs``, in order."""
    sentences: list[_Sentence] = []
    parts: list[str] = []
    offset = 0
    previous_paragraph = None
    for row in rows:
        sent_id, raw = row[0], row[1]
        paragraph = row[2] if has_paragraphs else None
        if parts:
            same = not has_paragraphs or paragraph == previous_paragraph
            parts.append(" " if same else "\n")
            offset += 1
        text = str(raw).replace("\n", " ")
        sentences.append(_Sentence(str(sent_id), text, offset))
        parts.append(text)
        offset += len(text)
        previous_paragraph = paragraph
    return "".join(parts), sentences


def _sentence_at(sentences: list[_Sentence], at: int) -> int:
    """Index of the sentence holding document offset ``at``."""
    index = 0
    for i, sentence in enumerate(sentences):
        if sentence.offset <= at:
            index = i
    return index


def _capped_spans(text: str, sentences: list[_Sentence],
                  by_sentence: bool) -> list[tuple[int, int, bool]]:
    """Quote spans of a document; without paragraph information an unclosed quote ends
    with the sentence it opened in."""
    spans = []
    for start, end, closed in quote_spans(text):
        if not closed and by_sentence:
            first = sentences[_sentence_at(sentences, start)]
            end = min(end, first.offset + len(first.text))
        spans.append((start, end, closed))
    return spans


def _resolve_pronoun(salient: list[tuple[int, int, str]], sentence: int,
                     at: int) -> str | None:
    """The most recent person (speaker or subject) mentioned before (sentence, at)."""
    earlier = [name for s, a, name in salient if (s, a) < (sentence, at)]
    return earlier[-1] if earlier else None


def _speaker_of(subject: Subject | None, salient: list[tuple[int, int, str]], index: int,
                ) -> tuple[str | None, str | None, str | None, str | None]:
    """``(speaker_raw, name, role, attribution)`` for a subject found in sentence ``index``."""
    if subject is None:
        return None, None, None, None
    if subject.phrase is None:
        name = _resolve_pronoun(salient, index, subject.start)
        return subject.raw, name, None, "pronoun"
    return subject.raw, subject.phrase.name, subject.role, "name"


def _colon_speaker(sentence: _Sentence, local_start: int) -> tuple[Subject | None, str | None]:
    """Subject and verb of a colon-introduced quote ("Vucic expected ...: "...""), or
    ``(None, None)`` when the quote does not follow a colon."""
    if not sentence.masked[:local_start].rstrip().endswith(":"):
        return None, None
    subject = sentence.subject
    if subject is None:
        return None, None
    end = subject.phrase.end if subject.phrase else subject.start + len(subject.raw)
    verb = re.match(r"\s+(?:also\s+)?([a-z]+)\b", sentence.masked[end:])
    return subject, verb.group(1) if verb else None


def _attribute_quote(quote: _Quote, spans: tuple[int, int], sentences: list[_Sentence],
                     salient: list[tuple[int, int, str]], previous: list[_Quote]) -> None:
    """Fill a quote's speaker, role, verb and attribution (see the module docstring)."""
    first, last = quote.sentences[0], quote.sentences[-1]
    local_start = spans[0] - sentences[first].offset
    local_end = spans[1] - sentences[last].offset
    chosen: Attribution | None = None
    for att in sentences[last].attributions:
        if att.anchor >= local_end and re.fullmatch(r"[\s,]*",
                                                    sentences[last].masked[local_end:att.anchor]):
            chosen, key = att, (last, att.start)
            break
    if chosen is None:
        before = [a for a in sentences[first].attributions
                  if a.end <= local_start and a.subject is not None]
        if before:
            chosen, key = before[-1], (first, before[-1].start)
    if chosen is not None:
        quote.speaker_raw, quote.name, quote.role, quote.attribution = _speaker_of(
            chosen.subject, salient, key[0])
        quote.verb, quote.attribution_key = chosen.verb, key
        return
    subject, verb = _colon_speaker(sentences[first], local_start)
    if subject is not None:
        quote.speaker_raw, quote.name, quote.role, quote.attribution = _speaker_of(
            subject, salient, first)
        quote.verb = verb
        return
    _continue_quote(quote, sentences, previous)


def _continue_quote(quote: _Quote, sentences: list[_Sentence], previous: list[_Quote]) -> None:
    """Give a sentence that is nothing but a quote the speaker of the quote just before."""
    outside = "".join(sentences[i].masked for i in quote.sentences)
    if _LETTER_RE.search(outside):
        return
    for earlier in reversed(previous):
        if earlier.sentences[-1] < quote.sentences[0] - CONTINUATION_WINDOW:
            break
        if earlier.name is not None and earlier.kind != "scare":
            quote.speaker_raw, quote.name, quote.role = earlier.speaker_raw, earlier.name, \
                earlier.role
            quote.attribution = "continuation"
            return


def _prepare_sentences(text: str, sentences: list[_Sentence],
                       spans: list[tuple[int, int, bool]]) -> None:
    """Mask quoted words in each sentence and find its names, subject and speech verbs."""
    masked_doc = _mask_spans(text, [(s, e) for s, e, _ in spans])
    for sentence in sentences:
        sentence.masked = masked_doc[sentence.offset:sentence.offset + len(sentence.text)]
        sentence.phrases = name_phrases(sentence.masked, sentence.text)
        sentence.subject = sentence_subject(sentence.masked, sentence.phrases)
        sentence.attributions = attributions(sentence.masked, sentence.phrases)


def _known_names(sentences: list[_Sentence]) -> _Known:
    """Modifier words and person surnames of a document (see :class:`_Known`)."""
    modifiers = set()
    for sentence in sentences:
        for phrase in sentence.phrases:
            modifiers.update(_key(t) for t in phrase.name.split()[:-1])
            role_words = (phrase.role or "").replace("'s", " ").split()
            modifiers.update(_key(t) for t in role_words if t[:1].isupper() and t not in _TITLES)
    partial = _Known(modifiers=frozenset(modifiers))
    surnames = {_key(p.name.split()[-1]) for s in sentences for p in s.phrases
                if len(p.name.split()) >= 2 and _looks_like_person(p, partial)}
    return _Known(frozenset(surnames), partial.modifiers)


def _salient_persons(sentences: list[_Sentence], known: _Known, index: int,
                     ) -> list[tuple[int, int, str]]:
    """Named persons of sentence ``index`` that a later he/she may refer to: its subject
    and the named subjects of its speech verbs (a speaker named by one word counts unless
    it is an acronym, an organisation word or a modifier such as a place)."""
    sentence = sentences[index]
    found = {}
    if sentence.subject and sentence.subject.phrase \
            and _looks_like_person(sentence.subject.phrase, known):
        found[sentence.subject.start] = sentence.subject.phrase.name
    for att in sentence.attributions:
        if att.subject and att.subject.phrase and _may_speak_as_person(att.subject.phrase,
                                                                       known):
            found[att.subject.start] = att.subject.phrase.name
    return [(index, at, name) for at, name in sorted(found.items())]


def _may_speak_as_person(phrase: NamePhrase, known: _Known) -> bool:
    """A speaker that may be a person: :func:`_looks_like_person`, or one name word that is
    not an acronym ("NATO"), an organisation word or a modifier ("Kosovo")."""
    if _looks_like_person(phrase, known):
        return True
    word = phrase.name
    return (" " not in word and not word.isupper() and word not in _ORG_WORDS
            and _key(word) not in known.modifiers)


def _document_quotes(doc_id: str, rows: list[tuple[object, ...]],
                     has_paragraphs: bool) -> _DocumentQuotes:
    """All quotes of one document (rows: its sentences in order, as for
    :func:`_document_sentences`)."""
    text, sentences = _document_sentences(rows, has_paragraphs)
    spans = _capped_spans(text, sentences, by_sentence=not has_paragraphs)
    _prepare_sentences(text, sentences, spans)
    known = _known_names(sentences)
    salient: list[tuple[int, int, str]] = []
    quotes: list[_Quote] = []
    span_sentences = [(span, [i for i, s in enumerate(sentences)
                              if s.offset < span[1] and span[0] < s.offset + len(s.text)])
                      for span in spans]
    by_first: dict[int, list[tuple[tuple[int, int, bool], list[int]]]] = {}
    for span, indices in span_sentences:
        by_first.setdefault(indices[0], []).append((span, indices))
    for index in range(len(sentences)):
        salient += _salient_persons(sentences, known, index)
        for span, indices in by_first.get(index, []):
            words = _clean_quote(text[span[0]:span[1]])
            if not words:
                continue
            kind = "direct" if count_words(words) >= MIN_DIRECT_WORDS else "scare"
            quote = _Quote(span[0], indices, words, kind)
            _attribute_quote(quote, (span[0], span[1]), sentences, salient, quotes)
            quotes.append(quote)
        quotes += _indirect_quotes(index, sentences, salient, quotes)
        salient += _pronoun_antecedents(index, quotes)
    persons = [p.raw for s in sentences for p in s.phrases if _looks_like_person(p, known)]
    roles = [(p.name, p.role) for s in sentences for p in s.phrases
             if p.role and _looks_like_person(p, known)]
    roles += [(q.name, q.role) for q in quotes if q.name and q.role]
    quotes.sort(key=lambda q: q.at)
    return _DocumentQuotes(doc_id, [s.sent_id for s in sentences], quotes, persons, roles)


def _pronoun_antecedents(index: int, quotes: list[_Quote]) -> list[tuple[int, int, str]]:
    """Resolved he/she speakers of sentence ``index``: later pronouns may chain on them."""
    return [(index, 10**9, q.name) for q in quotes
            if q.attribution == "pronoun" and q.name and q.sentences[-1] == index]


def _indirect_quotes(index: int, sentences: list[_Sentence], salient: list[tuple[int, int, str]],
                     quotes: list[_Quote]) -> list[_Quote]:
    """Reported speech of sentence ``index`` by verbs that no direct quote is attributed to."""
    sentence = sentences[index]
    used = {q.attribution_key for q in quotes if q.kind == "direct"}
    found = []
    for att in sentence.attributions:
        if att.subject is None or (index, att.start) in used:
            continue
        span = unmarked_quote(sentence.masked, att) or reported_clause(
            sentence.text, sentence.masked, att)
        if span is None:
            continue
        reported = re.sub(r'[“”"]', "", sentence.text[span[0]:span[1]])
        words = _clean_quote(reported.rstrip(" .!?"))
        if count_words(words) < 3:
            continue
        quote = _Quote(sentence.offset + span[0], [index], words, "indirect", verb=att.verb)
        quote.speaker_raw, quote.name, quote.role, quote.attribution = _speaker_of(
            att.subject, salient, index)
        quote.attribution_key = (index, att.start)
        found.append(quote)
    return found


# --------------------------------------------------------------------------- public


def find_quotes(sentences: pd.DataFrame, *, events: pd.Series | None = None) -> pd.DataFrame:
    """One row per quote in the documents' sentences.

    ``sentences``: content sentences (boilerplate and repeats already removed) with
    ``sent_id``, ``doc_id``, ``position`` and ``text``; ``paragraph`` is used when present
    (an unclosed quote ends with its paragraph, else with its sentence). ``events`` maps
    ``doc_id`` to event; speaker names are normalised within each event (all documents
    form one event when it is None).

    Returns :data:`QUOTE_COLUMNS`: ``quote_id`` (``<doc_id>:q<nnn>``), ``doc_id``,
    ``sent_ids`` (comma-joined), ``quote`` (the words, marks removed), ``kind``
    (``direct``, ``indirect``, ``scare``; see the module docstring), ``speaker_raw`` (as
    written: "Serbian President Aleksandar Vucic", "he"), ``speaker`` (canonical name,
    :func:`normalise_speakers`), ``role`` ("NATO Secretary General", taken from elsewhere
    in the document when this attribution has none), ``verb``, ``n_words`` (words in
    ``quote``) and ``attribution`` (how the speaker was found: ``name``, ``pronoun``,
    ``continuation`` or None), ordered by document and position.
    """
    keys = sentences[["doc_id", "position"]].reset_index(drop=True)
    order = keys.sort_values(["doc_id", "position"], kind="stable").index.to_numpy()
    doc_codes, doc_ids = pd.factorize(keys["doc_id"].iloc[order])  # codes rise in that order
    order, doc_codes = order[doc_codes >= 0], doc_codes[doc_codes >= 0]
    bounds = run_bounds(doc_codes)
    event_of = events if events is not None else pd.Series(dtype=object)
    by_event: dict[str, list[int]] = {}  # documents by event, events in order of their first
    for doc in range(len(bounds) - 1):
        by_event.setdefault(str(event_of.get(str(doc_ids[doc]), "all")), []).append(doc)
    has_paragraphs = "paragraph" in sentences
    fields = ["sent_id", "text", "paragraph"] if has_paragraphs else ["sent_id", "text"]
    columns: dict[str, list[object]] = {column: [] for column in QUOTE_COLUMNS}
    # an event's documents at a time (their texts fetched a batch of events at a time),
    # so only one event's parsed documents are held
    for batch in _event_batches(list(by_event.values()), bounds):
        rows = np.concatenate([order[bounds[doc]:bounds[doc + 1]]
                               for docs in batch for doc in docs])
        values = [sentences[field].iloc[rows].tolist() for field in fields]
        at = 0
        for docs in batch:
            documents = []
            for doc in docs:
                end = at + int(bounds[doc + 1] - bounds[doc])
                documents.append(_document_quotes(
                    str(doc_ids[doc]), list(zip(*(v[at:end] for v in values), strict=True)),
                    has_paragraphs))
                at = end
            names = [n for d in documents for n in d.persons]
            names += [q.name for d in documents for q in d.quotes if q.name]
            mapping = normalise_speakers(names)
            for record in (r for d in documents for r in _quote_records(d, mapping)):
                for column in QUOTE_COLUMNS:
                    columns[column].append(record[column])
    table = pd.DataFrame(columns, columns=QUOTE_COLUMNS, dtype=object)
    table = table.where(table.notna(), None)
    return table.astype({"n_words": int})


_ROWS_AT_ONCE = 1 << 16  # sentences whose texts are fetched as Python strings at a time


def _event_batches(events: list[list[int]], bounds: np.ndarray) -> Iterator[list[list[int]]]:
    """Consecutive events (lists of documents) in batches of about ``_ROWS_AT_ONCE``
    sentences (an event with more is a batch of its own)."""
    batch: list[list[int]] = []
    size = 0
    for docs in events:
        rows = sum(int(bounds[doc + 1] - bounds[doc]) for doc in docs)
        if batch and size + rows > _ROWS_AT_ONCE:
            yield batch
            batch, size = [], 0
        batch.append(docs)
        size += rows
    if batch:
        yield batch


def _quote_records(doc: _DocumentQuotes, mapping: dict[str, str]) -> list[dict[str, object]]:
    """Output rows of one document's quotes, with canonical speakers and filled roles."""
    roles: dict[str, Counter[str]] = {}
    for name, role in doc.roles:
        roles.setdefault(mapping.get(name, name), Counter())[role] += 1
    records = []
    for number, quote in enumerate(doc.quotes):
        speaker = mapping.get(quote.name, quote.name) if quote.name else None
        role = quote.role
        if role is None and speaker in roles:
            role = max(roles[speaker].items(), key=lambda item: (len(item[0]), item[1]))[0]
        records.append({
            "quote_id": f"{doc.doc_id}:q{number:03d}",
            "doc_id": doc.doc_id,
            "sent_ids": ",".join(doc.sent_ids[i] for i in quote.sentences),
            "quote": quote.quote,
            "kind": quote.kind,
            "speaker_raw": quote.speaker_raw,
            "speaker": speaker,
            "role": role,
            "verb": quote.verb,
            "n_words": count_words(quote.quote),
            "attribution": quote.attribution,
        })
    return records


def speaker_shares(quotes: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Who gets the word in each outlet.

    ``quotes``: :func:`find_quotes` output; ``documents``: ``doc_id``, ``outlet`` and
    ``outlet_label`` (an unattributed document counts as its own outlet, as in
    :func:`framelens.overlap.outlet_keys`). Scare quotes are left out; quotes without a
    speaker count under ``(unattributed)``, so shares add up to 1 per outlet.

    Returns :data:`SHARE_COLUMNS`, one row per outlet and speaker: ``n_quotes`` (direct and
    indirect), ``n_direct``, ``quoted_words`` (words of those quotes) and
    ``share_of_quoted_words`` (of the outlet's quoted words), sorted by outlet then share.
    """
    kept = quotes[quotes["kind"] != "scare"]
    outlet_of = outlet_keys(documents) if "outlet_label" in documents else \
        documents.set_index("doc_id")["outlet"]
    table = pd.DataFrame({
        "outlet": kept["doc_id"].map(outlet_of).to_numpy(),
        "speaker": kept["speaker"].fillna(UNATTRIBUTED_SPEAKER).to_numpy(),
        "direct": (kept["kind"] == "direct").to_numpy(),
        "words": kept["n_words"].to_numpy(),
    })
    if table.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    grouped = table.groupby(["outlet", "speaker"], sort=True).agg(
        n_quotes=("words", "size"), n_direct=("direct", "sum"), quoted_words=("words", "sum"),
    ).reset_index()
    totals = grouped.groupby("outlet")["quoted_words"].transform("sum")
    grouped["share_of_quoted_words"] = grouped["quoted_words"] / totals.where(totals > 0)
    grouped = grouped.sort_values(["outlet", "share_of_quoted_words", "speaker"],
                                  ascending=[True, False, True], kind="stable")
    return grouped[SHARE_COLUMNS].reset_index(drop=True).astype(
        {"n_quotes": int, "n_direct": int, "quoted_words": int})

