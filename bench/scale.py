"""Scale benchmark: the whole workflow on synthetic corpora of growing size.

Usage: python -m bench.scale --sizes 1000 10000 --models minilm [--seed 42] [--cores 2]
                             [--timeout 3600] [--warm-cache] [--parallel] [--fresh]
                             [--replicates 1000:20 10000:4]
       python -m bench.scale --profile align --sizes 10000 --models tfidf

For each size N, :mod:`bench.synthetic` builds N articles over N/10 events from ECB+
sentences with planted reuse (``bench/synthetic.py``; kept in
``$TMPDIR/framelens-synth/n<N>-s<seed>``, outside the project). The workflow then runs in
``results/bench/scale/n<N>-<models>/`` with a config written to a temporary folder: the
project's ``config/config.yaml`` with only the chosen models and ``corpus`` set to the
synthetic folder, ``FRAMELENS_CACHE_DIR`` in that run folder (emptied first, so
embedding is timed cold, unless ``--warm-cache``). Jobs run one at a time (a
``serial`` resource; ``--parallel`` lifts it) so each stage's time is its own.

Measured per stage: wall time, ``max_rss`` and CPU time from Snakemake's ``benchmark:``
files (``results/benchmarks/**.tsv``), wall time from the Snakemake log for rules without
one (figures, provenance), items per second (articles or sentences, as fits the stage),
and the peak RSS of every job process sampled from /proc every 0.25 s (``peak_rss_mb``;
Snakemake samples only every 30 s after a job's first 15 s and misses peaks: see
:class:`MemorySampler`). The plot and the memory exponents use the sampled peak.

Quality against the planted gold: event ARI and V-measure (``results/<model>/events.csv``
against ``gold_events.csv``), and
reuse precision/recall: the verbatim and rewrite pairs of
``results/<model>/alignments.parquet`` against the gold pairs, sentences matched by
document and position (checked by text) through ``results/corpus/*.parquet``.
Precision counts a found pair as right when the gold knows it (planted or incidental:
two articles of one event holding one ECB+ sentence); recall is over the planted pairs.
Each score comes with a 95% bootstrap interval over the gold events (200 seeded
resamples), so "no worse at 100k than at 1k" is read against the 1k score's own spread.

One synthetic corpus is one draw: at 1k (100 events) a single large event split in two
moves ARI by a few hundredths, which the bootstrap over that corpus's events does not
see. ``--replicates N:K`` therefore also builds K more corpora of size N (seeds
``seed+1`` ... ``seed+K``), runs each only as far as events and alignments (untimed, in
``results/bench/scale/replicates/``) and reports each score's mean over all K+1 corpora
with a 95% t interval of that mean. The largest timed size is then compared with each
replicated size: the difference from its mean, with an interval combining both spreads.
``--slices K`` looks at the same question on the same articles: at the largest size, K
runs of ``--slice-events`` gold events are clustered alone (as a corpus of their own) and
scored beside the whole run's clusters of those articles.

Writes ``results/bench/scale.json`` (merged with earlier runs, keyed by N and models;
``--fresh`` starts over) and ``results/bench/scale.png``: time and memory against N per
stage, log-log, with each stage's fitted growth exponent (slope of log y on log N).

``--profile STAGE`` runs one job of an earlier run again under cProfile: the script
Snakemake generated for it (kept with ``--skip-script-cleanup``), in the run folder, and
prints the top functions (results/bench/profile-<rule>-<models>-n<N>.prof).
``--rescore`` measures and scores existing run folders again without running anything
(but replicates not yet run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pstats
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from bench import synthetic

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench"
RUNS = OUT / "scale"
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
REUSE = ("verbatim", "rewrite")
BOOTSTRAP_ROUNDS, BOOTSTRAP_SEED = 200, 2026  # intervals of the quality scores
# the scores summarised over replicate corpora: name -> (quality section, key, key of its
# bootstrap interval or None)
REPLICATED = {"event_ari": ("events", "ari", "ari_interval"),
              "event_v_measure": ("events", "v_measure", None),
              "reuse_precision": ("reuse", "precision", "precision_interval"),
              "reuse_recall_planted": ("reuse", "recall_planted", "recall_planted_interval")}
# what a stage's throughput counts (rules not listed: articles)
UNITS = {"embed": "sentences", "align": "sentences", "outlet_overlap": "sentences",
         "claims": "sentences", "framing": "sentences", "plot_alignment_views": "sentences",
         "sensitivity": "sentences"}


# --------------------------------------------------------------------------- running


def synthetic_corpus(n: int, seed: int, ecbplus: str) -> Path:
    """The synthetic corpus of size ``n`` (generated unless already there)."""
    folder = Path(tempfile.gettempdir()) / "framelens-synth" / f"n{n}-s{seed}"
    summary = folder / "synthetic.json"
    if summary.is_file():
        known = json.loads(summary.read_text())
        if (known.get("n_requested") == n and known.get("seed") == seed
                and known.get("generator_version") == synthetic.GENERATOR_VERSION):
            return folder
    started = time.perf_counter()
    synthetic.generate(n, folder, seed=seed, ecbplus=ecbplus)
    print(f"  generated {folder} in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def run_folder(n: int, models: list[str]) -> Path:
    return RUNS / f"n{n}-{'+'.join(models)}"


def write_config(corpus: Path, models: list[str], folder: Path) -> Path:
    """The project's config with only ``models`` and the synthetic corpus."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    unknown = [m for m in models if m not in config["models"]]
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; config/config.yaml has "
                         f"{sorted(config['models'])}")
    config["models"] = {m: config["models"][m] for m in models}
    config["corpus"] = str(corpus)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def workflow_env(work: Path) -> dict[str, str]:
    """The environment a run in ``work`` gets: offline hub, its own vector cache, and the
    shared folder of distilled models (built once, not timed again in every run)."""
    return {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
            "FRAMELENS_CACHE_DIR": str(work / "cache"),
            "FRAMELENS_MODEL_DIR": os.environ.get("FRAMELENS_MODEL_DIR", str(RUNS / "models"))}


