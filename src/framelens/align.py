"""Cross-document sentence alignment: who shares what, and in what form.

For every pair of documents in the same event, each content sentence is
matched to its best counterparts in the other document under the model
(blocked, so memory grows with the block size, never with the square of the
corpus), then the pair is labelled by how it is worded:

``verbatim``
    The same words in the same order: token sequence similarity (difflib's
    ratio over the two word lists) >= ``verbatim``.
``rewrite``
    Clearly derived wording: trimmed, reordered or lightly edited copy. Either
    the pair alone shares most of its phrasing (lexical >= ``rewrite_alone``),
    or it shares some (lexical >= ``rewrite``) and the two documents hold at
    least ``min_shared`` such pairs. One pair with a few shared phrases is weak
    evidence of copying: two reports of one event share names and stock
    phrases ("independence from Serbia in 2008"). Several between the same two
    articles are strong evidence, and wire copy is reused in passages.
``paraphrase``
    The same claim in its own words: cosine similarity under the model >= the
    model's ``paraphrase`` threshold, without the shared wording of a rewrite.

The lexical score is the mean of word-bigram and word-trigram *containment*:
the share of the shorter sentence's n-grams found in the longer one. It does
not depend on the model. n-grams see shared phrasing rather than shared
vocabulary, and containment rather than Jaccard keeps a trimmed copy scoring
high. Words are compared case-, accent- and punctuation-blind.
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import NotRequired, TypedDict

import numpy as np
import pandas as pd
import scipy.sparse as sp
from cydifflib import SequenceMatcher

from framelens.basics.evidence import EventAnchors, evidence_score
from framelens.basics.similarity import Matrix, as_float32, blocked_topk
from framelens.basics.tables import (
    REUSE,
    Relation,
    content_mask,
    event_of_documents,
    tables_in_pieces,
)
from framelens.basics.tokens import per_text, word_tokens
from framelens.lookup import run_bounds
from framelens.schema import defaults
from framelens.settings import Thresholds
from framelens.vectorfile import VectorFile, take_rows

ALIGNMENT_COLUMNS = [
    "event",
    "sent_id_a",
    "sent_id_b",
    "doc_id_a",
    "doc_id_b",
    "semantic",
    "lexical",
    "sequence",
    "relation",
    "matched_from",
    "source_doc_id",
    "evidence",
]


class Candidate(TypedDict):
    """One sentence's best counterpart in another document (:func:`best_candidates`):
    its row, cosine, lexical overlap and sequence similarity (None until it is needed)."""

    other: int
    semantic: float
    lexical: float
    sequence: float | None


class CandidatePair(Candidate):
    """A candidate pair of :func:`choose_pairs`: the :class:`Candidate` found first,
    from which side (``a``, ``b`` or ``both``), and the evidence features that
    :func:`candidate_evidence` adds."""

    matched_from: str
    margin: NotRequired[float]
    anchor: NotRequired[float]
    contradiction: NotRequired[float]
    evidence: NotRequired[float]


# --------------------------------------------------------------------------- lexical


def ngram_set(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of a token list."""
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def lexical_overlap(a: list[str], b: list[str]) -> float:
    """Mean of word-bigram and word-trigram containment of two token lists.

    >>> lexical_overlap("no one was injured".split(), "no one was hurt".split())
    0.5833333333333333
    """
    return (containment(a, b, 2) + containment(a, b, 3)) / 2


def containment(a: list[str], b: list[str], n: int = 3) -> float:
    """Share of the shorter token list's word n-grams that occur in the other one.

    Uses shorter n-grams when a sentence has fewer than ``n`` words; 0 for an
    empty sentence.

    >>> containment("no one was injured".split(), "no one was hurt".split())
    0.5
    """
    n = min(n, len(a), len(b))
    if n == 0:
        return 0.0
    grams_a, grams_b = ngram_set(a, n), ngram_set(b, n)
    return len(grams_a & grams_b) / min(len(grams_a), len(grams_b))


