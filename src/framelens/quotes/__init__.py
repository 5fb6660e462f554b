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

Modules: :mod:`~framelens.quotes.marks` (quote spans, masking, word counts),
:mod:`~framelens.quotes.names` (name phrases, person or not),
:mod:`~framelens.quotes.attribution` (speech verbs, subjects, reported clauses),
:mod:`~framelens.quotes.documents` (the quotes of one document and their speakers),
:mod:`~framelens.quotes.speakers` (speaker-name normalisation) and
:mod:`~framelens.quotes.tables` (the quotes and per-outlet speakers tables).
"""

from __future__ import annotations

from framelens.quotes.marks import count_words, quote_spans
from framelens.quotes.speakers import normalise_speakers
from framelens.quotes.tables import QUOTE_COLUMNS, SHARE_COLUMNS, find_quotes, speaker_shares

__all__ = [
    "QUOTE_COLUMNS",
    "SHARE_COLUMNS",
    "count_words",
    "find_quotes",
    "normalise_speakers",
    "quote_spans",
    "speaker_shares",
]
