"""Tests for framelens.text: normalisation, headers, segmentation, boilerplate, language."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from framelens.text import (
    NORMALISATION,
    Header,
    Segment,
    boilerplate_reason,
    detect_language,
    embedded_segments,
    is_copyright,
    is_credit,
    is_promo,
    is_social_embed,
    normalise_text,
    paragraph_spans,
    parse_header,
    segment,
    sentence_boilerplate_reason,
    social_embed_flags,
    social_embed_paragraphs,
    split_sentences,
    strip_markup,
)

SEEDS = Path(__file__).resolve().parents[1] / "corpus" / "seeds"


def sentences(text: str) -> list[str]:
    """The sentence strings of one paragraph."""
    return [text[start:end] for start, end in split_sentences(text)]


def texts(body: str) -> list[str]:
    """The segment texts of a body."""
    return [seg.text for seg in segment(body)]


def load_seed(prefix: str) -> tuple[Header, str]:
    """Header and body of the seed whose file name starts with ``prefix``."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return parse_header(normalise_text(path.read_text(encoding="utf-8")))


def all_seed_prefixes() -> list[str]:
    """The three-digit prefixes of all seed files."""
    return sorted(path.name[:3] for path in SEEDS.glob("*.txt"))


def paragraph_text(body: str, seg: Segment) -> str:
    """The text of the paragraph a segment belongs to."""
    start, end = paragraph_spans(body)[seg.paragraph]
    return body[start:end]


def squash(text: str) -> str:
    """All non-whitespace characters of ``text``, in order."""
    return "".join(text.split())


# --------------------------------------------------------------------------- normalise_text


def test_normalisation_description_is_one_line() -> None:
    assert NORMALISATION and "\n" not in NORMALISATION


def test_normalise_strips_leading_bom_only() -> None:
    assert normalise_text("\ufeffabc") == "abc"
    assert normalise_text("a\ufeffb") == "a\ufeffb"


def test_normalise_line_endings() -> None:
    assert normalise_text("a\r\nb\rc\n\r\nd") == "a\nb\nc\n\nd"


def test_normalise_nfc() -> None:
    assert normalise_text("Vuc\u030cic\u0301") == "Vučić"


def test_normalise_keeps_whitespace() -> None:
    assert normalise_text("  a\t\tb  \n\n\n c ") == "  a\t\tb  \n\n\n c "


# --------------------------------------------------------------------------- parse_header


def test_header_date_and_outlet() -> None:
    header, body = parse_header(" date 2022-08-21 (Bloomberg) -- Serbia will negotiate.")
    assert header == Header("2022-08-21", "Bloomberg", None, " date 2022-08-21 (Bloomberg) -- ")
    assert body == "Serbia will negotiate."


def test_header_date_only() -> None:
    header, body = parse_header(" date 2022-08-17 The leaders met.")
    assert (header.date, header.outlet, header.dateline) == ("2022-08-17", None, None)
    assert body == "The leaders met."


def test_header_date_and_dateline() -> None:
    header, body = parse_header("date 2022-08-18 BRUSSELS (AP) — The leaders met.")
    assert (header.date, header.outlet, header.dateline) == ("2022-08-18", "AP", "BRUSSELS")
    assert body == "The leaders met."


@pytest.mark.parametrize("dash", ["-", "--", "–", "—"])
def test_header_dateline_any_dash(dash: str) -> None:
    header, body = parse_header(f"WASHINGTON (Reuters) {dash} Officials said so.")
    assert (header.date, header.outlet, header.dateline) == (None, "Reuters", "WASHINGTON")
    assert body == "Officials said so."


def test_header_dateline_with_region() -> None:
    header, body = parse_header("KYIV, Ukraine (AP) — Sirens sounded.")
    assert (header.dateline, header.outlet) == ("KYIV, Ukraine", "AP")
    assert body == "Sirens sounded."


def test_header_text_plus_body_is_input() -> None:
    raw = "\n  date 2022-08-18 BRUSSELS (AP) —  The leaders met."
    header, body = parse_header(raw)
    assert header.text + body == raw


@pytest.mark.parametrize(
    "raw",
    [
        "date 2022-13-45 The leaders met.",
        "date 2022-02-30 (Bloomberg) -- The leaders met.",
        "The leaders met in Brussels (Belgium) - again.",
        "NATO (North Atlantic Treaty Organization) - the alliance met.",
        "Brussels (AP) — lowercase dateline is not a dateline.",
        "",
        "   ",
    ],
)
def test_header_never_invents(raw: str) -> None:
    header, body = parse_header(raw)
    assert header == Header(None, None, None, "")
    assert body == raw


def test_header_only_at_start() -> None:
    raw = "Intro. date 2022-08-18 BRUSSELS (AP) — The leaders met."
    assert parse_header(raw) == (Header(None, None, None, ""), raw)


# --------------------------------------------------------------------------- split_sentences


def test_split_basic() -> None:
    assert sentences("One. Two! Three? Four") == ["One.", "Two!", "Three?", "Four"]


def test_split_spans_are_stripped() -> None:
    text = "  One.   Two.  "
    assert split_sentences(text) == [(2, 6), (9, 13)]


def test_split_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


@pytest.mark.parametrize(
    "text",
    [
        "“Why?” he asked.",
        "It was 3.5 percent… or so.",
        "He hesitated... and then he left.",
        "Wait! said the man.",
    ],
)
def test_no_split_before_lowercase(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Kurti delayed implementation of the measure.",
        "Mrs. Smith, Ms. Jones, Dr. Who and Prof. Plum met Sen. Black.",
        "Rep. Doe, Gov. Roe, Gen. Lee, Lt. Dan, Col. Mustard and Capt. Hook came.",
        "Sgt. Pepper met Rev. Green and Hon. Member Pres. Grey at St. Mary near Mt. Etna.",
        "Ft. Worth hosted Messrs. Smith and Jones.",
    ],
)
def test_titles_never_split(text: str) -> None:
    assert sentences(text) == [text]


