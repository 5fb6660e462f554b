"""Vectors and how alike they are: L2 normalisation, cosines, document vectors, and the
blocked top-k nearest-neighbour search (:func:`blocked_topk`).

Rows are L2-normalised sentence (or document) vectors, dense or sparse (:data:`Matrix`),
so a dot product is a cosine. :func:`cos_sim` and :func:`pairwise_cos_sim` have
sentence-transformers' meanings: every row of ``a`` with every row of ``b``, and row ``i``
of ``a`` with row ``i`` of ``b``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.basics.tables import content_mask

Matrix: TypeAlias = np.ndarray | sp.csr_matrix


def l2_normalise(matrix: Matrix) -> Matrix:
    """Rows scaled to unit length; all-zero rows stay zero (dense or sparse)."""
    from sklearn.preprocessing import normalize

    return normalize(matrix, norm="l2", axis=1, copy=True)


def as_float32(matrix: Matrix) -> Matrix:
    """Dense rows stored in a narrower type (float16 vectors) as float32, for arithmetic;
    float32, float64 and sparse matrices as they are (no copy)."""
    if isinstance(matrix, np.ndarray) and matrix.dtype == np.float16:
        return matrix.astype(np.float32)
    return matrix


def cos_sim(a: Matrix, b: Matrix) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b``.

    Inputs are L2-normalised [n, dim] and [m, dim] arrays (dense or sparse);
    returns a dense float array of shape [n, m].

    >>> cos_sim(np.eye(2), np.eye(2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    product = a @ b.T
    return np.asarray(product) if isinstance(product, np.ndarray) else product.toarray()


def pairwise_cos_sim(a: Matrix, b: Matrix) -> np.ndarray:
    """Cosine similarity of row ``i`` of ``a`` with row ``i`` of ``b``; shape [n].

    Inputs are L2-normalised [n, dim] arrays (dense or sparse, the same number of rows).

    >>> pairwise_cos_sim(np.eye(2), np.array([[1.0, 0.0], [1.0, 0.0]])).tolist()
    [1.0, 0.0]
    """
    if sp.issparse(a) or sp.issparse(b):
        return np.asarray(sp.csr_matrix(a).multiply(sp.csr_matrix(b)).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", np.asarray(a), np.asarray(b))


def rowwise_dot(
    rows: Matrix, first: np.ndarray, second: np.ndarray, chunk: int = 50_000
) -> np.ndarray:
    """Dot product (cosine, for L2-normalised rows) of row ``first[p]`` with row
    ``second[p]`` of ``rows`` for every pair ``p``; dense or sparse, ``chunk`` pairs at a
    time, so memory stays bounded however many pairs.

    >>> rowwise_dot(np.eye(2), np.array([0, 0]), np.array([0, 1])).tolist()
    [1.0, 0.0]
    """
    out = np.zeros(len(first), dtype=rows.dtype)  # the rows' precision, as one product
    for lo in range(0, len(first), chunk):
        hi = lo + chunk
        out[lo:hi] = pairwise_cos_sim(rows[first[lo:hi]], rows[second[lo:hi]])
    return out


def document_vectors(vectors: Matrix, sentences: pd.DataFrame, doc_ids: list[str]) -> np.ndarray:
    """Mean of each document's content-sentence vectors, L2-normalised; shape [n_docs, dim].

    Built from every sentence, so no part of a long article is truncated away.
    A document without content sentences gets a zero row.
    """
    mask = content_mask(sentences)
    index = {d: i for i, d in enumerate(doc_ids)}
    rows = sentences["doc_id"].map(index).to_numpy()
    keep = np.flatnonzero(mask & ~pd.isna(rows))
    assign = sp.csr_matrix(
        (np.ones(len(keep)), (rows[keep].astype(int), keep)), shape=(len(doc_ids), vectors.shape[0])
    )
    summed = assign @ vectors
    summed = summed.toarray() if sp.issparse(summed) else np.asarray(summed)
    return np.asarray(l2_normalise(summed), dtype=np.float32)


# --------------------------------------------------------------------------- nearest neighbours


class Neighbours(NamedTuple):
    """One answer of :func:`blocked_topk`: for each of ``rows``, its best ``k'`` rows in
    ``group``. ``neighbours`` and ``scores`` have shape [len(rows), k'], best first; a
    place left without a candidate (all masked) holds neighbour -1 and score -inf."""

    rows: np.ndarray
    group: int
    neighbours: np.ndarray
    scores: np.ndarray


def blocked_topk(
    vectors: Matrix,
    k: int,
    *,
    groups: np.ndarray | None = None,
    skip: str = "self",
    block_size: int = 1024,
    column_block: int | None = None,
    copy_blocks: bool = False,
    blocks: Iterable[np.ndarray] | None = None,
    columns: Callable[[np.ndarray], np.ndarray] | None = None,
    mask: Callable[[np.ndarray, np.ndarray, np.ndarray], None] | None = None,
) -> Iterator[Neighbours]:
    """Each row's ``k`` most similar rows (cosine) in every group, computed in blocks: the
    one nearest-neighbour search of alignment, claims and events.

    ``vectors`` are L2-normalised finite rows (dense or sparse) sorted by ``groups``
    (ints; default: all one group). ``skip="self"`` leaves a row out of its own
    candidates; ``skip="group"`` leaves out its whole group, so a row is answered for the
    other groups only (alignment: counterparts in *other* documents). Yields
    :class:`Neighbours` per block of rows and per group, blocks in order and groups in
    order within a block, with ``k' = min(k, the group's candidates)``, best first, ties
    to the lower index: what a stable descending sort of each row's similarities to the
    group gives, with the scores of the product (float32 rows, float32 scores).

    Rows are taken ``block_size`` at a time (or as ``blocks`` gives them: arrays of rows)
    and compared with tiles of whole groups of about ``column_block`` columns (default
    4 x ``block_size``; a larger group is a tile of its own), or, when ``columns`` is
    given, with the sorted rows ``columns(rows)`` only (a window). So memory is bounded by
    a block times a tile or window, never by n x n. ``mask(rows, cols, sims)`` may set
    the similarities of pairs that must not be neighbours to -inf, in place.

    Consecutive blocks are views of ``vectors``, so a block of every row against every
    row is ``V @ V.T``, which numpy hands to BLAS's symmetric routine (half the work,
    exactly symmetric scores: claims); ``copy_blocks`` copies each block instead, so every
    product is a general one (alignment). The two round differently in the last bit.
    """
    n = vectors.shape[0]
    groups = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups)
    if np.any(np.diff(groups) < 0):
        raise ValueError("rows must be sorted by group")
    if k < 1 or block_size < 1:
        raise ValueError(f"k and block_size must be at least 1, got {k} and {block_size}")
    if skip not in ("self", "group"):
        raise ValueError(f"skip must be 'self' or 'group', got {skip!r}")
    _check_finite(vectors)
    present, starts, counts = np.unique(groups, return_index=True, return_counts=True)
    width = max(int(column_block if column_block is not None else 4 * block_size), 1)
    tiles = (
        None
        if columns is not None
        else [
            _Tile(np.arange(first, last), _GroupTile(starts[first:last], counts[first:last], k))
            for first, last in _tile_bounds(counts, width)
        ]
    )
    widest = n if columns is not None else min(n, width)
    workers = _workers() if min(n, block_size) * widest >= _PARALLEL_TILE else 1
    pool = ThreadPoolExecutor(workers) if workers > 1 else None  # shut down in ``finally``
    masked = skip == "self" or mask is not None
    try:
        for rows, block_vectors in _blocks(vectors, block_size, blocks, copy_blocks):
            block_groups = groups[rows] if skip == "group" else None
            if tiles is not None:
                row_tiles = tiles
            else:
                assert columns is not None  # a window search names its columns
                row_tiles = _Tile.of_window(columns(rows), groups, present, k)
            for tile in row_tiles:
                sims = cos_sim(block_vectors, tile.vectors(vectors))
                if skip == "self":
                    tile.mask_self(sims, rows)
                if mask is not None:
                    mask(rows, tile.columns(), sims)
                neighbours, scores = tile.search.topk(sims, pool, workers)
                for j, g in enumerate(tile.groups.tolist()):
                    kk = min(k, int(tile.search.counts[j]))
                    found, best = neighbours[j, :kk], scores[j, :kk]  # [k', rows]
                    if tile.window is not None:
                        found = tile.window[found]
                    if masked:
                        found = np.where(best == -np.inf, -1, found)
                    own = None if block_groups is None else block_groups == present[g]
                    if own is None or not own.any():
                        yield Neighbours(rows, int(present[g]), found.T, best.T)
                        continue
                    keep = np.flatnonzero(~own)
                    if len(keep):
                        yield Neighbours(
                            rows[keep], int(present[g]), found[:, keep].T, best[:, keep].T
                        )
    finally:
        if pool is not None:
            pool.shutdown()


def _blocks(
    vectors: Matrix, block_size: int, blocks: Iterable[np.ndarray] | None, copy: bool
) -> Iterator[tuple[np.ndarray, Matrix]]:
    """The blocks of rows, with their vectors (for consecutive rows, a slice unless
    ``copy``)."""
    if blocks is None:
        for lo in range(0, vectors.shape[0], block_size):
            rows = np.arange(lo, min(lo + block_size, vectors.shape[0]))
            yield rows, vectors[rows] if copy else vectors[lo : lo + len(rows)]
        return
    for rows in blocks:
        rows = np.asarray(rows, dtype=np.int64)
        yield rows, vectors[rows]


class _Tile:
    """Columns one block of rows is compared with: a range of whole groups (``window`` is
    None; the search gives global indices) or a window of sorted rows (the search gives
    positions in ``window``)."""

    def __init__(
        self, groups: np.ndarray, search: _GroupTile, window: np.ndarray | None = None
    ) -> None:
        self.groups = groups  # positions of the tile's groups among all groups
        self.search = search
        self.window = window

    @classmethod
    def of_window(
        cls, cols: np.ndarray, groups: np.ndarray, present: np.ndarray, k: int
    ) -> list[_Tile]:
        """The tile of the rows ``cols`` (sorted; none when empty), holding their groups."""
        cols = np.asarray(cols, dtype=np.int64)
        if not len(cols):
            return []
        found, local, counts = np.unique(groups[cols], return_index=True, return_counts=True)
        return [cls(np.searchsorted(present, found), _GroupTile(local, counts, k), cols)]

    def vectors(self, vectors: Matrix) -> Matrix:
        """The tile's columns of ``vectors`` (all of them without a copy, when they are)."""
        if self.window is not None:
            return vectors[self.window]
        whole = self.search.start == 0 and self.search.stop == vectors.shape[0]
        return vectors if whole else vectors[self.search.start : self.search.stop]

    def columns(self) -> np.ndarray:
        """The rows the tile's columns are."""
        return (
            self.window
            if self.window is not None
            else np.arange(self.search.start, self.search.stop)
        )

    def mask_self(self, sims: np.ndarray, rows: np.ndarray) -> None:
        """Set each row's similarity with itself, where it is a column, to -inf."""
        if self.window is None:
            at = rows - self.search.start
            hit = (at >= 0) & (at < self.search.stop - self.search.start)
        else:
            at = np.minimum(np.searchsorted(self.window, rows), len(self.window) - 1)
            hit = self.window[at] == rows
        sims[np.flatnonzero(hit), at[hit]] = -np.inf


