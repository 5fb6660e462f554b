"""The alignment benchmark's floors: STS-B Spearman and planted-set precision/recall.

Slow (about 30 s); reads the STS Benchmark from ../shared/data/stsb.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, SHARED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "alignment.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.alignment",
            "--stsb",
            str(SHARED / "data/stsb"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def test_minilm_stsb_spearman_matches_the_published_figure(bench):
    assert abs(bench["models"]["minilm"]["stsb_spearman"] - 0.8203) <= 0.01


def test_planted_floors_hold_with_the_configured_thresholds(bench):
    result = bench["models"]["minilm"]["configured"]
    assert result["reuse"]["precision"] >= 0.95 and result["reuse"]["recall"] >= 0.95
    assert result["paraphrase"]["precision"] >= 0.8 and result["paraphrase"]["recall"] >= 0.8


def test_configured_thresholds_are_the_calibrated_ones(bench):
    for model, entry in bench["models"].items():
        assert entry["configured"]["thresholds"] == entry["chosen"]["thresholds"], model


def test_configured_claim_thresholds_are_the_calibrated_ones(bench):
    for model, result in bench["models"].items():
        claim = result["claim_threshold"]
        assert claim["configured"] == claim["chosen"], model