def test_title_without_period() -> None:
    assert sentences("Mr Vucic said so. He left.") == ["Mr Vucic said so.", "He left."]


@pytest.mark.parametrize(
    "text",
    [
        "They face a Sept. 1 deadline to change their plates.",
        "The talks resume on Jan. 5 in Brussels.",
        "It happened on Aug. 17 and Dec. 24 again.",
        "See No. 5 and Nos. 6 to 8 on p. 12 and pp. 13-14 in vol. 2 under art. 3 of the law.",
    ],
)
def test_numbered_abbreviations(text: str) -> None:
    assert sentences(text) == [text]


def test_month_abbreviation_before_word_splits() -> None:
    assert sentences("It ended in Jan. The next round began.") == [
        "It ended in Jan.",
        "The next round began.",
    ]


@pytest.mark.parametrize(
    "text",
    ["George W. Bush said so.", "J. K. Rowling wrote it.", "The author J. A. Smith spoke."],
)
def test_initials_do_not_split(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. Army said so.", ["The U.S. Army said so."]),
        (
            "He moved to the U.S. The move was costly.",
            ["He moved to the U.S.", "The move was costly."],
        ),
        ("The U.N. Security Council met.", ["The U.N. Security Council met."]),
        ("They met at 5 p.m. Then they left.", ["They met at 5 p.m.", "Then they left."]),
        ("At 9 a.m. Kurti spoke.", ["At 9 a.m. Kurti spoke."]),
        ("Big states, e.g. Germany, agreed.", ["Big states, e.g. Germany, agreed."]),
        ("He backed the E.U. But others did not.", ["He backed the E.U.", "But others did not."]),
        ("Apple Inc. said so.", ["Apple Inc. said so."]),
        ("He works at Apple Inc. The firm is big.", ["He works at Apple Inc.", "The firm is big."]),
        ("Smith vs. Jones went to court.", ["Smith vs. Jones went to court."]),
        ("It costs approx. 5 euros.", ["It costs approx. 5 euros."]),
        ("Pens, paper, etc. They bought all.", ["Pens, paper, etc.", "They bought all."]),
        ("Acme Ltd. Chief Executive spoke.", ["Acme Ltd. Chief Executive spoke."]),
    ],
)
def test_acronym_rule(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_quote_ends_sentence() -> None:
    text = (
        "“We will save our people from persecution and pogroms, if NATO does not want to do it.”"
        " He left."
    )
    assert sentences(text) == [
        "“We will save our people from persecution and pogroms, if NATO does not want to do it.”",
        "He left.",
    ]


def test_closing_brackets_and_quotes_stay_with_sentence() -> None:
    assert sentences('He said "stop." (It was late.) Then "Go!" “Now?” ‘Yes.’ [Done.] End.') == [
        'He said "stop."',
        "(It was late.)",
        'Then "Go!"',
        "“Now?”",
        "‘Yes.’",
        "[Done.]",
        "End.",
    ]


def test_split_before_opening_quote_and_digit() -> None:
    assert sentences("He left. “Good,” she said. 2022 was hard.") == [
        "He left.",
        "“Good,” she said.",
        "2022 was hard.",
    ]


def test_punctuation_runs() -> None:
    assert sentences("Really?! Yes... Well… Fine!!! Ok.") == [
        "Really?!",
        "Yes...",
        "Well…",
        "Fine!!!",
        "Ok.",
    ]


def test_numbers_urls_emails_do_not_split() -> None:
    text = (
        "About 1.8 million people and a 3,700-strong force. See https://example.com/a.b?c=1 "
        "or pic.twitter.com/JWOFqD32XT and write to press.office@example.org today."
    )
    assert sentences(text) == [
        "About 1.8 million people and a 3,700-strong force.",
        "See https://example.com/a.b?c=1 or pic.twitter.com/JWOFqD32XT and write to "
        "press.office@example.org today.",
    ]


def test_url_at_sentence_end_splits() -> None:
    assert sentences("Visit www.example.com. The site is new.") == [
        "Visit www.example.com.",
        "The site is new.",
    ]


def test_no_split_without_whitespace() -> None:
    assert sentences("He said.The end") == ["He said.The end"]


def test_cjk_split_without_whitespace() -> None:
    expected = ["你好。", "我很好！", "你呢？", "「好的。」", "最后"]
    assert sentences("你好。我很好！你呢？「好的。」最后") == expected


def test_bidi_mark_before_next_sentence_still_splits() -> None:
    assert sentences("השיחות היו קשות. \u200fמועד חדש טרם נקבע.") == [
        "השיחות היו קשות.",
        "\u200fמועד חדש טרם נקבע.",
    ]
    assert sentences("Talks ended.\u200f Officials left.") == [
        "Talks ended.",
        "\u200f Officials left.",
    ]
    assert sentences("Talks ended.\u200fOfficials left.") == ["Talks ended.\u200fOfficials left."]


def test_arabic_question_mark() -> None:
    assert sentences("هل أنت بخير؟ نعم أنا بخير.") == ["هل أنت بخير؟", "نعم أنا بخير."]


def test_split_before_non_latin_letter() -> None:
    assert sentences("He said so. Он ушёл.") == ["He said so.", "Он ушёл."]


def test_numbered_list_item_stays_whole() -> None:
    assert sentences("1. The first item.") == ["1. The first item."]


def test_newline_is_whitespace_in_split_sentences() -> None:
    assert sentences("One line\nwraps here. Two.") == ["One line\nwraps here.", "Two."]


# --------------------------------------------------------------------------- segment


def test_segment_offsets_and_paragraphs() -> None:
    body = "  First one. Second one.\n\n\nThird one.  "
    segs = segment(body)
    assert segs == [
        Segment("First one.", 2, 12, 0, False),
        Segment("Second one.", 13, 24, 0, False),
        Segment("Third one.", 27, 37, 1, False),
    ]


def test_blank_line_with_spaces_separates_paragraphs() -> None:
    segs = segment("One.\n  \t \nTwo.")
    assert [(s.text, s.paragraph) for s in segs] == [("One.", 0), ("Two.", 1)]


def test_paragraph_spans() -> None:
    body = "\n Alpha beta.\nGamma.\n\n  Delta \n"
    assert [body[s:e] for s, e in paragraph_spans(body)] == ["Alpha beta.\nGamma.", "Delta"]


def test_segment_empty_body() -> None:
    assert segment("") == []
    assert segment(" \n\n \t") == []


def test_heading_paragraph() -> None:
    segs = segment("Escalating tensions\n\nKosovo gained independence. It was 2008.")
    assert [(s.text, s.heading, s.paragraph) for s in segs] == [
        ("Escalating tensions", True, 0),
        ("Kosovo gained independence.", False, 1),
        ("It was 2008.", False, 1),
    ]


@pytest.mark.parametrize(
    "text",
    [
        '"Disagreed on almost every point": struggles between Serbia and Kosovo - NATO is ready',
        "Hidden threats follow renewed tensions",
        'Vucic: "We are trapped"',
    ],
)
def test_headings(text: str) -> None:
    assert segment(text) == [Segment(text, 0, len(text), 0, True)]


@pytest.mark.parametrize(
    "text",
    ["Summary:", "Short sentence.", "Really?", "“We are trapped.”", "Note;"],
)
def test_final_punctuation_is_not_heading(text: str) -> None:
    assert [s.heading for s in segment(text)] == [False]


def test_long_unpunctuated_paragraph_is_not_heading() -> None:
    text = " ".join(["word"] * 21)
    assert segment(text) == [Segment(text, 0, len(text), 0, False)]


def test_one_sentence_per_line() -> None:
    body = "One sentence per line.\nAnother one here!\n“A quote?”\nAnd a third."
    segs = segment(body)
    assert [s.text for s in segs] == [
        "One sentence per line.",
        "Another one here!",
        "“A quote?”",
        "And a third.",
    ]
    assert {s.paragraph for s in segs} == {0}


def test_hard_wrapped_prose() -> None:
    body = (
        "This is a long sentence that\nwraps onto the next line. And another\none here.\n"
        "The leaders of Kosovo and Serbia will join EU-mediated talks in\nBrussels on Thursday."
    )
    assert texts(body) == [
        "This is a long sentence that\nwraps onto the next line.",
        "And another\none here.",
        "The leaders of Kosovo and Serbia will join EU-mediated talks in\nBrussels on Thursday.",
    ]


def test_heading_line_inside_block() -> None:
    segs = segment("Escalating tensions\nKosovo gained independence.\nIt was in 2008.")
    assert [(s.text, s.heading) for s in segs] == [
        ("Escalating tensions", True),
        ("Kosovo gained independence.", False),
        ("It was in 2008.", False),
    ]


def test_wrapped_heading_block() -> None:
    body = "Serbia and Kosovo\nstruggle over number plates"
    assert segment(body) == [Segment(body, 0, len(body), 0, True)]


@pytest.mark.parametrize(
    "body",
    [
        "They face a Sept.\n1 deadline.",
        "Mr.\nKurti delayed it.",
        "The U.S.\nArmy said so.",
        "“Why?”\nhe asked.",
    ],
)
def test_line_end_abbreviations_are_soft(body: str) -> None:
    assert texts(body) == [body]


def test_line_end_before_dash_is_hard() -> None:
    assert texts("First point.\n- second point.") == ["First point.", "- second point."]


def test_resegmenting_a_sentence_gives_itself() -> None:
    text = "Mr. Vucic said the U.S. Army and a Sept. 1 deadline were “not enough.”"
    assert texts(text) == [text]


# --------------------------------------------------------------------------- invariant

_ALPHABET = st.sampled_from(
    [
        *"aZé1 .!?…。？؟,;:\n\r\t\x0b\x1c\u2028\u00a0\ufeff”\"’')]([“‘«@#-—",
        "Mr.",
        "U.S.",
        "Sept.",
        " date 2022-08-21 (Bloomberg) -- ",
        "BRUSSELS (AP) — ",
        "\n\n",
        "c\u0301",
        "\r\n",
        "The",
        " he",
        "1.8",
        "J.",
        "你好",
        " pic.twitter.com/x1 ",
        " — Jo Doe (@jo) Aug. 18, 2022",
        "View this post on Instagram",
        "A post shared by Jo (@jo)",
        " https://youtu.be/x ",
    ]
)
_TEXTS = st.one_of(st.text(), st.lists(_ALPHABET, max_size=60).map("".join))


def _check_invariant(raw: str) -> None:
    normal = normalise_text(raw)
    header, body = parse_header(normal)
    segs = segment(body)
    assert header.text + body == normal
    assert squash(header.text + "".join(seg.text for seg in segs)) == squash(normal)
    previous_end = 0
    previous_paragraph = 0
    for seg in segs:
        assert seg.text
        assert seg.text == seg.text.strip()
        assert body[seg.start : seg.end] == seg.text
        assert seg.start >= previous_end
        assert seg.paragraph >= previous_paragraph
        previous_end, previous_paragraph = seg.end, seg.paragraph


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
@example("\ufeff date 2022-08-21 (Bloomberg) -- A.\r\n\r\nB. C")
@example("date 2022-13-45 x")
@example("\u2028.\x1c\u00a0”")
def test_invariant_property(raw: str) -> None:
    _check_invariant(raw)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_split_sentences_property(text: str) -> None:
    spans = split_sentences(text)
    assert squash("".join(text[s:e] for s, e in spans)) == squash(text)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start
    for start, end in spans:
        assert start < end
        assert text[start:end] == text[start:end].strip()


@pytest.mark.parametrize("prefix", all_seed_prefixes())
def test_invariant_on_seeds(prefix: str) -> None:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    _check_invariant(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix", all_seed_prefixes())
def test_resegmenting_seed_sentences_gives_themselves(prefix: str) -> None:
    _, body = load_seed(prefix)
    for seg in segment(body):
        if not seg.heading:
            assert texts(seg.text) == [seg.text]


def test_segment_one_megabyte_single_line_is_fast() -> None:
    sentence = "Mr. Vucic said the U.S. plan, worth 1.8 million, was “late.” Why? He left... "
    big = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    started = time.perf_counter()
    segs = segment(big)
    elapsed = time.perf_counter() - started
    assert len(segs) > 30_000
    assert elapsed < 5.0


@pytest.mark.parametrize("big", ["." * 1_000_000, " ." * 500_000, "a" * 1_000_000, ")" * 1_000_000])
def test_segment_pathological_inputs_are_fast(big: str) -> None:
    started = time.perf_counter()
    segment(big)
    parse_header(big)
    detect_language(big)
    assert time.perf_counter() - started < 5.0


# --------------------------------------------------------------------------- seeds


def test_seed_000_header_and_copyright() -> None:
    header, body = load_seed("000")
    assert (header.date, header.outlet, header.dateline) == ("2022-08-21", "Bloomberg", None)
    segs = segment(body)
    assert segs[0].text.startswith("Serbia will negotiate")
    assert segs[0].text.endswith(
        "who face a Sept. 1 deadline to change their identity cards and car plates."
    )
    assert segs[-1].text == "©2022 Bloomberg L.P."
    assert boilerplate_reason(segs[-1].text, paragraph_text(body, segs[-1])) == "copyright"


def test_seed_001_header_and_tweet() -> None:
    header, body = load_seed("001")
    assert (header.date, header.outlet, header.dateline) == ("2022-08-17", None, None)
    segs = segment(body)
    assert segs[0].text.startswith("The leaders of Kosovo and Serbia will join")
    tweet = [s for s in segs if "pic.twitter.com" in paragraph_text(body, s)]
    assert [s.text for s in tweet] == [
        "Good meeting w/#Serbia's President @avucic on the situation in northern #Kosovo and "
        "the wider region.",
        "@NATO_KFOR will take any measure necessary to preserve safety & security for all "
        "communities.",
        "All must engage constructively in the EU-led Belgrade–Pristina dialogue. "
        "pic.twitter.com/JWOFqD32XT — Jens Stoltenberg (@jensstoltenberg) August 17, 2022",
    ]
    assert {boilerplate_reason(s.text, paragraph_text(body, s)) for s in tweet} == {"social_embed"}
    assert social_embed_paragraphs(body) == {tweet[0].paragraph}
    heading = [s.text for s in segs if s.heading]
    assert heading == ["Escalating tensions"]


SEED_002 = [
    "The leaders of Serbia and Kosovo met in Brussels on Thursday for another European "
    "Union-mediated attempt to resolve lingering issues between the two wartime rivaling states "
    "that have spiked tensions in the Balkans.",
    "EU foreign policy chief Josep Borrell, speaking before the meeting between Serbian President "
    "Aleksandar Vucic and Kosovo Prime Minister Albin Kurti, said “recent tensions in the north of "
    "Kosovo have demonstrated yet again that it is time to move forward towards full "
    "normalization” of relations between the two states.",
    "“I expect both leaders to be open and flexible to find common ground,” Borrell tweeted.",
    "Kosovo is a former province of Serbia, which has refused to recognize the country’s 2008 "
    "declaration of independence.",
    "That came after a NATO-led intervention in 1999 stopped Belgrade's bloody crackdown against "
    "majority Kosovo Albanians.",
    "The European Union has overseen years of talks to normalize their ties, saying that's one of "
    "the main preconditions for eventual membership in the 27-nation bloc.",
    "Even before the latest round of talks started Thursday, Vucic expressed pessimism that the "
    "meeting would produce any major result.",
    "“I am hoping for any solution, although I do not believe in it,” Vucic said on Instagram.",
    "The latest tensions between Serbia and Kosovo soared late last month when Kurti’s government "
    "declared that Serbian identity documents and vehicle license plates would no longer be valid "
    "on Kosovo territory.",
    "Minority Serbs, who live mostly in northern Kosovo, reacted with anger, putting up "
    "roadblocks, sounding air raid sirens and firing guns into the air and in the direction of "
    "Kosovo police officers.",
    "No one was injured.",
    "Under apparent pressure from the West, Kurti postponed the implementation of the measure for "
    "a month, to Sept. 1.",
    "Serbia and its allies Russia and China don’t recognize Kosovo’s independence, which is "
    "supported by the United States and most other Western states.",
    "There are fears in the West that Russia could encourage Serbia into an armed intervention in "
    "northern Kosovo that would further destabilize the Balkans and shift at least some attention "
    "from its war in Ukraine.",
]


def test_seed_002_sentences() -> None:
    header, body = load_seed("002")
    assert (header.date, header.outlet, header.dateline) == ("2022-08-18", "AP", "BRUSSELS")
    assert header.text.strip() == "date 2022-08-18 BRUSSELS (AP) —"
    segs = segment(body)
    assert [s.text for s in segs] == SEED_002
    assert [s.paragraph for s in segs] == [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11]
    assert not any(s.heading for s in segs)


def test_seed_003_starts_with_heading() -> None:
    header, body = load_seed("003")
    assert header == Header(None, None, None, "")
    segs = segment(body)
    title = '"Disagreed on almost every point": struggles between Serbia and Kosovo - NATO is ready'
    assert (segs[0].text, segs[0].heading, segs[0].start) == (title, True, 0)
    assert [s.text for s in segs if s.heading] == [title, title]
    assert [s.text for s in segs if s.paragraph == 4] == [
        "In view of growing tensions, the heads of state and government of Serbia and Kosovo, "
        "mediated by the EU, want to look for a way out of the crisis again tomorrow, Thursday.",
        "At a joint press conference with Serbian President Aleksandar Vucic, NATO Secretary "
        "General Jens Stoltenberg stated that the military alliance was ready to intervene in the "
        "event of an escalation.",
        '"I call on all sides to exercise restraint and avoid violence."',
        "Vucic expected a difficult conversation with Kosovo's Prime Minister Albin Kurti: "
        '"We don\'t agree on almost every point."',
    ]


SEED_004 = [
    "Serbia’s president has called on NATO to “do its job” in Kosovo, warning that if it does "
    "not, Serbia itself will move to protect its minority in the breakaway province.",
    "President Aleksandar Vučić’s comments follow the collapse of EU-brokered talks between "
    "Serbian and Kosovar leaders earlier this week.",
    "A NATO-led intervention in 1999 ended the war between Serbian forces and Kosovo separatists, "
    "halting Belgrade’s bloody crackdown on Kosovo’s Albanian majority.",
    "A NATO-led intervention in 1999 ended the war between Serbian forces and Kosovo separatists, "
    "halting Belgrade’s bloody crackdown on Kosovo’s Albanian majority.",
    "There are fears that Russia could encourage Serbia into an armed conflict in northern Kosovo "
    "to shift the focus from the Russian occupation to Ukraine.",
    "Serbian President Aleksandar Vucic made the announcement in a fiery televised address to his "
    "nation that followed the collapse of political talks between Serbian and Kosovar leaders "
    "earlier this week in Brussels.",
    "Serbia, along with its allies Russia and China, have refused to recognize Kosovo’s "
    "declaration of independence in 2008.",
    "The EU has overseen years of unsuccessful talks to normalize their ties, saying it is one of "
    "the key preconditions for Kosovo and Serbia’s eventual membership in the 27-nation bloc.",
    "“We have nowhere to go, we are trapped,” said Vucic.",
    "“We will save our people from persecution and pogroms, if NATO does not want to do it.”",
    "He also claimed that Kosovo Albanian “gangs” should be banned from crossing into northern "
    "Kosovo, where the majority of Kosovo Serbs live.",
    "Mr. Vučicofi did not provide any proof of the claim.",
    "There are some fears among Western countries that Russia could encourage its ally Serbia "
    "into an armed intervention in northern Kosovo that would further destabilize the Balkans and "
    "shift at least some of the world’s and NATO’s attention away from Russia’s war in Ukraine.",
    "Nearly 4,000 NATO-led peacekeepers have been stationed in Kosovo since the 1998-99 war, and "
    "any armed intervention there by Serbia or Russia would mean a major escalation of a "
    "simmering conflict in Europe.",
    "After the collapse of EU-brokered talks, NATO peacekeeping troops in Kosovo have been "
    "deployed on major roads in its north, saying they are ready to protect freedom of movement "
    "for all sides.",
    "Hidden threats follow renewed tensions",
    "Tensions between Serbia and Kosovo rose again last month when the Kosovo government led by "
    "Prime Minister Albin Kurti announced that Serbian identity documents and vehicle license "
    "plates will no longer be valid in Kosovo.",
    "Serbia has implemented the same measures for citizens of Kosovo crossing into Serbia during "
    "the last 10 years.",
    "Kosovo’s minority Serbs reacted angrily to the proposed changes, setting up roadblocks, "
    "sounding air raid sirens and firing guns into the air and at Kosovo police.",
    "No one was hurt.",
    "Under apparent pressure from the West, Mr. Kurti delayed implementation of the measure by a "
    "month until September 1, when more trouble is expected if a compromise is not reached by "
    "then.",
    "Mr Vucic said Serbia would “work hard” to reach a “compromise solution in the next 10 days” "
    "and accused Kosovo’s leadership of “only being interested in abolishing every trace of the "
    "Serbian state in Kosovo”.",
    "Mr. Vucic also claimed, again without evidence, that the Kosovo government wanted “the final "
    "removal of the Serbian people from Kosovo,” something that has been repeatedly denied by "
    "Kosovo officials.",
    "Kosovo’s Interior Minister, Xhelal Svecla, visited on Sunday Kosovo police units stationed "
    "near the northern border with Serbia, saying that he hopes there will be no trouble when the "
    "new measures begin.",
    "Our common interest here is that this land is ours and we will not give it up at any cost, "
    "he said.",
]


def test_seed_004_sentences() -> None:
    header, body = load_seed("004")
    assert (header.date, header.outlet, header.dateline) == ("2022-08-21", None, None)
    segs = segment(body)
    assert [s.text for s in segs] == SEED_004
    assert [s.text for s in segs if s.heading] == ["Hidden threats follow renewed tensions"]
    assert segs[0].paragraph == 0 and segs[-1].paragraph == 20


def test_seed_boilerplate_only_where_expected() -> None:
    flagged = []
    for prefix in all_seed_prefixes():
        _, body = load_seed(prefix)
        for seg in segment(body):
            reason = boilerplate_reason(seg.text, paragraph_text(body, seg))
            if reason is not None:
                flagged.append((prefix, reason))
    assert flagged == [("000", "copyright")] + [("001", "social_embed")] * 3


@pytest.mark.parametrize("prefix", all_seed_prefixes())
def test_seed_language_is_english(prefix: str) -> None:
    _, body = load_seed(prefix)
    assert detect_language(body) == "en"


# --------------------------------------------------------------------------- markup


def undo_markup(out: str, edits: list) -> str:
    """Put every edit of :func:`strip_markup` back, last first."""
    for edit in reversed(edits):
        out = out[: edit.at] + edit.text + out[edit.at + len(edit.replacement) :]
    return out


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "\n\nOne.\n\n\n\nTwo.\n\n"),
        ("a<br/>b<BR>c", "a\nb\nc"),
        ("<td>x</td><td>y</td>", " x  y "),
        ("<b>bold</b> and <a href='/x' title=\"a>b\">link</a>", "bold and link"),
        ("x<script>if (a<b) alert('</p>')</script>y", "xy"),
        ("x<STYLE type=text/css>p{}</style>y", "xy"),
        ("x<!-- <p>hidden</p> -->y<!DOCTYPE html><?xml version='1.0'?>", "xy"),
        ("AT&amp;T &lt;b&gt; &#8212; &#x2014; &eacute;", "AT&T <b> — — é"),
        ("a&#13;b&#0;c", "a b\ufffdc"),
        ("<img src=x onerror=\"document.title='pwned'\">caption", "caption"),
    ],
)
def test_strip_markup_converts_html(html: str, text: str) -> None:
    out, edits = strip_markup(html)
    assert out == text
    assert edits
    assert undo_markup(out, edits) == html


