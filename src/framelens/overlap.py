"""Outlet overlap: how much of one outlet's reporting has a counterpart in another's.

For an ordered outlet pair (A, B), over the events both cover: the share of
A's content sentences with any aligned counterpart in B (``share_a_in_b``),
and the share whose counterpart is verbatim or a rewrite (``reuse_share``),
with percentile bootstrap intervals. Sentences are resampled with replacement
within each of A's documents (so article lengths are kept), once for all of
A's pairs; the seed comes from ``random_state`` and A's name, so a pair's
interval does not change when other outlets are added.

Each pair's ``reuse_share`` also gets a permutation p-value (``p_value``) and
its Benjamini-Hochberg adjustment over all pairs of the table (``p_adjusted``).
The null is "B is no special source or taker of A's reused copy": A's reused
sentences and how many reuse partners each has are kept, and every partner is
moved to a sentence drawn at random from the content sentences of the other
outlets' articles in the same event, so a partner lands in B's articles with
probability B's share of that text (article lengths are kept). The statistic is
the number of A's sentences with a partner in B; ``p = (1 + #{null >= observed})
/ (1 + permutations)``. See :func:`reuse_permutation_test`.
"""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pandas as pd

from framelens.basics.tables import REUSE, outlet_keys
from framelens.lookup import index_in, map_values, run_bounds
from framelens.schema import default_value, defaults
from framelens.workers import map_in_pieces

OVERLAP_COLUMNS = [
    "outlet_a",
    "outlet_b",
    "share_a_in_b",
    "reuse_share",
    "ci_low",
    "ci_high",
    "share_ci_low",
    "share_ci_high",
    "n_sentences",
    "n_documents",
    "n_events",
    "p_value",
    "p_adjusted",
]
SIGNIFICANCE_LEVEL = 0.05  # a pair whose p_adjusted is at least this is shown as not significant
PERMUTATION_STREAM = 0x5045524D  # keeps permutation draws apart from the bootstrap's
SOURCE_COLUMNS = [
    "doc_id",
    "outlet",
    "source_doc_id",
    "source_outlet",
    "n_sentences",
    "n_reused",
    "reused_share",
]


SYNDICATION_POLICIES = ("count", "exclude")


