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
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from framelens.explorer.findings import outlet_of, pair_table, run_findings
from framelens.explorer.tables import ModelTables, RunTables

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
PAIR_ROWS_AT_ONCE = 200_000  # aligned pairs turned into Python objects at a time
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
    """The articles in the explorer's order (by ``doc_id``) and their sentences."""

    def __init__(self, run: RunTables) -> None:
        docs = run.documents.sort_values("doc_id", kind="mergesort")
        self.doc_ids = docs["doc_id"].astype(str).tolist()
        self.index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.documents = docs
        self.outlet = outlet_of(run)
        self.outlets = sorted(set(self.outlet.values()))
        self.outlet_index = {name: i for i, name in enumerate(self.outlets)}
        sents = run.sentences.sort_values(["doc_id", "position"], kind="mergesort")
        #: doc_id -> its sentences as :func:`_sentence_rows` gives them, in order
        self.rows: dict[str, list[list[Any]]] = defaultdict(list)
        for doc_id, row in zip(
            _values(sents["doc_id"].astype(str)), _sentence_rows(sents), strict=True
        ):
            self.rows[doc_id].append(row)
        #: sent_id -> (article index, sentence index in the article's file)
        self.where: dict[str, tuple[int, int]] = {}
        for doc_id, rows in self.rows.items():
            for k, row in enumerate(rows):
                self.where[row[0]] = (self.index[doc_id], k)


def document_files(corpus: Corpus, run: RunTables) -> Iterator[tuple[str, Any]]:
    """``docs/<i>``: every article's sentences, with per model claims and counterparts
    (key, value), one article at a time."""
    claims = {name: _claim_of(model) for name, model in run.models.items()}
    tops = {name: _top_counterparts(model) for name, model in run.models.items()}
    for i, doc_id in enumerate(corpus.doc_ids):
        rows = corpus.rows.get(doc_id, [])
        ids = [row[0] for row in rows]
        per_model = {
            name: {
                "claims": [claims[name].get(s, "") for s in ids],
                "top": [tops[name].get(s, 0) for s in ids],
            }
            for name in run.models
        }
        yield f"docs/{i}", {"doc": i, "sentences": rows, "models": per_model}


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


def _claim_of(model: ModelTables) -> dict[str, str]:
    """sent_id -> claim_id."""
    table = model.claims
    return dict(
        zip(
            _values(table["sent_id"].astype(str)),
            _values(table["claim_id"].astype(str)),
            strict=True,
        )
    )