@pytest.mark.parametrize(
    "text",
    [
        "a < b and c > d",
        "I <3 Brussels",
        "if x<y and z>w then",
        "<Reuters> and <bogus attr> are not elements",
        "AT&T, Q&A, &c. and &bogus; stay",
        "an unclosed <!-- comment",
        "",
    ],
)
def test_strip_markup_leaves_prose_alone(text: str) -> None:
    assert strip_markup(text) == (text, [])


def test_unclosed_script_is_only_a_tag() -> None:
    out, edits = strip_markup("Before <script> after.")
    assert out == "Before  after."
    assert [(e.kind, e.text) for e in edits] == [("tag", "<script>")]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.lists(
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<br/>",
                    "<script>",
                    "</script>",
                    "<!--",
                    "-->",
                    "&amp;",
                    "&#13;",
                    "<",
                    ">",
                    "a",
                    " ",
                    "\n",
                    '"',
                    "'",
                    "=",
                    "<img src=x>",
                    "&",
                    ";",
                    "#",
                    "x",
                ]
            ),
            max_size=40,
        ).map("".join),
    )
)
def test_strip_markup_is_reversible(text: str) -> None:
    out, edits = strip_markup(text)
    assert undo_markup(out, edits) == text
    assert "\r" not in out or "\r" in text
    assert [e.start for e in edits] == sorted(e.start for e in edits)