def _workers() -> int:
    """Threads for the top-k work on a tile: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _check_finite(vectors: Matrix) -> None:
    """Raise ValueError unless every value of ``vectors`` is finite."""
    values = vectors.data if sp.issparse(vectors) else np.asarray(vectors)
    if not np.isfinite(values).all():
        raise ValueError("vectors must be finite (no NaN or infinity)")


def _tile_bounds(counts: np.ndarray, width: int) -> list[tuple[int, int]]:
    """Consecutive groups packed into tiles of at most ``width`` columns (a larger group
    is a tile of its own): ``[(first, last), ...]`` group indices, ``last`` exclusive."""
    bounds, first, used = [], 0, 0
    for g, count in enumerate(counts.tolist()):
        if used and used + count > width:
            bounds.append((first, g))
            first, used = g, 0
        used += count
    if len(counts):
        bounds.append((first, len(counts)))
    return bounds


# Below this many similarities in a tile, a stable sort per group beats the set-up of
# the vectorised search (small events: a few articles of a few dozen sentences).
_SMALL_TILE = 1 << 14
# Groups whose sizes are within this ratio share one padded array in the vectorised search.
_SIZE_CLASS_RATIO = 1.25
# From this many similarities in a tile, its rows are split over threads (numpy releases
# the GIL in the work), so the top-k keeps pace with the multi-threaded matrix product.
_PARALLEL_TILE = 1 << 20


class _GroupTile:
    """The top-k search of one tile of consecutive groups (columns ``start:stop``; groups
    start at ``starts``, in the numbering of the tile's columns).

    For each block of rows, :meth:`topk` returns ``neighbours`` and ``scores`` of shape
    [groups, k, rows]: per group, each row's best ``k`` columns (in that numbering), best
    first, ties to the lower index. Groups with fewer than ``k`` rows leave the tail as
    padding that the caller slices off.
    """

    def __init__(self, starts: np.ndarray, counts: np.ndarray, k: int) -> None:
        self.k = k
        self.start = int(starts[0])
        self.stop = int(starts[-1] + counts[-1])
        self.local = (starts - self.start).astype(np.intp)
        self.counts = counts.astype(np.intp)
        self.classes: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None = None

    def _size_classes(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """Groups of similar size: (group positions, gather rows [G, s], padding mask or
        None), so that each class is one [G, s, rows] array with little padding."""
        order = np.argsort(self.counts, kind="stable")
        sizes = self.counts[order]
        classes, begin = [], 0
        for end in range(1, len(order) + 1):
            if end < len(order) and sizes[end] <= max(
                sizes[begin] * _SIZE_CLASS_RATIO, sizes[begin] + 1
            ):
                continue
            members = np.sort(order[begin:end])
            counts = self.counts[members]
            offsets = np.arange(int(counts.max()))
            pad = offsets[None, :] >= counts[:, None]
            gather = self.local[members][:, None] + np.minimum(
                offsets[None, :], counts[:, None] - 1
            )
            classes.append((members, gather, pad if pad.any() else None))
            begin = end
        return classes

    def topk(
        self, sims: np.ndarray, pool: ThreadPoolExecutor | None = None, workers: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per group of the tile, each row's best ``k`` columns of ``sims`` [rows, columns]
        (rows split over ``workers`` threads of ``pool`` when the tile is large; the
        result is the same)."""
        n_rows = sims.shape[0]
        # entries past a group's size stay unset: the caller slices them off
        neighbours = np.empty((len(self.counts), self.k, n_rows), dtype=np.intp)
        scores = np.empty((len(self.counts), self.k, n_rows), dtype=sims.dtype)
        if sims.size <= _SMALL_TILE:
            for j, (start, count) in enumerate(zip(self.local, self.counts, strict=True)):
                kk = min(self.k, int(count))
                sub = sims[:, start : start + count]
                order = np.argsort(-sub, axis=1, kind="stable")[:, :kk]
                neighbours[j, :kk] = (order + (start + self.start)).T
                scores[j, :kk] = np.take_along_axis(sub, order, axis=1).T
            return neighbours, scores
        if self.classes is None:
            self.classes = self._size_classes()
        classes = self.classes

        def rows_topk(lo: int, hi: int) -> None:
            transposed = _transpose(sims[lo:hi])  # [columns, rows]: a group's are contiguous
            for members, gather, pad in classes:
                _class_topk(
                    transposed[gather],
                    pad,
                    self.k,
                    neighbours[:, :, lo:hi],
                    scores[:, :, lo:hi],
                    members,
                    self.local[members] + self.start,
                )

        parts = workers if pool is not None and sims.size >= _PARALLEL_TILE else 1
        bounds = np.linspace(0, n_rows, parts + 1).astype(int)
        if pool is None or parts == 1:
            rows_topk(0, n_rows)
        else:
            list(pool.map(rows_topk, bounds[:-1], bounds[1:]))
        return neighbours, scores


def _transpose(matrix: np.ndarray, chunk: int = 256) -> np.ndarray:
    """A C-contiguous transpose, copied in cache-sized strips."""
    out = np.empty((matrix.shape[1], matrix.shape[0]), dtype=matrix.dtype)
    for lo in range(0, matrix.shape[0], chunk):
        out[:, lo : lo + chunk] = matrix[lo : lo + chunk].T
    return out


def _class_topk(
    values: np.ndarray,
    pad: np.ndarray | None,
    k: int,
    neighbours: np.ndarray,
    scores: np.ndarray,
    members: np.ndarray,
    first_column: np.ndarray,
) -> None:
    """Top-k of one size class, written into ``neighbours``/``scores`` at ``members``.

    ``values`` [G, s, rows] holds each group's similarities, a group's columns along
    axis 1 (``pad`` marks the padding; it becomes -inf). Each round takes the maximum
    over a group's columns, finds the lowest column that holds it (the largest of
    ``s - position`` among them) and knocks it out, so ``k`` rounds give the order of a
    stable descending sort.
    """
    if pad is not None:
        values[pad] = -np.inf
    n_groups, width, n_rows = values.shape
    weight = (width - np.arange(width)).astype(np.min_scalar_type(width))[None, :, None]
    hit = np.empty(values.shape, dtype=bool)
    flat_values = values.reshape(-1)  # a view: ``values`` is a fresh contiguous gather
    flat_base = np.arange(n_groups)[:, None] * (width * n_rows) + np.arange(n_rows)[None, :]
    rounds = min(k, width)
    for rank in range(rounds):
        best = values.max(axis=1)
        np.equal(values, best[:, None, :], out=hit)
        if weight.dtype == np.uint8:
            marks = hit.view(np.uint8)
            np.multiply(marks, weight, out=marks)
        else:
            marks = np.multiply(hit, weight, dtype=weight.dtype)
        position = width - marks.max(axis=1).astype(np.intp)
        neighbours[members, rank] = position + first_column[:, None]
        scores[members, rank] = best
        if rank + 1 < rounds:
            flat_values[flat_base + position * n_rows] = -np.inf
