"""Measuring a scale run: per-stage wall time, memory, CPU time and items per second from
Snakemake's ``benchmark:`` files, its log and the memory samples of
:class:`bench.scale.run.MemorySampler`."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from bench.scale import ROOT

# what a stage's throughput counts (rules not listed: articles)
UNITS = {
    "embed": "sentences",
    "align": "sentences",
    "outlet_overlap": "sentences",
    "claims": "sentences",
    "framing": "sentences",
    "plot_alignment_views": "sentences",
    "sensitivity": "sentences",
}


# shard rules and the stage (their gather) they are folded into
SHARD_RULES = {
    "embed_shard": "embed",
    "align_shard": "align",
    "claims_shard": "claims",
    "framing_shard": "framing",
    "doc_pairs_shard": "doc_pairs",
}

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
START = re.compile(r"^(?:local)?rule (\w+):$")
JOBID = re.compile(r"^\s+jobid: (\d+)$")
WILDCARD = re.compile(r"^\s+wildcards: model=([\w.-]+)")
FINISH = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$")


def job_spans(log_path: Path) -> list[tuple[str, datetime, datetime]]:
    """``(stage, start, end)`` per finished job (stage ``rule`` or ``rule/model``) from the
    Snakemake log, whose stamps have 1 s steps."""
    stamp: datetime | None = None
    started: dict[str, tuple[str, datetime]] = {}
    rule, begun, jobid = "", stamp, ""
    spans = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if m := STAMP.match(line):
            stamp = datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
        elif (m := START.match(line)) and stamp is not None:
            rule, begun, jobid = m.group(1), stamp, ""
        elif (m := JOBID.match(line)) and begun is not None and rule:
            jobid = m.group(1)
            started[jobid] = (rule, begun)
        elif (m := WILDCARD.match(line)) and jobid in started:
            started[jobid] = (f"{rule}/{m.group(1)}", started[jobid][1])
        elif (m := FINISH.match(line)) and stamp is not None and m.group(1) in started:
            stage, when = started.pop(m.group(1))
            if stage != "all":
                spans.append((stage, when, stamp))
    return spans


def job_times(log_path: Path) -> dict[str, float]:
    """Wall seconds per job from the Snakemake log (1 s steps)."""
    return {stage: (end - start).total_seconds() for stage, start, end in job_spans(log_path)}


def sampled_peaks(work: Path, key: str = "peak_mb") -> dict[str, float]:
    """Peak memory (MiB) per stage from ``memory.json`` (:class:`MemorySampler`), each
    process matched to the job of its rule running when it was first seen: ``peak_mb``
    the largest process's RSS, ``job_mb`` a job's PSS summed over it and its workers
    (stages whose jobs had no workers have none)."""
    path, log = work / "memory.json", work / "snakemake.log"
    if not path.is_file() or not log.is_file():
        return {}
    rule_of_script = {script: rule for rule, script in rule_scripts().items()}
    spans = job_spans(log)
    peaks: dict[str, float] = {}
    for record in json.loads(path.read_text()):
        rule = rule_of_script.get(record["script"])
        if key not in record:
            continue
        seen = datetime.fromtimestamp(record["first_seen"])
        candidates = [
            (abs((start - seen).total_seconds()), stage)
            for stage, start, end in spans
            if stage.split("/")[0] == rule
            and (start - seen).total_seconds() <= 2
            and (seen - end).total_seconds() <= 2
        ]
        if candidates:
            stage = min(candidates)[1]
            peaks[stage] = max(peaks.get(stage, 0.0), round(record[key], 1))
    return peaks


def rule_scripts() -> dict[str, str]:
    """Rule name -> the file name of its ``script:`` (from workflow/rules/*.smk)."""
    found = {}
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        rule = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"^rule (\w+):", line):
                rule = m.group(1)
            elif (m := re.match(r"^\s+\"\.\./scripts/([\w.]+\.py)\"", line)) and rule:
                found[rule] = m.group(1)
    return found


def logged_outcome(log_path: Path) -> dict[str, Any]:
    """Status, wall time (first to last log stamp) and command of an earlier run."""
    if not log_path.is_file():
        raise SystemExit(f"--rescore: {log_path} not found; run the size first")
    text = log_path.read_text(encoding="utf-8", errors="replace")
    stamps = [
        datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
        for m in (STAMP.match(line) for line in text.splitlines())
        if m
    ]
    command = re.search(r"^\s*Command: (.*)$", text, re.MULTILINE)
    omitted = re.search(r"--omit-from ((?:(?!--)\S+ ?)+)", command.group(1)) if command else None
    done = re.search(r"\d+ of \d+ steps \(100%\) done", text)
    return {
        "status": "ok" if done else "incomplete",
        "wall_s": (stamps[-1] - stamps[0]).total_seconds() if stamps else None,
        "log": str(log_path),
        "command": command.group(1) if command else None,
        "omitted": omitted.group(1).split() if omitted else [],
    }


def benchmark_table(results: Path) -> dict[str, dict[str, float]]:
    """``stage -> {s, max_rss, cpu_time, ...}`` from ``results/benchmarks/**.tsv``.

    Embedding runs as shard jobs (``embed_shard/<model>-<n>.tsv``) and a gather
    (``embed/<model>.tsv``); they are folded into one stage ``embed/<model>``, as before
    shards: seconds and CPU seconds summed (jobs run one at a time here), memory the
    largest, with ``shards``, ``shard_s`` and ``gather_s`` to tell them apart. The event
    shards (``align_shard``, ``claims_shard``, ``framing_shard``, ``doc_pairs_shard``,
    config ``event_shards``) are folded into ``align``, ``claims``, ``framing`` and
    ``doc_pairs`` the same way.
    """
    stages: dict[str, dict[str, float]] = {}
    shards: dict[str, list[dict[str, float]]] = {}  # by gather stage
    folder = results / "benchmarks"
    for path in sorted(folder.rglob("*.tsv")):
        table = pd.read_csv(path, sep="\t")
        if table.empty:
            continue
        row = table.iloc[-1]
        stage = path.relative_to(folder).with_suffix("").as_posix()
        values = {
            k: float(row[k])
            for k in ("s", "max_rss", "max_uss", "cpu_time", "mean_load")
            if k in row
        }
        rule, _, job = stage.partition("/")
        if rule in SHARD_RULES:
            gather_stage = f"{SHARD_RULES[rule]}/{job.rsplit('-', 1)[0]}"
            shards.setdefault(gather_stage, []).append(values)
        else:
            stages[stage] = values
    for gather_stage, parts in shards.items():
        gather = stages.get(gather_stage, {})
        jobs = [*parts, gather] if gather else parts
        merged = {
            key: (max if key in ("max_rss", "max_uss") else sum)(j[key] for j in jobs)
            for key in ("s", "max_rss", "max_uss", "cpu_time")
            if all(key in j for j in jobs)
        }
        merged.update(
            shards=len(parts), shard_s=sum(p["s"] for p in parts), gather_s=gather.get("s")
        )
        stages[gather_stage] = merged
    return stages


def item_counts(results: Path) -> dict[str, int]:
    """Articles, sentences and content sentences of a run's corpus."""
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id"])
    sents = pd.read_parquet(
        results / "corpus" / "sentences.parquet", columns=["boilerplate", "duplicate_of"]
    )
    content = (~sents["boilerplate"].astype(bool)) & sents["duplicate_of"].isna()
    return {"articles": len(docs), "sentences": len(sents), "content": int(content.sum())}


def stage_rows(work: Path) -> dict[str, dict[str, Any]]:
    """Per stage: seconds, peak memory (MiB), CPU seconds, items and items per second."""
    results = work / "results"
    bench = benchmark_table(results)
    wall = job_times(work / "snakemake.log") if (work / "snakemake.log").is_file() else {}
    counts = item_counts(results) if (results / "corpus" / "sentences.parquet").is_file() else {}
    peaks, totals = sampled_peaks(work), sampled_peaks(work, "job_mb")
    for stage in [s for s in set(wall) | set(peaks) if s.startswith("embed_shard/")]:
        model = stage.split("/", 1)[1]  # shard jobs are part of embed/<model>
        wall.pop(stage, None)
        for found in (peaks, totals):
            peak = found.pop(stage, None)
            if peak is not None:
                found[f"embed/{model}"] = max(peak, found.get(f"embed/{model}") or 0.0)
    rows = {}
    for stage in sorted(set(bench) | set(wall)):
        row: dict[str, Any] = {"source": "benchmark" if stage in bench else "log"}
        if stage in bench:
            row.update(
                s=bench[stage]["s"],
                max_rss_mb=bench[stage].get("max_rss"),
                cpu_s=bench[stage].get("cpu_time"),
            )
            row.update(
                {k: bench[stage][k] for k in ("shards", "shard_s", "gather_s") if k in bench[stage]}
            )
        else:
            row.update(s=wall[stage], max_rss_mb=None, cpu_s=None)
        row["peak_rss_mb"] = peaks.get(stage)
        # a job with workers: their pages shared with the job counted once (PSS)
        row["job_mb"] = totals.get(stage) or peaks.get(stage)
        row["memory_mb"] = max(
            [m for m in (row["job_mb"], row["peak_rss_mb"]) if m], default=row["max_rss_mb"]
        )
        unit = UNITS.get(stage.split("/")[0], "articles")
        if counts:
            row.update(
                unit=unit,
                items=counts[unit],
                items_per_s=counts[unit] / row["s"] if row["s"] > 0 else None,
            )
        rows[stage] = row
    for stage, row in rows.items():
        stats = results / stage.split("/")[-1] / "embedding.json"
        if stage.startswith("embed/") and stats.is_file():
            summary = json.loads(stats.read_text())
            row.update(
                unique=summary.get("n_unique"),
                encoded=summary.get("n_encoded"),
                cached=summary.get("n_cached"),
                encoder_s=summary.get("seconds"),
            )
    return rows