def test_strip_markup_one_megabyte_is_fast() -> None:
    big = "<p>Para <b>one</b> &amp; <i>two</i>, a < b.</p>\n" * 20_000
    started = time.perf_counter()
    out, edits = strip_markup(big)
    assert len(edits) == 140_000
    assert out.count("a < b") == 20_000
    assert time.perf_counter() - started < 5.0


# --------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("©2022 Bloomberg L.P.", "copyright"),
        ("Copyright 2022 The Associated Press.", "copyright"),
        ("All rights reserved.", "copyright"),
        ("(c) 2021 Reuters", "copyright"),
        ("Copyright © 2020 Example Media", "copyright"),
        ("This material may not be published, broadcast, rewritten or redistributed.", "copyright"),
        ("(Reporting by Ivana Sekularac; Editing by Alex Richardson)", "credit"),
        ("Associated Press writer Jovana Gec contributed to this report.", "credit"),
        ("--With assistance from Misha Savic.", "credit"),
        ("Additional reporting by Fatos Bytyci.", "credit"),
        ("Read more: Serbia and Kosovo agree on ID cards", "promo"),
        ("Sign up for our newsletter to get the latest news.", "promo"),
        ("Follow us on Twitter.", "promo"),
        ("Click here to subscribe.", "promo"),
        ("Borrell tweeted.", None),
        ("The two firms are locked in a copyright dispute since 2021.", None),
        ("Copyright law was changed in parliament.", None),
        ("He read more than 100 reports.", None),
        ("Reporters followed him on Twitter and Facebook.", None),
        ("The editing of the report took weeks.", None),
        ("Serbia will negotiate with Kosovo over the next 10 days.", None),
    ],
)
def test_boilerplate_reason(sentence: str, reason: str | None) -> None:
    assert boilerplate_reason(sentence, sentence) == reason
    if reason != "social_embed":
        assert sentence_boilerplate_reason(sentence) == reason


