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

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

import numpy as np
import pandas as pd

from framelens.embed import Matrix, content_mask
from framelens.errors import ConfigError
from framelens.similarity import cos_sim

WORD = re.compile(r"\w+")
ALIGNMENT_COLUMNS = [
    "event", "sent_id_a", "sent_id_b", "doc_id_a", "doc_id_b", "semantic", "lexical",
    "sequence", "relation", "matched_from", "source_doc_id",
]


class Relation(StrEnum):
    """How an aligned sentence pair is worded, strongest first."""

    VERBATIM = "verbatim"
    REWRITE = "rewrite"
    PARAPHRASE = "paraphrase"


REUSE = (Relation.VERBATIM, Relation.REWRITE)


@dataclass(frozen=True)
class Thresholds:
    """Where the relations begin (see the module docstring).

    ``paraphrase`` is a cosine under the model, so it is set per model; the
    others are lexical and hold for every model.
    """

    verbatim: float = 0.9
    rewrite_alone: float = 0.7
    rewrite: float = 0.25
    min_shared: int = 3
    paraphrase: float = 0.7

    def __post_init__(self) -> None:
        for name in ("verbatim", "rewrite_alone", "rewrite", "paraphrase"):
            value = getattr(self, name)
            if not -1.0 <= value <= 1.0:
                raise ConfigError(f"alignment.{name}: {value} is outside [-1, 1]")
        if not self.rewrite <= self.rewrite_alone <= self.verbatim:
            raise ConfigError("alignment: expected rewrite <= rewrite_alone <= verbatim, got "
                              f"{self.rewrite}, {self.rewrite_alone}, {self.verbatim}")
        if self.min_shared < 1:
            raise ConfigError(f"alignment.min_shared: {self.min_shared} is below 1")


# --------------------------------------------------------------------------- lexical


def word_tokens(text: str) -> list[str]:
    """Lower-cased words without accents or punctuation ("Vučić's" -> ["vucic", "s"])."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))


def ngram_set(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of a token list."""
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


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


def length_ratio(a: list[str], b: list[str]) -> float:
    """Words in the shorter sentence over words in the longer one (1.0 = same length)."""
    longer = max(len(a), len(b))
    return min(len(a), len(b)) / longer if longer else 1.0


def sequence_similarity(a: list[str], b: list[str]) -> float:
    """How far two word lists are the same words in the same order (difflib ratio, 0-1).

    A reordered or trimmed copy scores well below a verbatim one.

    >>> sequence_similarity("a b c d".split(), "a b c d".split())
    1.0
    """
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def classify(
    semantic: float, lexical: float, sequence: float, th: Thresholds, *, shared_pairs: int = 1
) -> Relation | None:
    """The relation of a sentence pair, or None when the pair does not correspond.

    ``sequence`` is :func:`sequence_similarity`; ``shared_pairs`` is how many
    pairs between the same two documents reach ``th.rewrite`` (the passage
    evidence for a moderate-overlap rewrite).
    """
    if sequence >= th.verbatim:
        return Relation.VERBATIM
    if lexical >= th.rewrite_alone or (lexical >= th.rewrite and shared_pairs >= th.min_shared):
        return Relation.REWRITE
    if semantic >= th.paraphrase:
        return Relation.PARAPHRASE
    return None


# --------------------------------------------------------------------------- candidates