def _top_counterparts(model: ModelTables) -> dict[str, list[str]]:
    """sent_id -> ``[counterpart sent_id, relation]`` of its strongest alignment
    (reuse before paraphrase, then the higher semantic score, then the sent_id).

    Sorted on integer codes (given in sent_id order) rather than on the ids themselves:
    at 100,000 articles the table has 4.3 million pairs, 8.6 million rows both ways."""
    table = model.alignments
    if table.empty:
        return {}
    rank = table["relation"].map({"verbatim": 0, "rewrite": 1, "paraphrase": 2}).fillna(3)
    codes, ids = pd.factorize(
        pd.concat([table["sent_id_a"], table["sent_id_b"]]).astype(str), sort=True
    )
    n = len(table)
    sent, other = codes, np.concatenate([codes[n:], codes[:n]])
    semantic = np.tile(table["semantic"].to_numpy(dtype=float), 2)
    # as a stable sort by sent, rank, semantic (descending, missing last), other
    order = np.lexsort((other, -semantic, np.tile(rank.to_numpy(dtype=float), 2), sent))
    firsts = order[np.flatnonzero(np.r_[True, np.diff(sent[order]) != 0])]
    relation = table["relation"].astype(str).to_numpy(dtype=object)
    names = np.asarray(ids, dtype=object)
    return {
        s: [o, r]
        for s, o, r in zip(
            names[sent[firsts]].tolist(),
            names[other[firsts]].tolist(),
            relation[firsts % n].tolist(),
            strict=True,
        )
    }


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
    index = pd.Series(corpus.index, dtype="int64")
    first = index.reindex(table["doc_id_a"].astype(str)).to_numpy()
    second = index.reindex(table["doc_id_b"].astype(str)).to_numpy()
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
    low, high = low[order], high[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(low) != 0) | (np.diff(high) != 0)])
    bounds = [*starts.tolist(), len(order)]
    # cells become Python objects a chunk of whole article pairs at a time, not all at once
    cuts = [0]  # indexes into bounds
    for k in range(1, len(bounds)):
        if bounds[k] - bounds[cuts[-1]] >= PAIR_ROWS_AT_ONCE or k == len(bounds) - 1:
            cuts.append(k)
    for k_lo, k_hi in itertools.pairwise(cuts):
        c_lo, c_hi = bounds[k_lo], bounds[k_hi]
        columns = [
            np.asarray(_values(column.iloc[order[c_lo:c_hi]]), dtype=object) for column in sources
        ]
        for lo, hi in itertools.pairwise(bounds[k_lo : k_hi + 1]):
            i, j = int(low[lo]), int(high[lo])
            rows = []
            for at in range(lo, hi):
                sa, sb, rel, sem, lex, seq, frm, src = (c[at - c_lo] for c in columns)
                if swapped[at]:
                    sa, sb = sb, sa
                rows.append([sa, sb, rel, _num(sem), _num(lex), _num(seq), _text(frm), _text(src)])
            rows.sort(
                key=lambda r: (
                    corpus.where.get(r[0], (0, 0)),
                    corpus.where.get(r[1], (0, 0)),
                    r[0],
                    r[1],
                )
            )
            yield f"{model.name}/pairs/{i}-{j}", {"a": i, "b": j, "links": rows}


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


def event_files(
    corpus: Corpus, model: ModelTables, pairs: pd.DataFrame
) -> tuple[dict[str, Any], list[list[Any]]]:
    """``<model>/events/<k>`` per event, and the event list for the index
    (``[event_id, [article indexes]]``, by event id; ``pairs``: :func:`pair_table`)."""
    members: dict[str, list[int]] = defaultdict(list)
    for doc_id, event_id in _columns(model.events, "doc_id", "event_id"):
        if doc_id in corpus.index:
            members[event_id].append(corpus.index[doc_id])
    event_of = {corpus.doc_ids[i]: e for e, docs in members.items() for i in docs}
    pairs_of: dict[str, list[list[int]]] = defaultdict(list)
    for row in _pair_rows(corpus, pairs):
        pairs_of[event_of.get(corpus.doc_ids[row[0]], "")].append(row)
    sents_of: dict[str, list[str]] = defaultdict(list)
    for sent_id, claim_id in _columns(model.claims, "sent_id", "claim_id"):
        sents_of[claim_id].append(sent_id)
    claims_of: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for claim_id, event_id, label, rep in _columns(
        model.summary, "claim_id", "event_id", "label", "representative"
    ):
        claims_of[event_id].append((claim_id, label, rep))
    coverage_of: dict[str, list[tuple[str, bool, bool, bool, bool]]] = defaultdict(list)
    table = model.coverage
    for claim_id, outlet, present, lead, own, core in zip(
        _values(table["claim_id"].astype(str)),
        _values(table["outlet"].astype(str)),
        table["present"].astype(bool),
        table["lead"].astype(bool),
        table["own"].astype(bool),
        table["core"].astype(bool),
        strict=True,
    ):
        coverage_of[claim_id].append((outlet, present, lead, own, core))
    quotes = _quotes_by_sentence(model)
    disputed = _disputed_by_sentence(model)
    files: dict[str, Any] = {}
    listing: list[list[Any]] = []
    for k, event_id in enumerate(sorted(members)):
        docs = sorted(members[event_id])
        outlets = sorted({corpus.outlet[corpus.doc_ids[i]] for i in docs})
        column = {name: n for n, name in enumerate(outlets)}
        claims = []
        for claim_id, label, rep in sorted(claims_of.get(event_id, [])):
            cells, own, core = [0] * len(outlets), "", False
            for outlet, present, lead, is_own, is_core in coverage_of.get(claim_id, []):
                core = core or is_core
                if present and outlet in column:
                    cells[column[outlet]] = 2 if lead else 1
                    own = outlet if is_own else own
            sents = sorted(sents_of.get(claim_id, []), key=lambda s: corpus.where.get(s, (0, 0)))
            claims.append(
                {"id": claim_id, "label": label, "rep": rep, "core": core, "own": own}
                | {"cells": cells, "sents": sents}
            )
        in_event = sorted(row[0] for i in docs for row in corpus.rows.get(corpus.doc_ids[i], []))
        files[f"{model.name}/events/{k}"] = {
            "event_id": event_id,
            "docs": docs,
            "outlets": outlets,
            "claims": claims,
            "pairs": pairs_of.get(event_id, []),
            "quotes": {s: quotes[s] for s in in_event if s in quotes},
            "disputed": {s: disputed[s] for s in in_event if s in disputed},
        }
        listing.append([event_id, docs])
    return files, listing


