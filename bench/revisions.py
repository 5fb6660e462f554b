"""Compare two revisions' results, table by table: are they byte-identical?

Usage: python -m bench.revisions BASE [NEW] [--corpora seeds ecbplus synthetic1k]
                                 [--models minilm tfidf ...] [--keep DIR]

Checks out each revision (a commit, a branch, or ``WORKTREE`` for the working tree as it
is) into a temporary git worktree, runs the whole workflow there on each corpus with the
default config (limited to ``--models`` if given), and compares every table the two runs
wrote under ``results/``: Parquet, CSV and NPZ files, byte for byte. A Parquet file whose
bytes differ is compared again by value (same columns, same rows), so a change of writer
metadata is told apart from a change of numbers. Figures, logs, benchmarks and JSON files
that hold timings are left out.

Each revision runs with its own ``src/`` first on ``PYTHONPATH``, the same virtual
environment and the same embedding cache (``FRAMELENS_CACHE_DIR``), so only the code
differs. Corpora: ``seeds`` (corpus/seeds), ``ecbplus`` (../shared/data/ecbplus/corpus,
982 articles) and ``synthetic1k`` (1,000 articles from bench/synthetic.py, seed 42).
Prints one line per corpus and table kind, lists every file that differs, writes
``results/bench/revisions.json`` and exits non-zero when any table differs.
"""

from __future__ import annotations

import argparse
import hashlib
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

from bench.synthetic import generate

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TABLE_SUFFIXES = (".parquet", ".csv", ".npz")
SKIPPED_PARTS = ("logs", "benchmarks", "figures", "shards", "event_shards")
WORKTREE = "WORKTREE"


def checkout(revision: str, target: Path) -> Path:
    """A copy of ``revision`` at ``target``: a git worktree, or the working tree's tracked
    and untracked files for ``WORKTREE``."""
    if revision == WORKTREE:
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        for name in filter(None, files):
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
        return target
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(target), revision],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return target


def make_corpus(name: str, base: Path) -> Path:
    """The corpus folder for ``name`` (generated once under ``base`` when synthetic)."""
    if name == "seeds":
        return ROOT / "corpus" / "seeds"
    if name == "ecbplus":
        return SHARED / "data" / "ecbplus" / "corpus"
    if name == "synthetic1k":
        folder = base / "synthetic1k"
        if not folder.is_dir():
            generate(1000, folder, seed=42, ecbplus=SHARED / "data" / "ecbplus")
        return folder
    raise SystemExit(f"unknown corpus {name!r}; choose seeds, ecbplus or synthetic1k")


def run_workflow(
    tree: Path, corpus: Path, workdir: Path, models: list[str] | None, cache: Path, cores: int
) -> float:
    """The whole workflow of the checkout ``tree`` on ``corpus`` in ``workdir``; seconds."""
    config = yaml.safe_load((tree / "config" / "config.yaml").read_text())
    config["corpus"] = str(corpus)
    if models:
        config["models"] = {key: config["models"][key] for key in models}
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "src"),
        "HF_HUB_OFFLINE": "1",
        "FRAMELENS_CACHE_DIR": str(cache),
        "TQDM_DISABLE": "1",
    }
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(tree / "Snakefile"),
            "--directory",
            str(workdir),
            "--configfile",
            str(workdir / "config.yaml"),
            "--cores",
            str(cores),
            "--quiet",
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"workflow failed in {tree} on {corpus}:\n{run.stderr[-4000:]}")
    return time.perf_counter() - started


def tables(results: Path) -> dict[str, Path]:
    """Every table under ``results`` by its relative path."""
    found = {}
    for path in results.rglob("*"):
        rel = path.relative_to(results)
        if (
            path.is_file()
            and path.suffix in TABLE_SUFFIXES
            and not set(rel.parts) & set(SKIPPED_PARTS)
        ):
            found[rel.as_posix()] = path
    return found


def digest(path: Path) -> str:
    """SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def same_values(a: Path, b: Path) -> bool:
    """Two Parquet files with equal columns and rows (writer metadata aside)."""
    try:
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))
    except AssertionError:
        return False
    return True


def compare(base: Path, new: Path, only: list[str] | None = None) -> dict[str, Any]:
    """Every table of two results folders (or only the relative paths ``only``):
    identical, equal by value, differing, missing."""
    left, right = tables(base), tables(new)
    if only is not None:
        left = {k: v for k, v in left.items() if k in only}
        right = {k: v for k, v in right.items() if k in only}
    outcome: dict[str, list[str]] = {
        "identical": [],
        "same_values": [],
        "different": [],
        "only_base": sorted(set(left) - set(right)),
        "only_new": sorted(set(right) - set(left)),
    }
    for name in sorted(set(left) & set(right)):
        if digest(left[name]) == digest(right[name]):
            outcome["identical"].append(name)
        elif name.endswith(".parquet") and same_values(left[name], right[name]):
            outcome["same_values"].append(name)
        else:
            outcome["different"].append(name)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("new", nargs="?", default=WORKTREE)
    parser.add_argument("--corpora", nargs="+", default=["seeds", "ecbplus", "synthetic1k"])
    parser.add_argument("--models", nargs="+", default=None)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", default=None, help="keep the runs in this folder")
    parser.add_argument("--out", default=str(ROOT / "results/bench/revisions.json"))
    args = parser.parse_args()
    base_dir = Path(args.keep or tempfile.mkdtemp(prefix="framelens-revisions-"))
    base_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache/framelens")))
    trees = {}
    report: dict[str, Any] = {"base": args.base, "new": args.new, "corpora": {}}
    try:
        for label, revision in (("base", args.base), ("new", args.new)):
            trees[label] = checkout(revision, base_dir / f"tree-{label}")
        failed = False
        for name in args.corpora:
            corpus = make_corpus(name, base_dir)
            seconds = {
                label: run_workflow(
                    tree, corpus, base_dir / f"run-{label}-{name}", args.models, cache, args.cores
                )
                for label, tree in trees.items()
            }
            outcome = compare(
                base_dir / f"run-base-{name}" / "results", base_dir / f"run-new-{name}" / "results"
            )
            report["corpora"][name] = {"seconds": seconds, **outcome}
            bad = outcome["different"] + outcome["only_base"]
            failed |= bool(bad)
            print(
                f"{name}: {len(outcome['identical'])} tables byte-identical, "
                f"{len(outcome['same_values'])} equal by value, {len(outcome['different'])} "
                f"different, {len(outcome['only_base'])} only in base, "
                f"{len(outcome['only_new'])} only in new "
                f"({seconds['base']:.0f} s and {seconds['new']:.0f} s)",
                flush=True,
            )
            for kind in ("same_values", "different", "only_base", "only_new"):
                for table in outcome[kind]:
                    print(f"  {kind}: {table}")
    finally:
        for label, tree in trees.items():
            if label in trees and args.keep is None:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)],
                    cwd=ROOT,
                    capture_output=True,
                    check=False,
                )
        if args.keep is None:
            shutil.rmtree(base_dir, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
