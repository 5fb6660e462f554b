"""The agreement benchmark (bench.agreement): framelens' document similarity against
people on LP50 (reads ../shared/data/lp50), beside the plain whole-article cosine."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.agreement import chosen_setting

from .conftest import ROOT, SHARED


def test_calibration_takes_the_best_mean_over_models_and_datasets():
    grids = [
        {(2.0, 0.3, 0.2): 0.70, (1.0, 0.0, 0.0): 0.72},
        {(2.0, 0.3, 0.2): 0.90, (1.0, 0.0, 0.0): 0.80},
    ]
    assert chosen_setting(grids) == ((2.0, 0.3, 0.2), pytest.approx(0.80))


def test_calibration_ties_go_to_the_setting_where_the_model_weighs_most():
    grids = [{(2.0, 0.3, 0.2): 0.8, (2.0, 0.1, 0.0): 0.8, (4.0, 0.1, 0.0): 0.8}]
    assert chosen_setting(grids)[0] == (4.0, 0.1, 0.0)


@pytest.mark.slow
def test_story_agrees_with_people_at_least_as_well_as_whole_articles(tmp_path):
    """The LP50 floor: under every model, the default measure's Pearson is at or above the
    whole-article cosine measured in the same run, and above the old default."""
    out = tmp_path / "agreement.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.agreement",
            "--data",
            str(SHARED / "data"),
            "--datasets",
            "lp50",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    models = json.loads(out.read_text())["models"]
    assert set(models) >= {"minilm", "use", "static", "tfidf"}
    for key, result in models.items():
        lp50 = result["lp50"]
        assert lp50["story"]["pearson"] >= lp50["whole_article"]["pearson"], key
        assert lp50["story"]["pearson"] > lp50["best_match"]["pearson"], key
