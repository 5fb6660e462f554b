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

import math
import re
import unicodedata
from collections import defaultdict
from typing import Any

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
DIGIT_SEPARATOR = re.compile(r"(?<=[0-9])[,.](?=[0-9])")
WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents (``Vučić`` -> ``vucic``), digit separators dropped
    (``3,800`` -> ``3800``): what search compares. The page folds alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    plain = plain.lower()
    return DIGIT_SEPARATOR.sub("", plain)


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


def _by(table: pd.DataFrame, column: str) -> dict[str, pd.DataFrame]:
    """``table`` split by the values of ``column`` (as text), in sorted order."""
    if table.empty:
        return {}
    return {str(key): group for key, group in table.groupby(table[column].astype(str), sort=True)}


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
        self.sentences = _by(sents, "doc_id")
        #: sent_id -> (article index, sentence index in the article's file)
        self.where: dict[str, tuple[int, int]] = {}
        for doc_id, group in self.sentences.items():
            for k, sent_id in enumerate(group["sent_id"].astype(str)):
                self.where[sent_id] = (self.index[doc_id], k)


def document_files(corpus: Corpus, run: RunTables) -> dict[str, Any]:
    """``docs/<i>``: every article's sentences, with per model claims and counterparts."""
    claims = {name: _claim_of(model) for name, model in run.models.items()}
    tops = {name: _top_counterparts(model) for name, model in run.models.items()}
    files: dict[str, Any] = {}
    for i, doc_id in enumerate(corpus.doc_ids):
        group = corpus.sentences.get(doc_id)
        rows = [] if group is None else _sentence_rows(group)
        ids = [row[0] for row in rows]
        per_model = {
            name: {
                "claims": [claims[name].get(s, "") for s in ids],
                "top": [tops[name].get(s, 0) for s in ids],
            }
            for name in run.models
        }
        files[f"docs/{i}"] = {"doc": i, "sentences": rows, "models": per_model}
    return files


