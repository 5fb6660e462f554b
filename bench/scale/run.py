"""Running the scale benchmark's workflows: Snakemake in a subprocess, timed from the
outside, with every job process's peak RSS sampled from /proc and the load average
sampled beside it; and the untimed runs that only go as far as some targets."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.scale import ROOT, RUNS
from bench.scale.corpus import run_folder, write_config

SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def workflow_env(work: Path) -> dict[str, str]:
    """The environment a run in ``work`` gets: offline hub, its own vector cache, and the
    shared folder of distilled models (built once, not timed again in every run)."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
        "FRAMELENS_CACHE_DIR": str(work / "cache"),
        "FRAMELENS_MODEL_DIR": os.environ.get("FRAMELENS_MODEL_DIR", str(RUNS / "models")),
    }


def snakemake_command(work: Path, config: Path, cores: int) -> list[str]:
    """Snakemake on the project's workflow, run in ``work`` with ``config``."""
    return [
        str(SNAKEMAKE),
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(work),
        "--configfile",
        str(config),
        "--cores",
        str(cores),
        "--nolock",
    ]


def run_workflow(
    n: int,
    models: list[str],
    corpus: Path,
    *,
    cores: int,
    timeout: float,
    warm_cache: bool,
    parallel: bool,
    omit: list[str],
    settings: list[str],
) -> dict[str, Any]:
    """Run the workflow from scratch for one size (config ``settings``, ``key=value``);
    return status, wall time, log path."""
    work = run_folder(n, models, settings)
    cache = work / "cache"
    for stale in ("results", ".snakemake"):
        shutil.rmtree(work / stale, ignore_errors=True)
    if not warm_cache:
        shutil.rmtree(cache, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    env = workflow_env(work)
    log_path = work / "snakemake.log"
    with tempfile.TemporaryDirectory(prefix="framelens-scale-") as tmp:
        config = write_config(corpus, models, Path(tmp), settings)
        shutil.copyfile(config, work / "config.yaml")  # for --profile and reruns
        command = [*snakemake_command(work, config, cores), "--forceall", "--skip-script-cleanup"]
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
            process = subprocess.Popen(
                command,
                cwd=work,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
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
    (work / "memory.json").write_text(
        json.dumps(sorted(memory.jobs.values(), key=lambda r: r["first_seen"]), indent=1) + "\n"
    )
    load = loads[:]
    return {
        "status": status,
        "wall_s": round(wall, 2),
        "log": str(log_path),
        "command": " ".join(command[1:]),
        "load_1min": {
            "mean": round(float(np.mean(load)), 2) if load else None,
            "max": round(max(load), 2) if load else None,
        },
    }


def sample_load(loads: list[float], done: threading.Event, every: float = 10.0) -> None:
    """Append the 1-minute load average every ``every`` seconds until ``done`` is set
    (other processes on the machine slow the stages down: a load above the cores says so)."""
    while True:
        loads.append(os.getloadavg()[0])
        if done.wait(every):
            return


class MemorySampler(threading.Thread):
    """Peak RSS of every job process of one run, read from /proc every ``every`` seconds,
    and the peak of each job with its worker processes counted once.

    Snakemake's ``benchmark:`` samples a job every 0.5 s for its first 15 s and then only
    every 30 s, so a long job's ``max_rss`` can miss its peak (framing at 10k articles:
    4.8 GB recorded, 11 GB real); rules without ``benchmark:`` get no memory at all. A job
    is a process running ``<work>/.snakemake/scripts/tmp*.<script>.py``; the workers it
    forks (:mod:`framelens.workers`) run the same script. Their pages shared with the job
    would be counted twice in RSS, so while a job has workers its total is the sum of
    their PSS (``job_mb``, on the job's record), read every ``pss_every``-th sample:
    reading ``smaps_rollup`` costs about 20 ms per GB process.
    """

    def __init__(self, work: Path, every: float = 0.25, pss_every: int = 4) -> None:
        super().__init__(daemon=True)
        self.marker = str(work / ".snakemake" / "scripts") + "/tmp"
        self.every = every
        self.pss_every = pss_every
        self.done = threading.Event()
        self.jobs: dict[int, dict[str, Any]] = {}

    def run(self) -> None:
        sweep = 0
        while not self.done.wait(self.every):
            parents = {
                int(proc.name): parent
                for proc in Path("/proc").iterdir()
                if proc.name.isdigit() and (parent := self.look(proc)) is not None
            }
            sweep += 1
            if sweep % self.pss_every == 0:
                self.add_job_totals(parents)

    def look(self, proc: Path) -> int | None:
        """Record one process's RSS if it runs a job script; its parent's pid, or None."""
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            script = next(
                (a.decode() for a in args if a.decode(errors="replace").startswith(self.marker)),
                None,
            )
            name = None if script is None else script.rsplit("/", 1)[-1]
            if name is None or "." not in name:  # not a job (e.g. a tool given the folder)
                return None
            status = (proc / "status").read_text()
        except (OSError, UnicodeDecodeError):
            return None
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        parent = re.search(r"^PPid:\s+(\d+)", status, re.MULTILINE)
        if rss is None or parent is None:
            return None
        record = self.jobs.setdefault(
            int(proc.name),
            {
                "script": name.split(".", 1)[1],
                "first_seen": time.time(),
                "peak_mb": 0.0,
            },
        )
        record["peak_mb"] = max(record["peak_mb"], int(rss.group(1)) / 1024)
        record["last_seen"] = time.time()
        return int(parent.group(1))

    def add_job_totals(self, parents: dict[int, int]) -> None:
        """For each job with workers (``parents``: job process -> its parent), the sum of
        its processes' PSS, kept as the job's ``job_mb`` if it is the highest yet."""
        members: dict[int, list[int]] = {}
        for pid in parents:
            root = pid
            while parents[root] in parents:
                root = parents[root]
            members.setdefault(root, []).append(pid)
        for root, pids in members.items():
            if len(pids) > 1 and root in self.jobs:
                total = sum(proportional_mb(pid) for pid in pids)
                record = self.jobs[root]
                record["job_mb"] = max(record.get("job_mb", 0.0), total)


def proportional_mb(pid: int) -> float:
    """A process's PSS in MiB (its pages shared with others counted as a share), 0 once
    it has gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def run_to_targets(work: Path, config: Path, targets: list[str], cores: int) -> None:
    """Run the workflow in ``work`` as far as ``targets``; exit with the log's name on
    failure."""
    log_path = work / "snakemake.log"
    with log_path.open("w", encoding="utf-8") as log:
        rc = subprocess.call(
            [*snakemake_command(work, config, cores), *targets],
            cwd=work,
            env=workflow_env(work),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if rc != 0:
        raise SystemExit(f"{work.name} failed (exit {rc}); see {log_path}")
