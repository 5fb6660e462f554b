"""Language detection: script rules, then stop-word profiles; ``und`` when unsure."""

from __future__ import annotations

import re
import string
from collections import Counter

from framelens.text.sentences import _word_set

_LANGUAGE_SAMPLE = 100_000
_DOMINANT_SHARE = 0.8
_MIN_LETTERS = 8
_MIN_CJK = 4
_MIN_WORDS = 3
_MIN_HITS = 2
_MARGIN = 1.5
_LETTER_BONUS = 0.5
_LATIN_WORD_RE = re.compile(r"[^\W\d_]+")
_DELETE_ASCII_LETTERS = dict.fromkeys(map(ord, string.ascii_letters))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

_STOPWORDS: dict[str, frozenset[str]] = {
    code: _word_set(words)
    for code, words in {
        "en": """the of and to in is that for it with as was on be by at this are from or an
            have not but has had were which they their his her its he she we you will would
            been who said a""",
        "de": """der die das und ist nicht ein eine einer einen dem den des mit von zu auf für
            sich auch als im bei wir ich sie es hat wird werden nach wie aus oder aber noch nur
            über sind war vor""",
        "fr": """le la les et est une un des du de que qui dans pour pas sur au aux ce cette il
            elle nous vous ne se par plus avec sont était mais ou leur ses son été""",
        "es": """el la los las y es un una que de del en por para con no se lo su sus al como
            más pero fue ha son está este esta también entre""",
        "it": """il lo la gli le di del della dei che è e un una per non con sono si da nel
            nella alla al come più ma anche questo questa ha""",
        "pt": """o a os as e é um uma de do da dos das que em no na nos nas para por com não se
            ao como mais mas foi são está também pelo pela seu sua""",
        "nl": """de het een en van is dat die in te op voor met zijn niet er aan ook als maar om
            bij wordt werd naar door hij zij ze wij nog dan heeft""",
        "sq": """të e në një dhe është për me nga që se ka do u i si ishte janë më por ky kjo
            nuk edhe tij saj ata duke pas mbi""",
        "sr": """i u je da se na za od do su to ne što kao koji koja koje sa iz o ali bi ili će
            smo sam nije biti jer samo još već ima bio bila""",
        "ru": """и в не на что с он как это по но из у к я за от же так то все она был была
            для мы они бы о его ее уже или если только""",
        "sr-Cyrl": """и у је да се на за од до су то не што као који која које са из о али би или
            ће смо сам није бити јер само још већ има био била""",
    }.items()
}
_DISTINCTIVE_LETTERS = {
    "sr": frozenset("čćđšž"),
    "sq": frozenset("ë"),
    "de": frozenset("äöüß"),
    "es": frozenset("ñ¿¡"),
    "pt": frozenset("ãõ"),
    "fr": frozenset("èêœîû"),
}
_LATIN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sq", "sr")
_SERBIAN_CYRILLIC = frozenset("ђјљњћџЂЈЉЊЋЏ")
_RUSSIAN_CYRILLIC = frozenset("ыэъщёйЫЭЪЩЁЙ")
_EAST_SLAVIC_OTHER = frozenset("іїєґўІЇЄҐЎ")
_SCRIPT_RANGES = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x1100, 0x11FF, "hangul"),
    (0x1E00, 0x1EFF, "latin"),
    (0x1F00, 0x1FFF, "greek"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF66, 0xFF9F, "kana"),
    (0x20000, 0x2FFFF, "han"),
)
_SCRIPT_GROUP = {"han": "cjk", "kana": "cjk", "hangul": "cjk"}
_SCRIPT_LANGUAGE = {"greek": "el", "hebrew": "he", "arabic": "ar"}


def _script_of(char: str) -> str:
    """Script name of a letter (see ``_SCRIPT_RANGES``), or 'other'."""
    code = ord(char)
    for low, high, script in _SCRIPT_RANGES:
        if low <= code <= high:
            return script
    return "other"