class NgramCache:
    """Word n-gram sets of many token lists, each built once however often it is compared
    (alignment compares a sentence with several candidates in several documents)."""

    def __init__(self, tokens: list[list[str]]) -> None:
        self.tokens = tokens
        self._sets: dict[tuple[int, int], set[tuple[str, ...]]] = {}

    def grams(self, row: int, n: int) -> set[tuple[str, ...]]:
        """The word ``n``-grams of list ``row``."""
        key = (row, n)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = ngram_set(self.tokens[row], n)
        return found

    def containment(self, a: int, b: int, n: int) -> float:
        """:func:`containment` of lists ``a`` and ``b``."""
        n = min(n, len(self.tokens[a]), len(self.tokens[b]))
        if n == 0:
            return 0.0
        grams_a, grams_b = self.grams(a, n), self.grams(b, n)
        return len(grams_a & grams_b) / min(len(grams_a), len(grams_b))

    def overlap(self, a: int, b: int) -> float:
        """:func:`lexical_overlap` of lists ``a`` and ``b``."""
        return (self.containment(a, b, 2) + self.containment(a, b, 3)) / 2

    @cached_property
    def sparse_rows(self) -> dict[int, tuple[sp.csr_matrix, np.ndarray]]:
        """:func:`ngram_rows` of every list for bigrams and trigrams (built on first use:
        callers that compare pair by pair never need them)."""
        return {n: ngram_rows(self.tokens, n) for n in (2, 3)}

    @cached_property
    def lengths(self) -> np.ndarray:
        """Each list's number of tokens."""
        return np.array([len(t) for t in self.tokens], dtype=np.int64)

    def overlaps(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """:func:`lexical_overlap` of many pairs of lists at once (identical values).

        Each list's bigram and trigram sets become binary sparse rows, so the shared
        n-grams of all pairs are two row-wise products; pairs with a list under three
        words (shorter n-grams) are counted one by one.
        """
        first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
        result = np.zeros(len(first))
        short = np.minimum(self.lengths[first], self.lengths[second]) < 3
        long_pairs = np.flatnonzero(~short)
        for n in (2, 3):
            rows, sizes = self.sparse_rows[n]
            a, b = first[long_pairs], second[long_pairs]
            shared = np.asarray(rows[a].multiply(rows[b]).sum(axis=1)).ravel()
            result[long_pairs] += shared / np.minimum(sizes[a], sizes[b])
        result[long_pairs] /= 2
        for p in np.flatnonzero(short):
            result[p] = self.overlap(int(first[p]), int(second[p]))
        return result


def ngram_rows(tokens: list[list[str]], n: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Binary rows (one per token list) of the distinct word ``n``-grams, and their counts."""
    vocabulary: dict[tuple[str, ...], int] = {}
    indices: list[int] = []
    indptr = [0]
    for words in tokens:
        grams = zip(*(words[i:] for i in range(n)), strict=False)
        ids = {vocabulary.setdefault(g, len(vocabulary)) for g in grams}
        indices.extend(sorted(ids))
        indptr.append(len(indices))
    sizes = np.diff(np.asarray(indptr, dtype=np.int64))
    rows = sp.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(tokens), max(len(vocabulary), 1)),
    )
    return rows, sizes


def length_ratio(a: list[str], b: list[str]) -> float:
    """Words in the shorter sentence over words in the longer one (1.0 = same length)."""
    longer = max(len(a), len(b))
    return min(len(a), len(b)) / longer if longer else 1.0


def sequence_similarity(a: list[str], b: list[str]) -> float:
    """How far two word lists are the same words in the same order (difflib's ratio, 0-1,
    from cydifflib, its C++ port).

    A reordered or trimmed copy scores well below a verbatim one.

    >>> sequence_similarity("a b c d".split(), "a b c d".split())
    1.0
    """
    if a == b:  # difflib's ratio of equal lists, without its matching blocks
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def classify(
    semantic: float,
    lexical: float,
    sequence: float,
    th: Thresholds,
    *,
    shared_pairs: int = 1,
    evidence: float | None = None,
) -> Relation | None:
    """The relation of a sentence pair, or None when the pair does not correspond.

    ``sequence`` is :func:`sequence_similarity`; ``shared_pairs`` is how many
    pairs between the same two documents reach ``th.rewrite`` (the passage
    evidence for a moderate-overlap rewrite). ``evidence`` is the pair's
    :func:`framelens.basics.evidence.evidence_score` in its event: given, a pair without
    reused wording is a paraphrase when it reaches ``th.evidence.cut``; not given
    (an isolated pair, no context), when its cosine reaches ``th.paraphrase``.
    """
    if sequence >= th.verbatim:
        return Relation.VERBATIM
    if lexical >= th.rewrite_alone or (lexical >= th.rewrite and shared_pairs >= th.min_shared):
        return Relation.REWRITE
    if evidence is not None:
        return Relation.PARAPHRASE if evidence >= th.evidence.cut else None
    if semantic >= th.paraphrase:
        return Relation.PARAPHRASE
    return None


# --------------------------------------------------------------------------- alignment


def align_event(
    vectors: Matrix,
    sentences: pd.DataFrame,
    thresholds: Thresholds,
    *,
    k: int = defaults("alignment")["candidates"],
    block_size: int = 1024,
) -> pd.DataFrame:
    """Aligned sentence pairs between the documents of one event.

    ``sentences`` are the event's content sentences (boilerplate and repeats
    already removed) with ``sent_id``, ``doc_id`` and ``text``; ``vectors``
    their rows. Each sentence keeps, per other document, the best of its
    ``k`` nearest candidates (shared wording first, then cosine); a pair found
    from both sides is kept once (``matched_from`` = ``both``). Each pair gets
    its evidence score (:func:`candidate_evidence`); then it is labelled, with
    the count of overlapping pairs per document pair as passage evidence.
    """
    return align_features(EventFeatures(vectors, sentences, k=k, block_size=block_size), thresholds)


def align_features(features: EventFeatures, thresholds: Thresholds) -> pd.DataFrame:
    """:func:`align_event` from an event's threshold-free features (computed once when the
    same event is aligned under several settings)."""
    return label_pairs(choose_pairs(features, thresholds), features, thresholds)


class EventFeatures:
    """What aligning one event needs that no threshold changes: its sentences sorted by
    document, their document codes and word tokens, each sentence's ``k`` nearest in every
    other document with their lexical overlaps, the runners-up, the anchors; pair
    features (sequence similarity, anchor overlap, contradiction) are kept once computed."""

    def __init__(
        self,
        vectors: Matrix,
        sentences: pd.DataFrame,
        *,
        k: int = defaults("alignment")["candidates"],
        block_size: int = 1024,
    ) -> None:
        order = np.argsort(sentences["doc_id"].to_numpy(), kind="stable")
        self.sentences = sentences.iloc[order].reset_index(drop=True)
        self.codes, _ = pd.factorize(self.sentences["doc_id"], sort=True)
        self.texts: list[str] = self.sentences["text"].tolist()
        self.tokens = NgramCache(list(map(per_text(word_tokens), self.texts)))
        # each sentence's k nearest in every other document of the event (general products)
        self.found = list(
            blocked_topk(
                vectors[order],
                k,
                groups=self.codes,
                skip="group",
                block_size=block_size,
                copy_blocks=True,
            )
        )
        self.lexical = self.tokens.overlaps(*self.candidate_rows()) if self.found else np.zeros(0)
        self._sequences: dict[tuple[int, int], float] = {}
        self._pair_anchors: dict[tuple[int, int], tuple[float, bool]] = {}

    def candidate_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (sentence, candidate) row pair of the top-k search, in its order."""
        first = np.concatenate(
            [
                np.repeat(np.asarray(rows, dtype=np.int64), [len(c) for c in n])
                for rows, _g, n, _s in self.found
            ]
        )
        second = np.concatenate(
            [
                np.concatenate(
                    [np.asarray(c, dtype=np.int64) for c in n] or [np.empty(0, dtype=np.int64)]
                )
                for _r, _g, n, _s in self.found
            ]
        )
        return first, second

    @cached_property
    def runners(self) -> RunnersUp:
        """Each sentence's best and second-best cosine in every other document."""
        return RunnersUp(self.found, len(self.sentences), int(self.codes.max()) + 1)

    @cached_property
    def anchors(self) -> EventAnchors:
        """The sentences' anchors and numbers, IDF over the event."""
        return EventAnchors(self.texts)

    def sequence(self, a: int, b: int) -> float:
        """:func:`sequence_similarity` of rows ``a`` and ``b`` (in that order)."""
        key = (a, b)
        found = self._sequences.get(key)
        if found is None:
            found = self._sequences[key] = sequence_similarity(
                self.tokens.tokens[a], self.tokens.tokens[b]
            )
        return found

    def anchor_evidence(self, a: int, b: int) -> tuple[float, bool]:
        """IDF-weighted shared anchors of rows ``a`` < ``b``, and whether their numbers
        contradict (:func:`framelens.basics.evidence.contradicts`)."""
        key = (a, b)
        found = self._pair_anchors.get(key)
        if found is None:
            found = self._pair_anchors[key] = (
                self.anchors.overlap(a, b),
                self.anchors.contradiction(a, b),
            )
        return found


