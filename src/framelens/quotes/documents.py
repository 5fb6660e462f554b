"""Quotes of one document: direct and scare quotes from quote marks, indirect quotes from
reported speech, and their speakers (named, he/she resolved to an earlier person, the
colon form, or the continuation of the quote just before)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from framelens.quotes.attribution import (
    Attribution,
    Subject,
    attributions,
    reported_clause,
    sentence_subject,
    unmarked_quote,
)
from framelens.quotes.marks import _clean_quote, _mask_spans, count_words, quote_spans
from framelens.quotes.names import (
    _ORG_WORDS,
    _TITLES,
    NamePhrase,
    _key,
    _Known,
    _looks_like_person,
    name_phrases,
)

MIN_DIRECT_WORDS = 4
CONTINUATION_WINDOW = 2
_LETTER_RE = re.compile(r"[^\W\d_]")


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


def _document_sentences(
    rows: list[tuple[object, ...]], has_paragraphs: bool
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


def _capped_spans(
    text: str, sentences: list[_Sentence], by_sentence: bool
) -> list[tuple[int, int, bool]]:
    """Quote spans of a document; without paragraph information an unclosed quote ends
    with the sentence it opened in."""
    spans = []
    for start, end, closed in quote_spans(text):
        if not closed and by_sentence:
            first = sentences[_sentence_at(sentences, start)]
            end = min(end, first.offset + len(first.text))
        spans.append((start, end, closed))
    return spans


def _resolve_pronoun(salient: list[tuple[int, int, str]], sentence: int, at: int) -> str | None:
    """The most recent person (speaker or subject) mentioned before (sentence, at)."""
    earlier = [name for s, a, name in salient if (s, a) < (sentence, at)]
    return earlier[-1] if earlier else None


def _speaker_of(
    subject: Subject | None,
    salient: list[tuple[int, int, str]],
    index: int,
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


def _attribute_quote(
    quote: _Quote,
    spans: tuple[int, int],
    sentences: list[_Sentence],
    salient: list[tuple[int, int, str]],
    previous: list[_Quote],
) -> None:
    """Fill a quote's speaker, role, verb and attribution (see the package docstring)."""
    first, last = quote.sentences[0], quote.sentences[-1]
    local_start = spans[0] - sentences[first].offset
    local_end = spans[1] - sentences[last].offset
    chosen: Attribution | None = None
    for att in sentences[last].attributions:
        if att.anchor >= local_end and re.fullmatch(
            r"[\s,]*", sentences[last].masked[local_end : att.anchor]
        ):
            chosen, key = att, (last, att.start)
            break
    if chosen is None:
        before = [
            a
            for a in sentences[first].attributions
            if a.end <= local_start and a.subject is not None
        ]
        if before:
            chosen, key = before[-1], (first, before[-1].start)
    if chosen is not None:
        quote.speaker_raw, quote.name, quote.role, quote.attribution = _speaker_of(
            chosen.subject, salient, key[0]
        )
        quote.verb, quote.attribution_key = chosen.verb, key
        return
    subject, verb = _colon_speaker(sentences[first], local_start)
    if subject is not None:
        quote.speaker_raw, quote.name, quote.role, quote.attribution = _speaker_of(
            subject, salient, first
        )
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
            quote.speaker_raw, quote.name, quote.role = (
                earlier.speaker_raw,
                earlier.name,
                earlier.role,
            )
            quote.attribution = "continuation"
            return


def _prepare_sentences(
    text: str, sentences: list[_Sentence], spans: list[tuple[int, int, bool]]
) -> None:
    """Mask quoted words in each sentence and find its names, subject and speech verbs."""
    masked_doc = _mask_spans(text, [(s, e) for s, e, _ in spans])
    for sentence in sentences:
        sentence.masked = masked_doc[sentence.offset : sentence.offset + len(sentence.text)]
        sentence.phrases, sentence.subject, sentence.attributions = _analyse_sentence(
            sentence.masked, sentence.text
        )


@functools.lru_cache(maxsize=1 << 16)
def _analyse_sentence(
    masked: str, text: str
) -> tuple[list[NamePhrase], Subject | None, list[Attribution]]:
    """A sentence's names, subject and speech verbs (``masked``: its quoted words masked),
    once per distinct sentence (wire copy repeats them): the lists are shared, read only."""
    phrases = name_phrases(masked, text)
    return phrases, sentence_subject(masked, phrases), attributions(masked, phrases)


def _known_names(sentences: list[_Sentence]) -> _Known:
    """Modifier words and person surnames of a document (see :class:`_Known`)."""
    modifiers: set[str] = set()
    for sentence in sentences:
        for phrase in sentence.phrases:
            modifiers.update(_key(t) for t in phrase.name.split()[:-1])
            role_words = (phrase.role or "").replace("'s", " ").split()
            modifiers.update(_key(t) for t in role_words if t[:1].isupper() and t not in _TITLES)
    partial = _Known(modifiers=frozenset(modifiers))
    surnames = {
        _key(p.name.split()[-1])
        for s in sentences
        for p in s.phrases
        if len(p.name.split()) >= 2 and _looks_like_person(p, partial)
    }
    return _Known(frozenset(surnames), partial.modifiers)


