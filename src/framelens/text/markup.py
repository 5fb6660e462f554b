"""HTML in article text: tags, comments, declarations, character references and
``<script>``/``<style>`` elements converted to plain text, every edit recorded."""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from dataclasses import dataclass

from framelens.text.sentences import _word_set


@dataclass(frozen=True)
class MarkupEdit:
    """One piece of HTML that :func:`strip_markup` replaced.

    ``text`` is the markup exactly as it was at ``start`` in the input; ``replacement`` is what
    stands in its place at ``at`` in the output. ``kind`` is ``script`` or ``style`` (the whole
    element, contents included), ``comment``, ``declaration`` (``<!DOCTYPE ...>``, ``<?...?>``),
    ``tag`` or ``entity``.
    """

    kind: str
    text: str
    start: int
    at: int
    replacement: str


_ATTRIBUTE = r"""\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]{0,2000}"|'[^']{0,2000}'|[^\s"'<>=`]+))?"""
_MARKUP_RE = re.compile(
    r"(?P<script><(?P<element>script|style)\b[^<>]{0,2000}>.*?</(?P=element)\s*>)"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<declaration><![A-Za-z][^<>]{0,2000}>|<\?[^<>]{0,2000}\?>)"
    rf"|(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9]{{0,15}})(?:{_ATTRIBUTE})*\s*/?>)"
    r"|(?P<entity>&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_ELEMENTS = _word_set(
    """address article aside blockquote body caption center dd details dialog div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html legend li main
    nav ol p pre section summary table tbody tfoot thead title tr ul"""
)
_CELL_ELEMENTS = _word_set("td th")
_INLINE_ELEMENTS = _word_set(
    """a abbr audio b bdi bdo big button cite code data del dfn em embed font i iframe img input
    ins kbd label link mark meta noscript object option picture q s samp script select small
    source span strike strong style sub sup svg template textarea time tt u var video wbr br"""
)
_MARKUP_KINDS = ("script", "comment", "declaration", "tag", "entity")


def _entity_value(entity: str) -> str | None:
    """The text an HTML character reference stands for, or ``None`` for an unknown name.

    Control characters (other than tab and line feed) become a space, so the output stays
    plain LF-only text.
    """
    if entity[1] != "#" and entity[1:] not in html.entities.html5:
        return None
    value = html.unescape(entity)
    return "".join(" " if unicodedata.category(c) == "Cc" and c not in "\t\n" else c for c in value)


def _markup_replacement(match: re.Match[str]) -> tuple[str, str] | None:
    """``(kind, replacement)`` for one match of ``_MARKUP_RE``; ``None`` when it is not markup
    (an unknown element or entity name, e.g. ``<y and z>`` in prose)."""
    kind = next(k for k in _MARKUP_KINDS if match.group(k) is not None)
    if kind == "script":
        return match.group("element").lower(), ""
    if kind == "entity":
        value = _entity_value(match.group())
        return None if value is None else (kind, value)
    if kind != "tag":
        return kind, ""
    name = match.group("name").lower()
    if name == "br":
        return kind, "\n"
    if name in _BLOCK_ELEMENTS:
        return kind, "\n\n"
    if name in _CELL_ELEMENTS:
        return kind, " "
    return (kind, "") if name in _INLINE_ELEMENTS else None


def strip_markup(text: str) -> tuple[str, list[MarkupEdit]]:
    """Convert HTML in ``text`` to plain text; return the text and every edit made.

    Recognised: tags of known HTML elements (``<p>``, ``</div>``, ``<br/>``,
    ``<img src=x onerror="...">``), comments, ``<!DOCTYPE>``/``<?...?>`` declarations, named and
    numeric character references (``&amp;``, ``&#8212;``), and ``<script>``/``<style>`` elements,
    which are removed whole, contents included (an unclosed ``<script>`` is only a tag). Block
    tags become a paragraph break, ``<br>`` a line break, table cells a space, other tags
    nothing; references become their character. A ``<`` in prose (``a < b``, ``<3``,
    ``x<y and z>``) is not a tag and stays. Text without markup is returned unchanged with no
    edits. Applying each edit in reverse (``out[at:at + len(replacement)]`` back to ``text``)
    gives the input again, so nothing is lost.
    """
    pieces: list[str] = []
    edits: list[MarkupEdit] = []
    copied = search_from = out_len = 0
    while (match := _MARKUP_RE.search(text, search_from)) is not None:
        found = _markup_replacement(match)
        if found is None:
            search_from = match.start() + 1
            continue
        kind, replacement = found
        pieces += [text[copied : match.start()], replacement]
        out_len += match.start() - copied
        edits.append(MarkupEdit(kind, match.group(), match.start(), out_len, replacement))
        out_len += len(replacement)
        copied = search_from = match.end()
    if not edits:
        return text, []
    pieces.append(text[copied:])
    return "".join(pieces), edits
