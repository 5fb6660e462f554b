"""The event-clustering benchmark on ECB+ (slow: embeds 982 articles unless cached).

Reads ../shared/data/ecbplus; checks the floor for the default model and that the
configured thresholds are the ones the stated rule chooses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

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