def test_copyright_notice_split_into_two_sentences_is_all_flagged() -> None:
    body = "Copyright 2022 The Associated Press. All rights reserved."
    assert [boilerplate_reason(s.text, body) for s in segment(body)] == ["copyright", "copyright"]


def test_social_embed_flags_every_sentence_of_the_paragraph() -> None:
    paragraph = "We met today. Great talks! Watch: pic.twitter.com/abc123"
    assert [boilerplate_reason(s.text, paragraph) for s in segment(paragraph)] == [
        "social_embed"
    ] * 3


@pytest.mark.parametrize(
    "paragraph",
    [
        "Good talks in Brussels. pic.twitter.com/JWOFqD32XT",
        "Good talks in Brussels https://t.co/AbC123",
        "Good talks in Brussels. — Jens Stoltenberg (@jensstoltenberg) August 17, 2022",
        "Calm must prevail — Josep Borrell Fontelles (@JosepBorrellF) Aug. 18, 2022",
    ],
)
def test_is_social_embed(paragraph: str) -> None:
    assert is_social_embed(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Borrell tweeted that he expects both leaders to be flexible.",
        "Stoltenberg (@jensstoltenberg) wrote on Twitter on August 17, 2022, that NATO is ready.",
        "The bit.co/ domain is not a tweet link.",
    ],
)
def test_is_not_social_embed(paragraph: str) -> None:
    assert not is_social_embed(paragraph)


