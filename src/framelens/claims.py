"""Claims: within each event, group sentences that state the same fact or statement.

Every content sentence of an event belongs to exactly one claim; a claim of
one sentence is that outlet's own material. Verbatim and rewrite pairs of
alignment are put in one claim first (the same statement by construction), and
so are the sentences one quotation spans. Then average linkage merges claims
while their average similarity is at least the model's ``claim_threshold``; a
paraphrase pair that passed alignment's evidence score in context (cosine
relative to the model's threshold, mutual best match, shared rare names and
numbers, no contradicting number: :mod:`framelens.basics.evidence`) up to
``alignment.evidence.link`` counts as at least that threshold, so it merges on
its own evidence while chains of such pairs merge only as far as the average
over all their members holds. The similarity
of two sentences is their cosine under the model, raised when they share rare
names and numbers (:func:`claim_similarity`): "postponed ... to Sept. 1" and
"agreed to postpone ... until September 1st" are one claim even where the
wording around them differs.
Only each sentence's nearest neighbours in its event are compared, so memory
grows with the event, not with its square.

Claim ids are ``<event_id>-c<rank>``, ranked by how many outlets carry the
claim, then how many sentences, then the first sentence id: the same on every
run.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from framelens.basics.evidence import DEFAULT_WEIGHTS, EventAnchors
from framelens.basics.linkage import sparse_average_linkage
from framelens.basics.similarity import Matrix, as_float32, blocked_topk, cos_sim
from framelens.basics.tables import Relation, content_mask, tables_in_pieces
from framelens.basics.tokens import ENGLISH_STOP_WORDS
from framelens.lookup import index_in, run_bounds
from framelens.vectorfile import VectorFile, take_rows
from framelens.workers import map_in_pieces, one_blas_thread

CLAIM_COLUMNS = ["sent_id", "doc_id", "event_id", "claim_id"]
SUMMARY_COLUMNS = [
    "claim_id",
    "event_id",
    "label",
    "representative",
    "representative_id",
    "n_sentences",
    "n_documents",
    "n_outlets",
    "outlets",
]


class UnionFind:
    """Disjoint sets over 0..n-1 (the smallest member represents its set)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        """The representative of ``i``'s set."""
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Merge the sets of ``i`` and ``j``."""
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def neighbour_edges(
    vectors: Matrix, k: int, block_size: int = 1024
) -> dict[tuple[int, int], float]:
    """Cosine of each row with its ``k`` most similar other rows, as sparse edges."""
    return edge_dict(*neighbour_pairs(vectors, k, block_size))


def edge_dict(
    first: np.ndarray, second: np.ndarray, values: np.ndarray
) -> dict[tuple[int, int], float]:
    """Edges as arrays -> ``{(i, j): value}``, in the arrays' order."""
    pairs = zip(first.tolist(), second.tolist(), strict=True)
    return dict(zip(pairs, values.tolist(), strict=True))


