"""bench.scale: how "no worse at 100k than at 1k" is read over several corpora."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bench.scale import cli, measure, replicates, run


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


def test_a_job_and_its_workers_are_counted_once_as_one_job(monkeypatch, tmp_path):
    """The sampler sums PSS over a job's process tree (job 10 forked 11 and 12; 13 is a
    worker's child), per job; a job without workers gets no job total."""
    sampler = run.MemorySampler(tmp_path)
    for pid in (10, 11, 12, 13, 20):
        sampler.jobs[pid] = {"script": "claims.py", "first_seen": 0.0, "peak_mb": 1.0}
    monkeypatch.setattr(run, "proportional_mb", lambda pid: float(pid))
    parents = {10: 1, 11: 10, 12: 10, 13: 12, 20: 1}
    sampler.add_job_totals(parents)
    assert sampler.jobs[10]["job_mb"] == 10 + 11 + 12 + 13
    assert "job_mb" not in sampler.jobs[20] and "job_mb" not in sampler.jobs[11]
    monkeypatch.setattr(run, "proportional_mb", lambda pid: 1.0)
    sampler.add_job_totals(parents)  # a lower sample keeps the peak
    assert sampler.jobs[10]["job_mb"] == 46


def test_a_stage_reports_its_jobs_total_beside_its_largest_process(tmp_path):
    """``job_mb`` and ``memory_mb`` come from the job total where a job had workers."""
    work = tmp_path / "n1-x"
    (work / "results").mkdir(parents=True)
    (work / "snakemake.log").write_text(
        "[Mon Dec  7 01:00:00 2026]\nrule claims_shard:\n    jobid: 3\n"
        "    wildcards: model=static\n"
        "[Mon Dec  7 01:00:10 2026]\nFinished jobid: 3 (Rule: claims_shard)\n"
    )
    seen = datetime(2026, 12, 7, 1, 0, 1).timestamp()
    record = {"script": "claims_shard.py", "first_seen": seen, "peak_mb": 300.0}
    worker = {"script": "claims_shard.py", "first_seen": seen + 1, "peak_mb": 250.0}
    (work / "memory.json").write_text(json.dumps([{**record, "job_mb": 420.0}, worker]))
    row = measure.stage_rows(work)["claims_shard/static"]
    assert row["peak_rss_mb"] == 300.0
    assert row["job_mb"] == 420.0 and row["memory_mb"] == 420.0


def test_the_sampler_records_job_scripts_and_skips_a_tool_given_their_folder(tmp_path):
    """A process that only names the scripts' folder is no job (it once stopped the
    sampler's thread mid-run)."""
    sampler = run.MemorySampler(tmp_path)
    status = "Name:\tpython\nPPid:\t7\nVmRSS:\t  2048 kB\n"
    for pid, script in ((101, f"{sampler.marker}a1b2.claims_shard.py"), (102, sampler.marker)):
        proc = tmp_path / "proc" / str(pid)
        proc.mkdir(parents=True)
        (proc / "cmdline").write_bytes(b"\0".join([b"python", script.encode(), b""]))
        (proc / "status").write_text(status)
    assert sampler.look(tmp_path / "proc" / "101") == 7
    assert sampler.look(tmp_path / "proc" / "102") is None
    assert sampler.jobs[101]["script"] == "claims_shard.py"
    assert sampler.jobs[101]["peak_mb"] == 2.0 and 102 not in sampler.jobs