def test_social_embed_paragraphs() -> None:
    body = "Intro text.\n\nNice day. pic.twitter.com/x1\n\nOutro text."
    assert social_embed_paragraphs(body) == {1}


# One scraped article in one paragraph: prose, an embedded tweet (its text, link and signature
# run straight into the next sentence), more prose.
TWEET = (
    "Good meeting w/#Serbia's President @avucic on the situation in northern #Kosovo and the "
    "wider region. @NATO_KFOR will take any measure necessary to preserve safety & security for "
    "all communities. All must engage constructively in the EU-led Belgrade–Pristina dialogue. "
    "pic.twitter.com/JWOFqD32XT — Jens Stoltenberg (@jensstoltenberg) August 17, 2022"
)
ONE_PARAGRAPH = (
    "Thursday’s talks are expected to cover a range of issues. Kurti has said such a step would "
    f"contravene Kosovo’s constitution. {TWEET} Meanwhile, NATO Secretary General Jens "
    "Stoltenberg called for calm from all sides. “We are going to have difficult discussions "
    "tomorrow,” Vucic said."
)


def embed_split(body: str) -> tuple[list[str], list[str]]:
    """(embed sentences, other sentences) of ``body``, by :func:`embedded_segments`."""
    segs = segment(body)
    embedded = embedded_segments(segs)
    return (
        [s.text for i, s in enumerate(segs) if i in embedded],
        [s.text for i, s in enumerate(segs) if i not in embedded],
    )