def _sentence_rows(group: pd.DataFrame) -> list[list[Any]]:
    """``[sent_id, paragraph, text, heading, greyed reason, repeats sent_id]`` per sentence."""
    rows = []
    for sent_id, paragraph, text, heading, boiler, reason, duplicate in zip(
        group["sent_id"].astype(str),
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
    return dict(zip(table["sent_id"].astype(str), table["claim_id"].astype(str), strict=True))


def _top_counterparts(model: ModelTables) -> dict[str, list[str]]:
    """sent_id -> ``[counterpart sent_id, relation]`` of its strongest alignment
    (reuse before paraphrase, then the higher semantic score, then the sent_id)."""
    table = model.alignments
    if table.empty:
        return {}
    rank = table["relation"].map({"verbatim": 0, "rewrite": 1, "paraphrase": 2}).fillna(3)
    both = pd.DataFrame(
        {
            "sent": pd.concat([table["sent_id_a"], table["sent_id_b"]]).astype(str).to_numpy(),
            "other": pd.concat([table["sent_id_b"], table["sent_id_a"]]).astype(str).to_numpy(),
            "relation": pd.concat([table["relation"]] * 2).astype(str).to_numpy(),
            "rank": pd.concat([rank] * 2).to_numpy(),
            "semantic": pd.concat([table["semantic"]] * 2).to_numpy(),
        }
    )
    best = both.sort_values(
        ["sent", "rank", "semantic", "other"], ascending=[True, True, False, True], kind="mergesort"
    ).drop_duplicates("sent")
    return {
        s: [o, r] for s, o, r in zip(best["sent"], best["other"], best["relation"], strict=True)
    }


def pair_files(corpus: Corpus, model: ModelTables) -> dict[str, Any]:
    """``<model>/pairs/<i>-<j>``: the aligned sentences of each article pair."""
    files: dict[str, Any] = {}
    table = model.alignments
    if table.empty:
        return files
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
    links: dict[tuple[int, int], list[list[Any]]] = defaultdict(list)
    for a, b, sa, sb, rel, sem, lex, seq, frm, src in zip(
        table["doc_id_a"].astype(str),
        table["doc_id_b"].astype(str),
        table["sent_id_a"].astype(str),
        table["sent_id_b"].astype(str),
        table["relation"].astype(str),
        table["semantic"],
        table["lexical"],
        table["sequence"],
        matched,
        source,
        strict=True,
    ):
        i, j = corpus.index[a], corpus.index[b]
        row = [sa, sb, rel, _num(sem), _num(lex), _num(seq), _text(frm), _text(src)]
        if i > j:
            i, j = j, i
            row[0], row[1] = sb, sa
        links[(i, j)].append(row)
    for (i, j), rows in links.items():
        rows.sort(
            key=lambda r: (
                corpus.where.get(r[0], (0, 0)),
                corpus.where.get(r[1], (0, 0)),
                r[0],
                r[1],
            )
        )
        files[f"{model.name}/pairs/{i}-{j}"] = {"a": i, "b": j, "links": rows}
    return files


def _pair_rows(corpus: Corpus, pairs: pd.DataFrame) -> list[list[int]]:
    """``[i, j, n_verbatim, n_rewrite, n_paraphrase]`` per article pair (``i`` < ``j``)."""
    rows = []
    for a, b, nv, nr, np_ in zip(
        pairs["doc_id_a"].astype(str),
        pairs["doc_id_b"].astype(str),
        pairs["n_verbatim"],
        pairs["n_rewrite"],
        pairs["n_paraphrase"],
        strict=True,
    ):
        i, j = sorted((corpus.index[a], corpus.index[b]))
        rows.append([i, j, int(nv), int(nr), int(np_)])
    return rows


def event_files(corpus: Corpus, model: ModelTables) -> tuple[dict[str, Any], list[list[Any]]]:
    """``<model>/events/<k>`` per event, and the event list for the index
    (``[event_id, [article indexes]]``, by event id)."""
    pairs = pair_table(model)
    event_of = dict(
        zip(model.events["doc_id"].astype(str), model.events["event_id"].astype(str), strict=True)
    )
    pairs = pairs.assign(event=pairs["doc_id_a"].astype(str).map(event_of))
    claims_by_event = _by(model.claims, "event_id")
    summary_by_event = _by(model.summary, "event_id")
    coverage_by_event = _by(model.coverage, "event_id")
    pairs_by_event = _by(pairs, "event")
    quotes = _quotes_by_sentence(model)
    disputed = _disputed_by_sentence(model)
    files: dict[str, Any] = {}
    listing: list[list[Any]] = []
    for k, (event_id, members) in enumerate(_by(model.events, "event_id").items()):
        docs = sorted(corpus.index[d] for d in members["doc_id"].astype(str) if d in corpus.index)
        outlets = sorted({corpus.outlet[corpus.doc_ids[i]] for i in docs})
        claim_rows = claims_by_event.get(event_id, model.claims.iloc[0:0])
        sents_of = {
            c: sorted(g["sent_id"].astype(str), key=lambda s: corpus.where.get(s, (0, 0)))
            for c, g in _by(claim_rows, "claim_id").items()
        }
        cells = _coverage_cells(coverage_by_event.get(event_id), outlets)
        claims = []
        for row in (
            summary_by_event.get(event_id, model.summary.iloc[0:0])
            .sort_values("claim_id", kind="mergesort")
            .itertuples(index=False)
        ):
            claim_id = str(row.claim_id)
            row_cells, core, own = cells.get(claim_id, ([0] * len(outlets), False, ""))
            claims.append(
                {
                    "id": claim_id,
                    "label": _text(row.label),
                    "rep": _text(row.representative),
                    "core": core,
                    "own": own,
                    "cells": row_cells,
                    "sents": sents_of.get(claim_id, []),
                }
            )
        in_event = (
            {s for c in sents_of.values() for s in c}
            | {s for i in docs for s in corpus.sentences[corpus.doc_ids[i]]["sent_id"].astype(str)}
            if docs and all(corpus.doc_ids[i] in corpus.sentences for i in docs)
            else set()
        )
        files[f"{model.name}/events/{k}"] = {
            "event_id": event_id,
            "docs": docs,
            "outlets": outlets,
            "claims": claims,
            "pairs": _pair_rows(corpus, pairs_by_event.get(event_id, pairs.iloc[0:0])),
            "quotes": {s: quotes[s] for s in sorted(in_event) if s in quotes},
            "disputed": {s: disputed[s] for s in sorted(in_event) if s in disputed},
        }
        listing.append([event_id, docs])
    return files, listing


def _coverage_cells(
    coverage: pd.DataFrame | None, outlets: list[str]
) -> dict[str, tuple[list[int], bool, str]]:
    """claim_id -> (per outlet 0 absent, 1 present, 2 in the lead; core; the outlet that
    alone carries it or ``""``)."""
    if coverage is None:
        return {}
    column = {name: i for i, name in enumerate(outlets)}
    cells: dict[str, tuple[list[int], bool, str]] = {}
    for claim_id, group in _by(coverage, "claim_id").items():
        row = [0] * len(outlets)
        own = ""
        for outlet, present, lead, is_own in zip(
            group["outlet"].astype(str), group["present"], group["lead"], group["own"], strict=True
        ):
            if outlet in column and bool(present):
                row[column[outlet]] = 2 if bool(lead) else 1
                if bool(is_own):
                    own = outlet
        cells[claim_id] = (row, bool(group["core"].astype(bool).any()), own)
    return cells


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


def outlet_files(corpus: Corpus, model: ModelTables) -> tuple[dict[str, Any], list[list[Any]]]:
    """``<model>/outlets/<i>-<j>``: each outlet pair's article pairs, most reused first; and
    the overlap matrix for the index (``[i, j, reuse, ci low, ci high, any, any low,
    any high, adjusted p]``, i = outlet A, j = outlet B)."""
    pairs = pair_table(model)
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


def search_files(corpus: Corpus) -> tuple[dict[str, Any], int]:
    """``search/<n>``: the word index in shards, and how many shards there are."""
    postings: dict[str, list[int]] = defaultdict(list)
    for doc_id, group in corpus.sentences.items():
        i = corpus.index[doc_id]
        for k, text in enumerate(group["text"]):
            for word in words(_text(text)):
                postings[word].extend((i, k))
    total = sum(len(p) for p in postings.values()) // 2
    shards = min(MAX_SHARDS, max(1, math.ceil(total / POSTINGS_PER_SHARD)))
    files: dict[str, Any] = {f"search/{n}": {} for n in range(shards)}
    for word in sorted(postings):
        files[f"search/{shard_of(word, shards)}"][word] = postings[word]
    return files, shards


def build_files(run: RunTables, findings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every data file of the explorer (key -> value), ``index`` included (``findings``:
    :func:`~framelens.explorer.findings.run_findings` of ``run``, computed when not given)."""
    corpus = Corpus(run)
    findings = run_findings(run) if findings is None else findings
    files = document_files(corpus, run)
    per_model: dict[str, Any] = {}
    for name, model in run.models.items():
        files.update(pair_files(corpus, model))
        events, listing = event_files(corpus, model)
        files.update(events)
        outlets, matrix = outlet_files(corpus, model)
        files.update(outlets)
        per_model[name] = {
            "events": listing,
            "overlap": matrix,
            "findings": findings["models"][name],
        }
    search, shards = search_files(corpus)
    files.update(search)
    docs = corpus.documents
    files["index"] = {
        "models": list(run.models),
        "docs": [
            [d, corpus.outlet[d], _text(t), _text(date), len(corpus.sentences.get(d, ()))]
            for d, t, date in zip(
                docs["doc_id"].astype(str), docs["title"], docs["date"], strict=True
            )
        ],
        "outlets": corpus.outlets,
        "model": per_model,
        "robust": findings["robust"],
        "search": {"shards": shards},
    }
    return files
