"""Attribution within a sentence: speech verbs and their subjects (a name, with its role,
or he/she), a sentence's subject, and the clause a verb reports."""

from __future__ import annotations

import re
from dataclasses import dataclass

from framelens.quotes.marks import _MASK
from framelens.quotes.names import _WORD_RE, NamePhrase, _words

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
_PRONOUNS = _words("he she He She")
_ADVERBS = (
    r"(?:also|again|later|then|previously|repeatedly|once|has|had|have|reportedly|separately|"
    r"further|publicly|earlier|first|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday))"
)
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
    for phrase in sorted(
        (p for p in phrases if p.end <= at and not p.possessive), key=lambda p: -p.end
    ):
        if _PREPOSITION_BEFORE_RE.search(masked[: phrase.start]):
            continue  # "the government in Pristina announced": not the subject
        gap = masked[phrase.end : at]
        appositive_name = phrase.titled and phrase.raw.count(",") > 0
        if _GAP_BEFORE_VERB_RE.fullmatch(gap) or (
            appositive_name and re.fullmatch(r"\s*,\s*", gap)
        ):
            role = phrase.role
            if role is None and gap.strip().startswith(","):
                role = _appositive_role(gap)
            return Subject(phrase.raw, phrase, phrase.start, role)
    return None


def _subject_after(masked: str, at: int, phrases: list[NamePhrase]) -> Subject | None:
    """The name right after position ``at`` ("said Nenad Radosavljevic, editor in chief of
    RTV Mir, ..."), with the role from an appositive after it when it has none."""
    for phrase in phrases:
        if phrase.start >= at and not phrase.possessive and masked[at : phrase.start].isspace():
            role = phrase.role
            appositive = re.match(r",\s*([^,;." + _MASK + r"]+)", masked[phrase.end :])
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
        after = masked[comma + 1 :]
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
    rest = masked[att.end :]
    first_words = _WORD_RE.findall(rest)[:8]
    that = _THAT_RE.search(rest)
    if that and "that" in first_words and not re.search(r"[" + _MASK + ".;]", rest[: that.start()]):
        start = att.end + that.end()
    elif (
        att.verb in _BARE_CLAUSE_VERBS
        and first_words
        and re.match(r"\s+\S", rest)
        and first_words[0].lower() not in _NOT_A_CLAUSE_START
    ):
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
    if masked[: att.start].strip(" ,") == "":
        comma = masked.find(",", att.subject.phrase.end)
        return (comma + 1, len(masked)) if comma >= 0 else None
    before = masked[: att.start].rstrip()
    return (0, len(before.rstrip(","))) if before.endswith(",") else None


def unmarked_quote(masked: str, att: Attribution) -> tuple[int, int] | None:
    """Span of the words a sentence-final attribution reports when the quotation marks are
    missing ("Our land is ours, he said.", "..., said Vucic."); None otherwise."""
    if _MASK in masked or att.subject is None:
        return None
    before = masked[: att.anchor].rstrip()
    after = masked[att.end :]
    if att.subject.start > att.start and att.subject.phrase is not None:
        after = masked[att.subject.phrase.end :]
    if not before.endswith(",") or not _TRAILING_TAIL_RE.fullmatch(after):
        return None
    return 0, len(before) - 1