def neighbour_pairs(
    vectors: Matrix, k: int, block_size: int = 1024
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`neighbour_edges` as arrays ``(i, j, cosine)``, ``i < j``: one edge per pair,
    in the order the search first meets the pair, with the cosine it last meets it with
    (a pair found from both ends is one edge, as in a dict filled row by row)."""
    found_rows, found_cols, found_sims = [], [], []
    for rows, _group, neighbours, scores in blocked_topk(vectors, k, block_size=block_size):
        valid = neighbours >= 0  # not the row itself
        found_rows.append(np.broadcast_to(rows[:, None], neighbours.shape)[valid])
        found_cols.append(neighbours[valid])
        found_sims.append(scores[valid])
    rows = np.concatenate(found_rows).astype(np.int64) if found_rows else np.zeros(0, np.int64)
    if not len(rows):
        return rows, rows, np.zeros(0)
    cols = np.concatenate(found_cols).astype(np.int64)
    sims = np.concatenate(found_sims).astype(np.float64)
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    key = low * (int(max(rows.max(), cols.max())) + 1) + high
    _, first_seen = np.unique(key, return_index=True)
    _, from_end = np.unique(key[::-1], return_index=True)
    last_seen = len(key) - 1 - from_end
    order = np.argsort(first_seen, kind="stable")
    at = first_seen[order]
    return low[at], high[at], sims[last_seen[order]]


# What a contradicting number (the same unit, another value) costs a pair's similarity: its
# weight in the evidence score over the cosine's, i.e. the cosine it is worth there.
CONTRADICTION_COST = DEFAULT_WEIGHTS.contradiction / DEFAULT_WEIGHTS.cosine


def claim_similarity(
    cosine: float, anchor: float, contradiction: bool = False, cost: float = CONTRADICTION_COST
) -> float:
    """Cosine, raised towards the shared-anchor score when that is higher:
    max(cos, (cos + anchor) / 2), less :data:`CONTRADICTION_COST` when the two give
    different numbers for one unit. Shared rare names and numbers are evidence of the
    same claim; their absence is no evidence against it; a contradicting count is."""
    return max(cosine, (cosine + anchor) / 2) - cost * float(contradiction)


def group_edges(
    edges: dict[tuple[int, int], float], group_of: list[int]
) -> dict[tuple[int, int], float]:
    """Sum member-pair similarities into edges between groups (pairs inside a group
    are dropped)."""
    summed: dict[tuple[int, int], float] = {}
    for (i, j), s in edges.items():
        a, b = group_of[i], group_of[j]
        if a != b:
            key = (min(a, b), max(a, b))
            summed[key] = summed.get(key, 0.0) + s
    return summed


def claim_edges(
    vectors: Matrix,
    texts: list[str],
    n_documents: int,
    contradiction_cost: float = CONTRADICTION_COST,
) -> dict[tuple[int, int], float]:
    """Each sentence's ``max(10, 2 * n_documents)`` nearest others in one event, with their
    :func:`claim_similarity` (no threshold changes them: computed once when the event is
    clustered under several settings).

    Worked on arrays: only pairs where both sentences weigh some anchors are intersected,
    and only pairs where both give numbers are checked for a contradiction."""
    found = EventAnchors(texts)
    first, second, cosine = neighbour_pairs(vectors, max(10, 2 * n_documents))
    weights = np.asarray(found.weights, dtype=np.float64)
    overlap = np.zeros(len(first))
    for e in np.flatnonzero((weights[first] > 0) & (weights[second] > 0)).tolist():
        overlap[e] = found.overlap(int(first[e]), int(second[e]))
    has_numbers = np.array([bool(a) for a in found.amounts], dtype=bool)
    contradiction = np.zeros(len(first))
    for e in np.flatnonzero(has_numbers[first] & has_numbers[second]).tolist():
        contradiction[e] = float(found.contradiction(int(first[e]), int(second[e])))
    # claim_similarity, element by element (the same float operations)
    similarity = np.maximum(cosine, (cosine + overlap) / 2) - contradiction_cost * contradiction
    return edge_dict(first, second, similarity)


def cluster_event_sentences(
    vectors: Matrix,
    texts: list[str],
    must_link: list[tuple[int, int]],
    threshold: float,
    n_documents: int,
    *,
    contradiction_cost: float = CONTRADICTION_COST,
    strong_links: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Claim index of each sentence of one event (see the module docstring):
    :func:`cluster_edges` of its :func:`claim_edges`."""
    edges = claim_edges(vectors, texts, n_documents, contradiction_cost)
    return cluster_edges(edges, len(texts), must_link, threshold, strong_links=strong_links)


def cluster_edges(
    edges: dict[tuple[int, int], float],
    n: int,
    must_link: list[tuple[int, int]],
    threshold: float,
    *,
    strong_links: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Claim index of each of the ``n`` sentences of one event, from their
    :func:`claim_edges` (left unchanged).

    ``must_link`` pairs are joined before clustering (transitively); each
    ``strong_links`` pair's similarity is raised to at least ``threshold``, so the pair
    merges on its own evidence, but a chain of such pairs joins only while the average
    over all member pairs holds (two paraphrase links alone do not glue A to C)."""
    links = UnionFind(n)
    for i, j in must_link:
        links.union(i, j)
    roots = sorted({links.find(i) for i in range(n)})
    group_index = {root: g for g, root in enumerate(roots)}
    group_of = [group_index[links.find(i)] for i in range(n)]
    sizes = np.bincount(group_of, minlength=len(roots)).tolist()
    if strong_links:
        edges = dict(edges)  # they raise some
    for i, j in strong_links or []:
        key = (min(i, j), max(i, j))
        edges[key] = max(edges.get(key, 0.0), threshold)
    labels = sparse_average_linkage(
        len(roots), group_edges(edges, group_of), threshold, sizes=sizes
    )
    return labels[group_of]


def open_quote(text: str, is_open: bool) -> bool:
    """Whether a quotation is still open after ``text``, given whether it was before.

    Curly quotes open and close explicitly; straight double quotes toggle.
    """
    for ch in text:
        if ch == "“":
            is_open = True
        elif ch == "”":
            is_open = False
        elif ch == '"':
            is_open = not is_open
    return is_open


def quote_continuations(part: pd.DataFrame) -> list[tuple[int, int]]:
    """Pairs of consecutive sentences of one article that a quotation spans (a quote
    split across sentences is one statement). ``part`` rows are in article order."""
    links = []
    is_open, previous_doc = False, None
    for i, (doc_id, text) in enumerate(zip(part["doc_id"], part["text"], strict=True)):
        if doc_id != previous_doc:
            is_open = False
        elif is_open:
            links.append((i - 1, i))
        is_open = open_quote(text, is_open)
        previous_doc = doc_id
    return links


def cluster_claims(
    vectors: Matrix | VectorFile,
    sentences: pd.DataFrame,
    events: pd.DataFrame,
    alignments: pd.DataFrame,
    outlet_of: pd.Series,
    *,
    threshold: float,
    min_evidence: float = DEFAULT_WEIGHTS.link,
    edges: dict[str, dict[tuple[int, int], float]] | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """``sent_id, doc_id, event_id, claim_id`` for every content sentence.

    ``events`` has ``doc_id, event_id``; ``alignments`` the aligned pairs (verbatim and
    rewrite pairs are must-links; a paraphrase whose ``evidence`` reaches
    ``min_evidence``, config ``alignment.evidence.link``, is a strong link: similarity at
    least ``threshold``); ``outlet_of`` maps doc_id to outlet (for ranking claims by
    outlets). ``edges``, a dict kept between calls on the same vectors, sentences and
    events, holds each event's :func:`claim_edges` (sensitivity clusters one sample
    under many settings). ``workers`` processes cluster the events
    (:func:`framelens.workers.ordered_map`; the same table for any count; one when
    ``edges`` is given).
    """
    keep = content_mask(sentences)
    content = sentences[keep].reset_index(drop=True)
    content_rows = np.flatnonzero(keep)  # rows of ``vectors``; no copy of them all
    event_of = events.set_index("doc_id")["event_id"]
    content["event_id"] = content["doc_id"].map(event_of)
    # One sort (event, then article order) and slices, not one scan per event.
    content = content[content["event_id"].notna()].sort_values(
        ["event_id", "doc_id", "position"], kind="stable"
    )
    rows_of_content = content.index.to_numpy()
    content = content.reset_index(drop=True)
    event_codes = content["event_id"].to_numpy()
    bounds = run_bounds(event_codes)
    must_by_event = reuse_links_by_event(alignments, content, bounds, relations=REUSE_RELATIONS)
    strong_by_event = reuse_links_by_event(
        alignments,
        content,
        bounds,
        relations=(Relation.PARAPHRASE.value,),
        min_evidence=min_evidence,
    )
    del alignments  # let a caller's temporary table go before the workers are forked
    outlet_lookup = outlet_of.to_dict()
    spans = [  # (event number, first row, end row) of each event with sentences
        (number, lo, hi)
        for number, (lo, hi) in enumerate(itertools.pairwise(bounds.tolist()))
        if lo < hi
    ]

    def cluster_span(number: int, lo: int, hi: int) -> pd.DataFrame:
        part = content.iloc[lo:hi].reset_index(drop=True)
        must = links_of(must_by_event, number) + quote_continuations(part)
        event = str(event_codes[lo])
        known = None if edges is None else edges.get(event)
        if known is None:
            known = claim_edges(
                as_float32(take_rows(vectors, content_rows[rows_of_content[lo:hi]])),
                part["text"].tolist(),
                part["doc_id"].nunique(),
            )
            if edges is not None:
                edges[event] = known
        labels = cluster_edges(
            known, hi - lo, must, threshold, strong_links=links_of(strong_by_event, number)
        )
        part["claim"] = labels
        return rank_claims(part, event, outlet_lookup)

    if edges is not None:
        workers = 1  # the edges are kept in this process
    tables = tables_in_pieces(
        lambda span: cluster_span(*span), spans, workers, [hi - lo for _, lo, hi in spans]
    )
    if not tables:
        return pd.DataFrame(columns=CLAIM_COLUMNS)
    return pd.concat(tables, ignore_index=True)[CLAIM_COLUMNS]


# Aligned pairs that join claims: reused copy is the same statement by construction
# (must-links); a paraphrase passed the calibrated evidence score of alignment (cosine,
# mutual best match, shared anchors, no contradicting number: framelens.basics.evidence),
# and counts as at least the claim threshold (a strong link, not transitive).
REUSE_RELATIONS = (Relation.VERBATIM.value, Relation.REWRITE.value)
LINK_RELATIONS = (*REUSE_RELATIONS, Relation.PARAPHRASE.value)


def alignment_links(
    table: pd.DataFrame,
    row_of: pd.Series,
    relations: tuple[str, ...] | None = None,
    min_evidence: float = 0.0,
) -> list[tuple[int, int]]:
    """The aligned pairs of ``table`` whose relation is in ``relations`` (default
    :data:`LINK_RELATIONS`) and whose two sentences are in ``row_of`` (sent_id -> row),
    as (row, row), in the table's order. A paraphrase with an ``evidence`` score below
    ``min_evidence`` is left out (a table without the column keeps them all)."""
    relations = LINK_RELATIONS if relations is None else relations
    chosen = table[table["relation"].isin(list(relations))]
    if min_evidence > 0 and "evidence" in chosen:
        weak = (chosen["relation"] == Relation.PARAPHRASE.value) & ~(
            chosen["evidence"].astype(float) >= min_evidence
        )
        chosen = chosen[~weak.to_numpy()]
    # looked up by Arrow's hashing: Series.map would make a Python string of every id
    at_a = index_in(chosen["sent_id_a"], row_of.index)
    at_b = index_in(chosen["sent_id_b"], row_of.index)
    found = (at_a >= 0) & (at_b >= 0)
    rows = row_of.to_numpy(dtype=np.int64)
    return list(zip(rows[at_a[found]].tolist(), rows[at_b[found]].tolist(), strict=True))


def reuse_links_by_event(
    alignments: pd.DataFrame,
    content: pd.DataFrame,
    bounds: np.ndarray,
    relations: tuple[str, ...] | None = None,
    min_evidence: float = 0.0,
) -> dict[int, np.ndarray]:
    """The aligned pairs of ``alignments`` (relations as :func:`alignment_links`) whose two
    sentences are in one event, as rows (row, row) inside that event of an ``(n, 2)``
    array, keyed by the event's number (its slice ``bounds[e]:bounds[e + 1]`` of
    ``content``), in the alignments' order (:func:`links_of` gives them as pairs).

    Arrays, not lists of pairs: forked workers read them without touching millions of
    the job's Python objects, each of which would copy its memory page into the worker
    (1.9M reuse pairs at 100k articles)."""
    position = pd.Series(np.arange(len(content)), index=pd.Index(content["sent_id"]))
    pairs = alignment_links(alignments, position, relations, min_evidence)
    if not pairs:
        return {}
    a, b = (np.array(side, dtype=np.int64) for side in zip(*pairs, strict=True))
    del pairs
    event = np.searchsorted(bounds, a, side="right") - 1
    inside = event == np.searchsorted(bounds, b, side="right") - 1
    event, a, b = event[inside], a[inside], b[inside]
    start = np.asarray(bounds)[event]
    order = np.argsort(event, kind="stable")  # by event, the alignments' order within
    event = event[order]
    rows = np.column_stack(((a - start)[order], (b - start)[order]))
    return {
        int(event[lo]): rows[lo:hi] for lo, hi in itertools.pairwise(run_bounds(event).tolist())
    }


def links_of(links: dict[int, np.ndarray], number: int) -> list[tuple[int, int]]:
    """Event ``number``'s pairs of :func:`reuse_links_by_event` as (row, row)."""
    found = links.get(number)
    return [] if found is None else [(i, j) for i, j in found.tolist()]


