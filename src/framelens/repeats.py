"""What repeats across articles: an outlet's site boilerplate, and syndicated copies.

*Site boilerplate* is a line one outlet prints in many of its articles ("Sign up for our
newsletter", a byline, "Read more: …"): a sentence that recurs, word for word, in at least
``min_articles`` of the outlet's articles and in at least ``min_share`` of them. Counting
keeps one 8-byte hash per distinct (outlet, sentence), never the texts, so it stays small
however long the articles are.

A *syndicated copy* is an article whose content sentences equal, word for word and in order,
those of an earlier article (another outlet's, or the same outlet's republication). Every
copy stays in the corpus under its own outlet; ``syndicated_of`` names the article it copies:
the earliest by date and time, then the first in corpus order.
"""

from __future__ import annotations

import array
import hashlib
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from framelens.schema import defaults


def text_hash(key: str) -> int:
    """A stable 64-bit hash of a text key (the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class SiteBoilerplateSettings:
    """When a repeated line counts as site boilerplate (config ``ingest.site_boilerplate``)."""

    min_articles: int = defaults("ingest")["site_boilerplate"]["min_articles"]
    min_share: float = defaults("ingest")["site_boilerplate"]["min_share"]

    @classmethod
    def from_config(cls, entry: dict[str, Any] | None) -> SiteBoilerplateSettings:
        """From the validated ``ingest.site_boilerplate`` mapping (missing keys: defaults)."""
        return cls(**(entry or {}))

    def threshold(self, n_articles: int) -> int:
        """How many of an outlet's ``n_articles`` articles a line must appear in."""
        return max(self.min_articles, math.ceil(self.min_share * n_articles))


@dataclass
class SiteRepeats:
    """Counts, per outlet, the articles each distinct sentence appears in.

    Pass one only appends (outlet code, sentence hash) pairs to two flat arrays, 12 bytes
    per distinct sentence of an article, and :meth:`boilerplate` counts them at the end,
    so memory stays small per article however many articles there are.
    """

    settings: SiteBoilerplateSettings = field(default_factory=SiteBoilerplateSettings)
    articles: Counter[str] = field(default_factory=Counter)
    outlets: dict[str, int] = field(default_factory=dict)
    codes: array.array[int] = field(default_factory=lambda: array.array("I"))
    hashes: array.array[int] = field(default_factory=lambda: array.array("Q"))

    def add_article(self, outlet: str, keys: Iterable[str]) -> None:
        """Count one article of ``outlet`` with its sentences' repeat keys."""
        self.articles[outlet] += 1
        code = self.outlets.setdefault(outlet, len(self.outlets))
        distinct = {text_hash(key) for key in keys}
        self.hashes.extend(distinct)
        self.codes.extend([code] * len(distinct))

    def boilerplate(self) -> dict[tuple[str, int], int]:
        """(outlet, sentence hash) -> number of articles, for every site-boilerplate line."""
        if not self.hashes:
            return {}
        pairs = np.empty(len(self.hashes), dtype=[("code", "u4"), ("hash", "u8")])
        pairs["code"] = np.frombuffer(self.codes, dtype=np.uint32)
        pairs["hash"] = np.frombuffer(self.hashes, dtype=np.uint64)
        unique, counts = np.unique(pairs, return_counts=True)
        names = list(self.outlets)
        limits = np.array([self.settings.threshold(self.articles[name]) for name in names])
        keep = counts >= limits[unique["code"]]
        return {
            (names[int(code)], int(hashed)): int(n)
            for (code, hashed), n in zip(unique[keep].tolist(), counts[keep].tolist(), strict=True)
        }


def content_fingerprint(keys: Iterable[str]) -> int | None:
    """One hash of an article's content sentences in order (None for no content)."""
    digest = hashlib.blake2b(digest_size=16)
    empty = True
    for key in keys:
        digest.update(key.encode("utf-8") + b"\x00")
        empty = False
    return None if empty else int.from_bytes(digest.digest(), "big")


def syndication_sources(
    documents: list[dict[str, Any]], fingerprints: dict[str, int | None]
) -> dict[str, str]:
    """doc_id -> the doc_id it copies, for every article whose content equals an earlier one.

    ``documents`` in corpus order (each with ``doc_id``, ``date``, ``time``); the original of
    a group of equal articles is the earliest by (date, time), then the first in order.
    Articles without a date sort after dated ones.
    """
    groups: dict[int, list[tuple[tuple[str, str, int], str]]] = {}
    for order, doc in enumerate(documents):
        fingerprint = fingerprints.get(doc["doc_id"])
        if fingerprint is None:
            continue
        when = (doc.get("date") or "9999-99-99", doc.get("time") or "99", order)
        groups.setdefault(fingerprint, []).append((when, doc["doc_id"]))
    copies: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort()
        original = members[0][1]
        copies.update({doc_id: original for _, doc_id in members[1:]})
    return copies
