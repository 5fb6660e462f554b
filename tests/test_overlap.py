"""Outlet overlap: shares, bootstrap intervals, determinism, likely sources."""

from __future__ import annotations

from functools import partial
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from framelens import overlap
from framelens.basics.tables import outlet_keys
from framelens.overlap import (
    _peer_intervals,
    bootstrap_shares,
    bootstrap_totals,
    outlet_overlap,
    resample_counts,
    reuse_sources,
)


def small_corpus():
    """AP (4 sentences), UK (2, both reused from AP), DE (2, one paraphrase of AP)."""
    documents = pd.DataFrame(
        {
            "doc_id": ["ap", "uk", "de"],
            "outlet": ["AP", "unattributed", "DE"],
            "outlet_label": ["AP", "unattributed (uk)", "DE"],
            "date": ["2022-08-18", "2022-08-21", None],
        }
    )
    content = pd.DataFrame(
        {
            "sent_id": ["ap:0", "ap:1", "ap:2", "ap:3", "uk:0", "uk:1", "de:0", "de:1"],
            "doc_id": ["ap"] * 4 + ["uk"] * 2 + ["de"] * 2,
        }
    )
    alignments = pd.DataFrame(
        {
            "sent_id_a": ["ap:0", "ap:1", "ap:2"],
            "sent_id_b": ["uk:0", "uk:1", "de:0"],
            "doc_id_a": ["ap", "ap", "ap"],
            "doc_id_b": ["uk", "uk", "de"],
            "relation": ["verbatim", "rewrite", "paraphrase"],
            "source_doc_id": ["ap", "ap", None],
        }
    )
    events = pd.Series("all", index=documents["doc_id"])
    return content, alignments, documents, events


def test_shares_are_directional_and_unattributed_is_its_own_outlet():
    content, alignments, documents, events = small_corpus()
    table = outlet_overlap(content, alignments, documents, events, n_boot=200).set_index(
        ["outlet_a", "outlet_b"]
    )
    assert table.loc[("AP", "unattributed (uk)"), "reuse_share"] == pytest.approx(0.5)
    assert table.loc[("unattributed (uk)", "AP"), "reuse_share"] == pytest.approx(1.0)
    assert table.loc[("AP", "DE"), "share_a_in_b"] == pytest.approx(0.25)
    assert table.loc[("AP", "DE"), "reuse_share"] == 0.0
    assert table.loc[("DE", "unattributed (uk)"), "share_a_in_b"] == 0.0
    row = table.loc[("AP", "unattributed (uk)")]
    assert row["ci_low"] <= row["reuse_share"] <= row["ci_high"]
    assert list(outlet_keys(documents)) == ["AP", "unattributed (uk)", "DE"]


def test_intervals_are_identical_across_runs_and_independent_of_other_outlets():
    content, alignments, documents, events = small_corpus()
    first = outlet_overlap(content, alignments, documents, events, random_state=7)
    again = outlet_overlap(content, alignments, documents, events, random_state=7)
    pd.testing.assert_frame_equal(first, again)
    without_de = outlet_overlap(
        content[content["doc_id"] != "de"],
        alignments[alignments["doc_id_b"] != "de"],
        documents[documents["doc_id"] != "de"],
        events,
        random_state=7,
    )
    pair = ["outlet_a", "outlet_b"]
    merged = first.merge(without_de, on=pair, suffixes=("", "_alone"))
    np.testing.assert_array_equal(merged["ci_low"], merged["ci_low_alone"])
    flags = np.random.default_rng(0).random((40, 1)) < 0.5
    docs = np.repeat(np.arange(4), 10)
    one, two = (
        bootstrap_shares(flags, docs, n_boot=50, rng=np.random.default_rng(seed)) for seed in (1, 2)
    )
    assert not np.array_equal(one, two)  # the seed is used


def test_only_shared_events_count():
    content, alignments, documents, _ = small_corpus()
    events = pd.Series({"ap": "e1", "uk": "e1", "de": "e2"})
    table = outlet_overlap(content, alignments, documents, events, n_boot=100)
    assert not ((table["outlet_a"] == "DE") | (table["outlet_b"] == "DE")).any()


def test_bootstrap_resamples_within_documents():
    flags = np.array([[1], [1], [0], [0]], dtype=bool)
    boot = bootstrap_shares(flags, np.array([0, 0, 1, 1]), n_boot=500, rng=np.random.default_rng(0))
    # document 0 is all ones and document 1 all zeros: every resample keeps that split
    np.testing.assert_array_equal(boot, 0.5)


