"""The scale benchmark's command line (``python -m bench.scale``; options in the package
docstring, :mod:`bench.scale`): runs or rescores each size, scores it, merges it into
``results/bench/scale.json`` and redraws ``results/bench/scale.png``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

import bench.scale
from bench.scale import OUT, ROOT
from bench.scale.corpus import run_folder, synthetic_corpus
from bench.scale.measure import logged_outcome, stage_rows
from bench.scale.profiling import profile_stage
from bench.scale.quality import quality, slice_check
from bench.scale.replicates import comparisons, over_corpora, replicate_scores
from bench.scale.report import exponents, fmt, load_report, plot, print_comparisons, print_run
from bench.scale.run import run_workflow


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=bench.scale.__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", type=int, nargs="+", required=True)
    parser.add_argument("--models", nargs="+", default=["minilm"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds per size before the run is stopped"
    )
    parser.add_argument(
        "--warm-cache",
        action="store_true",
        help="keep the run's embedding cache (default: embed cold)",
    )
    parser.add_argument(
        "--parallel", action="store_true", help="let independent jobs run at the same time"
    )
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs")
    parser.add_argument(
        "--omit",
        nargs="+",
        default=[],
        metavar="RULE",
        help="rules left out with everything downstream (--omit-from)",
    )
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="measure and score the existing run folders, run nothing",
    )
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared/data/ecbplus"))
    parser.add_argument(
        "--profile", metavar="STAGE", help="profile one stage of an earlier run instead of running"
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--replicates",
        nargs="+",
        default=[],
        metavar="N:K",
        help="also score K more corpora of size N (quality only, untimed)",
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=0,
        metavar="K",
        help="at the largest size, cluster K slices of --slice-events gold "
        "events alone and compare with the whole run",
    )
    parser.add_argument("--slice-events", type=int, default=1000)
    parser.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        dest="settings",
        help="config settings for the runs, dotted keys (event_shards=8 embedding.dtype=float16)",
    )
    args = parser.parse_args()
    models = sorted(args.models)
    replicates = replicate_counts(args.replicates, parser)
    if args.profile:
        for n in args.sizes:
            profile_stage(args.profile, n, models, args.top)
        return
    # runs under other settings keep their own record (growth exponents are within one)
    name = run_folder(0, ["x"], args.settings).name.removeprefix("n0-x")
    report_path = OUT / f"scale{name}.json"
    report = load_report(report_path, args.fresh)
    for n in args.sizes:
        print(f"N={n}, models {models}: generating / running ...", flush=True)
        corpus = synthetic_corpus(n, args.seed, args.ecbplus)
        work = run_folder(n, models, args.settings)
        if args.rescore:
            earlier = [
                r
                for r in report["runs"]
                if r["n"] == n and r["models"] == models and r.get("settings", []) == args.settings
            ]
            outcome = (
                {
                    k: earlier[-1][k]
                    for k in ("status", "wall_s", "log", "command", "load_1min", "omitted")
                    if k in earlier[-1]
                }
                if earlier
                else logged_outcome(work / "snakemake.log")
            )
        else:
            outcome = run_workflow(
                n,
                models,
                corpus,
                cores=args.cores,
                timeout=args.timeout,
                warm_cache=args.warm_cache,
                parallel=args.parallel,
                omit=args.omit,
                settings=args.settings,
            )
        run = {
            "n": n,
            "models": models,
            "seed": args.seed,
            "cores": args.cores,
            "serial": not args.parallel,
            "warm_cache": args.warm_cache,
            "omitted": outcome.pop("omitted", args.omit),
            "settings": args.settings,
            "recorded": datetime.now().isoformat(timespec="seconds"),
            **outcome,
            "corpus": json.loads((corpus / "synthetic.json").read_text()),
            "stages": stage_rows(work),
            "quality": quality(work, corpus, models),
        }
        if replicates.get(n):
            run["replicates"] = [
                replicate_scores(n, models, args.seed + i, args.ecbplus, args.cores, args.rescore)
                for i in range(1, replicates[n] + 1)
            ]
            run["over_corpora"] = over_corpora(run)
        if args.slices and n == max(args.sizes) and run["status"] == "ok":
            run["slices"] = {
                m: slice_check(work, corpus, m, args.slice_events, args.slices) for m in models
            }
        report["runs"] = [
            r for r in report["runs"] if not (r["n"] == n and r["models"] == models)
        ] + [run]
        report["exponents"] = exponents(report["runs"])
        report["against_replicated"] = comparisons(report["runs"])
        OUT.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2, default=float) + "\n")
        plot(report["runs"], report_path.with_suffix(".png"))
        print_run(run)
    print("\ngrowth exponents (time, memory) over every recorded size:")
    for stage, exp in report["exponents"].items():
        print(
            f"  {stage:<32} time N^{fmt(exp['time'])}  CPU N^{fmt(exp.get('cpu'))}  "
            f"memory N^{fmt(exp['memory'])}  (two largest N: time "
            f"N^{fmt(exp.get('time_top'))}, CPU N^{fmt(exp.get('cpu_top'))})"
        )
    print_comparisons(report["against_replicated"])
    print(f"written: {report_path}, {report_path.with_suffix('.png')}")


def replicate_counts(specs: list[str], parser: argparse.ArgumentParser) -> dict[int, int]:
    """``["1000:20"]`` -> ``{1000: 20}``; a malformed spec is a usage error."""
    counts = {}
    for spec in specs:
        size, _, count = spec.partition(":")
        if not (size.isdigit() and count.isdigit()):
            parser.error(f"--replicates: {spec!r} is not N:K (for example 1000:20)")
        counts[int(size)] = int(count)
    return counts