def test_one_paragraph_article_with_embedded_tweet_keeps_its_prose() -> None:
    embeds, prose = embed_split(ONE_PARAGRAPH)
    assert embeds == [
        "Good meeting w/#Serbia's President @avucic on the situation in northern #Kosovo and the "
        "wider region.",
        "@NATO_KFOR will take any measure necessary to preserve safety & security for all "
        "communities.",
        "All must engage constructively in the EU-led Belgrade–Pristina dialogue. "
        "pic.twitter.com/JWOFqD32XT — Jens Stoltenberg (@jensstoltenberg) August 17, 2022",
    ]
    assert prose == [
        "Thursday’s talks are expected to cover a range of issues.",
        "Kurti has said such a step would contravene Kosovo’s constitution.",
        "Meanwhile, NATO Secretary General Jens Stoltenberg called for calm from all sides.",
        "“We are going to have difficult discussions tomorrow,” Vucic said.",
    ]
    assert social_embed_paragraphs(ONE_PARAGRAPH) == set()
    reasons = [boilerplate_reason(s.text, ONE_PARAGRAPH) for s in segment(ONE_PARAGRAPH)]
    assert reasons == [None, None, "social_embed", "social_embed", "social_embed", None, None]


def test_embed_only_paragraph_is_still_flagged() -> None:
    tweet = (
        "We met today. Great talks! Watch: pic.twitter.com/abc123 — Jens Stoltenberg "
        "(@jensstoltenberg) August 17, 2022"
    )
    body = f"Intro text.\n\n{tweet}\n\nOutro text."
    embeds, prose = embed_split(body)
    assert embeds == ["We met today.", "Great talks!", tweet[27:]]
    assert prose == ["Intro text.", "Outro text."]
    assert social_embed_paragraphs(body) == {1}


def test_tweet_signature_ends_a_sentence_in_run_on_text() -> None:
    text = "Calm must prevail — Josep Borrell (@JosepBorrellF) Aug. 18, 2022 The talks resumed."
    assert sentences(text) == [
        "Calm must prevail — Josep Borrell (@JosepBorrellF) Aug. 18, 2022",
        "The talks resumed.",
    ]


def test_tweet_link_ends_a_sentence_but_not_before_its_signature() -> None:
    assert sentences("Watch: https://t.co/AbC123 The talks resumed.") == [
        "Watch: https://t.co/AbC123",
        "The talks resumed.",
    ]
    signed = "Watch pic.twitter.com/AbC123 — Jo Doe (@jo) May 2, 2022"
    assert sentences(signed) == [signed]


def test_prose_before_a_tweet_without_mentions_is_not_flagged() -> None:
    body = (
        "The minister spoke for an hour about the plates, the cards and the border, and said "
        "the talks would go on. Calm must prevail. pic.twitter.com/x1 — Josep Borrell "
        "(@JosepBorrellF) Aug. 18, 2022 The talks resumed on Friday."
    )
    embeds, prose = embed_split(body)
    assert embeds == [
        "Calm must prevail. pic.twitter.com/x1 — Josep Borrell (@JosepBorrellF) Aug. 18, 2022"
    ]
    assert prose == [
        "The minister spoke for an hour about the plates, the cards and the border, and said the "
        "talks would go on.",
        "The talks resumed on Friday.",
    ]


def test_instagram_embed_in_one_paragraph_is_flagged_but_not_its_prose() -> None:
    body = (
        "The singer joined the protest on Friday. View this post on Instagram Kosovo tonight. "
        "Stay safe everyone A post shared by Dua Lipa (@dualipa) on Aug 18, 2022 at 10:15am "
        "PDT She later said she was worried."
    )
    embeds, prose = embed_split(body)
    assert embeds == [
        "View this post on Instagram",
        "Kosovo tonight.",
        "Stay safe everyone A post shared by Dua Lipa (@dualipa) on Aug 18, 2022 at 10:15am PDT",
    ]
    assert prose == ["The singer joined the protest on Friday.", "She later said she was worried."]


