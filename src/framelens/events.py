"""Events: group articles into the real-world events they report.

When metadata names each article's event, that is used as it is. Otherwise
articles are clustered without being told how many events there are:

1. Three similarities between articles, each a cosine in [0, 1], averaged
   with equal weights:
   - *sentences*: the symmetric best-match similarity under the model (each
     sentence's best cosine in the other article, averaged both ways);
   - *words*: TF-IDF of the articles' words and word pairs (English stop words
     out, terms in at least two articles);
   - *names and numbers*: TF-IDF of capitalised words that do not open a
     sentence and of tokens with digits (people, places, organisations, dates,
     counts): two rehab stories about different stars differ here.
2. Articles dated more than ``max_days_apart`` apart are never linked.
3. Only each article's ``neighbours`` most similar articles (by the word and
   name vectors) are compared at all, so the graph is sparse.
4. Average linkage on that sparse graph (pairs never compared count as
   similarity 0), merging while the average similarity between two groups is
   at least ``min_similarity``.

Memory is linear in the number of articles times ``neighbours``: no dense
article × article matrix is built.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from framelens.embed import Matrix, content_mask
from framelens.similarity import cos_sim

TOKEN = re.compile(r"[\w'’.-]+")


@dataclass(frozen=True)
class EventSettings:
    """How articles are clustered into events (see the module docstring)."""

    min_similarity: float = 0.242
    max_days_apart: int = 7
    neighbours: int = 30


def names_and_numbers(sentences: list[str]) -> str:
    """Capitalised words that do not open a sentence, and tokens with a digit, as one
    space-separated lower-case string ("Tara Reid, 33, entered ..." -> "reid 33 ...")."""
    found = []
    for sentence in sentences:
        for i, token in enumerate(TOKEN.findall(sentence)):
            token = token.strip(".'’-")
            if not token:
                continue
            if (i > 0 and token[0].isupper()) or any(ch.isdigit() for ch in token):
                found.append(token.lower())
    return " ".join(found)


def tfidf_rows(texts: list[str], **options: object) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows; all-zero rows where a text has no term."""
    try:
        return TfidfVectorizer(sublinear_tf=True, **options).fit_transform(texts).tocsr()
    except ValueError:  # no term at all
        return sp.csr_matrix((len(texts), 1))


def lexical_views(content: pd.DataFrame, doc_ids: list[str]) -> tuple[sp.csr_matrix, ...]:
    """The word and the names-and-numbers TF-IDF rows of each article, in ``doc_ids`` order."""
    grouped = content.groupby("doc_id")["text"].agg(list).reindex(doc_ids)
    grouped = grouped.apply(lambda x: x if isinstance(x, list) else [])
    min_df = 2 if len(doc_ids) >= 3 else 1
    words = tfidf_rows([" ".join(s) for s in grouped], stop_words="english",
                       ngram_range=(1, 2), min_df=min_df)
    names = tfidf_rows([names_and_numbers(s) for s in grouped], token_pattern=r"\S+",
                       lowercase=False, ngram_range=(1, 2))
    return words, names


def candidate_pairs(views: tuple[sp.csr_matrix, ...], k: int,
                    block_size: int = 512) -> set[tuple[int, int]]:
    """Each article's ``k`` nearest others by the mean cosine of the lexical views."""
    stacked = sp.hstack(views).tocsr() / np.sqrt(len(views))
    n = stacked.shape[0]
    pairs: set[tuple[int, int]] = set()
    for lo in range(0, n, block_size):
        block = cos_sim(stacked[lo:lo + block_size], stacked)
        for offset, row in enumerate(block):
            i = lo + offset
            row[i] = -np.inf
            kk = min(k, n - 1)
            nearest = np.argsort(-row, kind="stable")[:kk]
            pairs.update((min(i, int(j)), max(i, int(j))) for j in nearest if row[j] > 0)
    return pairs


def best_match_pair(a: Matrix, b: Matrix) -> float:
    """Symmetric best-match similarity of two sets of sentence vectors."""
    if a.shape[0] == 0 or b.shape[0] == 0:
        return 0.0
    sims = cos_sim(a, b)
    return float((sims.max(axis=1).mean() + sims.max(axis=0).mean()) / 2)


def too_far_apart(date_a: object, date_b: object, max_days: int) -> bool:
    """True when both dates are known and more than ``max_days`` apart."""
    if not isinstance(date_a, str) or not isinstance(date_b, str):
        return False
    return abs((pd.Timestamp(date_a) - pd.Timestamp(date_b)).days) > max_days


