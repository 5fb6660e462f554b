"""Corpus preparation for the scale benchmark: the synthetic corpus of each size (made
once, kept in the temporary folder), each run's folder, and the config a run gets (the
project's own with only the chosen models and the synthetic corpus)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from bench import synthetic
from bench.scale import ROOT, RUNS


def synthetic_corpus(n: int, seed: int, ecbplus: str) -> Path:
    """The synthetic corpus of size ``n`` (generated unless already there)."""
    folder = Path(tempfile.gettempdir()) / "framelens-synth" / f"n{n}-s{seed}"
    summary = folder / "synthetic.json"
    if summary.is_file():
        known = json.loads(summary.read_text())
        if (
            known.get("n_requested") == n
            and known.get("seed") == seed
            and known.get("generator_version") == synthetic.GENERATOR_VERSION
        ):
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
        raise SystemExit(
            f"unknown model(s) {unknown}; config/config.yaml has {sorted(config['models'])}"
        )
    config["models"] = {m: config["models"][m] for m in models}
    config["corpus"] = str(corpus)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def reset_folder(folder: Path) -> Path:
    """``folder``, emptied."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