def choose_pairs(
    features: EventFeatures, thresholds: Thresholds
) -> dict[tuple[int, int], CandidatePair]:
    """Each sentence's best candidate per other document under ``thresholds``, a pair
    found from both sides kept once, with its evidence (:func:`candidate_evidence`)."""
    pairs: dict[tuple[int, int], CandidatePair] = {}
    if not features.found:
        return pairs
    at = 0
    for rows, _group, neighbours, scores in features.found:
        size = neighbours.size
        laps = features.lexical[at : at + size].reshape(neighbours.shape)
        at += size
        picked = best_candidates(scores, laps, thresholds)
        for r in np.flatnonzero(picked >= 0).tolist():
            row, c = int(rows[r]), int(picked[r])
            other = int(neighbours[r, c])
            key = (min(row, other), max(row, other))
            if key in pairs:
                pairs[key]["matched_from"] = "both"
                continue
            choice: CandidatePair = {
                "other": other,
                "semantic": float(scores[r, c]),
                "lexical": float(laps[r, c]),
                "sequence": None,
                "matched_from": "a" if key[0] == row else "b",
            }
            if may_be_reuse(choice, thresholds):  # see best_candidates
                choice["sequence"] = features.sequence(row, other)
            pairs[key] = choice
    candidate_evidence(pairs, features, thresholds)
    return pairs