def similarity_edges(
    vectors: Matrix, sentences: pd.DataFrame, documents: pd.DataFrame, settings: EventSettings,
) -> dict[tuple[int, int], float]:
    """Combined similarity of each candidate article pair (indices into ``documents``)."""
    doc_ids = documents["doc_id"].tolist()
    keep = content_mask(sentences)
    content = sentences[keep]
    content_vectors = vectors[np.flatnonzero(keep)]
    words, names = lexical_views(content, doc_ids)
    rows_of = {d: np.flatnonzero(content["doc_id"].to_numpy() == d) for d in doc_ids}
    dates = documents["date"].tolist()
    edges = {}
    for i, j in sorted(candidate_pairs((words, names), settings.neighbours)):
        if too_far_apart(dates[i], dates[j], settings.max_days_apart):
            continue
        sentence_sim = best_match_pair(content_vectors[rows_of[doc_ids[i]]],
                                       content_vectors[rows_of[doc_ids[j]]])
        word_sim = float(words[i].multiply(words[j]).sum())
        name_sim = float(names[i].multiply(names[j]).sum())
        edges[(i, j)] = (sentence_sim + word_sim + name_sim) / 3
    return edges


def sparse_average_linkage(n: int, edges: dict[tuple[int, int], float],
                           min_similarity: float, sizes: list[int] | None = None
                           ) -> np.ndarray:
    """Average-linkage clusters of ``n`` items from sparse similarities.

    The similarity of two clusters is the mean over all their member pairs,
    pairs without an edge counting 0. Clusters merge, most similar first (ties:
    lowest ids), while that mean is >= ``min_similarity``. Items may be groups
    already: then ``sizes`` gives each one's member count and an edge holds the
    *sum* of its members' pairwise similarities. Returns a cluster index per
    item, numbered by first appearance. Deterministic.
    """
    size = {i: (sizes[i] if sizes else 1) for i in range(n)}
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), s in edges.items():
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    heap = [(-s / (size[i] * size[j]), i, j) for (i, j), s in edges.items()]
    heapq.heapify(heap)
    parent = list(range(n))
    next_id = n
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in size or b not in size:
            continue
        current = links[a].get(b, 0.0) / (size[a] * size[b])
        if abs(current + neg) > 1e-12:
            continue  # stale entry
        if current < min_similarity:
            break
        new = next_id
        next_id += 1
        size[new] = size.pop(a) + size.pop(b)
        parent.append(new)
        parent[a] = parent[b] = new
        merged: dict[int, float] = {}
        for old in (a, b):
            for other, s in links.pop(old).items():
                if other in (a, b):
                    continue
                merged[other] = merged.get(other, 0.0) + s
                del links[other][old]
        links[new] = merged
        for other, s in merged.items():
            links[other][new] = s
            heapq.heappush(heap, (-s / (size[new] * size[other]), min(other, new),
                                  max(other, new)))
    return first_appearance_labels([root_of(parent, i) for i in range(n)])


def root_of(parent: list[int], i: int) -> int:
    """The top cluster an item ended in."""
    while parent[i] != i:
        i = parent[i]
    return i


def first_appearance_labels(roots: list[int]) -> np.ndarray:
    """Renumber cluster roots 0, 1, 2, ... in order of first appearance."""
    seen: dict[int, int] = {}
    return np.array([seen.setdefault(r, len(seen)) for r in roots])


def cluster_events(
    vectors: Matrix, sentences: pd.DataFrame, documents: pd.DataFrame,
    settings: EventSettings = EventSettings(),
) -> pd.DataFrame:
    """``doc_id, event_id, event_source``: from metadata where every article names its
    event, else clustered. Event ids are ``e0001``... in order of each event's first
    article (by ``doc_id``), so they are the same on every run."""
    documents = documents.sort_values("doc_id").reset_index(drop=True)
    given = documents["event"]
    if given.notna().all() and len(documents):
        return pd.DataFrame({"doc_id": documents["doc_id"], "event_id": given.astype(str),
                             "event_source": "metadata"})
    edges = similarity_edges(vectors, sentences, documents, settings)
    labels = sparse_average_linkage(len(documents), edges, settings.min_similarity)
    return pd.DataFrame({"doc_id": documents["doc_id"],
                         "event_id": [f"e{label + 1:04d}" for label in labels],
                         "event_source": "clustered"})