def snakemake_command(work: Path, config: Path, cores: int) -> list[str]:
    """Snakemake on the project's workflow, run in ``work`` with ``config``."""
    return [str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(work),
            "--configfile", str(config), "--cores", str(cores), "--nolock"]


def run_workflow(n: int, models: list[str], corpus: Path, *, cores: int, timeout: float,
                 warm_cache: bool, parallel: bool, omit: list[str]) -> dict[str, Any]:
    """Run the workflow from scratch for one size; return status, wall time, log path."""
    work = run_folder(n, models)
    cache = work / "cache"
    for stale in ("results", ".snakemake"):
        shutil.rmtree(work / stale, ignore_errors=True)
    if not warm_cache:
        shutil.rmtree(cache, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    env = workflow_env(work)
    log_path = work / "snakemake.log"
    with tempfile.TemporaryDirectory(prefix="framelens-scale-") as tmp:
        config = write_config(corpus, models, Path(tmp))
        shutil.copyfile(config, work / "config.yaml")  # for --profile and reruns
        command = [*snakemake_command(work, config, cores), "--forceall",
                   "--skip-script-cleanup"]
        if not parallel:
            command += ["--default-resources", "serial=1", "--resources", "serial=1"]
        if omit:
            command += ["--omit-from", *omit]
        started = time.perf_counter()
        memory = MemorySampler(work)
        memory.start()
        loads: list[float] = []
        done = threading.Event()
        sampler = threading.Thread(target=sample_load, args=(loads, done), daemon=True)
        sampler.start()
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(command, cwd=work, env=env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = process.wait(timeout=timeout)
                status = "ok" if rc == 0 else f"failed (exit {rc})"
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                status = f"timed out after {timeout:.0f} s"
        wall = time.perf_counter() - started
    done.set()
    sampler.join()
    memory.done.set()
    memory.join()
    (work / "memory.json").write_text(json.dumps(sorted(memory.jobs.values(),
                                                        key=lambda r: r["first_seen"]),
                                                 indent=1) + "\n")
    load = loads[:]
    return {"status": status, "wall_s": round(wall, 2), "log": str(log_path),
            "command": " ".join(command[1:]),
            "load_1min": {"mean": round(float(np.mean(load)), 2) if load else None,
                          "max": round(max(load), 2) if load else None}}


def sample_load(loads: list[float], done: threading.Event, every: float = 10.0) -> None:
    """Append the 1-minute load average every ``every`` seconds until ``done`` is set
    (other processes on the machine slow the stages down: a load above the cores says so)."""
    while True:
        loads.append(os.getloadavg()[0])
        if done.wait(every):
            return


# --------------------------------------------------------------------------- measuring


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


class MemorySampler(threading.Thread):
    """Peak RSS of every job process of one run, read from /proc every ``every`` seconds.

    Snakemake's ``benchmark:`` samples a job every 0.5 s for its first 15 s and then only
    every 30 s, so a long job's ``max_rss`` can miss its peak (framing at 10k articles:
    4.8 GB recorded, 11 GB real); rules without ``benchmark:`` get no memory at all. A job
    is a process running ``<work>/.snakemake/scripts/tmp*.<script>.py``.
    """

    def __init__(self, work: Path, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.marker = str(work / ".snakemake" / "scripts") + "/tmp"
        self.every = every
        self.done = threading.Event()
        self.jobs: dict[int, dict[str, Any]] = {}

    def run(self) -> None:
        while not self.done.wait(self.every):
            for proc in Path("/proc").iterdir():
                if proc.name.isdigit():
                    self.look(proc)

    def look(self, proc: Path) -> None:
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            script = next((a.decode() for a in args if a.decode(errors="replace")
                           .startswith(self.marker)), None)
            if script is None:
                return
            status = (proc / "status").read_text()
        except (OSError, UnicodeDecodeError):
            return
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if rss is None:
            return
        record = self.jobs.setdefault(int(proc.name), {
            "script": script.rsplit("/", 1)[-1].split(".", 1)[1], "first_seen": time.time(),
            "peak_mb": 0.0})
        record["peak_mb"] = max(record["peak_mb"], int(rss.group(1)) / 1024)
        record["last_seen"] = time.time()


def sampled_peaks(work: Path) -> dict[str, float]:
    """Peak RSS (MiB) per stage from ``memory.json`` (:class:`MemorySampler`), each process
    matched to the job of its rule running when it was first seen."""
    path, log = work / "memory.json", work / "snakemake.log"
    if not path.is_file() or not log.is_file():
        return {}
    rule_of_script = {script: rule for rule, script in rule_scripts().items()}
    spans = job_spans(log)
    peaks: dict[str, float] = {}
    for record in json.loads(path.read_text()):
        rule = rule_of_script.get(record["script"])
        seen = datetime.fromtimestamp(record["first_seen"])
        candidates = [(abs((start - seen).total_seconds()), stage)
                      for stage, start, end in spans if stage.split("/")[0] == rule
                      and (start - seen).total_seconds() <= 2
                      and (seen - end).total_seconds() <= 2]
        if candidates:
            stage = min(candidates)[1]
            peaks[stage] = max(peaks.get(stage, 0.0), round(record["peak_mb"], 1))
    return peaks


def logged_outcome(log_path: Path) -> dict[str, Any]:
    """Status, wall time (first to last log stamp) and command of an earlier run."""
    if not log_path.is_file():
        raise SystemExit(f"--rescore: {log_path} not found; run the size first")
    text = log_path.read_text(encoding="utf-8", errors="replace")
    stamps = [datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
              for m in (STAMP.match(line) for line in text.splitlines()) if m]
    command = re.search(r"^\s*Command: (.*)$", text, re.MULTILINE)
    omitted = re.search(r"--omit-from ((?:(?!--)\S+ ?)+)", command.group(1)) if command else None
    done = re.search(r"\d+ of \d+ steps \(100%\) done", text)
    return {"status": "ok" if done else "incomplete",
            "wall_s": (stamps[-1] - stamps[0]).total_seconds() if stamps else None,
            "log": str(log_path), "command": command.group(1) if command else None,
            "omitted": omitted.group(1).split() if omitted else []}


def benchmark_table(results: Path) -> dict[str, dict[str, float]]:
    """``stage -> {s, max_rss, cpu_time, ...}`` from ``results/benchmarks/**.tsv``.

    Embedding runs as shard jobs (``embed_shard/<model>-<n>.tsv``) and a gather
    (``embed/<model>.tsv``); they are folded into one stage ``embed/<model>``, as before
    shards: seconds and CPU seconds summed (jobs run one at a time here), memory the
    largest, with ``shards``, ``shard_s`` and ``gather_s`` to tell them apart.
    """
    stages: dict[str, dict[str, float]] = {}
    shards: dict[str, list[dict[str, float]]] = {}
    folder = results / "benchmarks"
    for path in sorted(folder.rglob("*.tsv")):
        table = pd.read_csv(path, sep="\t")
        if table.empty:
            continue
        row = table.iloc[-1]
        stage = path.relative_to(folder).with_suffix("").as_posix()
        values = {k: float(row[k]) for k in ("s", "max_rss", "max_uss", "cpu_time",
                                             "mean_load") if k in row}
        if stage.startswith("embed_shard/"):
            shards.setdefault(stage.split("/", 1)[1].rsplit("-", 1)[0], []).append(values)
        else:
            stages[stage] = values
    for model, parts in shards.items():
        gather = stages.get(f"embed/{model}", {})
        jobs = [*parts, gather] if gather else parts
        merged = {key: (max if key in ("max_rss", "max_uss") else sum)(j[key] for j in jobs)
                  for key in ("s", "max_rss", "max_uss", "cpu_time") if all(key in j for j in jobs)}
        merged.update(shards=len(parts), shard_s=sum(p["s"] for p in parts),
                      gather_s=gather.get("s"))
        stages[f"embed/{model}"] = merged
    return stages


def item_counts(results: Path) -> dict[str, int]:
    """Articles, sentences and content sentences of a run's corpus."""
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id"])
    sents = pd.read_parquet(results / "corpus" / "sentences.parquet",
                            columns=["boilerplate", "duplicate_of"])
    content = (~sents["boilerplate"].astype(bool)) & sents["duplicate_of"].isna()
    return {"articles": len(docs), "sentences": len(sents), "content": int(content.sum())}


def stage_rows(work: Path) -> dict[str, dict[str, Any]]:
    """Per stage: seconds, peak memory (MiB), CPU seconds, items and items per second."""
    results = work / "results"
    bench = benchmark_table(results)
    wall = job_times(work / "snakemake.log") if (work / "snakemake.log").is_file() else {}
    counts = item_counts(results) if (results / "corpus" / "sentences.parquet").is_file() \
        else {}
    peaks = sampled_peaks(work)
    for stage in [s for s in set(wall) | set(peaks) if s.startswith("embed_shard/")]:
        model = stage.split("/", 1)[1]  # shard jobs are part of embed/<model>
        wall.pop(stage, None)
        peak = peaks.pop(stage, None)
        if peak is not None:
            peaks[f"embed/{model}"] = max(peak, peaks.get(f"embed/{model}") or 0.0)
    rows = {}
    for stage in sorted(set(bench) | set(wall)):
        row: dict[str, Any] = {"source": "benchmark" if stage in bench else "log"}
        if stage in bench:
            row.update(s=bench[stage]["s"], max_rss_mb=bench[stage].get("max_rss"),
                       cpu_s=bench[stage].get("cpu_time"))
            row.update({k: bench[stage][k] for k in ("shards", "shard_s", "gather_s")
                        if k in bench[stage]})
        else:
            row.update(s=wall[stage], max_rss_mb=None, cpu_s=None)
        row["peak_rss_mb"] = peaks.get(stage)
        row["memory_mb"] = peaks.get(stage) or row["max_rss_mb"]
        unit = UNITS.get(stage.split("/")[0], "articles")
        if counts:
            row.update(unit=unit, items=counts[unit],
                       items_per_s=counts[unit] / row["s"] if row["s"] > 0 else None)
        rows[stage] = row
    for stage, row in rows.items():
        stats = results / stage.split("/")[-1] / "embedding.json"
        if stage.startswith("embed/") and stats.is_file():
            summary = json.loads(stats.read_text())
            row.update(unique=summary.get("n_unique"), encoded=summary.get("n_encoded"),
                       cached=summary.get("n_cached"),
                       encoder_s=summary.get("seconds"))
    return rows


# --------------------------------------------------------------------------- quality


def event_scores(results: Path, corpus: Path, model: str) -> dict[str, Any]:
    """ARI, V-measure and cluster counts of ``events.csv`` against the gold events."""
    from sklearn.metrics import adjusted_rand_score, homogeneity_completeness_v_measure

    path = results / model / "events.csv"
    if not path.is_file():
        return {}
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id", "file"])
    gold = pd.read_csv(corpus / "gold_events.csv").set_index("file")["event"]
    found = pd.read_csv(path, dtype=str).set_index("doc_id")["event_id"]
    truth = docs["file"].map(gold).to_numpy()
    labels = docs["doc_id"].map(found).to_numpy()
    homogeneity, completeness, v_measure = homogeneity_completeness_v_measure(truth, labels)
    return {"ari": float(adjusted_rand_score(truth, labels)),
            "ari_interval": ari_interval(truth, labels), "v_measure": float(v_measure),
            "homogeneity": float(homogeneity), "completeness": float(completeness),
            "n_clusters": len(set(labels)), "n_gold_events": len(set(truth))}


def resampled_events(n_events: int, rounds: int = BOOTSTRAP_ROUNDS) -> np.ndarray:
    """How often each gold event is drawn in each of ``rounds`` bootstrap samples of the
    events (``rounds`` x ``n_events``; seeded, so the same on every run)."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    return rng.multinomial(n_events, np.full(n_events, 1 / n_events), size=rounds)


def percentile_interval(values: np.ndarray) -> list[float]:
    """The central 95% of bootstrap values."""
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def ari_interval(truth: np.ndarray, labels: np.ndarray) -> list[float]:
    """95% bootstrap interval of the event ARI, resampling gold events. An event drawn
    twice enters as two events: its second copy's found clusters are kept apart from the
    first copy's (but still shared with the other events' second copies)."""
    from sklearn.metrics import adjusted_rand_score

    gold_codes, found_codes = pd.factorize(truth)[0], pd.factorize(labels)[0]
    order = np.argsort(gold_codes, kind="stable")
    counts = np.bincount(gold_codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_found = int(found_codes.max()) + 1
    scores = []
    for draws in resampled_events(len(counts)):
        events = np.repeat(np.arange(len(counts)), draws)
        layer = np.arange(len(events)) - np.repeat(np.cumsum(draws) - draws, draws)
        members = np.concatenate([order[starts[e]:starts[e] + counts[e]] for e in events])
        copy_of = np.repeat(np.arange(len(events)), counts[events])
        found = found_codes[members] + n_found * np.repeat(layer, counts[events])
        scores.append(adjusted_rand_score(copy_of, found))
    return percentile_interval(np.array(scores))


def gold_sentence_pairs(results: Path, corpus: Path) -> pd.DataFrame:
    """The gold reuse pairs with ``sent_id_a``/``sent_id_b`` (by document and position,
    checked by text; a sentence the ingest split or changed is looked up by its text)."""
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id", "file"])
    sents = pd.read_parquet(results / "corpus" / "sentences.parquet",
                            columns=["sent_id", "doc_id", "position", "text"])
    doc_of = dict(zip(docs["file"], docs["doc_id"], strict=True))
    by_place = {(d, int(p)): (s, t) for s, d, p, t in
                zip(sents["sent_id"], sents["doc_id"], sents["position"], sents["text"],
                    strict=True)}
    by_text = {(d, " ".join(t.split())): s for s, d, t in
               zip(sents["sent_id"], sents["doc_id"], sents["text"], strict=True)}
    gold = pd.read_csv(corpus / "gold_reuse.csv", keep_default_na=False)
    for side in "ab":
        ids = []
        for file, index, text in zip(gold[f"file_{side}"], gold[f"index_{side}"],
                                     gold[f"text_{side}"], strict=True):
            doc = doc_of.get(file)
            placed = by_place.get((doc, int(index)))
            if placed and placed[1] == text:
                ids.append(placed[0])
            else:
                ids.append(by_text.get((doc, " ".join(text.split()))))
        gold[f"sent_id_{side}"] = ids
    gold["planted"] = gold["planted"].astype(str) == "True"
    return gold


def reuse_scores(results: Path, corpus: Path, model: str,
                 gold: pd.DataFrame | None = None) -> dict[str, Any]:
    """Precision and recall of the verbatim/rewrite pairs against the planted gold."""
    path = results / model / "alignments.parquet"
    if not path.is_file():
        return {}
    gold = gold_sentence_pairs(results, corpus) if gold is None else gold
    pairs = pd.read_parquet(path, columns=["sent_id_a", "sent_id_b", "relation"])
    found = {frozenset(p): r for p, r in zip(zip(pairs["sent_id_a"], pairs["sent_id_b"],
                                                  strict=True), pairs["relation"], strict=True)}
    reuse = {p for p, r in found.items() if r in REUSE}
    keyed = [frozenset((a, b)) for a, b in zip(gold["sent_id_a"], gold["sent_id_b"],
                                               strict=True)]
    known = set(keyed)
    planted = gold["planted"].to_numpy()
    hit = np.array([k in reuse for k in keyed])
    right_label = np.array([found.get(k) == rel for k, rel in zip(keyed, gold["relation"],
                                                                  strict=True)])
    true_pos = len(reuse & known)
    result: dict[str, Any] = {
        "found_reuse_pairs": len(reuse), "found_paraphrase_pairs":
            sum(r == "paraphrase" for r in found.values()),
        "gold_pairs": len(known), "planted_pairs": int(planted.sum()),
        "precision": true_pos / len(reuse) if reuse else None,
        "recall_planted": float(hit[planted].mean()) if planted.any() else None,
        "recall_all_gold": float(hit.mean()) if len(hit) else None,
        "label_accuracy_planted_found": float(right_label[planted & hit].mean())
        if (planted & hit).any() else None,
        "unmapped_gold_sentences": int(gold[["sent_id_a", "sent_id_b"]].isna().sum().sum()),
    }
    result.update(reuse_intervals(results, corpus, reuse, known, gold["event"].to_numpy(),
                                  hit, planted))
    for how in ("copy", "trimmed", "reordered"):
        mask = planted & (gold["how"] == how).to_numpy()
        result[f"recall_{how}"] = float(hit[mask].mean()) if mask.any() else None
    events = results / model / "events.csv"
    if events.is_file() and planted.any():  # alignment only pairs articles of one event
        event_of = pd.read_csv(events, dtype=str).set_index("doc_id")["event_id"]
        doc = gold[["sent_id_a", "sent_id_b"]].apply(lambda c: c.str.rsplit(":", n=1).str[0])
        together = (doc["sent_id_a"].map(event_of) == doc["sent_id_b"].map(event_of)).to_numpy()
        result["planted_in_one_found_event"] = float(together[planted].mean())
        result["recall_planted_in_one_found_event"] = (
            float(hit[planted & together].mean()) if (planted & together).any() else None)
    return result


def reuse_intervals(results: Path, corpus: Path, reuse: set[frozenset], known: set[frozenset],
                    gold_event: np.ndarray, hit: np.ndarray, planted: np.ndarray
                    ) -> dict[str, list[float]]:
    """95% bootstrap intervals of reuse precision and planted recall, resampling gold
    events (a found pair belongs to the gold event of its first article)."""
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id", "file"])
    event_of_file = pd.read_csv(corpus / "gold_events.csv").set_index("file")["event"]
    event_of_doc = dict(zip(docs["doc_id"], docs["file"].map(event_of_file), strict=True))
    names = sorted(set(event_of_file))
    code = {name: i for i, name in enumerate(names)}
    found_event = np.array([code[event_of_doc[min(p).rsplit(":", 1)[0]]] for p in reuse],
                           dtype=np.int64)
    right = np.array([p in known for p in reuse], dtype=float)
    planted_event = np.array([code[e] for e in gold_event[planted]], dtype=np.int64)
    per_event = [np.bincount(found_event, weights=right, minlength=len(names)),
                 np.bincount(found_event, minlength=len(names)),
                 np.bincount(planted_event, weights=hit[planted].astype(float),
                             minlength=len(names)),
                 np.bincount(planted_event, minlength=len(names))]
    draws = resampled_events(len(names))
    right_n, found_n, hit_n, planted_n = (draws @ v for v in per_event)
    return {"precision_interval": percentile_interval(right_n / np.maximum(found_n, 1)),
            "recall_planted_interval": percentile_interval(hit_n / np.maximum(planted_n, 1))}


def quality(work: Path, corpus: Path, models: list[str]) -> dict[str, Any]:
    results = work / "results"
    if not (results / "corpus" / "sentences.parquet").is_file():
        return {}
    gold = gold_sentence_pairs(results, corpus)
    return {m: {"events": event_scores(results, corpus, m),
                "reuse": reuse_scores(results, corpus, m, gold)} for m in models}


def replicate_scores(n: int, models: list[str], seed: int, ecbplus: str, cores: int,
                     rescore: bool) -> dict[str, Any]:
    """The quality scores of one more corpus of size ``n`` (seed ``seed``): the workflow
    run only as far as each model's events and alignments, untimed. ``rescore`` scores a
    replicate already run again (and runs only the missing ones)."""
    corpus = synthetic_corpus(n, seed, ecbplus)
    work = RUNS / "replicates" / f"n{n}-{'+'.join(models)}-s{seed}"
    targets = [f"results/{m}/{name}" for m in models
               for name in ("events.csv", "alignments.parquet")]
    if not (rescore and all((work / t).is_file() for t in targets)):
        run_to_targets(work, write_config(corpus, models, reset_folder(work)), targets, cores)
    return {"seed": seed, "scores": {m: picked_scores(q)
                                     for m, q in quality(work, corpus, models).items()}}


def reset_folder(folder: Path) -> Path:
    """``folder``, emptied."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def run_to_targets(work: Path, config: Path, targets: list[str], cores: int) -> None:
    """Run the workflow in ``work`` as far as ``targets``; exit with the log's name on
    failure."""
    log_path = work / "snakemake.log"
    with log_path.open("w", encoding="utf-8") as log:
        rc = subprocess.call([*snakemake_command(work, config, cores), *targets], cwd=work,
                             env=workflow_env(work), stdout=log, stderr=subprocess.STDOUT)
    if rc != 0:
        raise SystemExit(f"{work.name} failed (exit {rc}); see {log_path}")


def picked_scores(quality_of_model: dict[str, Any]) -> dict[str, float | None]:
    """The replicated scores (``REPLICATED``) of one model's quality record."""
    return {name: quality_of_model.get(section, {}).get(key)
            for name, (section, key, _) in REPLICATED.items()}


def mean_interval(values: list[float]) -> dict[str, Any]:
    """Mean, standard deviation, range and 95% t interval of the mean of per-corpus scores."""
    from scipy import stats

    x = np.array([v for v in values if v is not None], dtype=float)
    summary: dict[str, Any] = {"corpora": len(x)}
    if len(x) == 0:
        return summary
    summary.update(mean=float(x.mean()), min=float(x.min()), max=float(x.max()))
    if len(x) > 1:
        sd = float(x.std(ddof=1))
        half = float(stats.t.ppf(0.975, len(x) - 1) * sd / np.sqrt(len(x)))
        summary.update(sd=sd, mean_interval=[round(summary["mean"] - half, 4),
                                             round(summary["mean"] + half, 4)])
    return summary


def over_corpora(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per model and score: :func:`mean_interval` over the timed corpus and the replicates."""
    per_corpus = [{m: picked_scores(q) for m, q in run.get("quality", {}).items()}]
    per_corpus += [r["scores"] for r in run.get("replicates", [])]
    return {m: {name: mean_interval([c.get(m, {}).get(name) for c in per_corpus])
                for name in REPLICATED}
            for m in run["models"]}


def half_width(bounds: list[float] | None) -> float:
    """Half the width of a 95% interval, 0 when there is none."""
    return (bounds[1] - bounds[0]) / 2 if bounds else 0.0


def against_replicated(large: dict[str, Any], small: dict[str, Any]
                       ) -> dict[str, dict[str, Any]]:
    """Per model and score, the large run's score minus the small size's mean over corpora,
    with a 95% interval whose half-width combines both (root sum of squared half-widths:
    the small mean's t interval, the large score's bootstrap interval where it has one)."""
    compared: dict[str, dict[str, Any]] = {}
    for model, scores in small.get("over_corpora", {}).items():
        quality_of_model = large.get("quality", {}).get(model)
        if not quality_of_model:
            continue
        picked = picked_scores(quality_of_model)
        for name, summary in scores.items():
            if picked.get(name) is None or "mean_interval" not in summary:
                continue
            section, _, interval_key = REPLICATED[name]
            half = float(np.hypot(half_width(summary.get("mean_interval")), half_width(
                quality_of_model[section].get(interval_key) if interval_key else None)))
            difference = picked[name] - summary["mean"]
            compared.setdefault(model, {})[name] = {
                "large": picked[name], "small_mean": summary["mean"],
                "difference": difference, "interval": [difference - half, difference + half],
                "worse": bool(difference + half < 0)}
    return compared


def slice_check(work: Path, corpus: Path, model: str, events_per_slice: int,
                slices: int) -> list[dict[str, Any]]:
    """Same articles, small corpus against whole corpus: ``slices`` runs of
    ``events_per_slice`` gold events (consecutive by first date, spread over the corpus),
    each clustered alone with the run's settings and scored against the gold, beside the
    whole run's clusters for the same articles. A pipeline that loses quality with N
    scores lower inside the whole run than alone."""
    from sklearn.metrics import adjusted_rand_score

    from framelens.events import EventSettings, cluster_events
    from framelens.steps._common import read_vectors_for

    results = work / "results"
    config = yaml.safe_load((work / "config.yaml").read_text(encoding="utf-8"))
    settings = EventSettings.from_config(config["events"],
                                         config["models"][model]["event_threshold"])
    sents, vectors = read_vectors_for(str(results / "corpus" / "sentences.parquet"),
                                      str(results / model / "sentence_vectors.npz"))
    docs = pd.read_parquet(results / "corpus" / "documents.parquet")
    docs["gold"] = docs["file"].map(pd.read_csv(corpus / "gold_events.csv")
                                    .set_index("file")["event"])
    whole = pd.read_csv(results / model / "events.csv", dtype=str).set_index("doc_id")
    by_start = docs.groupby("gold")["date"].min().sort_values(kind="stable").index
    starts = np.linspace(0, max(len(by_start) - events_per_slice, 0), slices).astype(int)
    found = []
    for lo in sorted(set(starts.tolist())):
        part = docs[docs["gold"].isin(set(by_start[lo:lo + events_per_slice]))]
        keep = sents["doc_id"].isin(set(part["doc_id"])).to_numpy()
        alone = cluster_events(vectors[np.flatnonzero(keep)],
                               sents[keep].reset_index(drop=True),
                               part.reset_index(drop=True), settings)
        alone_labels = alone.set_index("doc_id")["event_id"].reindex(part["doc_id"])
        whole_labels = whole["event_id"].reindex(part["doc_id"])
        found.append({"first_event": lo, "events": events_per_slice, "articles": len(part),
                      "ari_alone": float(adjusted_rand_score(part["gold"], alone_labels)),
                      "ari_in_whole": float(adjusted_rand_score(part["gold"], whole_labels)),
                      "agreement": float(adjusted_rand_score(alone_labels, whole_labels))})
    return found


# --------------------------------------------------------------------------- reporting


def growth(points: list[tuple[int, float]]) -> float | None:
    """Slope of log(y) on log(N): y ~ N^slope (None with fewer than two sizes)."""
    points = [(n, y) for n, y in points if y and y > 0]
    if len({n for n, _ in points}) < 2:
        return None
    x = np.log([n for n, _ in points])
    y = np.log([v for _, v in points])
    return float(np.polyfit(x, y, 1)[0])


def series(runs: list[dict[str, Any]], key: str) -> dict[str, list[tuple[int, float]]]:
    """Per stage, (N, value) over every recorded run (model-free stages: the last at each N)."""
    found: dict[str, dict[int, float]] = {}
    for run in sorted(runs, key=lambda r: r["recorded"]):
        for stage, row in run.get("stages", {}).items():
            if row.get(key) is not None:
                found.setdefault(series_name(stage, run["models"]), {})[run["n"]] = row[key]
    return {stage: sorted(values.items()) for stage, values in found.items()}


def series_name(stage: str, models: list[str]) -> str:
    """``align/minilm`` as it is; a stage over all of a run's models gets them added
    (``provenance [minilm]``), except ingest, which no model changes."""
    if "/" in stage or stage == "ingest":
        return stage
    return f"{stage} [{'+'.join(models)}]"


def exponents(runs: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Per stage, the growth exponents of wall time, CPU time (less sensitive to other
    processes on the machine) and peak memory."""
    time_series, rss_series = series(runs, "s"), series(runs, "memory_mb")
    cpu_series = series(runs, "cpu_s")

    def top(points: list[tuple[int, float]]) -> float | None:
        """Between the two largest sizes only (the floor: 10k -> 100k)."""
        points = [(n, y) for n, y in points if y and y > 0]
        return growth(points[-2:])

    return {stage: {"time": growth(time_series.get(stage, [])),
                    "cpu": growth(cpu_series.get(stage, [])),
                    "memory": growth(rss_series.get(stage, [])),
                    "time_top": top(time_series.get(stage, [])),
                    "cpu_top": top(cpu_series.get(stage, []))}
            for stage in sorted(set(time_series) | set(rss_series))}


MINOR_STAGES = ("plot_", "model_card", "model_agreement", "provenance")


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    """Time and memory against N per computing stage, log-log, each labelled with its growth
    exponent between the two largest sizes (the floor: no stage above N^1.3)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 7.5), layout="constrained")
    axes = fig.subplots(1, 2)
    cmap = matplotlib.colormaps["tab20"]
    for ax, key, label in ((axes[0], "s", "wall time (s)"),
                           (axes[1], "memory_mb", "peak memory, RSS (MiB)")):
        data = series(runs, key)
        shown = [(stage, [(n, y) for n, y in points if y and y > 0])
                 for stage, points in sorted(data.items())
                 if not stage.startswith(MINOR_STAGES)]
        for i, (stage, points) in enumerate(p for p in shown if len(p[1]) >= 2):
            slope = growth(points[-2:])
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", color=cmap(i % 20),
                    label=f"{stage}  N^{slope:.2f}",
                    linestyle="-" if "/" in stage or stage == "ingest" else "--")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("articles N (synthetic, N/10 events)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2,
                  title="stage, growth between the two largest N", title_fontsize=8)
    axes[0].set_title("Time per stage")
    axes[1].set_title("Peak memory per stage (RSS sampled every 0.25 s)")
    fig.suptitle("framelens workflow on synthetic ECB+ corpora (2 cores, jobs one at a time; "
                 "figures and cards, a few seconds each, not shown)")
    fig.savefig(path, dpi=120)


def print_run(run: dict[str, Any]) -> None:
    load = run.get("load_1min") or {}
    print(f"\nN={run['n']} models={'+'.join(run['models'])}: {run['status']}, "
          f"{run['wall_s']:.0f} s in all; load average mean {load.get('mean')}, max "
          f"{load.get('max')} on {run['cores']} cores"
          + (f"; omitted {' '.join(run['omitted'])}" if run.get("omitted") else ""))
    print(f"  {'stage':<28} {'wall s':>9} {'peak MiB':>8} {'(smk MiB)':>9} {'CPU s':>8} "
          f"{'items/s':>10}  unit")
    for stage, row in sorted(run["stages"].items(), key=lambda kv: -kv[1]["s"]):
        peak = f"{row['peak_rss_mb']:.0f}" if row.get("peak_rss_mb") else "-"
        rss = f"({row['max_rss_mb']:.0f})" if row.get("max_rss_mb") is not None else "-"
        cpu = f"{row['cpu_s']:.0f}" if row.get("cpu_s") is not None else "-"
        rate = f"{row['items_per_s']:.1f}" if row.get("items_per_s") else "-"
        print(f"  {stage:<28} {row['s']:>9.1f} {peak:>8} {rss:>9} {cpu:>8} {rate:>10}"
              f"  {row.get('unit', '')}")
    for model, scores in run.get("quality", {}).items():
        ev, ru = scores.get("events", {}), scores.get("reuse", {})
        if ev:
            print(f"  {model}: events ARI {ev['ari']:.3f} {interval(ev.get('ari_interval'))}, "
                  f"V {ev['v_measure']:.3f}, "
                  f"{ev['n_clusters']} clusters (gold {ev['n_gold_events']})")
        if ru:
            print(f"  {model}: reuse precision {fmt(ru['precision'])} "
                  f"{interval(ru.get('precision_interval'))}, recall planted "
                  f"{fmt(ru['recall_planted'])} {interval(ru.get('recall_planted_interval'))} "
                  f"(copy {fmt(ru['recall_copy'])}, trimmed "
                  f"{fmt(ru['recall_trimmed'])}, reordered {fmt(ru['recall_reordered'])}), "
                  f"{ru['found_reuse_pairs']} found, {ru['planted_pairs']} planted; "
                  f"{fmt(ru.get('planted_in_one_found_event'))} of planted pairs in one found "
                  f"event, recall there {fmt(ru.get('recall_planted_in_one_found_event'))}")
    for model, parts in run.get("slices", {}).items():
        for part in parts:
            print(f"  {model}: gold events {part['first_event']}-"
                  f"{part['first_event'] + part['events'] - 1} ({part['articles']} articles) "
                  f"clustered alone: ARI {part['ari_alone']:.3f}; inside the whole run: "
                  f"{part['ari_in_whole']:.3f}; the two partitions agree at ARI "
                  f"{part['agreement']:.3f}")
    for model, scores in run.get("over_corpora", {}).items():
        for name, summary in scores.items():
            if "mean" in summary:
                print(f"  {model}: {name} over {summary['corpora']} corpora: mean "
                      f"{summary['mean']:.3f} {interval(summary.get('mean_interval'))}, "
                      f"range {summary['min']:.3f}-{summary['max']:.3f}")


def interval(bounds: list[float] | None) -> str:
    """'[low, high]' of a 95% bootstrap interval, or '' when there is none."""
    return f"[{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else ""


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def load_report(path: Path, fresh: bool) -> dict[str, Any]:
    if path.is_file() and not fresh:
        return json.loads(path.read_text())
    return {"runs": []}


# --------------------------------------------------------------------------- profiling


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


def profile_stage(stage: str, n: int, models: list[str], top: int) -> None:
    """Profile one stage of an earlier run: the job's own script (as Snakemake generated it,
    kept by ``--skip-script-cleanup``) run again under cProfile in the run folder."""
    work = run_folder(n, models)
    rule = stage.split("/")[0]
    script_name = rule_scripts().get(rule)
    if script_name is None:
        raise SystemExit(f"no rule {rule!r} with a script in workflow/rules/*.smk")
    env = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
           "FRAMELENS_CACHE_DIR": str(work / "cache")}
    scripts = sorted((work / ".snakemake" / "scripts").glob(f"tmp*.{script_name}"),
                     key=lambda p: p.stat().st_mtime)
    if not scripts:  # a run without kept scripts: run that one job again, keeping it
        config = work / "config.yaml"
        if not config.is_file():
            raise SystemExit(f"{config} missing: run N={n} {models} first")
        print(f"re-running {rule} once to keep its generated script ...", flush=True)
        subprocess.run([str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--directory",
                        str(work), "--configfile", str(config), "--cores", "2", "--nolock",
                        "--forcerun", rule, "--until", rule, "--rerun-triggers", "mtime",
                        "--skip-script-cleanup", "--quiet"], cwd=work, env=env, check=True)
        scripts = sorted((work / ".snakemake" / "scripts").glob(f"tmp*.{script_name}"),
                         key=lambda p: p.stat().st_mtime)
    dump = OUT / f"profile-{rule}-{'+'.join(models)}-n{n}.prof"
    dump.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(dump), str(scripts[-1])],
                   cwd=work, env=env, check=True)
    print(f"{stage} ({'+'.join(models)}, N={n}): {time.perf_counter() - started:.1f} s "
          f"under cProfile")
    out = io.StringIO()
    stats = pstats.Stats(str(dump), stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())
    print(f"written: {dump}")


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", required=True)
    parser.add_argument("--models", nargs="+", default=["minilm"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds per size before the run is stopped")
    parser.add_argument("--warm-cache", action="store_true",
                        help="keep the run's embedding cache (default: embed cold)")
    parser.add_argument("--parallel", action="store_true",
                        help="let independent jobs run at the same time")
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs")
    parser.add_argument("--omit", nargs="+", default=[], metavar="RULE",
                        help="rules left out with everything downstream (--omit-from)")
    parser.add_argument("--rescore", action="store_true",
                        help="measure and score the existing run folders, run nothing")
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared/data/ecbplus"))
    parser.add_argument("--profile", metavar="STAGE",
                        help="profile one stage of an earlier run instead of running")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--replicates", nargs="+", default=[], metavar="N:K",
                        help="also score K more corpora of size N (quality only, untimed)")
    parser.add_argument("--slices", type=int, default=0, metavar="K",
                        help="at the largest size, cluster K slices of --slice-events gold "
                             "events alone and compare with the whole run")
    parser.add_argument("--slice-events", type=int, default=1000)
    args = parser.parse_args()
    models = sorted(args.models)
    replicates = replicate_counts(args.replicates, parser)
    if args.profile:
        for n in args.sizes:
            profile_stage(args.profile, n, models, args.top)
        return
    report_path = OUT / "scale.json"
    report = load_report(report_path, args.fresh)
    for n in args.sizes:
        print(f"N={n}, models {models}: generating / running ...", flush=True)
        corpus = synthetic_corpus(n, args.seed, args.ecbplus)
        work = run_folder(n, models)
        if args.rescore:
            earlier = [r for r in report["runs"] if r["n"] == n and r["models"] == models]
            outcome = ({k: earlier[-1][k] for k in ("status", "wall_s", "log", "command",
                                                     "load_1min", "omitted") if k in earlier[-1]}
                       if earlier else logged_outcome(work / "snakemake.log"))
        else:
            outcome = run_workflow(n, models, corpus, cores=args.cores, timeout=args.timeout,
                                   warm_cache=args.warm_cache, parallel=args.parallel,
                                   omit=args.omit)
        run = {"n": n, "models": models, "seed": args.seed, "cores": args.cores,
               "serial": not args.parallel, "warm_cache": args.warm_cache,
               "omitted": outcome.pop("omitted", args.omit),
               "recorded": datetime.now().isoformat(timespec="seconds"), **outcome,
               "corpus": json.loads((corpus / "synthetic.json").read_text()),
               "stages": stage_rows(work), "quality": quality(work, corpus, models)}
        if replicates.get(n):
            run["replicates"] = [
                replicate_scores(n, models, args.seed + i, args.ecbplus, args.cores,
                                 args.rescore) for i in range(1, replicates[n] + 1)]
            run["over_corpora"] = over_corpora(run)
        if args.slices and n == max(args.sizes) and run["status"] == "ok":
            run["slices"] = {m: slice_check(work, corpus, m, args.slice_events, args.slices)
                             for m in models}
        report["runs"] = [r for r in report["runs"]
                          if not (r["n"] == n and r["models"] == models)] + [run]
        report["exponents"] = exponents(report["runs"])
        report["against_replicated"] = comparisons(report["runs"])
        OUT.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2, default=float) + "\n")
        plot(report["runs"], OUT / "scale.png")
        print_run(run)
    print("\ngrowth exponents (time, memory) over every recorded size:")
    for stage, exp in report["exponents"].items():
        print(f"  {stage:<32} time N^{fmt(exp['time'])}  CPU N^{fmt(exp.get('cpu'))}  "
              f"memory N^{fmt(exp['memory'])}  (two largest N: time "
              f"N^{fmt(exp.get('time_top'))}, CPU N^{fmt(exp.get('cpu_top'))})")
    print_comparisons(report["against_replicated"])
    print(f"written: {report_path}, {OUT / 'scale.png'}")


def replicate_counts(specs: list[str], parser: argparse.ArgumentParser) -> dict[int, int]:
    """``["1000:20"]`` -> ``{1000: 20}``; a malformed spec is a usage error."""
    counts = {}
    for spec in specs:
        size, _, count = spec.partition(":")
        if not (size.isdigit() and count.isdigit()):
            parser.error(f"--replicates: {spec!r} is not N:K (for example 1000:20)")
        counts[int(size)] = int(count)
    return counts


def comparisons(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per model set: its largest timed run against every smaller size with replicates."""
    found = []
    for models in {tuple(r["models"]) for r in runs}:
        mine = sorted((r for r in runs if tuple(r["models"]) == models), key=lambda r: r["n"])
        large = mine[-1]
        for small in mine[:-1]:
            if small.get("over_corpora"):
                found.append({"models": list(models), "large_n": large["n"],
                              "small_n": small["n"],
                              "corpora": len(small.get("replicates", [])) + 1,
                              "scores": against_replicated(large, small)})
    return sorted(found, key=lambda c: (c["models"], c["small_n"]))


def print_comparisons(found: list[dict[str, Any]]) -> None:
    for c in found:
        print(f"\nN={c['large_n']} against the mean over {c['corpora']} corpora of "
              f"N={c['small_n']} (difference, 95% interval; worse only if all below 0):")
        for model, scores in c["scores"].items():
            for name, row in scores.items():
                print(f"  {model} {name:<22} {row['large']:.3f} vs {row['small_mean']:.3f}: "
                      f"{row['difference']:+.4f} {interval(row['interval'])}"
                      + ("  WORSE" if row["worse"] else ""))


if __name__ == "__main__":
    main()