def rank_claims(
    part: pd.DataFrame, event_id: str, outlet_of: pd.Series | dict[str, Any]
) -> pd.DataFrame:
    """Give one event's claims their stable ids: most outlets first, then most sentences,
    then the lowest sentence id (plain Python: an event has few claims, and pandas'
    grouping costs more than the counting)."""
    lookup = outlet_of if isinstance(outlet_of, dict) else outlet_of.to_dict()
    outlets: dict[Any, set[str]] = {}
    sizes: dict[Any, int] = {}
    first: dict[Any, str] = {}
    for claim, doc_id, sent_id in zip(
        part["claim"].tolist(), part["doc_id"].tolist(), part["sent_id"].tolist(), strict=True
    ):
        outlet = lookup.get(doc_id)
        found = outlets.setdefault(claim, set())
        if isinstance(outlet, str):
            found.add(outlet)
        sizes[claim] = sizes.get(claim, 0) + 1
        first[claim] = min(first.get(claim, sent_id), sent_id)
    order = sorted(sizes, key=lambda c: (-len(outlets[c]), -sizes[c], first[c]))
    width = max(3, len(str(len(order))))
    names = {claim: f"{event_id}-c{rank + 1:0{width}d}" for rank, claim in enumerate(order)}
    return part.assign(claim_id=[names[c] for c in part["claim"].tolist()])


