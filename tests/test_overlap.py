"""Outlet overlap: shares, bootstrap intervals, determinism, likely sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framelens.overlap import bootstrap_shares, outlet_keys, outlet_overlap, reuse_sources


def small_corpus():
    """AP (4 sentences), UK (2, both reused from AP), DE (2, one paraphrase of AP)."""
    documents = pd.DataFrame({
        "doc_id": ["ap", "uk", "de"], "outlet": ["AP", "unattributed", "DE"],
        "outlet_label": ["AP", "unattributed (uk)", "DE"],
        "date": ["2022-08-18", "2022-08-21", None],
    })
    content = pd.DataFrame({
        "sent_id": ["ap:0", "ap:1", "ap:2", "ap:3", "uk:0", "uk:1", "de:0", "de:1"],
        "doc_id": ["ap"] * 4 + ["uk"] * 2 + ["de"] * 2,
    })
    alignments = pd.DataFrame({
        "sent_id_a": ["ap:0", "ap:1", "ap:2"], "sent_id_b": ["uk:0", "uk:1", "de:0"],
        "doc_id_a": ["ap", "ap", "ap"], "doc_id_b": ["uk", "uk", "de"],
        "relation": ["verbatim", "rewrite", "paraphrase"],
        "source_doc_id": ["ap", "ap", None],
    })
    events = pd.Series("all", index=documents["doc_id"])
    return content, alignments, documents, events


def test_shares_are_directional_and_unattributed_is_its_own_outlet():
    content, alignments, documents, events = small_corpus()
    table = outlet_overlap(content, alignments, documents, events, n_boot=200).set_index(
        ["outlet_a", "outlet_b"])
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
    without_de = outlet_overlap(content[content["doc_id"] != "de"],
                                alignments[alignments["doc_id_b"] != "de"],
                                documents[documents["doc_id"] != "de"], events, random_state=7)
    pair = ["outlet_a", "outlet_b"]
    merged = first.merge(without_de, on=pair, suffixes=("", "_alone"))
    np.testing.assert_array_equal(merged["ci_low"], merged["ci_low_alone"])
    flags = np.random.default_rng(0).random((40, 1)) < 0.5
    docs = np.repeat(np.arange(4), 10)
    one, two = (bootstrap_shares(flags, docs, n_boot=50, rng=np.random.default_rng(seed))
                for seed in (1, 2))
    assert not np.array_equal(one, two)  # the seed is used


def test_only_shared_events_count():
    content, alignments, documents, _ = small_corpus()
    events = pd.Series({"ap": "e1", "uk": "e1", "de": "e2"})
    table = outlet_overlap(content, alignments, documents, events, n_boot=100)
    assert not ((table["outlet_a"] == "DE") | (table["outlet_b"] == "DE")).any()


def test_bootstrap_resamples_within_documents():
    flags = np.array([[1], [1], [0], [0]], dtype=bool)
    boot = bootstrap_shares(flags, np.array([0, 0, 1, 1]), n_boot=500,
                            rng=np.random.default_rng(0))
    # document 0 is all ones and document 1 all zeros: every resample keeps that split
    np.testing.assert_array_equal(boot, 0.5)


def test_reuse_sources_says_how_much_of_an_article_is_copy():
    content, alignments, documents, _ = small_corpus()
    table = reuse_sources(content, alignments, documents)
    assert table.to_dict("records") == [{
        "doc_id": "uk", "outlet": "unattributed (uk)", "source_doc_id": "ap",
        "source_outlet": "AP", "n_sentences": 2, "n_reused": 2, "reused_share": 1.0}]
