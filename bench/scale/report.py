"""Reporting the scale benchmark: growth exponents of time and memory against N, the
log-log plot (``results/bench/scale.png``), the printed tables and the earlier report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


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

    return {
        stage: {
            "time": growth(time_series.get(stage, [])),
            "cpu": growth(cpu_series.get(stage, [])),
            "memory": growth(rss_series.get(stage, [])),
            "time_top": top(time_series.get(stage, [])),
            "cpu_top": top(cpu_series.get(stage, [])),
        }
        for stage in sorted(set(time_series) | set(rss_series))
    }


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
    for ax, key, label in (
        (axes[0], "s", "wall time (s)"),
        (axes[1], "memory_mb", "peak memory, RSS (MiB)"),
    ):
        data = series(runs, key)
        shown = [
            (stage, [(n, y) for n, y in points if y and y > 0])
            for stage, points in sorted(data.items())
            if not stage.startswith(MINOR_STAGES)
        ]
        for i, (stage, points) in enumerate(p for p in shown if len(p[1]) >= 2):
            slope = growth(points[-2:])
            xs, ys = zip(*points, strict=True)
            ax.plot(
                xs,
                ys,
                marker="o",
                color=cmap(i % 20),
                label=f"{stage}  N^{slope:.2f}",
                linestyle="-" if "/" in stage or stage == "ingest" else "--",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("articles N (synthetic, N/10 events)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(
            fontsize=8,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=2,
            title="stage, growth between the two largest N",
            title_fontsize=8,
        )
    axes[0].set_title("Time per stage")
    axes[1].set_title("Peak memory per job (RSS; with workers, their PSS summed)")
    fig.suptitle(
        "framelens workflow on synthetic ECB+ corpora (2 cores, jobs one at a time; "
        "figures and cards, a few seconds each, not shown)"
    )
    fig.savefig(path, dpi=120)


def print_run(run: dict[str, Any]) -> None:
    load = run.get("load_1min") or {}
    print(
        f"\nN={run['n']} models={'+'.join(run['models'])}: {run['status']}, "
        f"{run['wall_s']:.0f} s in all; load average mean {load.get('mean')}, max "
        f"{load.get('max')} on {run['cores']} cores"
        + (f"; omitted {' '.join(run['omitted'])}" if run.get("omitted") else "")
    )
    print(
        f"  {'stage':<28} {'wall s':>9} {'peak MiB':>8} {'job MiB':>8} {'(smk MiB)':>9} "
        f"{'CPU s':>8} "
        f"{'items/s':>10}  unit"
    )
    for stage, row in sorted(run["stages"].items(), key=lambda kv: -kv[1]["s"]):
        peak = f"{row['peak_rss_mb']:.0f}" if row.get("peak_rss_mb") else "-"
        job = f"{row['job_mb']:.0f}" if row.get("job_mb") else "-"
        rss = f"({row['max_rss_mb']:.0f})" if row.get("max_rss_mb") is not None else "-"
        cpu = f"{row['cpu_s']:.0f}" if row.get("cpu_s") is not None else "-"
        rate = f"{row['items_per_s']:.1f}" if row.get("items_per_s") else "-"
        print(
            f"  {stage:<28} {row['s']:>9.1f} {peak:>8} {job:>8} {rss:>9} {cpu:>8} {rate:>10}"
            f"  {row.get('unit', '')}"
        )
    for model, scores in run.get("quality", {}).items():
        ev, ru = scores.get("events", {}), scores.get("reuse", {})
        if ev:
            print(
                f"  {model}: events ARI {ev['ari']:.3f} {interval(ev.get('ari_interval'))}, "
                f"V {ev['v_measure']:.3f}, "
                f"{ev['n_clusters']} clusters (gold {ev['n_gold_events']})"
            )
        if ru:
            print(
                f"  {model}: reuse precision {fmt(ru['precision'])} "
                f"{interval(ru.get('precision_interval'))}, recall planted "
                f"{fmt(ru['recall_planted'])} {interval(ru.get('recall_planted_interval'))} "
                f"(copy {fmt(ru['recall_copy'])}, trimmed "
                f"{fmt(ru['recall_trimmed'])}, reordered {fmt(ru['recall_reordered'])}), "
                f"{ru['found_reuse_pairs']} found, {ru['planted_pairs']} planted; "
                f"{fmt(ru.get('planted_in_one_found_event'))} of planted pairs in one found "
                f"event, recall there {fmt(ru.get('recall_planted_in_one_found_event'))}"
            )
    for model, parts in run.get("slices", {}).items():
        for part in parts:
            print(
                f"  {model}: gold events {part['first_event']}-"
                f"{part['first_event'] + part['events'] - 1} ({part['articles']} articles) "
                f"clustered alone: ARI {part['ari_alone']:.3f}; inside the whole run: "
                f"{part['ari_in_whole']:.3f}; the two partitions agree at ARI "
                f"{part['agreement']:.3f}"
            )
    for model, scores in run.get("over_corpora", {}).items():
        for name, summary in scores.items():
            if "mean" in summary:
                print(
                    f"  {model}: {name} over {summary['corpora']} corpora: mean "
                    f"{summary['mean']:.3f} {interval(summary.get('mean_interval'))}, "
                    f"range {summary['min']:.3f}-{summary['max']:.3f}"
                )


def print_comparisons(found: list[dict[str, Any]]) -> None:
    for c in found:
        print(
            f"\nN={c['large_n']} against the mean over {c['corpora']} corpora of "
            f"N={c['small_n']} (difference, 95% interval; worse only if all below 0):"
        )
        for model, scores in c["scores"].items():
            for name, row in scores.items():
                print(
                    f"  {model} {name:<22} {row['large']:.3f} vs {row['small_mean']:.3f}: "
                    f"{row['difference']:+.4f} {interval(row['interval'])}"
                    + ("  WORSE" if row["worse"] else "")
                )


def interval(bounds: list[float] | None) -> str:
    """'[low, high]' of a 95% bootstrap interval, or '' when there is none."""
    return f"[{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else ""


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def load_report(path: Path, fresh: bool) -> dict[str, Any]:
    if path.is_file() and not fresh:
        return json.loads(path.read_text())
    return {"runs": []}
