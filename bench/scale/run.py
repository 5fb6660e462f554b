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
            script = next(
                (a.decode() for a in args if a.decode(errors="replace").startswith(self.marker)),
                None,
            )
            if script is None:
                return
            status = (proc / "status").read_text()
        except (OSError, UnicodeDecodeError):
            return
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if rss is None:
            return
        record = self.jobs.setdefault(
            int(proc.name),
            {
                "script": script.rsplit("/", 1)[-1].split(".", 1)[1],
                "first_seen": time.time(),
                "peak_mb": 0.0,
            },
        )
        record["peak_mb"] = max(record["peak_mb"], int(rss.group(1)) / 1024)
        record["last_seen"] = time.time()


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
