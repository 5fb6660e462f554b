"""bench.scale: how "no worse at 100k than at 1k" is read over several corpora."""

from __future__ import annotations

import pytest

from bench.scale import cli, replicates


def quality(ari: float, interval: list[float] | None = None) -> dict:
    return {
        "events": {"ari": ari, "ari_interval": interval, "v_measure": 0.99},
        "reuse": {"precision": 0.99, "recall_planted": 0.98},
    }


def test_mean_interval_is_a_t_interval_of_the_mean():
    summary = replicates.mean_interval([0.90, 0.94, 0.98, None])
    assert summary["corpora"] == 3 and summary["mean"] == pytest.approx(0.94)
    # sd 0.04, t(0.975, 2) = 4.303: half-width 4.303 * 0.04 / sqrt(3) = 0.0994
    assert summary["mean_interval"] == pytest.approx([0.8406, 1.0394], abs=1e-4)
    assert "mean_interval" not in replicates.mean_interval([0.9])


def replicated_run(aris: list[float]) -> dict:
    run = {
        "models": ["static"],
        "quality": {"static": quality(aris[0])},
        "replicates": [
            {"seed": 43 + i, "scores": {"static": replicates.picked_scores(quality(a))}}
            for i, a in enumerate(aris[1:])
        ],
    }
    run["over_corpora"] = replicates.over_corpora(run)
    return run


def test_a_large_run_is_worse_only_when_the_whole_interval_is_below_the_small_mean():
    small = replicated_run([0.98, 0.97, 0.99, 0.98, 0.98])  # mean 0.98
    inside = replicates.against_replicated(
        {"quality": {"static": quality(0.975, [0.973, 0.977])}}, small
    )["static"]["event_ari"]
    assert inside["difference"] == pytest.approx(-0.005) and not inside["worse"]
    below = replicates.against_replicated(
        {"quality": {"static": quality(0.95, [0.948, 0.952])}}, small
    )["static"]["event_ari"]
    assert below["worse"] and below["interval"][1] < 0


def test_comparisons_set_the_largest_run_against_each_replicated_size():
    small = {"n": 1000, **replicated_run([0.98, 0.97, 0.99])}
    middle = {"n": 10000, "models": ["static"], "quality": {"static": quality(0.99)}}
    large = {"n": 100000, "models": ["static"], "quality": {"static": quality(0.985)}}
    found = replicates.comparisons([large, small, middle])
    assert [(c["small_n"], c["large_n"], c["corpora"]) for c in found] == [(1000, 100000, 3)]


def test_replicates_are_given_as_size_and_count():
    import argparse

    parser = argparse.ArgumentParser()
    assert cli.replicate_counts(["1000:20", "10000:4"], parser) == {1000: 20, 10000: 4}
    with pytest.raises(SystemExit):
        cli.replicate_counts(["1000x20"], parser)
