"""The explorer's data files, built from the run's tables.

One file per thing a view shows, so that opening a view loads only its own data and no
file grows with the corpus squared (keys are paths under ``data/``, without ``.js``):

- ``index``: models, articles (``doc_id``, outlet, title, date), outlets, and per model the
  events, the outlet overlap matrix and the findings; what the first view needs;
- ``docs/<i>``: article ``i`` (its index in ``index.docs``): every sentence with its
  ``sent_id``, paragraph, heading flag and why it is greyed (boilerplate reason or the
  sentence it repeats); per model each sentence's claim and strongest counterpart;
- ``<model>/pairs/<i>-<j>``: the aligned sentences of articles ``i`` < ``j``;
- ``<model>/events/<k>``: event ``k`` (index in ``index.model[m].events``): its articles,
  outlets, claims with their coverage row (lead marked) and sentences, article pairs,
  quotes and disputed figures by ``sent_id``;
- ``<model>/outlets/<i>-<j>``: the article pairs of outlets ``i`` <= ``j``;
- ``search/<n>``: shard ``n`` of the word index: folded word -> ``[doc, sentence, ...]``
  (shard = FNV-1a hash of the word modulo ``index.search.shards``; the page hashes alike).
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from framelens.errors import FramelensError
from framelens.explorer.findings import outlet_of, pair_table, run_findings
from framelens.explorer.tables import REQUIRED, ModelTables, RunTables
from framelens.lookup import arrow_strings, index_in, run_bounds
from framelens.workers import release_free_memory

#: Words the search index leaves out (the page still checks a phrase against the text);
#: explorer.js holds the same list.
STOP_TEXT = (
    "a an and are as at be but by for from had has have he her his in is it its of on or "
    "said she that the their they this to was were which will with"
)
STOP_WORDS = frozenset(STOP_TEXT.split())
#: Aim for about this many postings per search shard.
POSTINGS_PER_SHARD = 20_000
MAX_SHARDS = 4096
PAIR_ROWS_AT_ONCE = 50_000  # aligned pairs turned into Python objects at a time
DOCS_AT_ONCE = 4096  # articles whose sentences are turned into Python objects at a time
SENTENCE_COLUMNS = REQUIRED["sentences"]
DIGIT_SEPARATOR = re.compile(r"(?<=[0-9])[,.](?=[0-9])")
WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents (``Vučić`` -> ``vucic``), digit separators dropped
    (``3,800`` -> ``3800``): what search compares. The page folds alike."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_WITHOUT_MARKS)
    return DIGIT_SEPARATOR.sub("", text.lower())


class _MarkDeleter(dict[int, int | None]):
    """A ``str.translate`` table that deletes combining marks (Unicode category M),
    filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)).startswith("M") else code
        self[code] = value
        return value


_WITHOUT_MARKS = _MarkDeleter()


def words(text: str) -> list[str]:
    """The indexed words of ``text``: folded runs of letters and digits, two characters or
    more (any number), stop words left out; each once, in order of first use.

    >>> words("Vučić met Stoltenberg; about 3,800 troops. Vucic")
    ['vucic', 'met', 'stoltenberg', 'about', '3800', 'troops']
    """
    found = WORD.findall(fold(text))
    keep = (w for w in found if (len(w) > 1 or w.isdigit()) and w not in STOP_WORDS)
    return list(dict.fromkeys(keep))