def test_reuse_sources_says_how_much_of_an_article_is_copy():
    content, alignments, documents, _ = small_corpus()
    table = reuse_sources(content, alignments, documents)
    assert table.to_dict("records") == [
        {
            "doc_id": "uk",
            "outlet": "unattributed (uk)",
            "source_doc_id": "ap",
            "source_outlet": "AP",
            "n_sentences": 2,
            "n_reused": 2,
            "reused_share": 1.0,
        }
    ]


def reference_overlap(
    content, alignments, documents, events, *, n_boot, n_perm, random_state, confidence=0.95
):
    """The plain per-pair pandas version of :func:`outlet_overlap` (the same draws)."""
    from framelens.overlap import (
        OVERLAP_COLUMNS,
        benjamini_hochberg,
        counterpart_flags,
        outlet_seed,
        permutation_seed,
        reuse_partner_counts,
        reuse_permutation_test,
    )

    def boot_totals(flags, docs, rng):
        """Resample r gives each row, taken document by document in row order, one
        uniform u[r, j] that picks a row of that row's document."""
        u = rng.random((n_boot, len(docs)))
        order = np.argsort(docs, kind="stable")
        totals = np.zeros((n_boot, flags.shape[1]))
        for j, row in enumerate(order):
            members = order[docs[order] == docs[row]]
            totals += flags[members[(u[:, j] * len(members)).astype(int)]]
        return totals

    outlet_of = outlet_keys(documents)
    content = content.assign(
        outlet=content["doc_id"].map(outlet_of), event=content["doc_id"].map(events)
    )
    flags = counterpart_flags(content, alignments, outlet_of)
    partners = reuse_partner_counts(content, alignments, outlet_of)
    sizes = content.groupby(["event", "outlet"]).size()
    event_sizes = sizes.groupby(level="event").sum()
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
            has = np.column_stack(
                [
                    mine["sent_id"].isin(found.index).to_numpy(),
                    mine["sent_id"].map(found["reuse"]).eq(True).to_numpy(),
                ]
            )
            own_rows = content[content["outlet"] == a]
            flags_all = np.zeros((len(own_rows), 2))
            flags_all[own_rows.index.get_indexer(mine.index)] = has
            docs = pd.factorize(own_rows["doc_id"])[0]
            boot = boot_totals(flags_all, docs, outlet_seed(random_state, a)) / len(mine)
            low, high = np.quantile(boot, [tail, 1 - tail], axis=0)
            own, theirs = sizes.xs(a, level="outlet"), sizes.xs(b, level="outlet")
            pool = mine["event"].map(event_sizes - own.reindex(event_sizes.index, fill_value=0))
            weight = mine["event"].map(theirs).fillna(0).to_numpy() / pool.to_numpy()
            p_value = reuse_permutation_test(
                mine["sent_id"].map(partners).fillna(0).to_numpy(),
                weight,
                int(has[:, 1].sum()),
                n_perm=n_perm,
                rng=permutation_seed(random_state, a, b),
            )
            rows.append(
                {
                    "outlet_a": a,
                    "outlet_b": b,
                    "share_a_in_b": has[:, 0].mean(),
                    "reuse_share": has[:, 1].mean(),
                    "ci_low": low[1],
                    "ci_high": high[1],
                    "share_ci_low": low[0],
                    "share_ci_high": high[0],
                    "n_sentences": len(mine),
                    "n_documents": int(mine["doc_id"].nunique()),
                    "n_events": len(common),
                    "p_value": p_value,
                }
            )
    table = pd.DataFrame.from_records(rows, columns=OVERLAP_COLUMNS)
    table["p_adjusted"] = benjamini_hochberg(table["p_value"])
    return table


