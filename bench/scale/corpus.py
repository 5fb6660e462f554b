"""Corpus preparation for the scale benchmark: the synthetic corpus of each size (made
once, kept in the temporary folder), each run's folder, and the config a run gets (the
project's own with only the chosen models and the synthetic corpus)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def run_folder(n: int, models: list[str], settings: Sequence[str] = ()) -> Path:
    """The folder of the run of size ``n`` under ``models`` with config ``settings``."""
    suffix = "".join(f"-{s.replace('=', '_')}" for s in settings)
    return RUNS / f"n{n}-{'+'.join(models)}{suffix}"


def apply_settings(config: dict[str, Any], settings: Sequence[str]) -> None:
    """Set each ``dotted.key=value`` of ``settings`` in ``config`` (values read as YAML)."""
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            raise SystemExit(f"--set takes KEY=VALUE (dotted keys), got {setting!r}")
        *parents, leaf = key.split(".")
        node = config
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)


def write_config(
    corpus: Path, models: list[str], folder: Path, settings: Sequence[str] = ()
) -> Path:
    """The project's config with only ``models``, the synthetic corpus and ``settings``
    (``dotted.key=value``, e.g. ``event_shards=8``)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    unknown = [m for m in models if m not in config["models"]]
    if unknown:
        raise SystemExit(
            f"unknown model(s) {unknown}; config/config.yaml has {sorted(config['models'])}"
        )
    config["models"] = {m: config["models"][m] for m in models}
    config["corpus"] = str(corpus)
    apply_settings(config, settings)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def reset_folder(folder: Path) -> Path:
    """``folder``, emptied."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