def _salient_persons(
    sentences: list[_Sentence],
    known: _Known,
    index: int,
) -> list[tuple[int, int, str]]:
    """Named persons of sentence ``index`` that a later he/she may refer to: its subject
    and the named subjects of its speech verbs (a speaker named by one word counts unless
    it is an acronym, an organisation word or a modifier such as a place)."""
    sentence = sentences[index]
    found = {}
    if (
        sentence.subject
        and sentence.subject.phrase
        and _looks_like_person(sentence.subject.phrase, known)
    ):
        found[sentence.subject.start] = sentence.subject.phrase.name
    for att in sentence.attributions:
        if att.subject and att.subject.phrase and _may_speak_as_person(att.subject.phrase, known):
            found[att.subject.start] = att.subject.phrase.name
    return [(index, at, name) for at, name in sorted(found.items())]


def _may_speak_as_person(phrase: NamePhrase, known: _Known) -> bool:
    """A speaker that may be a person: :func:`_looks_like_person`, or one name word that is
    not an acronym ("NATO"), an organisation word or a modifier ("Kosovo")."""
    if _looks_like_person(phrase, known):
        return True
    word = phrase.name
    return (
        " " not in word
        and not word.isupper()
        and word not in _ORG_WORDS
        and _key(word) not in known.modifiers
    )


def _document_quotes(
    doc_id: str, rows: list[tuple[object, ...]], has_paragraphs: bool
) -> _DocumentQuotes:
    """All quotes of one document (rows: its sentences in order, as for
    :func:`_document_sentences`)."""
    text, sentences = _document_sentences(rows, has_paragraphs)
    spans = _capped_spans(text, sentences, by_sentence=not has_paragraphs)
    _prepare_sentences(text, sentences, spans)
    known = _known_names(sentences)
    salient: list[tuple[int, int, str]] = []
    quotes: list[_Quote] = []
    span_sentences = [
        (
            span,
            [
                i
                for i, s in enumerate(sentences)
                if s.offset < span[1] and span[0] < s.offset + len(s.text)
            ],
        )
        for span in spans
    ]
    by_first: dict[int, list[tuple[tuple[int, int, bool], list[int]]]] = {}
    for span, indices in span_sentences:
        by_first.setdefault(indices[0], []).append((span, indices))
    for index in range(len(sentences)):
        salient += _salient_persons(sentences, known, index)
        for span, indices in by_first.get(index, []):
            words = _clean_quote(text[span[0] : span[1]])
            if not words:
                continue
            kind = "direct" if count_words(words) >= MIN_DIRECT_WORDS else "scare"
            quote = _Quote(span[0], indices, words, kind)
            _attribute_quote(quote, (span[0], span[1]), sentences, salient, quotes)
            quotes.append(quote)
        quotes += _indirect_quotes(index, sentences, salient, quotes)
        salient += _pronoun_antecedents(index, quotes)
    persons = [p.raw for s in sentences for p in s.phrases if _looks_like_person(p, known)]
    roles = [
        (p.name, p.role)
        for s in sentences
        for p in s.phrases
        if p.role and _looks_like_person(p, known)
    ]
    roles += [(q.name, q.role) for q in quotes if q.name and q.role]
    quotes.sort(key=lambda q: q.at)
    return _DocumentQuotes(doc_id, [s.sent_id for s in sentences], quotes, persons, roles)


def _pronoun_antecedents(index: int, quotes: list[_Quote]) -> list[tuple[int, int, str]]:
    """Resolved he/she speakers of sentence ``index``: later pronouns may chain on them."""
    return [
        (index, 10**9, q.name)
        for q in quotes
        if q.attribution == "pronoun" and q.name and q.sentences[-1] == index
    ]


def _indirect_quotes(
    index: int,
    sentences: list[_Sentence],
    salient: list[tuple[int, int, str]],
    quotes: list[_Quote],
) -> list[_Quote]:
    """Reported speech of sentence ``index`` by verbs that no direct quote is attributed to."""
    sentence = sentences[index]
    used = {q.attribution_key for q in quotes if q.kind == "direct"}
    found = []
    for att in sentence.attributions:
        if att.subject is None or (index, att.start) in used:
            continue
        span = unmarked_quote(sentence.masked, att) or reported_clause(
            sentence.text, sentence.masked, att
        )
        if span is None:
            continue
        reported = re.sub(r'[“”"]', "", sentence.text[span[0] : span[1]])
        words = _clean_quote(reported.rstrip(" .!?"))
        if count_words(words) < 3:
            continue
        quote = _Quote(sentence.offset + span[0], [index], words, "indirect", verb=att.verb)
        quote.speaker_raw, quote.name, quote.role, quote.attribution = _speaker_of(
            att.subject, salient, index
        )
        quote.attribution_key = (index, att.start)
        found.append(quote)
    return found
