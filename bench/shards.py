"""Event shards: the same tables, byte for byte, for any ``event_shards``; and memory per job.

Usage: python -m bench.shards [--corpora ecbplus synthetic10k] [--models static tfidf]
                              [--shards 1 4] [--keep DIR]

For each corpus, runs the workflow's tables (alignment, claims, coverage, framing,
``doc_pairs``, outlet overlap and what they read; no figures, cards or sensitivity) once
per ``--shards`` value, and compares every table of each run with the first run's, byte
for byte (:func:`bench.revisions.compare`; the shards' own parts under
``event_shards/`` are left out). The later runs start from a copy of the first run's
ingest, embedding and events outputs (those stages do not depend on ``event_shards``), so
what is compared is exactly what the shards change. Peak memory (``max_rss``) and time of
every event-shard job and gather are read from Snakemake's benchmark files. Corpora:
``seeds``, ``ecbplus`` (982 articles), ``synthetic1k`` and ``synthetic10k`` (from
bench/synthetic.py, seed 42). Writes ``results/bench/shards.json``; exits non-zero when a
table differs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from bench.revisions import ROOT, SHARED, compare
from bench.scale.corpus import synthetic_corpus
from bench.scale.run import MemorySampler
from bench.synthetic import generate

TABLES = (
    "alignments.parquet",
    "claims.parquet",
    "claims_summary.csv",
    "coverage.csv",
    "outlet_coverage.csv",
    "doc_pairs.parquet",
    "outlet_overlap.csv",
    "reuse_sources.csv",
    "salience.csv",
    "quotes.csv",
    "speakers.csv",
    "vocabulary.csv",
    "disputed_facts.csv",
)
SHARD_RULES = ("align_shard", "claims_shard", "framing_shard", "doc_pairs_shard")
GATHER_RULES = ("align", "claims", "framing", "doc_pairs")
UPSTREAM = ("sentence_vectors.npz", "embedding.json", "events.csv", "shards")


def corpus_folder(name: str, base: Path) -> Path:
    """The corpus folder for ``name`` (a synthetic one generated once under ``base``)."""
    if name == "seeds":
        return ROOT / "corpus" / "seeds"
    if name == "ecbplus":
        return SHARED / "data" / "ecbplus" / "corpus"
    if name == "synthetic100k":  # the scale benchmark's corpus (kept in the temporary folder)
        return synthetic_corpus(100_000, 42, str(SHARED / "data" / "ecbplus"))
    sizes = {"synthetic1k": 1000, "synthetic10k": 10000}
    if name in sizes:
        folder = base / name
        if not folder.is_dir():
            generate(sizes[name], folder, seed=42, ecbplus=SHARED / "data" / "ecbplus")
        return folder
    raise SystemExit(
        f"unknown corpus {name!r}; choose seeds, ecbplus, synthetic1k, synthetic10k, synthetic100k"
    )


def seed_upstream(source: Path, target: Path, models: list[str]) -> None:
    """Copy ingest, embedding and events outputs of one run into another's results."""
    shutil.copytree(
        source / "results" / "corpus", target / "results" / "corpus", dirs_exist_ok=True
    )
    for model in models:
        for name in UPSTREAM:
            path = source / "results" / model / name
            if path.is_dir():
                shutil.copytree(path, target / "results" / model / name, dirs_exist_ok=True)
            elif path.exists():
                (target / "results" / model).mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / "results" / model / name)