# --------------------------------------------------------------------------- summaries


def class_tfidf_labels(texts_by_claim: pd.Series, n_terms: int = 4) -> dict[str, str]:
    """Label each claim with its most distinctive words (class-based TF-IDF).

    Weight of term t in claim c: tf(t, c) * log(1 + A / f(t)), where A is the
    mean number of words per claim and f(t) the term's frequency over all
    claims (as in BERTopic's c-TF-IDF).
    """
    docs = [" ".join(texts) for texts in texts_by_claim]
    try:
        vectorizer = CountVectorizer(
            stop_words=list(ENGLISH_STOP_WORDS), token_pattern=r"(?u)\b[^\W\d_]{3,}\b"
        )
        counts = vectorizer.fit_transform(docs).toarray().astype(float)
    except ValueError:
        return {claim: "" for claim in texts_by_claim.index}
    terms = np.asarray(vectorizer.get_feature_names_out())
    average = counts.sum() / max(1, len(docs))
    weights = counts * np.log1p(average / np.maximum(counts.sum(axis=0), 1))
    labels = {}
    for claim, row in zip(texts_by_claim.index, weights, strict=True):
        top = [terms[i] for i in np.lexsort((terms, -row))[:n_terms] if row[i] > 0]
        labels[claim] = " ".join(top)
    return labels


