"""A job's work spread over its worker processes (the rule's ``threads``), in order.

The per-event stages (alignment, claims, framing, the explorer) loop over events or
articles in Python, one CPU each. :func:`ordered_map` runs such a loop's pieces in
``workers`` processes forked from the job, so they read the job's tables and vectors
without copying them (copy-on-write), and hands the pieces' results back in the
order of the pieces: the output is the same, byte for byte, for any worker count.
The job's objects are frozen for the garbage collector while the workers run
(``gc.freeze``): a collection in a worker would otherwise write to every object's
header and copy the page it sits on, so each worker would end up with its own copy
of the job's Python objects. Every piece runs with one BLAS thread, with or without
workers: OpenBLAS splits a product differently by thread count, and the last bits
of a cosine would change with it (and with the machine's core count).

:func:`balanced_pieces` cuts a list of items (events) into :data:`PIECES` contiguous
pieces of about equal weight (sentences), whatever the worker count;
:func:`map_pieces` maps a function over the pieces (a piece's tables can then be put
together in its worker: one table per piece, not one per event, comes back), and
:func:`map_in_pieces` over the items.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import itertools
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar, cast

import numpy as np
import pyarrow as pa
from threadpoolctl import threadpool_limits

__all__ = [
    "PIECES",
    "balanced_pieces",
    "map_in_pieces",
    "map_pieces",
    "one_blas_thread",
    "ordered_map",
    "release_free_memory",
]

T = TypeVar("T")
Item = TypeVar("Item")

#: How many pieces a map cuts its items into, whatever the worker count: a few per
#: worker, so that a slow piece does not leave the others idle for long.
PIECES = 12

_task: Callable[[int], object] | None = None  # the running map's task, seen by the forks


def _run_piece(index: int) -> object:
    """Run piece ``index`` of the map that forked this worker, then give back what the
    piece freed (:func:`release_free_memory`)."""
    assert _task is not None
    try:
        return _task(index)
    finally:
        release_free_memory()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process already has
    except (OSError, AttributeError):
        return None
    return cast(Callable[[int], int], trim)


def release_free_memory() -> None:
    """Hand memory that this process has freed back to the system: Arrow's pool
    (mimalloc keeps freed pages for reuse) and the C heap (``malloc_trim``, where there
    is one). Freed memory that an allocator keeps still counts as the process's, and in
    a forked worker it counts against the job on top of the pages it shares: at 100,000
    articles, 250 MB per explorer worker after a large temporary table."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def one_blas_thread() -> threadpool_limits:
    """A context in which BLAS runs on one thread, for a product whose last bits must not
    depend on the job's threads (Snakemake sets BLAS to the rule's ``threads``, and
    ``--cores 1`` lowers them): e.g. the most central sentence of a claim whose
    sentences are reordered copies, where float noise breaks the tie."""
    return threadpool_limits(limits=1, user_api="blas")


def ordered_map(task: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    """``task(0)``, ..., ``task(count - 1)``, yielded in that order.

    With ``workers`` > 1 (and more than one piece), the pieces run in that many
    processes forked from this one: ``task`` may close over the caller's data, which
    the workers share until they write to it, and its results come back pickled. One
    map runs at a time. An exception in a piece is raised here. BLAS runs on one thread
    while the map runs (see the module doc).
    """
    with one_blas_thread():
        if workers <= 1 or count <= 1:
            yield from (task(i) for i in range(count))
            return
        global _task
        if _task is not None:
            raise RuntimeError("ordered_map does not nest")
        _task = task
        release_free_memory()  # the workers start from the job's live memory only
        gc.freeze()  # the workers' collector then leaves the job's objects (and pages) alone
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                min(workers, count), mp_context=context, initializer=one_blas_thread
            ) as pool:
                yield from cast(Iterator[T], pool.map(_run_piece, range(count)))
        finally:
            gc.unfreeze()
            _task = None


def balanced_pieces(weights: Sequence[float] | np.ndarray, pieces: int = PIECES) -> list[slice]:
    """Contiguous slices of ``weights``' items, at most ``pieces`` of them, cut where the
    running weight crosses equal shares (no empty slice; one when there is no item).

    >>> [(s.start, s.stop) for s in balanced_pieces([4, 4, 4, 4], 2)]
    [(0, 2), (2, 4)]
    >>> [(s.start, s.stop) for s in balanced_pieces([9, 1, 1, 1], 2)]
    [(0, 1), (1, 4)]
    """
    weights = np.asarray(weights, dtype=np.float64)
    n = len(weights)
    pieces = min(n, max(1, pieces))
    if pieces <= 1:
        return [slice(0, n)]
    total = np.cumsum(weights)
    targets = total[-1] * np.arange(1, pieces) / pieces
    cuts = np.unique(np.searchsorted(total, targets, side="left") + 1)
    cuts = cuts[(cuts > 0) & (cuts < n)]
    bounds = [0, *cuts.tolist(), n]
    return [slice(lo, hi) for lo, hi in itertools.pairwise(bounds)]


def map_pieces(
    work: Callable[[Sequence[Item]], T],
    items: Sequence[Item],
    workers: int,
    weights: Sequence[float] | np.ndarray | None = None,
) -> list[T]:
    """``work`` of each piece of ``items``: :data:`PIECES` contiguous pieces of about equal
    ``weights`` (one each by default), whatever the worker count, taken by ``workers``
    processes (:func:`ordered_map`); one result per piece, in order. A piece's result
    (e.g. its tables as one) is then the same for any worker count.

    >>> map_pieces(sum, [1, 2, 3, 4], 2, weights=[1, 1, 1, 1])[:2]
    [1, 2]
    """
    pieces = balanced_pieces([1] * len(items) if weights is None else weights)
    return list(ordered_map(lambda i: work(items[pieces[i]]), len(pieces), workers))


def map_in_pieces(
    work: Callable[[Item], T],
    items: Sequence[Item],
    workers: int,
    weights: Sequence[float] | np.ndarray | None = None,
) -> list[T]:
    """``[work(item) for item in items]``, the items taken by ``workers`` processes in
    pieces (:func:`map_pieces`).

    >>> map_in_pieces(lambda x: x * x, [1, 2, 3, 4], 2, weights=[4, 1, 1, 4])
    [1, 4, 9, 16]
    """
    found = map_pieces(lambda piece: [work(item) for item in piece], items, workers, weights)
    return [result for piece in found for result in piece]