def run_tables(
    corpus: Path,
    workdir: Path,
    models: list[str],
    shards: int,
    cores: int,
    settings: dict[str, Any] | None = None,
) -> float:
    """The tables of ``models`` on ``corpus`` with ``event_shards: shards`` (and top-level
    config ``settings``, e.g. ``{"embedding": {"dtype": "float16"}}``); seconds."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["corpus"] = str(corpus)
    config["models"] = {key: config["models"][key] for key in models}
    config["event_shards"] = shards
    for key, value in (settings or {}).items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "HF_HUB_OFFLINE": "1",
        "TQDM_DISABLE": "1",
    }
    env.setdefault("FRAMELENS_CACHE_DIR", str(ROOT / ".cache" / "framelens"))
    targets = [f"results/{m}/{t}" for m in models for t in TABLES]
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", *targets, "--snakefile", str(ROOT / "Snakefile"),
         "--directory", str(workdir), "--cores", str(cores), "--quiet",
         "--configfile", str(workdir / "config.yaml")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"workflow failed in {workdir}:\n{run.stderr[-4000:]}")
    return time.perf_counter() - started


def sampled_peaks(sampler: MemorySampler) -> dict[str, float]:
    """Peak memory (MB) of each rule's largest job, from the /proc samples of a run: a
    job's RSS, or with workers the sum of its processes' PSS where that is larger."""
    peaks: dict[str, float] = {}
    for job in sampler.jobs.values():
        rule = job["script"].removesuffix(".py")
        peak = max(job["peak_mb"], job.get("job_mb", 0.0))
        peaks[rule] = round(max(peaks.get(rule, 0.0), peak), 1)
    return dict(sorted(peaks.items()))


def job_costs(workdir: Path, models: list[str]) -> dict[str, Any]:
    """Peak memory (MB, max over a rule's jobs) and seconds (summed) of each event-shard
    rule and gather, per model, from the benchmark files."""
    costs: dict[str, Any] = {}
    bench = workdir / "results" / "benchmarks"
    for model in models:
        for rule in (*SHARD_RULES, *GATHER_RULES):
            files = sorted((bench / rule).glob(f"{model}*.tsv"))
            files = [f for f in files if f.stem == model or f.stem.startswith(f"{model}-")]
            if not files:
                continue
            frame = pd.concat([pd.read_csv(f, sep="\t") for f in files])
            costs.setdefault(model, {})[rule] = {
                "jobs": len(files),
                "max_rss_mb": round(float(frame["max_rss"].max()), 1),
                "seconds": round(float(frame["s"].sum()), 1),
            }
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", default=["ecbplus", "synthetic10k"])
    parser.add_argument("--models", nargs="+", default=["static", "tfidf"])
    parser.add_argument("--shards", nargs="+", type=int, default=[1, 4])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work here and keep the runs")
    parser.add_argument(
        "--upstream",
        type=Path,
        help="a finished run's folder (e.g. results/bench/scale/n100000-static): every run "
        "starts from its ingest, embedding and events outputs, and is compared with its tables",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench" / "shards.json")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="framelens-shards-"))
    report: dict[str, Any] = {"models": args.models, "shards": args.shards, "corpora": {}}
    failed = False
    for name in args.corpora:
        corpus = corpus_folder(name, base)
        runs: dict[int, Path] = {}
        entry: dict[str, Any] = {"runs": {}, "comparisons": {}}
        reference = args.upstream
        for shards in args.shards:
            workdir = base / "runs" / name / f"event_shards_{shards}"
            if reference is not None or runs:
                seed_upstream(reference or runs[args.shards[0]], workdir, args.models)
            sampler = MemorySampler(workdir)
            sampler.start()
            seconds = run_tables(corpus, workdir, args.models, shards, args.cores)
            sampler.done.set()
            sampler.join()
            runs[shards] = workdir
            peaks = sampled_peaks(sampler)
            entry["runs"][shards] = {
                "seconds": round(seconds, 1),
                "jobs": job_costs(workdir, args.models),
                "sampled_peak_mb": peaks,
            }
            print(f"{name}: event_shards {shards}: peak MB per rule {peaks}")
            baseline = reference or (runs[args.shards[0]] if shards != args.shards[0] else None)
            if baseline is not None:
                outcome = compare(
                    baseline / "results",
                    workdir / "results",
                    [f"{m}/{t}" for m in args.models for t in TABLES],
                )
                same = (
                    not (outcome["different"] or outcome["only_base"] or outcome["only_new"])
                    and not outcome["same_values"]
                )
                failed |= not same
                against = "upstream" if reference is not None else args.shards[0]
                entry["comparisons"][f"{against}_vs_{shards}"] = {
                    "byte_identical": same,
                    "n_tables": len(outcome["identical"]),
                    **{k: v for k, v in outcome.items() if k != "identical" and v},
                }
                print(
                    f"{name}: {against} vs event_shards {shards}: "
                    f"{len(outcome['identical'])} tables identical"
                    + ("" if same else f"; DIFFERENT: {outcome}")
                )
        report["corpora"][name] = entry
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
