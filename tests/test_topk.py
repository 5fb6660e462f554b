"""The one blocked top-k search (framelens.basics.similarity.blocked_topk) against brute
force, in the three ways it is used: alignment (every *other* group), claims (all rows but
the row itself) and events (date windows, masked pairs, positive similarities only). The
claims and events references are those modules' own searches before they shared this one."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from framelens.basics.similarity import blocked_topk, cos_sim, l2_normalise


def brute_topk(vectors, groups, k):
    sims = vectors @ vectors.T
    out = {}
    for i in range(len(vectors)):
        for g in np.unique(groups):
            if g == groups[i]:
                continue
            cols = np.flatnonzero(groups == g)
            order = cols[np.argsort(-sims[i, cols], kind="stable")][:k]
            out[(i, int(g))] = (order, sims[i, order])
    return out


def other_groups(vectors, groups, k, **options):
    """The search as alignment calls it."""
    return blocked_topk(vectors, k, groups=groups, skip="group", copy_blocks=True, **options)


@pytest.mark.parametrize("block_size", [1, 7, 64, 1000])
def test_blocked_topk_equals_brute_force(block_size):
    rng = np.random.default_rng(3)
    vectors = l2_normalise(rng.normal(size=(90, 16)))
    vectors[10] = vectors[40]  # exact ties resolve to the lower index in both
    groups = np.sort(rng.integers(0, 6, size=90))
    reference = brute_topk(vectors, groups, k=3)
    seen = {}
    for rows, group, neighbours, scores in other_groups(vectors, groups, 3, block_size=block_size):
        for row, cand, score in zip(rows, neighbours, scores, strict=True):
            seen[(int(row), group)] = (cand, score)
    assert seen.keys() == reference.keys()
    for key, (cand, score) in reference.items():
        np.testing.assert_array_equal(seen[key][0], cand)
        np.testing.assert_allclose(seen[key][1], score, atol=1e-12)


def test_topk_needs_rows_sorted_by_group():
    with pytest.raises(ValueError, match="sorted by group"):
        list(other_groups(np.eye(3), np.array([1, 0, 1]), 1))


def tied_corpus(dtype):
    """300 integer-valued vectors (exact products, so many exact ties), in groups of 1 to
    150 rows, group numbers with gaps."""
    rng = np.random.default_rng(11)
    vectors = rng.integers(-2, 3, size=(300, 6)).astype(dtype)
    sizes = rng.choice([1, 1, 2, 3, 9, 17, 40, 150], size=300)
    groups = 3 * np.repeat(np.arange(len(sizes)), sizes)[:300]
    return vectors, groups


SEARCH_PATHS = pytest.mark.parametrize(
    "small_tile", [0, 1 << 14], ids=["vectorised", "per-group-sort"]
)


@SEARCH_PATHS
@pytest.mark.parametrize(
    ("k", "block_size", "column_block", "dtype"),
    [
        (3, 64, None, np.float32),
        (1, 100, 50, np.float64),
        (3, 1000, 1, np.float32),
        (30, 64, 100, np.float64),
        (2, 7, None, np.float64),
    ],
)
def test_blocked_topk_equals_brute_force_with_ties_and_groups_of_one(
    k, block_size, column_block, dtype, small_tile, monkeypatch
):
    monkeypatch.setattr("framelens.basics.similarity._SMALL_TILE", small_tile)
    monkeypatch.setattr("framelens.basics.similarity._PARALLEL_TILE", 4096)  # threads
    vectors, groups = tied_corpus(dtype)
    reference = brute_topk(vectors, groups, k=k)
    seen = {}
    for rows, group, neighbours, scores in other_groups(
        vectors, groups, k, block_size=block_size, column_block=column_block
    ):
        assert neighbours.shape == scores.shape == (len(rows), min(k, (groups == group).sum()))
        assert scores.dtype == dtype
        for row, cand, score in zip(rows, neighbours, scores, strict=True):
            assert (int(row), group) not in seen
            seen[(int(row), group)] = (cand, score)
    assert seen.keys() == reference.keys()
    for key, (cand, score) in reference.items():
        np.testing.assert_array_equal(seen[key][0], cand)
        np.testing.assert_array_equal(seen[key][1], score)


def test_blocked_topk_yields_blocks_in_row_order_and_groups_in_order():
    vectors, groups = tied_corpus(np.float64)
    order = [
        (int(rows[0]), group)
        for rows, group, _, _ in other_groups(vectors, groups, 2, block_size=128, column_block=64)
    ]
    blocks = [row // 128 for row, _ in order]
    assert blocks == sorted(blocks)
    for block in set(blocks):
        in_block = [group for (row, group) in order if row // 128 == block]
        assert in_block == sorted(in_block)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_alignment_scores_are_those_of_a_general_product(dtype):
    """Bit for bit: alignment always multiplied a copy of the block by all rows (BLAS
    gemm); a view of all rows would be multiplied by BLAS's symmetric routine."""
    rng = np.random.default_rng(5)
    vectors = l2_normalise(rng.normal(size=(200, 48))).astype(dtype)
    groups = np.repeat(np.arange(10), 20)
    sims = cos_sim(vectors[np.arange(200)], vectors)
    for rows, _group, neighbours, scores in other_groups(vectors, groups, 3):
        np.testing.assert_array_equal(scores, np.take_along_axis(sims[rows], neighbours, 1))