def segment_bounds(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows sorted by group: the groups present, their first row and row count."""
    present, starts, counts = np.unique(groups, return_index=True, return_counts=True)
    return present, starts, counts


def topk_per_group(
    vectors: Matrix, groups: np.ndarray, *, k: int = 1, block_size: int = 1024,
) -> Iterator[tuple[np.ndarray, int, np.ndarray, np.ndarray]]:
    """Each row's ``k`` most similar rows in every *other* group, computed in blocks.

    ``vectors`` are L2-normalised rows sorted by ``groups`` (ints). Yields,
    per block of rows and per other group, ``(rows, group, neighbours,
    scores)`` where ``neighbours`` and ``scores`` have shape [len(rows), k']
    (k' = min(k, group size)), best first, ties broken by the lower index.
    Memory is bounded by ``block_size`` × (rows in the event), never n × n.
    """
    if np.any(np.diff(groups) < 0):
        raise ValueError("rows must be sorted by group")
    present, starts, counts = segment_bounds(groups)
    n = vectors.shape[0]
    for lo in range(0, n, block_size):
        rows = np.arange(lo, min(lo + block_size, n))
        block = cos_sim(vectors[rows], vectors)
        for group, start, count in zip(present, starts, counts, strict=True):
            mine = groups[rows] != group
            if not mine.any():
                continue
            sub = block[mine, start:start + count]
            kk = min(k, count)
            # stable descending sort: ties resolve to the lower index, so results are exact
            order = np.argsort(-sub, axis=1, kind="stable")[:, :kk]
            yield (rows[mine], int(group), order + start,
                   np.take_along_axis(sub, order, axis=1))


# --------------------------------------------------------------------------- alignment


def align_event(
    vectors: Matrix, sentences: pd.DataFrame, thresholds: Thresholds, *,
    k: int = 3, block_size: int = 1024,
) -> pd.DataFrame:
    """Aligned sentence pairs between the documents of one event.

    ``sentences`` are the event's content sentences (boilerplate and repeats
    already removed) with ``sent_id``, ``doc_id`` and ``text``; ``vectors``
    their rows. Each sentence keeps, per other document, the best of its
    ``k`` nearest candidates (shared wording first, then cosine); a pair found
    from both sides is kept once (``matched_from`` = ``both``). Then each pair
    is labelled, with the count of overlapping pairs per document pair as
    passage evidence.
    """
    order = np.argsort(sentences["doc_id"].to_numpy(), kind="stable")
    sentences = sentences.iloc[order].reset_index(drop=True)
    vectors = vectors[order]
    codes, _ = pd.factorize(sentences["doc_id"], sort=True)
    tokens = [word_tokens(t) for t in sentences["text"]]
    pairs: dict[tuple[int, int], dict[str, float | str]] = {}
    for rows, _group, neighbours, scores in topk_per_group(vectors, codes, k=k,
                                                           block_size=block_size):
        for row, cands, sims in zip(rows, neighbours, scores, strict=True):
            choice = best_candidate(int(row), cands, sims, tokens, thresholds)
            if choice is None:
                continue
            key = (min(int(row), choice["other"]), max(int(row), choice["other"]))
            side = "a" if key[0] == row else "b"
            if key in pairs:
                pairs[key]["matched_from"] = "both"
            else:
                pairs[key] = {**choice, "matched_from": side}
    return label_pairs(pairs, sentences, codes, thresholds)


def best_candidate(
    row: int, candidates: np.ndarray, sims: np.ndarray, tokens: list[list[str]],
    thresholds: Thresholds,
) -> dict[str, float] | None:
    """Of one sentence's candidates in one document, the one sharing most wording
    (when any reaches ``thresholds.rewrite``), else the most similar; None when no
    candidate could be a counterpart at all."""
    best, best_rank = None, None
    for other, semantic in zip(candidates, sims, strict=True):
        lexical = lexical_overlap(tokens[row], tokens[int(other)])
        if lexical < thresholds.rewrite and semantic < thresholds.paraphrase:
            continue
        rank = (lexical >= thresholds.rewrite, lexical if lexical >= thresholds.rewrite
                else float(semantic))
        if best_rank is None or rank > best_rank:
            best_rank = rank
            best = {"other": int(other), "semantic": float(semantic), "lexical": lexical,
                    "sequence": sequence_similarity(tokens[row], tokens[int(other)])}
    return best


def label_pairs(
    pairs: dict[tuple[int, int], dict[str, float | str]], sentences: pd.DataFrame,
    codes: np.ndarray, thresholds: Thresholds,
) -> pd.DataFrame:
    """Label candidate pairs with their relation; drop those that are none."""
    shared: dict[tuple[int, int], int] = {}
    for (i, j), pair in pairs.items():
        if pair["lexical"] >= thresholds.rewrite:
            docs = (int(codes[i]), int(codes[j]))
            shared[docs] = shared.get(docs, 0) + 1
    records = []
    for (i, j), pair in sorted(pairs.items()):
        relation = classify(float(pair["semantic"]), float(pair["lexical"]),
                            float(pair["sequence"]), thresholds,
                            shared_pairs=shared.get((int(codes[i]), int(codes[j])), 0))
        if relation is None:
            continue
        records.append({
            "sent_id_a": sentences.at[i, "sent_id"], "sent_id_b": sentences.at[j, "sent_id"],
            "doc_id_a": sentences.at[i, "doc_id"], "doc_id_b": sentences.at[j, "doc_id"],
            "semantic": pair["semantic"], "lexical": pair["lexical"],
            "sequence": pair["sequence"], "relation": relation.value,
            "matched_from": pair["matched_from"],
        })
    columns = [c for c in ALIGNMENT_COLUMNS if c not in {"event", "source_doc_id"}]
    return pd.DataFrame.from_records(records, columns=columns)


def event_of_documents(documents: pd.DataFrame) -> pd.Series:
    """Event of each document (by ``doc_id``): metadata ``event`` where given, else one
    event ``all`` for the whole corpus."""
    events = documents.set_index("doc_id")["event"]
    if events.isna().all():
        return pd.Series("all", index=events.index, name="event")
    return events.fillna("unassigned").astype(str)


def likely_source(doc_a: str, doc_b: str, dates: dict[str, str | None]) -> str | None:
    """The earlier of two documents, when both have dates and they differ."""
    date_a, date_b = dates.get(doc_a), dates.get(doc_b)
    if not isinstance(date_a, str) or not isinstance(date_b, str) or date_a == date_b:
        return None
    return doc_a if date_a < date_b else doc_b


def align_corpus(
    vectors: Matrix, sentences: pd.DataFrame, documents: pd.DataFrame, thresholds: Thresholds,
    *, events: pd.Series | None = None, k: int = 3, block_size: int = 1024,
) -> pd.DataFrame:
    """All aligned pairs, event by event, with the likely source of reused pairs.

    ``vectors`` has one row per row of ``sentences`` (the full table);
    boilerplate and repeats inside a document are left out here. ``events``
    maps doc_id to event (default: :func:`event_of_documents`).
    """
    keep = content_mask(sentences)
    content = sentences[keep].reset_index(drop=True)
    content_vectors = vectors[np.flatnonzero(keep)]
    if events is None:
        events = event_of_documents(documents)
    dates = documents.set_index("doc_id")["date"].to_dict()
    tables = []
    event_of_row = content["doc_id"].map(events).to_numpy()
    for event in sorted(set(event_of_row)):
        rows = np.flatnonzero(event_of_row == event)
        if content.loc[rows, "doc_id"].nunique() < 2:
            continue
        table = align_event(content_vectors[rows], content.iloc[rows], thresholds, k=k,
                            block_size=block_size)
        table.insert(0, "event", event)
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS)
    result = pd.concat(tables, ignore_index=True)
    reused = result["relation"].isin([r.value for r in REUSE])
    result["source_doc_id"] = [
        likely_source(a, b, dates) if is_reuse else None
        for a, b, is_reuse in zip(result["doc_id_a"], result["doc_id_b"], reused, strict=True)
    ]
    return result[ALIGNMENT_COLUMNS]

