"""Benchmark the blocked top-k search of alignment against one dense matrix product.

Usage: python -m bench.topk [--n 20000] [--dim 384] [--k 3] [--block-size 1024]
                            [--repeats 5] [--quick] [--out results/bench/topk.json]

:func:`framelens.basics.similarity.blocked_topk`, called as alignment calls it, finds,
for each sentence, its ``k`` most similar sentences in every *other* document, a block
of rows at a time. This
measures it on ``n`` random unit vectors (float32) grouped like the pipeline's
sentences: documents of 8 to 25 sentences (the synthetic corpus's range).

- **Time.** (a) One dense product ``V @ W.T`` over the same vectors (every pair
  the blocked search must cover; ``W`` is a copy of ``V``, so BLAS computes the
  full n x n, as the blocked search does) and, for reference, ``V @ V.T``, which
  numpy hands to BLAS's symmetric routine (half the arithmetic); (b) the blocked
  search, consumed as the alignment consumes it. Runs alternate; the figure is
  the best of ``--repeats`` (the machine is shared), with the median and the CPU
  time beside it. Two layouts: ``one_event`` (all n sentences in one call, the
  documents as groups: the worst case, the whole n x n) and ``events`` (the same
  sentences in events of 2 to 40 documents, one call per event, as
  :func:`framelens.align.align_corpus` does; its dense reference is each event's
  own product).
- **Memory.** Peak of numpy's allocations (tracemalloc) while the blocked search
  runs, at n/2, n and 2n with the same block size: bounded by the block size
  (block_size x column_block similarities and their working copies), while the
  dense product's n x n grows with n squared.
- **Equality with brute force.** Each row's best k in every other group from a
  full similarity matrix and a stable descending sort (ties to the lower index):
  (1) on integer-valued vectors, whose products are exact, with many ties and
  groups of one: neighbours and scores must be identical; (2) on the benchmark's
  float32 vectors, for a sample of rows: the neighbours must be the same except
  where two candidates are closer than float32 rounding (the blocked and the
  brute-force products round differently), and the scores must agree to 1e-5.

Writes everything to results/bench/topk.json; prints the ratios. The floor:
blocked top-k within 2x the time of the dense product, memory bounded by the
block size, results equal to brute force.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from framelens.basics.similarity import blocked_topk

ROOT = Path(__file__).resolve().parents[1]
DOC_SIZES = (8, 25)  # sentences per document, as in the synthetic corpus
EVENT_DOCS = (2, 40)  # documents per event in the `events` layout
NEAR_TIE = 1e-5  # float32 scores closer than this may order differently in two products


def unit_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random float32 unit vectors."""
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def document_groups(
    n: int, rng: np.random.Generator, sizes: tuple[int, int] = DOC_SIZES
) -> np.ndarray:
    """Sorted group (document) numbers for ``n`` rows, documents of ``sizes`` rows."""
    lengths = rng.integers(sizes[0], sizes[1] + 1, size=n // sizes[0] + 1)
    return np.repeat(np.arange(len(lengths)), lengths)[:n]


def event_bounds(groups: np.ndarray, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Row ranges of events of ``EVENT_DOCS`` consecutive documents."""
    doc_starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    bounds, first = [], 0
    while first < len(doc_starts):
        last = min(first + int(rng.integers(EVENT_DOCS[0], EVENT_DOCS[1] + 1)), len(doc_starts))
        bounds.append(
            (
                int(doc_starts[first]),
                int(doc_starts[last]) if last < len(doc_starts) else len(groups),
            )
        )
        first = last
    return bounds


def consume(vectors: np.ndarray, groups: np.ndarray, k: int, block_size: int) -> int:
    """Run the blocked search to the end, touching every answer; rows answered."""
    answered = 0
    for rows, _group, neighbours, scores in blocked_topk(
        vectors, k, groups=groups, skip="group", block_size=block_size, copy_blocks=True
    ):
        answered += len(rows)
        assert neighbours.shape == scores.shape
    return answered


def timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(runs: list[tuple[float, float]]) -> dict[str, float]:
    """Best and median wall time, and the CPU time of the best run."""
    best = min(runs)
    return {
        "best_s": round(best[0], 4),
        "median_s": round(statistics.median(r[0] for r in runs), 4),
        "cpu_s": round(best[1], 4),
    }


def time_layouts(
    vectors: np.ndarray,
    groups: np.ndarray,
    events: list[tuple[int, int]],
    *,
    k: int,
    block_size: int,
    repeats: int,
) -> dict[str, object]:
    """Dense products and the blocked search, alternating, ``repeats`` times each."""
    copy = vectors.copy()

    def dense_gemm() -> None:
        np.matmul(vectors, copy.T)

    def dense_syrk() -> None:
        np.matmul(vectors, vectors.T)

    def events_dense() -> None:
        for lo, hi in events:
            np.matmul(vectors[lo:hi], copy[lo:hi].T)

    def one_event() -> None:
        consume(vectors, groups, k, block_size)

    def per_event() -> None:
        for lo, hi in events:
            consume(vectors[lo:hi], groups[lo:hi], k, block_size)

    jobs = {
        "dense_gemm": dense_gemm,
        "dense_syrk": dense_syrk,
        "blocked_one_event": one_event,
        "events_dense": events_dense,
        "blocked_events": per_event,
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            runs[name].append(timed(job))
    times = {name: summary(r) for name, r in runs.items()}
    gemm, syrk = times["dense_gemm"]["best_s"], times["dense_syrk"]["best_s"]
    return {
        "times": times,
        "ratio_one_event_vs_dense": round(times["blocked_one_event"]["best_s"] / gemm, 3),
        "ratio_one_event_vs_dense_symmetric": round(times["blocked_one_event"]["best_s"] / syrk, 3),
        "ratio_one_event_vs_dense_cpu": round(
            times["blocked_one_event"]["cpu_s"] / times["dense_gemm"]["cpu_s"], 3
        ),
        "ratio_events_vs_events_dense": round(
            times["blocked_events"]["best_s"] / times["events_dense"]["best_s"], 3
        ),
        "ratio_events_vs_dense": round(times["blocked_events"]["best_s"] / gemm, 3),
    }


def peak_memory(n: int, dim: int, k: int, block_size: int, seed: int) -> dict[str, float]:
    """Peak MiB of numpy allocations during the blocked search (inputs excluded), and
    what the dense n x n float32 product alone would take."""
    rng = np.random.default_rng(seed)
    vectors, groups = unit_vectors(n, dim, rng), document_groups(n, rng)
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    consume(vectors, groups, k, block_size)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {
        "n": n,
        "blocked_peak_mib": round(peak / 2**20, 1),
        "dense_matrix_mib": round(n * n * 4 / 2**20, 1),
        "inputs_mib": round(vectors.nbytes / 2**20, 1),
    }


def brute_topk(
    sims: np.ndarray, row_groups: np.ndarray, groups: np.ndarray, k: int
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """Per (row, other group): the best ``k`` columns by a stable descending sort."""
    out = {}
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    for start, end in zip(starts, ends, strict=True):
        group = int(groups[start])
        sub = sims[:, start:end]
        order = np.argsort(-sub, axis=1, kind="stable")[:, :k]
        values = np.take_along_axis(sub, order, axis=1)
        for i in np.flatnonzero(row_groups != group):
            out[(i, group)] = (order[i] + start, values[i])
    return out


def blocked_answers(vectors, groups, k, block_size, rows=None):
    """The blocked search's answers as {(row, group): (neighbours, scores)}."""
    wanted = None if rows is None else {int(r): i for i, r in enumerate(rows)}
    out = {}
    for found, group, neighbours, scores in blocked_topk(
        vectors, k, groups=groups, skip="group", block_size=block_size, copy_blocks=True
    ):
        for row, cand, score in zip(found, neighbours, scores, strict=True):
            if wanted is None:
                out[(int(row), group)] = (cand, score)
            elif int(row) in wanted:
                out[(wanted[int(row)], group)] = (cand, score)
    return out


def exact_check(k: int, seed: int) -> dict[str, object]:
    """Integer-valued vectors (exact products, many ties, groups of one and of more rows
    than one block's tile): blocked == brute force, bit for bit."""
    rng = np.random.default_rng(seed)
    n = 3000
    vectors = rng.integers(-2, 3, size=(n, 12)).astype(np.float32)
    sizes = rng.choice([1, 1, 2, 5, 17, 25, 60, 700], size=n)
    groups = np.repeat(np.arange(len(sizes)), sizes)[:n]
    reference = brute_topk(vectors @ vectors.T, groups, groups, k)
    results = {}
    for block_size in (64, 1024):
        seen = blocked_answers(vectors, groups, k, block_size)
        same = seen.keys() == reference.keys() and all(
            np.array_equal(seen[key][0], cand) and np.array_equal(seen[key][1], score)
            for key, (cand, score) in reference.items()
        )
        results[f"block_{block_size}"] = same
    return {
        "n": n,
        "answers": len(reference),
        "groups": int(groups.max() + 1),
        "groups_of_one": int((np.bincount(groups) == 1).sum()),
        "identical": all(results.values()),
        "by_block_size": results,
    }


def float_check(
    vectors: np.ndarray, groups: np.ndarray, k: int, block_size: int, seed: int, sample: int = 1000
) -> dict[str, object]:
    """The benchmark's float32 vectors, for a sample of rows: neighbours equal except at
    near-ties, scores within 1e-5."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(vectors), size=min(sample, len(vectors)), replace=False))
    reference = brute_topk(vectors[rows] @ vectors.T, groups[rows], groups, k)
    seen = blocked_answers(vectors, groups, k, block_size, rows=rows)
    sims = vectors[rows] @ vectors.T
    differ = near_tie = 0
    worst = 0.0
    for key, (cand, score) in reference.items():
        got, got_score = seen[key]
        worst = max(worst, float(np.abs(got_score - score).max()))
        if np.array_equal(got, cand):
            continue
        differ += 1
        # the two orders rank the same candidates by scores within float32 rounding
        row = sims[key[0]]
        if (
            set(got.tolist()) == set(cand.tolist())
            or np.abs(row[got] - row[cand]).max() <= NEAR_TIE
        ):
            near_tie += 1
    return {
        "rows": len(rows),
        "answers": len(reference),
        "keys_equal": seen.keys() == reference.keys(),
        "neighbours_differ": differ,
        "differ_only_at_near_ties": differ == near_tie,
        "max_score_difference": worst,
        "equal": seen.keys() == reference.keys() and differ == near_tie and worst <= NEAR_TIE,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="vectors (sentences)")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--block-size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="n=4000, 2 repeats")
    parser.add_argument("--out", default=str(ROOT / "results/bench/topk.json"))
    args = parser.parse_args()
    if args.quick:
        args.n, args.repeats = 4000, 2
    rng = np.random.default_rng(args.seed)
    vectors, groups = unit_vectors(args.n, args.dim, rng), document_groups(args.n, rng)
    events = event_bounds(groups, rng)
    report: dict[str, object] = {
        "n": args.n,
        "dim": args.dim,
        "k": args.k,
        "block_size": args.block_size,
        "documents": int(groups.max() + 1),
        "events": len(events),
        "repeats": args.repeats,
        "dtype": "float32",
    }
    print(
        f"{args.n} x {args.dim} float32 unit vectors, {report['documents']} documents of "
        f"{DOC_SIZES[0]}-{DOC_SIZES[1]} sentences, k={args.k}, block {args.block_size}"
    )
    report["timing"] = timing = time_layouts(
        vectors, groups, events, k=args.k, block_size=args.block_size, repeats=args.repeats
    )
    for name, entry in timing["times"].items():
        print(
            f"  {name:<18} best {entry['best_s']:7.3f} s   median {entry['median_s']:7.3f} s"
            f"   cpu {entry['cpu_s']:7.3f} s"
        )
    print(
        f"blocked / dense product (one event, all n x n): "
        f"{timing['ratio_one_event_vs_dense']:.2f}  "
        f"(vs numpy's symmetric V @ V.T: {timing['ratio_one_event_vs_dense_symmetric']:.2f}; "
        f"CPU time: {timing['ratio_one_event_vs_dense_cpu']:.2f})"
    )
    print(
        f"blocked per event / each event's dense product: "
        f"{timing['ratio_events_vs_events_dense']:.2f}  "
        f"(/ one dense n x n product: {timing['ratio_events_vs_dense']:.2f})"
    )
    sizes = [max(args.n // 2, 1), args.n, 2 * args.n]
    report["memory"] = memory = [
        peak_memory(n, args.dim, args.k, args.block_size, args.seed) for n in sizes
    ]
    for entry in memory:
        print(
            f"  n={entry['n']:>6}: blocked peak {entry['blocked_peak_mib']:7.1f} MiB   "
            f"dense n x n {entry['dense_matrix_mib']:8.1f} MiB"
        )
    growth = memory[2]["blocked_peak_mib"] / max(memory[1]["blocked_peak_mib"], 1e-9)
    report["memory_growth_2n_over_n"] = round(growth, 3)
    print(f"peak at 2n / peak at n: {growth:.2f} (dense: 4.00)")
    report["exact_check"] = exact = exact_check(args.k, args.seed)
    report["float_check"] = floating = float_check(
        vectors, groups, args.k, args.block_size, args.seed
    )
    print(
        f"equal to brute force: exact check {exact['identical']} ({exact['answers']} "
        f"answers, {exact['groups_of_one']} groups of one); float32 sample "
        f"{floating['equal']} ({floating['neighbours_differ']} of {floating['answers']} "
        f"answers order near-ties differently, max score difference "
        f"{floating['max_score_difference']:.1e})"
    )
    report["floor"] = {
        "ratio_within_2": timing["ratio_one_event_vs_dense"] <= 2.0,
        "memory_bounded": growth < 1.5,
        "equal_to_brute_force": bool(exact["identical"] and floating["equal"]),
    }
    print("floor:", ", ".join(f"{key} {value}" for key, value in report["floor"].items()))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    if not all(report["floor"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