def _values(column: pd.Series) -> list[Any]:
    """The values of a column as Python objects (fast for Arrow-backed text too)."""
    return list(column.to_numpy(dtype=object))


def _columns(table: pd.DataFrame, *names: str) -> Iterator[tuple[str, ...]]:
    """The rows of some columns of ``table``, each cell as text (missing: ``""``)."""
    columns = [[_text(v) for v in _values(table[name])] for name in names]
    return zip(*columns, strict=True)


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
        for doc_id, rows in corpus.rows.items():
            i = corpus.index[doc_id]
            for k, row in enumerate(rows):
                for word in words(row[2]):
                    word_ids.append(vocabulary.setdefault(word, len(vocabulary)))
                    docs.append(i)
                    sentences.append(k)
        self.words = list(vocabulary)
        self.word_ids = np.frombuffer(word_ids, dtype=np.int32)
        self.docs = np.frombuffer(docs, dtype=np.int32)
        self.sentences = np.frombuffer(sentences, dtype=np.int32)
        self.shards = min(MAX_SHARDS, max(1, math.ceil(len(self.word_ids) / POSTINGS_PER_SHARD)))

    def files(self) -> Iterator[tuple[str, Any]]:
        """``search/<n>``, one shard at a time: folded word -> ``[doc, sentence, ...]``."""
        shard_of_word = np.array([shard_of(w, self.shards) for w in self.words], dtype=np.int64)
        order = np.lexsort((self.word_ids, shard_of_word[self.word_ids]))  # stable
        shard = shard_of_word[self.word_ids[order]]
        bounds = np.searchsorted(shard, np.arange(self.shards + 1))
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
    tests and small runs; the workflow writes :func:`iter_files` as it goes)."""
    return dict(iter_files(run, findings))


def iter_files(run: RunTables, findings: dict[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
    """Every data file of the explorer as (key, value), ``index`` last, built a group at a
    time (articles one by one, article pairs one by one, then each model's events and
    outlet pairs, then the search index), so that a writer holds one group, never all
    (``findings``: :func:`~framelens.explorer.findings.run_findings` of ``run``, computed
    when not given)."""
    corpus = Corpus(run)
    findings = run_findings(run) if findings is None else findings
    yield from document_files(corpus, run)
    per_model: dict[str, Any] = {}
    for name, model in sorted(run.models.items()):
        yield from pair_files(corpus, model)
        pairs = pair_table(model)
        events, listing = event_files(corpus, model, pairs)
        yield from events.items()
        del events
        outlets, matrix = outlet_files(corpus, model, pairs)
        yield from outlets.items()
        del outlets
        per_model[name] = {
            "events": listing,
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
                [d, corpus.outlet[d], _text(t), _text(date), len(corpus.rows.get(d, ()))]
                for d, t, date in zip(
                    _values(docs["doc_id"].astype(str)), docs["title"], docs["date"], strict=True
                )
            ],
            "outlets": corpus.outlets,
            "model": per_model,
            "robust": findings["robust"],
            "search": {"shards": shards},
        },
    )