def test_topk_refuses_vectors_that_are_not_finite():
    vectors = np.eye(3)
    vectors[1, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        list(other_groups(vectors, np.array([0, 1, 2]), 1))


# --------------------------------------------------------------------------- claims


def claims_reference(vectors, k, block_size=1024):
    """framelens.claims.neighbour_edges as it was: a stable sort of each row."""
    n = vectors.shape[0]
    edges = {}
    for lo in range(0, n, block_size):
        block = cos_sim(vectors[lo : lo + block_size], vectors)
        for offset, row in enumerate(block):
            i = lo + offset
            row[i] = -np.inf
            for j in np.argsort(-row, kind="stable")[: min(k, n - 1)]:
                edges[(min(i, int(j)), max(i, int(j)))] = float(row[j])
    return edges


def claims_edges(vectors, k, block_size=1024):
    from framelens.claims import neighbour_edges

    return neighbour_edges(vectors, k, block_size)


@SEARCH_PATHS
@pytest.mark.parametrize(
    ("n", "k", "block_size", "dtype", "sparse"),
    [
        (1, 10, 1024, np.float32, False),
        (2, 10, 1024, np.float32, False),
        (150, 10, 1024, np.float32, False),
        (150, 200, 64, np.float64, False),
        (300, 12, 100, np.float64, True),
        (300, 3, 7, np.float32, False),
        (300, 10, 1024, "random", False),
        (300, 10, 128, "random", False),
    ],
)
def test_claim_edges_equal_the_stable_sort_of_each_row(
    n, k, block_size, dtype, sparse, small_tile, monkeypatch
):
    monkeypatch.setattr("framelens.basics.similarity._SMALL_TILE", small_tile)
    monkeypatch.setattr("framelens.basics.similarity._PARALLEL_TILE", 4096)
    if dtype == "random":  # inexact products: the scores must be the same bits
        vectors = l2_normalise(np.random.default_rng(2).normal(size=(n, 48))).astype(np.float32)
    else:
        vectors = tied_corpus(dtype)[0][:n]
    if sparse:
        vectors = sp.csr_matrix(np.abs(vectors))
    mine, reference = claims_edges(vectors, k, block_size), claims_reference(vectors, k, block_size)
    assert list(mine.items()) == list(reference.items())  # same edges, order and values


# --------------------------------------------------------------------------- events


def events_reference(views, k, days=None, max_days=None, block_size=512):
    """framelens.events.candidate_pairs as it was: partition, then a lexsort per row."""
    from framelens.events import window_bounds

    def top_neighbours(sims, k):
        n_cols = sims.shape[1]
        kk = min(k, n_cols)
        if kk == 0 or sims.shape[0] == 0:
            return [np.empty(0, dtype=np.int64) for _ in range(sims.shape[0])]
        kth = np.partition(sims, n_cols - kk, axis=1)[:, n_cols - kk]
        rows, cols = np.nonzero((sims >= kth[:, None]) & (sims > 0))
        bounds = np.searchsorted(rows, np.arange(sims.shape[0] + 1))
        result = []
        for r in range(sims.shape[0]):
            found = cols[bounds[r] : bounds[r + 1]]
            result.append(found[np.lexsort((found, -sims[r, found]))[:kk]])
        return result

    stacked = (sp.hstack(views).tocsr() / np.sqrt(len(views))).tocsr()
    n = stacked.shape[0]
    days = np.full(n, np.nan) if days is None else np.asarray(days, dtype=float)
    order, lo, hi = window_bounds(days, max_days)
    undated = np.flatnonzero(np.isnan(days))
    pairs = set()
    for rows_in_order in (order, undated):
        for start in range(0, len(rows_in_order), block_size):
            rows = rows_in_order[start : start + block_size]
            cols = np.sort(np.concatenate([order[lo[rows].min() : hi[rows].max()], undated]))
            sims = cos_sim(stacked[rows], stacked[cols])
            if max_days is not None:
                gap = np.abs(days[rows][:, None] - days[cols][None, :])
                sims[gap > max_days] = -np.inf
            sims[rows[:, None] == cols[None, :]] = -np.inf
            for i, nearest in zip(rows, top_neighbours(sims, k), strict=True):
                pairs.update((min(int(i), int(j)), max(int(i), int(j))) for j in cols[nearest])
    return pairs


@SEARCH_PATHS
@pytest.mark.parametrize(
    ("k", "block_size", "max_days", "undated"),
    [
        (5, 512, 7, 0.1),
        (5, 17, 7, 0.0),
        (40, 9, 3, 0.3),
        (2, 512, None, 0.0),
        (8, 33, None, 0.5),
        (3, 4, 0, 0.2),
    ],
)
def test_event_candidates_equal_the_windowed_search(
    k, block_size, max_days, undated, small_tile, monkeypatch
):
    from framelens.events import candidate_pairs

    monkeypatch.setattr("framelens.basics.similarity._SMALL_TILE", small_tile)
    monkeypatch.setattr("framelens.basics.similarity._PARALLEL_TILE", 4096)
    rng = np.random.default_rng(7)
    n = 400
    # sparse non-negative rows with many exact ties and zero similarities
    dense = rng.integers(0, 3, size=(n, 12)) * (rng.random((n, 12)) < 0.3)
    words = l2_normalise(sp.csr_matrix(dense.astype(float)))
    names = l2_normalise(sp.csr_matrix((rng.random((n, 5)) < 0.2).astype(float)))
    days = rng.integers(0, 60, size=n).astype(float)
    days[rng.random(n) < undated] = np.nan
    mine = candidate_pairs((words, names), k, days, max_days, block_size)
    assert mine == events_reference((words, names), k, days, max_days, block_size)


def test_masked_candidates_come_last_as_minus_one():
    vectors = l2_normalise(np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [1.0, 0.0]]))

    def far(rows, cols, sims):
        sims[:, cols == 1] = -np.inf

    ((rows, group, neighbours, scores),) = blocked_topk(vectors, 4, mask=far)
    assert group == 0 and rows.tolist() == [0, 1, 2, 3]
    assert neighbours[0].tolist() == [3, 2, -1, -1]  # itself and the masked row last
    assert neighbours[3].tolist() == [0, 2, -1, -1]
    assert np.isneginf(scores[0, 2:]).all() and scores[0, 0] == pytest.approx(1.0)
