"""Average linkage on sparse similarities: the clustering of events (articles) and of
claims (sentences, after their must-links are joined).

Only the pairs that were compared carry a similarity (each item's nearest neighbours);
a pair never compared counts as 0, so memory grows with the edges, never with n x n.
"""

from __future__ import annotations

import heapq

import numpy as np


def sparse_average_linkage(
    n: int,
    edges: dict[tuple[int, int], float],
    min_similarity: float,
    sizes: list[int] | None = None,
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
            heapq.heappush(heap, (-s / (size[new] * size[other]), min(other, new), max(other, new)))
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
