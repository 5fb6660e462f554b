"""The event-clustering benchmark on ECB+ (slow: embeds 982 articles unless cached).

Reads ../shared/data/ecbplus; checks the floor for the default model, that the
configured thresholds are the ones the stated rule chooses, and how events of three
articles each are clustered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bench.events import triplet_draw

from .conftest import ROOT, SHARED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "events.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.events",
            "--ecbplus",
            str(SHARED / "data/ecbplus"),
            "--out",
            str(out),
            "--triplets",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def test_default_model_reaches_the_ecbplus_floor(bench):
    minilm = bench["models"]["minilm"]
    assert minilm["ari"] >= 0.85
    assert 60 <= minilm["n_clusters"] <= 130  # 86 gold events


def test_configured_thresholds_follow_the_split_half_rule(bench):
    for model, result in bench["models"].items():
        assert result["configured_threshold"] == pytest.approx(
            result["chosen_threshold"], abs=0.0051
        ), model


def test_events_of_three_articles_with_no_rival_of_their_kind_are_found(bench):
    for model, result in bench["models"].items():
        triplets = result["triplet_ari"]
        assert len(triplets["every_event"]) == len(triplets["one_per_topic"]) == 2
        assert np.mean(triplets["one_per_topic"]) >= 0.90, model


def test_a_triplet_draw_keeps_three_articles_of_each_event_asked_for():
    gold = np.array([1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3])
    keep = triplet_draw(gold, np.random.default_rng(0), np.array([1, 2]))
    assert np.bincount(gold[keep], minlength=4).tolist() == [0, 3, 2, 0]  # all of a small one
    again = triplet_draw(gold, np.random.default_rng(0), np.array([1, 2]))
    assert (keep == again).all()
