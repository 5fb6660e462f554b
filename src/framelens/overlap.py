"""Outlet overlap: how much of one outlet's reporting has a counterpart in another's.

For an ordered outlet pair (A, B), over the events both cover: the share of
A's content sentences with any aligned counterpart in B (``share_a_in_b``),
and the share whose counterpart is verbatim or a rewrite (``reuse_share``),
with percentile bootstrap intervals. Sentences are resampled with replacement
within each of A's documents (so article lengths are kept); the seed comes
from ``random_state`` and the outlet names, so a pair's interval does not
change when other outlets are added.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from framelens.align import REUSE
from framelens.corpus import UNATTRIBUTED

OVERLAP_COLUMNS = [
    "outlet_a", "outlet_b", "share_a_in_b", "reuse_share", "ci_low", "ci_high",
    "share_ci_low", "share_ci_high", "n_sentences", "n_documents", "n_events",
]
SOURCE_COLUMNS = [
    "doc_id", "outlet", "source_doc_id", "source_outlet", "n_sentences", "n_reused",
    "reused_share",
]


def outlet_keys(documents: pd.DataFrame) -> pd.Series:
    """The outlet each document counts under, by ``doc_id``.

    An unattributed document is its own outlet (its label, e.g.
    ``unattributed (003)``): unknown sources are not merged into one.
    """
    keys = documents["outlet"].where(documents["outlet"] != UNATTRIBUTED,
                                     documents["outlet_label"])
    return pd.Series(keys.to_numpy(), index=documents["doc_id"], name="outlet")


def counterpart_flags(content: pd.DataFrame, alignments: pd.DataFrame,
                      outlet_of: pd.Series) -> pd.DataFrame:
    """Per content sentence and other outlet: has it any counterpart, and a reused one?

    Returns rows ``sent_id, other_outlet, any, reuse`` (only where any is true).
    """
    reuse = alignments["relation"].isin([r.value for r in REUSE])
    both_ways = pd.concat([
        pd.DataFrame({"sent_id": alignments["sent_id_a"],
                      "other_outlet": alignments["doc_id_b"].map(outlet_of), "reuse": reuse}),
        pd.DataFrame({"sent_id": alignments["sent_id_b"],
                      "other_outlet": alignments["doc_id_a"].map(outlet_of), "reuse": reuse}),
    ], ignore_index=True)
    both_ways = both_ways[both_ways["sent_id"].isin(content["sent_id"])]
    flags = both_ways.groupby(["sent_id", "other_outlet"], sort=True)["reuse"].any()
    return flags.rename("reuse").reset_index().assign(any=True)


def pair_seed(random_state: int, outlet_a: str, outlet_b: str) -> np.random.Generator:
    """A generator seeded by the config seed and the pair's names (order-independent)."""
    return np.random.default_rng([random_state, zlib.crc32(outlet_a.encode()),
                                  zlib.crc32(outlet_b.encode())])


def bootstrap_shares(flags: np.ndarray, doc_index: np.ndarray, *, n_boot: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Bootstrap means of boolean ``flags`` [n, m] resampled within documents.

    Returns [n_boot, m]: for each resample, each column's share over all rows.
    """
    totals = np.zeros((n_boot, flags.shape[1]))
    for doc in np.unique(doc_index):
        rows = np.flatnonzero(doc_index == doc)
        draws = rng.integers(0, len(rows), size=(n_boot, len(rows)))
        totals += flags[rows][draws].sum(axis=1)
    return totals / len(doc_index)


def outlet_overlap(
    content: pd.DataFrame, alignments: pd.DataFrame, documents: pd.DataFrame,
    events: pd.Series, *, n_boot: int = 1000, confidence: float = 0.95, random_state: int = 0,
) -> pd.DataFrame:
    """One row per ordered outlet pair that shares at least one event (see module doc).

    ``content`` holds the content sentences (``sent_id``, ``doc_id``);
    ``events`` maps doc_id to event.
    """
    outlet_of = outlet_keys(documents)
    content = content.assign(outlet=content["doc_id"].map(outlet_of),
                             event=content["doc_id"].map(events))
    flags = counterpart_flags(content, alignments, outlet_of)
    events_of = content.groupby("outlet")["event"].agg(lambda e: set(e))
    tail = (1 - confidence) / 2
    rows = []
    for a in sorted(events_of.index):
        for b in sorted(events_of.index):
            common = events_of[a] & events_of[b]
            if a == b or not common:
                continue
            mine = content[(content["outlet"] == a) & content["event"].isin(common)]
            found = flags[flags["other_outlet"] == b].set_index("sent_id")
            has = np.column_stack([
                mine["sent_id"].isin(found.index).to_numpy(),
                mine["sent_id"].map(found["reuse"]).eq(True).to_numpy(),
            ])
            doc_index = pd.factorize(mine["doc_id"])[0]
            boot = bootstrap_shares(has, doc_index, n_boot=n_boot,
                                    rng=pair_seed(random_state, a, b))
            low, high = np.quantile(boot, [tail, 1 - tail], axis=0)
            rows.append({
                "outlet_a": a, "outlet_b": b,
                "share_a_in_b": has[:, 0].mean(), "reuse_share": has[:, 1].mean(),
                "ci_low": low[1], "ci_high": high[1],
                "share_ci_low": low[0], "share_ci_high": high[0],
                "n_sentences": len(mine), "n_documents": int(mine["doc_id"].nunique()),
                "n_events": len(common),
            })
    return pd.DataFrame.from_records(rows, columns=OVERLAP_COLUMNS)


def reuse_sources(content: pd.DataFrame, alignments: pd.DataFrame,
                  documents: pd.DataFrame) -> pd.DataFrame:
    """For each dated document, the share of its content sentences reused from each
    earlier document ("this article is 38% AP copy"), largest first."""
    reused = alignments[alignments["source_doc_id"].notna()]
    later_side = np.where(reused["source_doc_id"] == reused["doc_id_a"], "b", "a")
    taken = pd.DataFrame({
        "doc_id": np.where(later_side == "a", reused["doc_id_a"], reused["doc_id_b"]),
        "sent_id": np.where(later_side == "a", reused["sent_id_a"], reused["sent_id_b"]),
        "source_doc_id": reused["source_doc_id"].to_numpy(),
    }).drop_duplicates(["doc_id", "sent_id", "source_doc_id"])
    outlet_of = outlet_keys(documents)
    sizes = content.groupby("doc_id").size()
    table = taken.groupby(["doc_id", "source_doc_id"]).size().rename("n_reused").reset_index()
    table["n_sentences"] = table["doc_id"].map(sizes)
    table["reused_share"] = table["n_reused"] / table["n_sentences"]
    table["outlet"] = table["doc_id"].map(outlet_of)
    table["source_outlet"] = table["source_doc_id"].map(outlet_of)
    table = table.sort_values(["reused_share", "doc_id", "source_doc_id"],
                              ascending=[False, True, True])
    return table[SOURCE_COLUMNS].reset_index(drop=True)