def drop_syndicated_pairs(alignments: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The alignments without pairs between copies of one syndicated story (a copy and its
    original, or two copies of one original: ``documents.syndicated_of``), for reuse
    statistics that leave syndication out (``overlap.syndication: exclude``)."""
    if "syndicated_of" not in documents or documents["syndicated_of"].isna().all():
        return alignments
    story = documents["syndicated_of"].fillna(documents["doc_id"])
    story_of = pd.Series(story.to_numpy(), index=documents["doc_id"])
    same = (
        map_values(alignments["doc_id_a"], story_of).to_numpy()
        == map_values(alignments["doc_id_b"], story_of).to_numpy()
    )
    return alignments[~same]


def _is_in(values: pd.Series, universe: pd.Series) -> np.ndarray:
    """``values.isin(universe)``, hashed by Arrow (pandas' isin on Arrow strings goes
    value by value in Python)."""
    return index_in(values, universe) >= 0


def counterpart_flags(
    content: pd.DataFrame, alignments: pd.DataFrame, outlet_of: pd.Series
) -> pd.DataFrame:
    """Per content sentence and other outlet: has it any counterpart, and a reused one?

    Returns rows ``sent_id, other_outlet, any, reuse`` (only where any is true).
    """
    reuse = alignments["relation"].isin([r.value for r in REUSE])
    both_ways = pd.concat(
        [
            pd.DataFrame(
                {
                    "sent_id": alignments["sent_id_a"],
                    "other_outlet": alignments["doc_id_b"].map(outlet_of),
                    "reuse": reuse,
                }
            ),
            pd.DataFrame(
                {
                    "sent_id": alignments["sent_id_b"],
                    "other_outlet": alignments["doc_id_a"].map(outlet_of),
                    "reuse": reuse,
                }
            ),
        ],
        ignore_index=True,
    )
    both_ways = both_ways[_is_in(both_ways["sent_id"], content["sent_id"])]
    flags = both_ways.groupby(["sent_id", "other_outlet"], sort=True)["reuse"].any()
    return flags.rename("reuse").reset_index().assign(any=True)


def outlet_seed(random_state: int, outlet: str) -> np.random.Generator:
    """A generator seeded by the config seed and one outlet's name (for the bootstrap
    resamples of that outlet's sentences)."""
    return np.random.default_rng([random_state, zlib.crc32(outlet.encode())])


def permutation_seed(random_state: int, outlet_a: str, outlet_b: str) -> np.random.Generator:
    """A generator seeded by the config seed and the pair's names, on a
    stream of its own (for the permutation test)."""
    return np.random.default_rng(
        [
            random_state,
            zlib.crc32(outlet_a.encode()),
            zlib.crc32(outlet_b.encode()),
            PERMUTATION_STREAM,
        ]
    )


def reuse_partner_counts(
    content: pd.DataFrame, alignments: pd.DataFrame, outlet_of: pd.Series
) -> pd.Series:
    """Per content sentence, how many distinct sentences of *other* outlets it shares a
    verbatim or rewrite pair with (sentences without any are absent), by ``sent_id``."""
    reuse = alignments[alignments["relation"].isin([r.value for r in REUSE])]
    both_ways = pd.concat(
        [
            pd.DataFrame(
                {
                    "sent_id": reuse["sent_id_a"],
                    "partner": reuse["sent_id_b"],
                    "own": reuse["doc_id_a"].map(outlet_of),
                    "other": reuse["doc_id_b"].map(outlet_of),
                }
            ),
            pd.DataFrame(
                {
                    "sent_id": reuse["sent_id_b"],
                    "partner": reuse["sent_id_a"],
                    "own": reuse["doc_id_b"].map(outlet_of),
                    "other": reuse["doc_id_a"].map(outlet_of),
                }
            ),
        ],
        ignore_index=True,
    )
    both_ways = both_ways[
        (both_ways["own"] != both_ways["other"]) & _is_in(both_ways["sent_id"], content["sent_id"])
    ]
    return both_ways.drop_duplicates(["sent_id", "partner"]).groupby("sent_id").size()


def reuse_permutation_test(
    partners: np.ndarray,
    weight: np.ndarray,
    observed: int,
    *,
    n_perm: int,
    rng: np.random.Generator,
    chunk: int = 1000,
) -> float:
    """Permutation p-value of ``observed`` sentences of A having a reuse partner in B.

    ``partners[i]`` is how many reuse partners A's sentence i has in other outlets,
    ``weight[i]`` B's share of the content sentences of the other outlets' articles
    in sentence i's event. Under the null each partner is moved to a sentence drawn
    at random from that text, so sentence i keeps a partner in B with probability
    ``1 - (1 - weight[i]) ** partners[i]``. Returns ``(1 + #{null >= observed}) /
    (1 + n_perm)``; 1.0 when A has no reused sentence; NaN when the null cannot
    vary although there is reuse (B is the only other outlet in the event, so the
    test cannot tell B apart from any other taker).

    >>> rng = np.random.default_rng(0)
    >>> reuse_permutation_test(np.ones(8), np.full(8, 0.25), 8, n_perm=999, rng=rng)
    0.001
    """
    hit = 1.0 - (1.0 - np.clip(weight, 0.0, 1.0)) ** np.asarray(partners, dtype=float)
    hit = hit[np.asarray(partners) > 0]
    if not len(hit):
        return 1.0
    certain = int((hit >= 1.0).sum())
    varying = hit[(hit > 0.0) & (hit < 1.0)]
    if not len(varying):
        return float("nan")
    at_least = 0
    for start in range(0, n_perm, chunk):
        draws = rng.random((min(chunk, n_perm - start), len(varying))) < varying
        at_least += int((draws.sum(axis=1) + certain >= observed).sum())
    return (1 + at_least) / (1 + n_perm)


def benjamini_hochberg(p_values: np.ndarray | pd.Series) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up, monotone, at most 1); NaN stays NaN
    and does not count as a test.

    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if not len(tested):
        return adjusted
    order = tested[np.argsort(p[tested], kind="stable")]
    scaled = p[order] * len(order) / np.arange(1, len(order) + 1)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted


def resample_counts(doc_index: np.ndarray, *, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """How many times each row is drawn in each bootstrap resample within documents.

    Rows sharing a ``doc_index`` value form a document; each resample draws as many
    rows from each document, with replacement, as it has. Returns [n_boot, n] counts
    (each document's counts sum to its length in every resample). Resample ``r`` takes
    one uniform per row, ``rng.random(n)`` in resample order, and row ``j``'s uniform
    picks a row of ``j``'s document, so the counts of one seed do not depend on how
    many resamples are drawn at a time.
    """
    doc_index = np.asarray(doc_index)
    n = len(doc_index)
    order = np.argsort(doc_index, kind="stable")  # documents' rows, each in row order
    _, first, length = np.unique(doc_index[order], return_index=True, return_counts=True)
    document = np.repeat(np.arange(len(first)), length)
    start, size = first[document], length[document]
    picked = start + (rng.random((n_boot, n)) * size).astype(np.int64)  # positions in order
    rows = order[np.minimum(picked, start + size - 1)]
    offsets = (np.arange(n_boot) * n)[:, None]
    return np.bincount((rows + offsets).ravel(), minlength=n_boot * n).reshape(n_boot, n)


def bootstrap_totals(
    flags: np.ndarray,
    doc_index: np.ndarray,
    *,
    n_boot: int,
    rng: np.random.Generator,
    cells_at_once: int = 1 << 22,
) -> np.ndarray:
    """Bootstrap sums of the columns of ``flags`` [n, m], rows resampled within documents.

    Returns [n_boot, m]: for each resample (:func:`resample_counts`), each column's sum
    over the resampled rows. All columns share the resamples, so one outlet's sentences
    are resampled once for all the outlets it is compared with; a column that is zero
    outside some documents is those documents' bootstrap. Resamples are drawn
    ``cells_at_once // n`` at a time (memory), with the same result for any value.
    """
    flags = np.asarray(flags, dtype=np.float64)
    n = len(flags)
    totals = np.zeros((n_boot, flags.shape[1]))
    if not n:
        return totals
    step = max(1, cells_at_once // n)
    for start in range(0, n_boot, step):
        block = min(step, n_boot - start)
        counts = resample_counts(doc_index, n_boot=block, rng=rng)
        totals[start : start + block] = counts @ flags  # exact: integer sums below 2**53
    return totals


def bootstrap_shares(
    flags: np.ndarray, doc_index: np.ndarray, *, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap means of boolean ``flags`` [n, m] resampled within documents.

    Returns [n_boot, m]: for each resample, each column's share over all rows.
    """
    return bootstrap_totals(flags, doc_index, n_boot=n_boot, rng=rng) / len(np.asarray(flags))


def outlet_overlap(
    content: pd.DataFrame,
    alignments: pd.DataFrame,
    documents: pd.DataFrame,
    events: pd.Series,
    *,
    n_boot: int = defaults("overlap")["bootstrap"],
    confidence: float = defaults("overlap")["confidence"],
    random_state: int = default_value("random_state"),
    n_perm: int = defaults("overlap")["permutations"],
    workers: int = 1,
) -> pd.DataFrame:
    """One row per ordered outlet pair that shares at least one event (see module doc).

    ``content`` holds the content sentences (``sent_id``, ``doc_id``);
    ``events`` maps doc_id to event. ``n_boot=0`` leaves the intervals and
    ``n_perm=0`` the p-values empty (NaN), for quick looks.

    Work is done on integer codes: each pair touches only outlet A's sentences, and
    only pairs that share an event are visited, so time grows with the sentences times
    the outlets per event, not with the outlets squared times the corpus. ``workers``
    processes take the outlets (:func:`framelens.workers.ordered_map`; the same table for
    any count).
    """
    outlet_of = outlet_keys(documents)
    outlet = map_values(content["doc_id"], outlet_of)
    event = map_values(content["doc_id"], events)
    flags = counterpart_flags(content, alignments, outlet_of)
    partners = reuse_partner_counts(content, alignments, outlet_of)
    tail = (1 - confidence) / 2
    known = outlet.notna().to_numpy()
    outlet_codes, outlets = pd.factorize(outlet, sort=True)  # codes follow sorted names
    event_codes, event_names = pd.factorize(event, use_na_sentinel=False)
    doc_codes = pd.factorize(content["doc_id"])[0]
    partner_count = map_values(content["sent_id"], partners).fillna(0).to_numpy()
    # sentences per (event, outlet), as content.groupby(["event", "outlet"]).size()
    counted = known & event.notna().to_numpy()
    sizes = np.zeros((len(event_names), len(outlets)), dtype=np.int64)
    np.add.at(sizes, (event_codes[counted], outlet_codes[counted]), 1)
    event_sizes = sizes.sum(axis=1)
    # each outlet's sentences (row order kept) and the events it covers
    rows_of = [np.flatnonzero(outlet_codes == o) for o in range(len(outlets))]
    covers = [np.unique(event_codes[rows]) for rows in rows_of]
    # per other outlet: the content rows with a counterpart there, and whether reused
    flag_rows = index_in(flags["sent_id"], content["sent_id"])
    flag_outlet = pd.Index(outlets).get_indexer(flags["other_outlet"])
    found_rows, found_reuse = [], []
    for o in range(len(outlets)):
        mine = flag_outlet == o
        order = np.argsort(flag_rows[mine], kind="stable")
        found_rows.append(flag_rows[mine][order])
        found_reuse.append(flags["reuse"].to_numpy(dtype=bool)[mine][order])
    pairs = _pairs_sharing_events(covers, len(event_names))
    by_outlet = [
        (a, [b for _, b in peers]) for a, peers in itertools.groupby(pairs, key=lambda p: p[0])
    ]

    def outlet_rows(a: int, peer_codes: list[int]) -> list[dict[str, object]]:
        """The rows of outlet A (code ``a``) against each of its peers (codes)."""
        rows: list[dict[str, object]] = []
        peer_rows = []
        for b in peer_codes:
            common = np.intersect1d(covers[a], covers[b], assume_unique=True)
            in_common = np.zeros(len(event_names), dtype=bool)
            in_common[common] = True
            inside = in_common[event_codes[rows_of[a]]]  # A's rows in the common events
            mine = rows_of[a][inside]
            at = np.searchsorted(found_rows[b], mine)
            at_valid = np.minimum(at, max(len(found_rows[b]) - 1, 0))
            has_any = (
                (at < len(found_rows[b])) & (found_rows[b][at_valid] == mine)
                if len(found_rows[b])
                else np.zeros(len(mine), dtype=bool)
            )
            has_reuse = has_any & found_reuse[b][at_valid] if len(found_rows[b]) else has_any
            has = np.column_stack([has_any, has_reuse])
            name_a, name_b = str(outlets[a]), str(outlets[b])
            p_value = np.nan
            if n_perm > 0:
                row_events = event_codes[mine]
                pool = event_sizes[row_events] - sizes[row_events, a]
                weight = sizes[row_events, b] / pool
                p_value = reuse_permutation_test(
                    partner_count[mine],
                    weight,
                    int(has[:, 1].sum()),
                    n_perm=n_perm,
                    rng=permutation_seed(random_state, name_a, name_b),
                )
            peer_rows.append((inside, has))
            rows.append(
                {
                    "outlet_a": outlets[a],
                    "outlet_b": outlets[b],
                    "share_a_in_b": has[:, 0].mean(),
                    "reuse_share": has[:, 1].mean(),
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "share_ci_low": np.nan,
                    "share_ci_high": np.nan,
                    "n_sentences": len(mine),
                    "n_documents": len(np.unique(doc_codes[mine])),
                    "n_events": len(common),
                    "p_value": p_value,
                }
            )
        if n_boot > 0:
            intervals = _peer_intervals(
                peer_rows,
                doc_codes[rows_of[a]],
                n_boot=n_boot,
                tail=tail,
                seed=(random_state, str(outlets[a])),
            )
            for row, (low, high) in zip(rows, intervals, strict=True):
                row["ci_low"], row["ci_high"] = low[1], high[1]
                row["share_ci_low"], row["share_ci_high"] = low[0], high[0]
        return rows

    # outlets side by side in ``workers`` processes: each pair's draws are its own
    weights = [len(rows_of[a]) * len(peers) for a, peers in by_outlet]
    rows = [
        row
        for found in map_in_pieces(lambda item: outlet_rows(*item), by_outlet, workers, weights)
        for row in found
    ]
    table = pd.DataFrame.from_records(rows, columns=OVERLAP_COLUMNS)
    table["p_adjusted"] = benjamini_hochberg(table["p_value"])
    return table


def _peer_intervals(
    peer_rows: list[tuple[np.ndarray, np.ndarray]],
    doc_of_row: np.ndarray,
    *,
    n_boot: int,
    tail: float,
    seed: tuple[int, str],
    cells_at_once: int = 1 << 23,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Percentile intervals of one outlet A's shares against each of its peers.

    ``peer_rows`` holds, per peer B, which of A's rows (``doc_of_row`` gives their
    documents) lie in the events both cover, and those rows' [any, reuse] flags. A's
    rows are resampled within documents once (:func:`bootstrap_totals`, seeded by
    :func:`outlet_seed`) for all peers; a peer's shares count only its rows. Peers are
    taken ``cells_at_once`` flag cells at a time, each block from a fresh generator of
    the same seed, so the intervals do not depend on the block size.
    """
    n = len(doc_of_row)
    step = max(1, cells_at_once // (2 * max(n, 1)))
    intervals = []
    for start in range(0, len(peer_rows), step):
        block = peer_rows[start : start + step]
        flags = np.zeros((n, 2 * len(block)))
        for p, (inside, has) in enumerate(block):
            flags[inside, 2 * p : 2 * p + 2] = has
        totals = bootstrap_totals(flags, doc_of_row, n_boot=n_boot, rng=outlet_seed(*seed))
        for p, (inside, _) in enumerate(block):
            shares = totals[:, 2 * p : 2 * p + 2] / int(inside.sum())
            low, high = np.quantile(shares, [tail, 1 - tail], axis=0)
            intervals.append((low, high))
    return intervals


def _pairs_sharing_events(covers: list[np.ndarray], n_events: int) -> list[tuple[int, int]]:
    """Ordered pairs (a, b), a != b, of outlets (by code) that cover a common event,
    sorted: the pairs of an all-pairs loop that skips those with nothing in common."""
    outlets = (
        np.concatenate([np.full(len(c), o) for o, c in enumerate(covers)])
        if covers
        else np.zeros(0, dtype=np.intp)
    )
    events = np.concatenate(covers) if covers else np.zeros(0, dtype=np.intp)
    order = np.argsort(events, kind="stable")
    outlets, events = outlets[order], events[order]
    pairs: set[tuple[int, int]] = set()
    bounds = run_bounds(events)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        present = outlets[lo:hi].tolist()
        pairs.update((a, b) for a in present for b in present if a != b)
    return sorted(pairs)


def reuse_sources(
    content: pd.DataFrame, alignments: pd.DataFrame, documents: pd.DataFrame
) -> pd.DataFrame:
    """For each dated document, the share of its content sentences reused from each
    earlier document ("this article is 38% AP copy"), largest first."""
    reused = alignments[alignments["source_doc_id"].notna()]
    later_side = np.where(reused["source_doc_id"] == reused["doc_id_a"], "b", "a")
    taken = pd.DataFrame(
        {
            "doc_id": np.where(later_side == "a", reused["doc_id_a"], reused["doc_id_b"]),
            "sent_id": np.where(later_side == "a", reused["sent_id_a"], reused["sent_id_b"]),
            "source_doc_id": reused["source_doc_id"].to_numpy(),
        }
    ).drop_duplicates(["doc_id", "sent_id", "source_doc_id"])
    outlet_of = outlet_keys(documents)
    sizes = content.groupby("doc_id").size()
    table = taken.groupby(["doc_id", "source_doc_id"]).size().rename("n_reused").reset_index()
    table["n_sentences"] = table["doc_id"].map(sizes)
    table["reused_share"] = table["n_reused"] / table["n_sentences"]
    table["outlet"] = table["doc_id"].map(outlet_of)
    table["source_outlet"] = table["source_doc_id"].map(outlet_of)
    table = table.sort_values(
        ["reused_share", "doc_id", "source_doc_id"], ascending=[False, True, True]
    )
    return table[SOURCE_COLUMNS].reset_index(drop=True)