def _script_counts(text: str) -> dict[str, int]:
    """Number of letters of ``text`` per script (ASCII letters counted in one pass)."""
    rest = text.translate(_DELETE_ASCII_LETTERS)
    counts: dict[str, int] = {}
    if len(rest) < len(text):
        counts["latin"] = len(text) - len(rest)
    for char in _NON_ASCII.findall(rest):
        if char.isalpha():
            script = _script_of(char)
            counts[script] = counts.get(script, 0) + 1
    return counts


def _dominant_group(counts: dict[str, int]) -> str | None:
    """The script group holding at least 80% of the letters, or ``None`` (mixed)."""
    groups: dict[str, int] = {}
    for script, count in counts.items():
        group = _SCRIPT_GROUP.get(script, script)
        groups[group] = groups.get(group, 0) + count
    total = sum(groups.values())
    for group, count in sorted(groups.items()):
        if total and count >= _DOMINANT_SHARE * total:
            return group
    return None


def _cjk_language(counts: dict[str, int]) -> str:
    """'ko' (mostly Hangul), 'ja' (any notable kana), 'zh' (Han only), or 'und'."""
    hangul, kana, han = (counts.get(s, 0) for s in ("hangul", "kana", "han"))
    total = hangul + kana + han
    if total < _MIN_CJK:
        return "und"
    if hangul * 2 >= total:
        return "ko"
    if kana * 20 >= total:
        return "ja"
    return "zh" if hangul == 0 and kana == 0 else "und"


def _best_language(scores: dict[str, float]) -> str:
    """The top-scoring language when it is clear enough (enough hits, clear margin), else 'und'."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best, best_score = ranked[0]
    second_score = ranked[1][1] if len(ranked) > 1 else 0.0
    if best_score < _MIN_HITS or best_score <= _MARGIN * second_score:
        return "und"
    return best


def _latin_language(words: list[str]) -> str:
    """Stop-word (plus distinctive letter) vote among the Latin-script languages."""
    counts = Counter(words)
    accented = [word for word in counts if not word.isascii()]
    scores: dict[str, float] = {}
    for code in _LATIN_LANGUAGES:
        letters = _DISTINCTIVE_LETTERS.get(code, frozenset())
        hits = sum(counts[word] for word in _STOPWORDS[code].intersection(counts))
        marked = sum(counts[word] for word in accented if not letters.isdisjoint(word))
        scores[code] = hits + _LETTER_BONUS * marked
    return _best_language(scores)


def _cyrillic_language(text: str, words: list[str]) -> str:
    """'sr' or 'ru' from distinctive letters, then stop words; 'und' for other Cyrillic."""
    serbian = sum(c in _SERBIAN_CYRILLIC for c in text)
    russian = sum(c in _RUSSIAN_CYRILLIC for c in text)
    other = sum(c in _EAST_SLAVIC_OTHER for c in text)
    if other and other >= russian and not serbian:
        return "und"
    if serbian != russian:
        return "sr" if serbian > russian else "ru"
    scores = {
        "ru": float(sum(w in _STOPWORDS["ru"] for w in words)),
        "sr": float(sum(w in _STOPWORDS["sr-Cyrl"] for w in words)),
    }
    return _best_language(scores)


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` ('sr' for Serbian/Croatian/Bosnian), or 'und' when unsure.

    Script rules first (Arabic 'ar', Hebrew 'he', Greek 'el', Hangul 'ko', kana 'ja', Han only
    'zh'); stop-word profiles for Latin (en de fr es it pt nl sq sr) and Cyrillic (ru sr) text.
    Very short or mixed-script text gives 'und'. Deterministic.
    """
    sample = text[:_LANGUAGE_SAMPLE]
    counts = _script_counts(sample)
    group = _dominant_group(counts)
    if group == "cjk":
        return _cjk_language(counts)
    if group is None or sum(counts.values()) < _MIN_LETTERS:
        return "und"
    if group in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[group]
    words = _LATIN_WORD_RE.findall(sample.lower())
    if len(words) < _MIN_WORDS:
        return "und"
    if group == "latin":
        return _latin_language(words)
    if group == "cyrillic":
        return _cyrillic_language(sample, words)
    return "und"