def central_sentence(vectors: Matrix) -> int:
    """Index of the row with the highest mean cosine to the other rows."""
    if vectors.shape[0] <= 2:
        return 0
    sims = cos_sim(vectors, vectors)
    return int(np.argmax(sims.mean(axis=1)))


def claims_summary(
    claims: pd.DataFrame,
    sentences: pd.DataFrame,
    vectors: Matrix | VectorFile,
    outlet_of: pd.Series,
    workers: int = 1,
) -> pd.DataFrame:
    """One row per claim (by event, then claim id): label, representative sentence, size
    and outlets. Counts are computed for all claims at once; only claims of three or more
    sentences need a product of their vectors to find the representative. ``workers``
    processes label the events' claims (the same table for any count)."""
    row_of = pd.Series(np.arange(len(sentences)), index=sentences["sent_id"].to_numpy())
    text_of = sentences.set_index("sent_id")["text"]
    table = claims.assign(
        outlet=claims["doc_id"].map(outlet_of), text=claims["sent_id"].map(text_of)
    )
    table = table.sort_values(["event_id", "claim_id", "sent_id"], kind="stable")
    table = table.reset_index(drop=True)
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    keys = table["event_id"].astype(str) + "\0" + table["claim_id"].astype(str)
    codes = keys.to_numpy()
    starts = run_bounds(codes)[:-1]
    sizes = np.diff(np.r_[starts, len(table)])
    grouped = table.groupby(pd.factorize(keys)[0], sort=False)
    outlets = (
        table.drop_duplicates(["event_id", "claim_id", "outlet"])
        .sort_values(["event_id", "claim_id", "outlet"], kind="stable")
        .groupby(["event_id", "claim_id"], sort=True)["outlet"]
        .agg(";".join)
    )
    sent_rows = row_of.reindex(table["sent_id"]).to_numpy()
    with one_blas_thread():  # near-tied centres (reordered copies) must not flip with cores
        centres = representatives(vectors, sent_rows, starts, sizes, table["event_id"].to_numpy())
    event_bounds = list(itertools.pairwise(run_bounds(table["event_id"].to_numpy()).tolist()))

    def event_labels(lo: int, hi: int) -> list[tuple[tuple[str, str], str]]:
        part = table.iloc[lo:hi]
        found = class_tfidf_labels(part.groupby("claim_id")["text"].agg(list))
        return [((part["event_id"].iloc[0], claim), label) for claim, label in found.items()]

    weights = [hi - lo for lo, hi in event_bounds]
    labels = dict(
        item
        for found in map_in_pieces(lambda b: event_labels(*b), event_bounds, workers, weights)
        for item in found
    )
    event_ids = table["event_id"].to_numpy()[starts]
    claim_ids = table["claim_id"].to_numpy()[starts]
    return pd.DataFrame(
        {
            "claim_id": claim_ids,
            "event_id": event_ids,
            "label": [labels[(e, c)] for e, c in zip(event_ids, claim_ids, strict=True)],
            "representative": table["text"].to_numpy()[centres],
            "representative_id": table["sent_id"].to_numpy()[centres],
            "n_sentences": sizes,
            "n_documents": grouped["doc_id"].nunique().to_numpy(),
            "n_outlets": grouped["outlet"].nunique().to_numpy(),
            "outlets": outlets.reindex(
                pd.MultiIndex.from_arrays([event_ids, claim_ids])
            ).to_numpy(),
        },
        columns=SUMMARY_COLUMNS,
    )


def representatives(
    vectors: Matrix | VectorFile,
    sent_rows: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    event_ids: np.ndarray,
) -> np.ndarray:
    """The row (in the claims table) of each claim's representative sentence: claim ``g``
    is table rows ``starts[g]:starts[g] + sizes[g]``, whose vectors are rows ``sent_rows``
    of ``vectors``. A claim of one or two sentences is represented by its first; a larger
    one by its :func:`central_sentence`. Vectors are taken one event at a time."""
    centres = starts.copy()
    large = np.flatnonzero(sizes > 2)
    event_of_claim = event_ids[starts[large]]
    for lo, hi in itertools.pairwise(run_bounds(event_of_claim).tolist()):
        claims = large[lo:hi]
        members = np.concatenate([np.arange(starts[g], starts[g] + sizes[g]) for g in claims])
        block = as_float32(take_rows(vectors, sent_rows[members]))
        at = 0
        for g in claims.tolist():
            centres[g] = starts[g] + central_sentence(block[at : at + sizes[g]])
            at += sizes[g]
    return centres


def shorten(text: str, width: int = 70) -> str:
    """A sentence cut at a word boundary to at most ``width`` characters."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0] + "…"