def shard_of(word: str, shards: int) -> int:
    """The search shard of ``word``: 32-bit FNV-1a over its code points, modulo ``shards``."""
    value = 0x811C9DC5
    for ch in word:
        value = ((value ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return value % shards


def _num(value: Any) -> float | None:
    """A float rounded to 3 decimals, or None for a missing value (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 3)


def _text(value: Any) -> str:
    """A table cell as text; missing values become ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


class Corpus:
    """The articles in the explorer's order (by ``doc_id``) and their sentences, held as
    one table sorted by article and position: an article's rows (:func:`_sentence_rows`)
    are built when asked for, a block of articles at a time, never all at once.

    A sentence's *position* is its row in that table: positions follow the articles'
    order, then the sentences' order within each, so sorting by position is sorting by
    (article index, sentence index in the article's file)."""

    def __init__(self, run: RunTables) -> None:
        docs = run.documents.sort_values("doc_id", kind="mergesort")
        self.doc_ids = docs["doc_id"].astype(str).tolist()
        self.index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.documents = docs
        self.outlet = outlet_of(run)
        self.outlets = sorted(set(self.outlet.values()))
        self.outlet_index = {name: i for i, name in enumerate(self.outlets)}
        columns = [c for c in SENTENCE_COLUMNS if c in run.sentences.columns]
        sents = run.sentences[columns].sort_values(["doc_id", "position"], kind="mergesort")
        self.doc_index = pd.Index(self.doc_ids)
        article = self.articles(sents["doc_id"], "a sentence's")
        self.sentences = sents.reset_index(drop=True)
        self.sent_ids = arrow_strings(self.sentences["sent_id"].astype(str))
        #: sentence rows of article i: starts[i]:starts[i + 1]
        self.starts = np.searchsorted(article, np.arange(len(self.doc_ids) + 1))
        # the position key of an id not in the corpus: where (article 0, sentence 0) sorts
        self.missing = 0 if self.count(0) else -1

    def articles(self, doc_ids: pd.Series, whose: str) -> np.ndarray:
        """Each article's index (32-bit); an article not in the corpus is refused, named
        as ``whose`` article ("aligned", "a sentence's")."""
        found = index_in(doc_ids.astype(str), self.doc_index)
        if (found < 0).any():
            unknown = doc_ids.astype(str).to_numpy()[found < 0][0]
            raise FramelensError(f"{whose} article {unknown!r} is not in documents")
        return found.astype(np.int32)

    def count(self, i: int) -> int:
        """How many sentences article ``i`` has."""
        return int(self.starts[i + 1] - self.starts[i]) if i < len(self.doc_ids) else 0

    def positions(self, sent_ids: pd.Series | pd.Index) -> np.ndarray:
        """Each sentence's position (see the class doc); :attr:`missing` for an id that is
        not in the corpus (it sorts before every sentence but the first article's first)."""
        found = index_in(sent_ids, self.sent_ids)
        return np.where(found >= 0, found, self.missing)

    def _block_sentences(self) -> Iterator[tuple[int, int, pd.DataFrame]]:
        """``(first article, end article, their sentences)`` per block of
        :data:`DOCS_AT_ONCE` articles, in order."""
        for lo in range(0, len(self.doc_ids), DOCS_AT_ONCE):
            hi = min(lo + DOCS_AT_ONCE, len(self.doc_ids))
            yield lo, hi, self.sentences.iloc[self.starts[lo] : self.starts[hi]]

    def blocks(self) -> Iterator[tuple[int, int, list[list[Any]]]]:
        """``(first article, end article, rows)`` per block of articles in order, ``rows``
        the block's sentences as :func:`_sentence_rows` gives them."""
        for lo, hi, block in self._block_sentences():
            yield lo, hi, _sentence_rows(block)

    def article_rows(self) -> Iterator[tuple[int, list[list[Any]]]]:
        """``(article index, its sentence rows)`` for every article, in order."""
        for lo, hi, rows in self.blocks():
            yield from self.split_by_article(lo, hi, rows)

    def article_texts(self) -> Iterator[tuple[int, list[str]]]:
        """``(article index, its sentences' texts)`` for every article, in order (the
        text as its row shows it)."""
        for lo, hi, block in self._block_sentences():
            yield from self.split_by_article(lo, hi, _texts(block["text"]))

    def split_by_article(
        self, lo: int, hi: int, items: list[Any]
    ) -> Iterator[tuple[int, list[Any]]]:
        """``items``, one per sentence of articles ``lo:hi``, split by article."""
        offset = int(self.starts[lo])
        for i in range(lo, hi):
            yield i, items[self.starts[i] - offset : self.starts[i + 1] - offset]

    def ids_of(self, articles: list[int]) -> list[str]:
        """The sent_ids of some articles' sentences."""
        ranges = [np.arange(self.starts[i], self.starts[i + 1]) for i in articles]
        at = np.concatenate(ranges) if ranges else np.zeros(0, dtype=np.intp)
        return self.sent_ids.take(pa.array(at, type=pa.int64())).to_pylist()


def document_files(corpus: Corpus, run: RunTables) -> Iterator[tuple[str, Any]]:
    """``docs/<i>``: every article's sentences, with per model claims and counterparts
    (key, value), one article at a time."""
    claims = {name: _claim_of(corpus, model) for name, model in run.models.items()}
    tops = {name: _top_counterparts(corpus, model) for name, model in run.models.items()}
    release_free_memory()  # the sorts' temporaries, before the long loop
    for lo, hi, rows in corpus.blocks():
        first, end = int(corpus.starts[lo]), int(corpus.starts[hi])
        per_model = {  # each model's values for the block's sentences, split by article
            name: (
                dict(corpus.split_by_article(lo, hi, claims[name].take(first, end))),
                dict(corpus.split_by_article(lo, hi, _tops(*tops[name], first, end))),
            )
            for name in run.models
        }
        for i, mine in corpus.split_by_article(lo, hi, rows):
            models = {
                name: {"claims": found[0][i], "top": found[1][i]}
                for name, found in per_model.items()
            }
            yield f"docs/{i}", {"doc": i, "sentences": mine, "models": models}


def _tops(other: SentenceValues, relation: SentenceValues, lo: int, hi: int) -> list[Any]:
    """``[counterpart sent_id, relation]`` per sentence at positions ``lo:hi`` (0: none)."""
    return [
        [o, r] if c >= 0 else 0
        for o, r, c in zip(
            other.take(lo, hi), relation.take(lo, hi), other.codes[lo:hi].tolist(), strict=True
        )
    ]


def _sentence_rows(group: pd.DataFrame) -> list[list[Any]]:
    """``[sent_id, paragraph, text, heading, greyed reason, repeats sent_id]`` per sentence."""
    rows = []
    for sent_id, paragraph, text, heading, boiler, reason, duplicate in zip(
        _values(group["sent_id"].astype(str)),
        group["paragraph"],
        group["text"],
        group["heading"],
        group["boilerplate"],
        group["boilerplate_reason"],
        group["duplicate_of"],
        strict=True,
    ):
        repeat = _text(duplicate)
        greyed = _text(reason) or "boilerplate" if bool(boiler) else ("repeat" if repeat else "")
        rows.append([sent_id, int(paragraph), _text(text), int(bool(heading)), greyed, repeat])
    return rows


class SentenceValues:
    """A value per corpus sentence (by position), held as codes into an Arrow array of
    the distinct values; code -1 is ``default``."""

    def __init__(self, codes: np.ndarray, values: pa.Array, default: Any) -> None:
        self.codes = codes
        self.values = values
        self.default = default

    def take(self, lo: int, hi: int) -> list[Any]:
        """The values of the sentences at positions ``lo:hi``."""
        codes = self.codes[lo:hi]
        if not len(self.values):
            return [self.default] * len(codes)
        found = self.values.take(pa.array(np.maximum(codes, 0), type=pa.int64())).to_pylist()
        return [v if c >= 0 else self.default for v, c in zip(found, codes.tolist(), strict=True)]


def _per_sentence(corpus: Corpus, positions: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``codes`` placed at the corpus ``positions`` they belong to (-1 elsewhere; rows
    whose sentence is not in the corpus are left out; a later row wins, as in a dict)."""
    placed = np.full(len(corpus.sent_ids), -1, dtype=np.int32)
    known = positions >= 0
    placed[positions[known]] = codes[known]
    return placed


def _claim_of(corpus: Corpus, model: ModelTables) -> SentenceValues:
    """Each sentence's claim_id (``""`` when it has none)."""
    table = model.claims
    codes, names = pd.factorize(table["claim_id"].astype(str))
    positions = index_in(table["sent_id"].astype(str), corpus.sent_ids)
    return SentenceValues(
        _per_sentence(corpus, positions, codes), pa.array(_values(pd.Series(names))), ""
    )


def _top_counterparts(corpus: Corpus, model: ModelTables) -> tuple[SentenceValues, SentenceValues]:
    """Each sentence's strongest alignment (reuse before paraphrase, then the higher
    semantic score, then the counterpart's sent_id): the counterpart's sent_id and the
    relation, default 0 and ``""``.

    Worked on integer codes (corpus positions, then any ids not in the corpus), never on
    the ids themselves: at 100,000 articles the table has 5.5 million pairs."""
    table = model.alignments
    none = SentenceValues(np.full(len(corpus.sent_ids), -1, dtype=np.int32), pa.array([]), 0)
    if table.empty:
        return none, none
    ids_a, ids_b = table["sent_id_a"].astype(str), table["sent_id_b"].astype(str)
    found_a, found_b = index_in(ids_a, corpus.sent_ids), index_in(ids_b, corpus.sent_ids)
    extra = pd.Index(pd.unique(pd.concat([ids_a[found_a < 0], ids_b[found_b < 0]])))
    universe = pa.concat_arrays([corpus.sent_ids, arrow_strings(pd.Series(extra, dtype=str))])
    n_corpus = len(corpus.sent_ids)
    code_a, code_b = found_a, found_b
    if len(extra):  # ids not in the corpus (not in a consistent run) follow its sentences
        code_a = np.where(found_a >= 0, found_a, n_corpus + index_in(ids_a, extra))
        code_b = np.where(found_b >= 0, found_b, n_corpus + index_in(ids_b, extra))
    del found_a, found_b
    rank = np.empty(len(universe), dtype=np.int32)  # each id's place in sent_id order
    rank[pc.sort_indices(universe).to_numpy()] = np.arange(len(universe), dtype=np.int32)
    n = len(table)
    code_a, code_b = code_a.astype(np.int32), code_b.astype(np.int32)
    sent, other = np.concatenate([code_a, code_b]), np.concatenate([code_b, code_a])
    del code_a, code_b
    # reuse first (looked up in Arrow: a map would make a Python string of every pair's)
    relation_rank = index_in(table["relation"], pd.Index(["verbatim", "rewrite", "paraphrase"]))
    relation_rank = np.tile(np.where(relation_rank < 0, 3, relation_rank).astype(np.int8), 2)
    less_similar = np.tile(-table["semantic"].to_numpy(dtype=float), 2)
    # as a stable sort by sent, rank, semantic (descending, missing last), other
    order = np.lexsort((rank[other], less_similar, relation_rank, sent))
    del less_similar, relation_rank
    firsts = order[np.flatnonzero(np.r_[True, np.diff(sent[order]) != 0])]
    del order
    mine = sent[firsts] < n_corpus
    firsts, positions = firsts[mine], sent[firsts][mine]
    relation_codes, relations = pd.factorize(table["relation"].astype(str).iloc[firsts % n])
    counterparts = _per_sentence(corpus, positions, other[firsts])
    return (
        SentenceValues(counterparts, universe, 0),
        SentenceValues(
            _per_sentence(corpus, positions, relation_codes),
            pa.array(_values(pd.Series(relations))),
            "",
        ),
    )


def pair_files(corpus: Corpus, model: ModelTables) -> Iterator[tuple[str, Any]]:
    """``<model>/pairs/<i>-<j>``: the aligned sentences of each article pair (key, value),
    one article pair at a time: only one pair's rows are built at once."""
    table = model.alignments
    if table.empty:
        return
    source = (
        table["source_doc_id"]
        if "source_doc_id" in table.columns
        else pd.Series("", index=table.index)
    )
    matched = (
        table["matched_from"]
        if "matched_from" in table.columns
        else pd.Series("", index=table.index)
    )
    # 32-bit article indexes and positions: the arrays have one item per aligned pair
    first, second = (corpus.articles(table[side], "aligned") for side in ("doc_id_a", "doc_id_b"))
    low, high = np.minimum(first, second), np.maximum(first, second)
    order = np.lexsort((high, low))  # by article pair; within one, in the table's order
    sources = (
        table["sent_id_a"].astype(str),
        table["sent_id_b"].astype(str),
        table["relation"].astype(str),
        table["semantic"],
        table["lexical"],
        table["sequence"],
        matched,
        source,
    )
    swapped = (first > second)[order]
    del first, second
    low, high = low[order], high[order]
    at_a = corpus.positions(table["sent_id_a"]).astype(np.int32)[order]
    at_b = corpus.positions(table["sent_id_b"]).astype(np.int32)[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(low) != 0) | (np.diff(high) != 0)])
    bounds = [*starts.tolist(), len(order)]
    # cells become Python objects a chunk of whole article pairs at a time, not all at once
    cuts = [0]  # indexes into bounds
    for k in range(1, len(bounds)):
        if bounds[k] - bounds[cuts[-1]] >= PAIR_ROWS_AT_ONCE or k == len(bounds) - 1:
            cuts.append(k)
    release_free_memory()  # the lookups' hash tables, before the long loop
    for k_lo, k_hi in itertools.pairwise(cuts):
        c_lo, c_hi = bounds[k_lo], bounds[k_hi]
        columns = [
            np.asarray(_values(column.iloc[order[c_lo:c_hi]]), dtype=object) for column in sources
        ]
        for lo, hi in itertools.pairwise(bounds[k_lo : k_hi + 1]):
            i, j = int(low[lo]), int(high[lo])
            keyed = []
            for at in range(lo, hi):
                sa, sb, rel, sem, lex, seq, frm, src = (c[at - c_lo] for c in columns)
                ka, kb = int(at_a[at]), int(at_b[at])
                if swapped[at]:
                    sa, sb, ka, kb = sb, sa, kb, ka
                row = [sa, sb, rel, _num(sem), _num(lex), _num(seq), _text(frm), _text(src)]
                keyed.append((ka, kb, sa, sb, row))
            keyed.sort(key=lambda k: k[:4])  # in reading order, then by id
            links = [k[4] for k in keyed]
            yield f"{model.name}/pairs/{i}-{j}", {"a": i, "b": j, "links": links}


def _pair_rows(corpus: Corpus, pairs: pd.DataFrame) -> list[list[int]]:
    """``[i, j, n_verbatim, n_rewrite, n_paraphrase]`` per article pair (``i`` < ``j``)."""
    rows = []
    for a, b, nv, nr, np_ in zip(
        _values(pairs["doc_id_a"].astype(str)),
        _values(pairs["doc_id_b"].astype(str)),
        pairs["n_verbatim"],
        pairs["n_rewrite"],
        pairs["n_paraphrase"],
        strict=True,
    ):
        i, j = sorted((corpus.index[a], corpus.index[b]))
        rows.append([i, j, int(nv), int(nr), int(np_)])
    return rows


class ByEvent:
    """The rows of one table by ``event_id``: the table in event order (stably, so each
    event's rows keep the table's order), and each event's bounds in it."""

    def __init__(self, table: pd.DataFrame, columns: list[str]) -> None:
        codes, names = pd.factorize(table["event_id"].fillna("").astype(str))
        order = np.argsort(codes, kind="stable")
        self.table = table[columns].iloc[order].reset_index(drop=True)
        bounds = run_bounds(codes[order]).tolist()
        self.bounds = {
            str(names[codes[order[lo]]]): (lo, hi) for lo, hi in itertools.pairwise(bounds)
        }

    def rows(self, event_id: str) -> pd.DataFrame:
        """The rows of ``event_id`` (none when it has no rows)."""
        lo, hi = self.bounds.get(event_id, (0, 0))
        return self.table.iloc[lo:hi]


def event_members(corpus: Corpus, model: ModelTables) -> dict[str, list[int]]:
    """event_id -> the indexes of its articles, in order; events by id."""
    members: dict[str, list[int]] = defaultdict(list)
    for doc_id, event_id in _columns(model.events, "doc_id", "event_id"):
        if doc_id in corpus.index:
            members[event_id].append(corpus.index[doc_id])
    return {event_id: sorted(members[event_id]) for event_id in sorted(members)}


def event_files(
    corpus: Corpus, model: ModelTables, pairs: pd.DataFrame, members: dict[str, list[int]]
) -> Iterator[tuple[str, Any]]:
    """``<model>/events/<k>`` per event (``members``: :func:`event_members`; ``pairs``:
    :func:`pair_table`), one event at a time: each event's claims, coverage and
    sentences are read from the tables when its file is built."""
    event_of = {corpus.doc_ids[i]: e for e, docs in members.items() for i in docs}
    pairs_of: dict[str, list[list[int]]] = defaultdict(list)
    for row in _pair_rows(corpus, pairs):
        pairs_of[event_of.get(corpus.doc_ids[row[0]], "")].append(row)
    del event_of
    claims = model.claims.assign(position=corpus.positions(model.claims["sent_id"].astype(str)))
    claims_by_event = ByEvent(claims, ["sent_id", "claim_id", "position"])
    summary_by_event = ByEvent(model.summary, ["claim_id", "label", "representative"])
    coverage = model.coverage.astype({c: bool for c in ("present", "lead", "own", "core")})
    coverage_by_event = ByEvent(coverage, ["claim_id", "outlet", "present", "lead", "own", "core"])
    quotes = _quotes_by_sentence(model)
    disputed = _disputed_by_sentence(model)
    for k, (event_id, docs) in enumerate(members.items()):
        outlets = sorted({corpus.outlet[corpus.doc_ids[i]] for i in docs})
        column = {name: n for n, name in enumerate(outlets)}
        sents_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
        rows = claims_by_event.rows(event_id)
        for sent_id, claim_id, at in zip(
            *(_texts(rows[c]) for c in ("sent_id", "claim_id")),
            rows["position"].tolist(),
            strict=True,
        ):
            sents_of[claim_id].append((at, sent_id))
        coverage_of: dict[str, list[tuple[str, bool, bool, bool, bool]]] = defaultdict(list)
        rows = coverage_by_event.rows(event_id)
        for claim_id, outlet, *flags in zip(
            _values(rows["claim_id"].astype(str)),
            _values(rows["outlet"].astype(str)),
            *(rows[c].tolist() for c in ("present", "lead", "own", "core")),
            strict=True,
        ):
            coverage_of[claim_id].append((outlet, *flags))
        rows = summary_by_event.rows(event_id)
        claims_list = []
        for claim_id, label, rep in sorted(
            zip(*(_texts(rows[c]) for c in ("claim_id", "label", "representative")), strict=True)
        ):
            cells, own, core = [0] * len(outlets), "", False
            for outlet, present, lead, is_own, is_core in coverage_of.get(claim_id, []):
                core = core or is_core
                if present and outlet in column:
                    cells[column[outlet]] = 2 if lead else 1
                    own = outlet if is_own else own
            sents = [s for _, s in sorted(sents_of.get(claim_id, []), key=itemgetter(0))]
            claims_list.append(
                {"id": claim_id, "label": label, "rep": rep, "core": core, "own": own}
                | {"cells": cells, "sents": sents}
            )
        in_event = sorted(corpus.ids_of(docs))
        yield (
            f"{model.name}/events/{k}",
            {
                "event_id": event_id,
                "docs": docs,
                "outlets": outlets,
                "claims": claims_list,
                "pairs": pairs_of.get(event_id, []),
                "quotes": {s: quotes[s] for s in in_event if s in quotes},
                "disputed": {s: disputed[s] for s in in_event if s in disputed},
            },
        )


def _values(column: pd.Series) -> list[Any]:
    """The values of a column as Python objects (fast for Arrow-backed text too)."""
    return list(column.to_numpy(dtype=object))


def _texts(column: pd.Series) -> list[str]:
    """The cells of a column as text (missing: ``""``)."""
    return [_text(v) for v in _values(column)]


def _columns(table: pd.DataFrame, *names: str) -> Iterator[tuple[str, ...]]:
    """The rows of some columns of ``table``, each cell as text (missing: ``""``)."""
    return zip(*(_texts(table[name]) for name in names), strict=True)


def _quotes_by_sentence(model: ModelTables) -> dict[str, list[list[str]]]:
    """sent_id -> ``[kind, speaker, quote]`` of each quotation in it."""
    found: dict[str, list[list[str]]] = defaultdict(list)
    for sent_ids, kind, speaker, quote in zip(
        model.quotes["sent_ids"],
        model.quotes["kind"],
        model.quotes["speaker"],
        model.quotes["quote"],
        strict=True,
    ):
        for sent_id in _text(sent_ids).split(";"):
            if sent_id:
                found[sent_id].append([_text(kind), _text(speaker), _text(quote)])
    return dict(found)


def _disputed_by_sentence(model: ModelTables) -> dict[str, list[list[str]]]:
    """sent_id -> ``[kind, unit, values, as written]`` of each disputed figure in it."""
    found: dict[str, list[list[str]]] = defaultdict(list)
    table = model.disputed
    for kind, unit, values, sent_ids, texts in zip(
        table["kind"],
        table["unit"],
        table["values"],
        table["sent_ids"],
        table["texts"],
        strict=True,
    ):
        ids, written = _text(sent_ids).split(";"), _text(texts).split(";")
        shown = " vs ".join(_text(values).split(";"))
        for n, sent_id in enumerate(ids):
            if sent_id:
                text = written[n] if n < len(written) else ""
                found[sent_id].append([_text(kind), _text(unit), shown, text])
    return dict(found)


def outlet_files(
    corpus: Corpus, model: ModelTables, pairs: pd.DataFrame
) -> tuple[dict[str, Any], list[list[Any]]]:
    """``<model>/outlets/<i>-<j>``: each outlet pair's article pairs, most reused first; and
    the overlap matrix for the index (``[i, j, reuse, ci low, ci high, any, any low,
    any high, adjusted p]``, i = outlet A, j = outlet B; ``pairs``: :func:`pair_table`)."""
    grouped: dict[str, list[list[int]]] = defaultdict(list)
    for row in _pair_rows(corpus, pairs):
        a = corpus.outlet_index[corpus.outlet[corpus.doc_ids[row[0]]]]
        b = corpus.outlet_index[corpus.outlet[corpus.doc_ids[row[1]]]]
        grouped[f"{model.name}/outlets/{min(a, b)}-{max(a, b)}"].append(row)
    matrix = []
    for row in model.overlap.itertuples(index=False):
        name_a, name_b = str(row.outlet_a), str(row.outlet_b)
        if name_a in corpus.outlet_index and name_b in corpus.outlet_index:
            matrix.append(
                [
                    corpus.outlet_index[name_a],
                    corpus.outlet_index[name_b],
                    *(_num(getattr(row, c)) for c in ("reuse_share", "ci_low", "ci_high")),
                    *(
                        _num(getattr(row, c))
                        for c in ("share_a_in_b", "share_ci_low", "share_ci_high")
                    ),
                    _num(row.p_adjusted),
                ]
            )
    matrix.sort()
    return {key: {"pairs": rows} for key, rows in grouped.items()}, matrix


class SearchIndex:
    """The word index of every sentence, held compactly: one (word, article, sentence)
    triple of 32-bit integers per posting, in the order the sentences come."""

    def __init__(self, corpus: Corpus) -> None:
        vocabulary: dict[str, int] = {}
        word_ids, docs, sentences = array("i"), array("i"), array("i")
        for i, texts in corpus.article_texts():
            for k, text in enumerate(texts):
                for word in words(text):
                    word_ids.append(vocabulary.setdefault(word, len(vocabulary)))
                    docs.append(i)
                    sentences.append(k)
        self.words = list(vocabulary)
        self.word_ids = np.frombuffer(word_ids, dtype=np.int32)
        self.docs = np.frombuffer(docs, dtype=np.int32)
        self.sentences = np.frombuffer(sentences, dtype=np.int32)
        self.shards = min(MAX_SHARDS, max(1, math.ceil(len(self.word_ids) / POSTINGS_PER_SHARD)))
        release_free_memory()  # what the texts took while they were read

    def files(self) -> Iterator[tuple[str, Any]]:
        """``search/<n>``, one shard at a time: folded word -> ``[doc, sentence, ...]``."""
        shard_of_word = np.array([shard_of(w, self.shards) for w in self.words], dtype=np.int64)
        # Postings by shard, then word, then in their order: the words are ranked by
        # (shard, word) and the postings sorted stably by their word's rank; a shard's
        # postings are counted per word. No array of the postings' size is wider than
        # 32 bits: at 100,000 articles there are tens of millions.
        by_shard = np.lexsort((np.arange(len(self.words)), shard_of_word))
        rank = np.empty(len(self.words), dtype=np.int32)
        rank[by_shard] = np.arange(len(self.words), dtype=np.int32)
        order = np.argsort(rank[self.word_ids], kind="stable").astype(np.int32)
        per_word = np.bincount(self.word_ids, minlength=len(self.words))
        per_shard = np.bincount(shard_of_word, weights=per_word, minlength=self.shards)
        bounds = np.r_[0, np.cumsum(per_shard.astype(np.int64))]
        del by_shard, rank, per_word
        release_free_memory()
        for n, (lo, hi) in enumerate(itertools.pairwise(bounds.tolist())):
            at = order[lo:hi]
            ids = self.word_ids[at]
            starts: list[int] = (
                np.flatnonzero(np.r_[True, np.diff(ids) != 0]).tolist() if len(ids) else []
            )
            pairs = np.column_stack((self.docs[at], self.sentences[at]))
            index = {
                self.words[int(ids[a])]: pairs[a:b].ravel().tolist()
                for a, b in itertools.pairwise([*starts, len(ids)])
            }
            yield f"search/{n}", index


def build_files(run: RunTables, findings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every data file of the explorer (key -> value), ``index`` included, in memory (for
    tests and small runs; the workflow writes :func:`file_groups` as it goes)."""
    return dict(iter_files(run, findings))


def iter_files(run: RunTables, findings: dict[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
    """Every data file of the explorer as (key, value), ``index`` last: the groups of
    :func:`file_groups`, one after the other."""
    for group in file_groups(run, findings):
        yield from group()


FileGroup = Callable[[], Iterator[tuple[str, Any]]]


def file_groups(run: RunTables, findings: dict[str, Any] | None = None) -> list[FileGroup]:
    """The explorer's data files in groups that are built apart, each a function that
    yields its files as (key, value), one at a time (articles one by one, article pairs
    one by one, ...), so that a writer holds one file, never a group: each model's
    article pairs, the search index with each model's outlet pairs and the ``index``
    (which lists the search shards, the events and the overlap matrix), every article,
    and each model's events. Heavy groups come first, for writers that take them side by
    side (``findings``: :func:`~framelens.explorer.findings.run_findings` of ``run``,
    computed when not given)."""
    corpus = Corpus(run)
    findings = run_findings(run) if findings is None else findings
    models = [model for _, model in sorted(run.models.items())]
    return [
        *(partial(pair_files, corpus, model) for model in models),
        partial(_search_and_index_files, corpus, run, findings),
        partial(document_files, corpus, run),
        *(partial(_model_event_files, corpus, model) for model in models),
    ]


def _model_event_files(corpus: Corpus, model: ModelTables) -> Iterator[tuple[str, Any]]:
    """``<model>/events/<k>``: :func:`event_files` of the model's events."""
    yield from event_files(corpus, model, pair_table(model), event_members(corpus, model))


def _search_and_index_files(
    corpus: Corpus, run: RunTables, findings: dict[str, Any]
) -> Iterator[tuple[str, Any]]:
    """Each model's ``<model>/outlets/<i>-<j>``, then ``search/<n>``, then ``index``."""
    per_model: dict[str, Any] = {}
    for name, model in sorted(run.models.items()):
        members = event_members(corpus, model)
        outlets, matrix = outlet_files(corpus, model, pair_table(model))
        yield from outlets.items()
        del outlets
        per_model[name] = {
            "events": [[event_id, docs] for event_id, docs in members.items()],
            "overlap": matrix,
            "findings": findings["models"][name],
        }
    search = SearchIndex(corpus)
    yield from search.files()
    shards = search.shards
    del search
    docs = corpus.documents
    yield (
        "index",
        {
            "models": sorted(run.models),
            "docs": [
                [d, corpus.outlet[d], _text(t), _text(date), corpus.count(i)]
                for i, (d, t, date) in enumerate(
                    zip(corpus.doc_ids, docs["title"], docs["date"], strict=True)
                )
            ],
            "outlets": corpus.outlets,
            "model": per_model,
            "robust": findings["robust"],
            "search": {"shards": shards},
        },
    )
