"""Normalisation: the one change made to every raw text before anything else reads it."""

from __future__ import annotations

import unicodedata

NORMALISATION = (
    "leading BOM stripped, CRLF and CR converted to LF, Unicode NFC; "
    "whitespace otherwise left untouched"
)

_BOM = "\ufeff"


def normalise_text(raw: str) -> str:
    """Strip a leading BOM, convert CRLF/CR to LF and apply Unicode NFC; nothing else."""
    if raw.startswith(_BOM):
        raw = raw[1:]
    unix = raw.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", unix)