class RunnersUp:
    """Each sentence's best and second-best cosine in every other document of its event
    (from the top-k search: arrays [documents, sentences], as large as its answers)."""

    def __init__(self, found: list, n_rows: int, n_groups: int) -> None:
        self.best_row = np.full((n_groups, n_rows), -1, dtype=np.int64)
        self.best = np.zeros((n_groups, n_rows), dtype=np.float32)
        self.second = np.zeros((n_groups, n_rows), dtype=np.float32)  # 0 when none
        for rows, group, neighbours, scores in found:
            rows = np.asarray(rows, dtype=np.int64)
            self.best_row[group, rows] = neighbours[:, 0]
            self.best[group, rows] = scores[:, 0]
            if neighbours.shape[1] > 1:
                self.second[group, rows] = scores[:, 1]

    def margin(self, row: int, other: int, other_group: int, cosine: float) -> float:
        """``cosine`` (of ``row`` and ``other``) minus ``row``'s best cosine with another
        sentence of ``other``'s document."""
        rival = (
            self.second[other_group, row]
            if self.best_row[other_group, row] == other
            else self.best[other_group, row]
        )
        return cosine - float(rival)


def candidate_evidence(
    pairs: dict[tuple[int, int], CandidatePair],
    features: EventFeatures,
    thresholds: Thresholds,
) -> None:
    """Add each candidate pair's evidence features and score (in place).

    ``margin``: the smaller over the two sentences of :meth:`RunnersUp.margin`
    (positive: each is the other's best candidate, the score's *mutual*);
    ``anchor``: IDF-weighted shared names and numbers, IDF over the event's
    sentences; ``contradiction``: the same unit with different numbers;
    ``evidence``: :func:`framelens.basics.evidence.evidence_score`.
    """
    if not pairs:
        return
    runners, codes = features.runners, features.codes
    for (i, j), pair in pairs.items():
        cosine = float(pair["semantic"])
        margin = min(
            runners.margin(i, j, int(codes[j]), cosine), runners.margin(j, i, int(codes[i]), cosine)
        )
        anchor, contradiction = features.anchor_evidence(i, j)
        evidence = evidence_score(
            cosine, margin > 0, anchor, contradiction, thresholds.paraphrase, thresholds.evidence
        )
        pair["margin"] = margin
        pair["anchor"] = anchor
        pair["contradiction"] = float(contradiction)
        pair["evidence"] = evidence