@pytest.mark.parametrize(
    ("body", "embeds"),
    [
        (
            "Vucic spoke on Sunday. Posted by Aleksandar Vučić on Sunday, August 21, 2022 He then "
            "left.",
            ["Posted by Aleksandar Vučić on Sunday, August 21, 2022"],
        ),
        (
            "The talks ended late. This content is imported from Twitter. You may be able to find "
            "the same content in another format, or you may be able to find more information, at "
            "their web site. Both sides left.",
            [
                "This content is imported from Twitter.",
                "You may be able to find the same content in another format, or you may be able "
                "to find more information, at their web site.",
            ],
        ),
        (
            "The leaders met. https://www.youtube.com/embed/abc123 The talks ended late.",
            ["https://www.youtube.com/embed/abc123"],
        ),
        (
            "Watch on YouTube: https://youtu.be/abc123 The talks ended late.",
            ["Watch on YouTube: https://youtu.be/abc123"],
        ),
        (
            "He posted a video (youtube.com/watch?v=abc) of the talks. See "
            "https://twitter.com/jens/status/123 for what he said, the minister added.",
            [],
        ),
    ],
    ids=[
        "facebook-signature",
        "imported-placeholder",
        "youtube-embed-url",
        "youtube-link-alone",
        "post-links-cited-in-prose",
    ],
)
def test_other_embed_leftovers_are_flagged_sentence_by_sentence(
    body: str, embeds: list[str]
) -> None:
    found, prose = embed_split(body)
    assert found == embeds
    assert prose


def test_social_embed_flags_keeps_prose_between_two_tweets() -> None:
    """Prose longer than a tweet between two embeds is prose (a shorter stretch there could be
    either, and a paragraph ending in an embed takes it as the second tweet's text)."""
    flags = social_embed_flags(
        [
            "Good talks. pic.twitter.com/a1 — Jo Doe (@jo) May 2, 2022",
            "The minister, who spoke after the meeting for more than an hour, said that neither "
            "side had moved on the licence plates and that the next round would be harder still, "
            "and he added that he expected the European Union to put forward a new proposal "
            "before the end of the month, though he would not say what it might hold or when the "
            "leaders would meet again.",
            "Calm. pic.twitter.com/b2 — Al Roe (@al) May 3, 2022",
        ]
    )
    assert flags == [True, False, True]


@pytest.mark.parametrize(
    "big",
    [
        "-" * 1_000_000,
        "Hi — Jo (@a) May 1, 2000 " * 40_000,
        "View this post on Instagram x. " * 1_000 + "a " * 400_000,
        "Ok. https://youtu.be/a Then " * 35_000,
        ("-" * 100 + "(@a) May 1, 2000 ") * 8_000,
    ],
    ids=["dashes", "signatures", "instagram-labels", "post-links", "dashes-before-handles"],
)
def test_embed_rules_on_pathological_inputs_are_fast(big: str) -> None:
    started = time.perf_counter()
    embedded_segments(segment(big))
    assert time.perf_counter() - started < 10.0


def test_predicates() -> None:
    assert is_copyright("© Reuters 2022")
    assert not is_copyright("A copyright dispute.")
    assert is_credit("(Writing by Aleksandar Vasovic; Editing by Andrew Heavens)")
    assert not is_credit("He contributed money to the campaign.")
    assert is_promo("Also read: what the talks mean")
    assert not is_promo("Click the button, he said.")


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The leaders met in Brussels on Thursday and they agreed on nothing.", "en"),
        (
            "Die Staats- und Regierungschefs haben sich in Brüssel getroffen, aber sie sind sich "
            "nicht einig.",
            "de",
        ),
        ("Les dirigeants se sont réunis à Bruxelles et ils ne sont pas tombés d'accord.", "fr"),
        ("Los líderes se reunieron en Bruselas y no llegaron a un acuerdo con la UE.", "es"),
        (
            "I leader si sono incontrati a Bruxelles e non hanno trovato un accordo per la pace.",
            "it",
        ),
        ("Os líderes se reuniram em Bruxelas e não chegaram a um acordo com a UE.", "pt"),
        (
            "De leiders zijn in Brussel bijeengekomen maar het is niet gelukt om een akkoord te "
            "sluiten.",
            "nl",
        ),
        ("Liderët u takuan në Bruksel dhe nuk arritën një marrëveshje për të ardhmen.", "sq"),
        ("Lideri su se sastali u Briselu i nisu postigli dogovor, rekao je Vučić.", "sr"),
        ("Čelnici su se sastali u Bruxellesu, ali nije postignut dogovor o tablicama.", "sr"),
        ("Лидеры встретились в Брюсселе, но так и не смогли договориться о номерах.", "ru"),
        (
            "Лидери су се састали у Бриселу, али нису постигли договор о таблицама, "
            "рекао је Вучић.",
            "sr",
        ),
        ("اجتمع القادة في بروكسل لكنهم لم يتوصلوا إلى اتفاق", "ar"),
        ("המנהיגים נפגשו בבריסל אך לא הגיעו להסכם", "he"),
        ("지도자들은 브뤼셀에서 만났지만 합의에 이르지 못했다", "ko"),
        ("首脳らはブリュッセルで会談したが、合意には至らなかった。", "ja"),
        ("领导人在布鲁塞尔会晤，但未能达成协议。", "zh"),
        ("Οι ηγέτες συναντήθηκαν στις Βρυξέλλες αλλά δεν κατέληξαν σε συμφωνία.", "el"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Hello",
        "OK!",
        "2022-08-21 12:00",
        "The dog Der Hund ist nicht the cat",
        "The talks in Brussels Лидеры встретились в Брюсселе но так и не смогли",
        "你好",
    ],
)
def test_detect_language_unsure(text: str) -> None:
    assert detect_language(text) == "und"


def test_detect_language_is_deterministic() -> None:
    text = "Kosovo und Serbien sind sich nicht einig, sagte der Präsident."
    assert {detect_language(text) for _ in range(5)} == {"de"}