def random_overlap_corpus(seed: int = 3):
    """80 articles by 9 outlets (two unattributed) on 12 events, shuffled sentence order,
    and random verbatim / rewrite / paraphrase pairs inside events."""
    rng = np.random.default_rng(seed)
    outlets = rng.choice(["AP", "BBC", "DW", "N1", "RTS", "Zeri", "unattributed"], size=80)
    documents = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(80)], "outlet": outlets})
    documents["outlet_label"] = np.where(
        outlets == "unattributed", "unattributed (" + documents["doc_id"] + ")", outlets
    )
    events = pd.Series(
        rng.choice([f"e{j:02d}" for j in range(12)], size=80), index=documents["doc_id"]
    )
    content = pd.DataFrame(
        [
            {"sent_id": f"{d}:{p}", "doc_id": d}
            for d in documents["doc_id"]
            for p in range(int(rng.integers(1, 9)))
        ]
    )
    content = content.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    event_of_sent = content["doc_id"].map(events).to_numpy()
    pairs = []
    for _ in range(3000):
        i, j = rng.integers(0, len(content), size=2)
        a, b = content.iloc[i], content.iloc[j]
        if a["doc_id"] == b["doc_id"] or event_of_sent[i] != event_of_sent[j]:
            continue
        pairs.append(
            {
                "sent_id_a": a["sent_id"],
                "sent_id_b": b["sent_id"],
                "doc_id_a": a["doc_id"],
                "doc_id_b": b["doc_id"],
                "relation": rng.choice(["verbatim", "rewrite", "paraphrase"]),
                "source_doc_id": None,
            }
        )
    return content, pd.DataFrame(pairs), documents, events


def test_outlet_overlap_equals_the_plain_per_pair_computation():
    content, alignments, documents, events = random_overlap_corpus()
    expected = reference_overlap(
        content, alignments, documents, events, n_boot=200, n_perm=200, random_state=11
    )
    result = outlet_overlap(
        content, alignments, documents, events, n_boot=200, n_perm=200, random_state=11
    )
    assert len(result) > 40 and result["p_value"].notna().any()
    pd.testing.assert_frame_equal(result, expected)


def test_resamples_keep_each_document_and_its_length():
    doc_index = np.array([2, 0, 2, 1, 0, 2, 2])
    counts = resample_counts(doc_index, n_boot=400, rng=np.random.default_rng(3))
    for doc in np.unique(doc_index):
        # every resample draws exactly as many rows of a document as it has
        np.testing.assert_array_equal(
            counts[:, doc_index == doc].sum(axis=1), (doc_index == doc).sum()
        )
    assert (counts[:, doc_index == 2] != 1).any()  # with replacement, not a permutation


def test_bootstrap_shares_have_the_resampling_distribution():
    rng = np.random.default_rng(4)
    doc_index = np.repeat(np.arange(30), rng.integers(1, 12, size=30))
    flags = rng.random((len(doc_index), 1)) < 0.35
    boot = bootstrap_shares(flags, doc_index, n_boot=20_000, rng=np.random.default_rng(8))
    # within-document resampling: a document of k rows with share p adds k p (1 - p)
    variance = (
        sum(
            (doc_index == d).sum()
            * flags[doc_index == d, 0].mean()
            * (1 - flags[doc_index == d, 0].mean())
            for d in range(30)
        )
        / len(doc_index) ** 2
    )
    assert boot.mean() == pytest.approx(flags.mean(), abs=3 * np.sqrt(variance / 20_000))
    assert boot.var() == pytest.approx(variance, rel=0.05)


def test_bootstrap_totals_do_not_depend_on_how_many_resamples_are_drawn_at_once():
    rng = np.random.default_rng(5)
    doc_index = rng.integers(0, 7, size=50)
    flags = rng.random((50, 3)) < 0.4
    whole = bootstrap_totals(flags, doc_index, n_boot=90, rng=np.random.default_rng(1))
    pieces = bootstrap_totals(
        flags, doc_index, n_boot=90, rng=np.random.default_rng(1), cells_at_once=120
    )
    np.testing.assert_array_equal(whole, pieces)


def test_intervals_do_not_depend_on_how_many_peers_are_bootstrapped_at_once():
    content, alignments, documents, events = random_overlap_corpus()
    whole = outlet_overlap(content, alignments, documents, events, n_boot=100, n_perm=0)
    with mock.patch.object(overlap, "_peer_intervals", partial(_peer_intervals, cells_at_once=1)):
        one_by_one = outlet_overlap(content, alignments, documents, events, n_boot=100, n_perm=0)
    pd.testing.assert_frame_equal(whole, one_by_one)


def test_outlet_overlap_is_the_same_for_any_worker_count():
    content, alignments, documents, events = random_overlap_corpus()
    one = outlet_overlap(content, alignments, documents, events, n_boot=100, n_perm=100)
    three = outlet_overlap(
        content, alignments, documents, events, n_boot=100, n_perm=100, workers=3
    )
    assert len(one) > 40
    pd.testing.assert_frame_equal(one, three)