def best_candidates(sims: np.ndarray, overlaps: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """Of each sentence's candidates in one document (a row of ``sims``, their cosines,
    and of ``overlaps``, their lexical overlaps), the column of the one sharing most
    wording (when any reaches ``thresholds.rewrite``), else of the most similar, the
    first on ties; -1 when no candidate could be a counterpart at all (cosine below the
    model's ``paraphrase`` threshold minus ``evidence.floor`` and little shared wording).
    A candidate admitted only by that floor can be a paraphrase and nothing else (reuse
    is what it was without the floor): see :func:`may_be_reuse`.
    """
    floor = thresholds.paraphrase - thresholds.evidence.floor
    reuse = overlaps >= thresholds.rewrite
    admitted = reuse | ~(sims < floor)  # the cosines compared as float32, like the search's
    eligible = admitted & (reuse == reuse.any(axis=1, keepdims=True))
    value = np.where(eligible, np.where(reuse, overlaps, sims.astype(np.float64)), -np.inf)
    picked = value.argmax(axis=1)
    picked[~eligible.any(axis=1)] = -1
    return picked


def may_be_reuse(choice: Candidate, thresholds: Thresholds) -> bool:
    """Whether a chosen candidate needs its sequence similarity now: one admitted only by
    the evidence floor can be a paraphrase and nothing else (reuse is what it was without
    the floor), so its sequence similarity is computed only if it is aligned
    (:func:`label_pairs`)."""
    return choice["lexical"] >= thresholds.rewrite or choice["semantic"] >= thresholds.paraphrase


def label_pairs(
    pairs: dict[tuple[int, int], CandidatePair],
    features: EventFeatures,
    thresholds: Thresholds,
) -> pd.DataFrame:
    """Label candidate pairs (:func:`choose_pairs` of ``features``) with their relation;
    drop those that are none."""
    sentences, codes = features.sentences, features.codes
    shared: dict[tuple[int, int], int] = {}
    for (i, j), pair in pairs.items():
        if pair["lexical"] >= thresholds.rewrite:
            docs = (int(codes[i]), int(codes[j]))
            shared[docs] = shared.get(docs, 0) + 1
    # plain lists: a DataFrame cell lookup per pair was most of the time at scale
    sent_ids = sentences["sent_id"].tolist()
    doc_ids = sentences["doc_id"].tolist()
    records = []
    for (i, j), pair in sorted(pairs.items()):
        evidence = pair.get("evidence")
        sequence = pair["sequence"]
        floor_only = sequence is None  # see may_be_reuse: paraphrase or nothing
        relation = classify(
            float(pair["semantic"]),
            0.0 if floor_only else float(pair["lexical"]),
            0.0 if sequence is None else float(sequence),
            thresholds,
            shared_pairs=shared.get((int(codes[i]), int(codes[j])), 0),
            evidence=None if evidence is None else float(evidence),
        )
        if relation is None:
            continue
        if floor_only:
            pair["sequence"] = features.sequence(i, j)
        records.append(
            {
                "sent_id_a": sent_ids[i],
                "sent_id_b": sent_ids[j],
                "doc_id_a": doc_ids[i],
                "doc_id_b": doc_ids[j],
                "semantic": pair["semantic"],
                "lexical": pair["lexical"],
                "sequence": pair["sequence"],
                "relation": relation.value,
                "matched_from": pair["matched_from"],
                "evidence": evidence,
            }
        )
    columns = [c for c in ALIGNMENT_COLUMNS if c not in {"event", "source_doc_id"}]
    return pd.DataFrame.from_records(records, columns=columns)


def likely_source(doc_a: str, doc_b: str, dates: dict[str, str | None]) -> str | None:
    """The earlier of two documents, when both have dates and they differ."""
    date_a, date_b = dates.get(doc_a), dates.get(doc_b)
    if not isinstance(date_a, str) or not isinstance(date_b, str) or date_a == date_b:
        return None
    return doc_a if date_a < date_b else doc_b


def align_corpus(
    vectors: Matrix | VectorFile,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    thresholds: Thresholds,
    *,
    events: pd.Series | None = None,
    k: int = defaults("alignment")["candidates"],
    block_size: int = 1024,
    features: dict[str, EventFeatures] | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """All aligned pairs, event by event, with the likely source of reused pairs.

    ``vectors`` has one row per row of ``sentences`` (the full table), in memory or a
    :class:`~framelens.vectorfile.VectorFile` read an event at a time;
    boilerplate and repeats inside a document are left out here. ``events``
    maps doc_id to event (default: :func:`event_of_documents`). ``features``, a dict
    kept between calls on the same vectors, sentences, events and ``k``, holds each
    event's :class:`EventFeatures`, so that aligning again under other thresholds
    skips the search (:func:`framelens.compare.sensitivity.sensitivity_table`).
    ``workers`` processes align the events (:func:`framelens.workers.ordered_map`; the
    same table for any count; one when ``features`` is given).
    """
    keep = content_mask(sentences)
    # only the columns alignment reads, and no reordered copy of all the vectors: each
    # event's rows are taken when it is aligned (at 100k articles the vectors are GBs)
    content = sentences.loc[keep, ["sent_id", "doc_id", "text"]].reset_index(drop=True)
    if events is None:
        events = event_of_documents(documents)
    dates = documents.set_index("doc_id")["date"].to_dict()
    event_of_row = content["doc_id"].map(events).astype(str).to_numpy()
    by_event = np.argsort(event_of_row, kind="stable")  # one pass, not one scan per event
    content = content.iloc[by_event].reset_index(drop=True)
    vector_rows = np.flatnonzero(keep)[by_event]  # row in ``vectors`` of each content row
    event_of_row = event_of_row[by_event]
    doc_codes = pd.factorize(content["doc_id"])[0]
    bounds = run_bounds(event_of_row)
    spans = [
        (lo, hi)
        for lo, hi in itertools.pairwise(bounds.tolist())
        if lo < hi and not np.all(doc_codes[lo:hi] == doc_codes[lo])  # one document: nothing
    ]

    def align_span(lo: int, hi: int) -> pd.DataFrame:
        event = event_of_row[lo]
        found = None if features is None else features.get(event)
        if found is None:
            found = EventFeatures(
                as_float32(take_rows(vectors, vector_rows[lo:hi])),
                content.iloc[lo:hi],
                k=k,
                block_size=block_size,
            )
            if features is not None:
                features[event] = found
        table = align_features(found, thresholds)
        table.insert(0, "event", event)
        return table

    if features is not None:
        workers = 1  # the features are kept in this process
    tables = tables_in_pieces(
        lambda span: align_span(*span), spans, workers, [hi - lo for lo, hi in spans]
    )
    if not tables:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS)
    result = pd.concat(tables, ignore_index=True)
    reused = result["relation"].isin([r.value for r in REUSE])
    result["source_doc_id"] = [
        likely_source(a, b, dates) if is_reuse else None
        for a, b, is_reuse in zip(result["doc_id_a"], result["doc_id_b"], reused, strict=True)
    ]
    return result[ALIGNMENT_COLUMNS]
