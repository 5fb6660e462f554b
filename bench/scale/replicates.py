"""Replicate corpora for the scale benchmark: more corpora of one size (other seeds), run
untimed as far as events and alignments; each score's mean over the corpora with a t
interval, and the largest timed run against those means."""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.scale import RUNS
from bench.scale.corpus import reset_folder, synthetic_corpus, write_config
from bench.scale.quality import quality
from bench.scale.run import run_to_targets

# the scores summarised over replicate corpora: name -> (quality section, key, key of its
# bootstrap interval or None)
REPLICATED = {
    "event_ari": ("events", "ari", "ari_interval"),
    "event_v_measure": ("events", "v_measure", None),
    "reuse_precision": ("reuse", "precision", "precision_interval"),
    "reuse_recall_planted": ("reuse", "recall_planted", "recall_planted_interval"),
}


def replicate_scores(
    n: int, models: list[str], seed: int, ecbplus: str, cores: int, rescore: bool
) -> dict[str, Any]:
    """The quality scores of one more corpus of size ``n`` (seed ``seed``): the workflow
    run only as far as each model's events and alignments, untimed. ``rescore`` scores a
    replicate already run again (and runs only the missing ones)."""
    corpus = synthetic_corpus(n, seed, ecbplus)
    work = RUNS / "replicates" / f"n{n}-{'+'.join(models)}-s{seed}"
    targets = [
        f"results/{m}/{name}" for m in models for name in ("events.csv", "alignments.parquet")
    ]
    if not (rescore and all((work / t).is_file() for t in targets)):
        run_to_targets(work, write_config(corpus, models, reset_folder(work)), targets, cores)
    return {
        "seed": seed,
        "scores": {m: picked_scores(q) for m, q in quality(work, corpus, models).items()},
    }


def picked_scores(quality_of_model: dict[str, Any]) -> dict[str, float | None]:
    """The replicated scores (``REPLICATED``) of one model's quality record."""
    return {
        name: quality_of_model.get(section, {}).get(key)
        for name, (section, key, _) in REPLICATED.items()
    }


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
        summary.update(
            sd=sd,
            mean_interval=[round(summary["mean"] - half, 4), round(summary["mean"] + half, 4)],
        )
    return summary


def over_corpora(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per model and score: :func:`mean_interval` over the timed corpus and the replicates."""
    per_corpus = [{m: picked_scores(q) for m, q in run.get("quality", {}).items()}]
    per_corpus += [r["scores"] for r in run.get("replicates", [])]
    return {
        m: {
            name: mean_interval([c.get(m, {}).get(name) for c in per_corpus]) for name in REPLICATED
        }
        for m in run["models"]
    }


def half_width(bounds: list[float] | None) -> float:
    """Half the width of a 95% interval, 0 when there is none."""
    return (bounds[1] - bounds[0]) / 2 if bounds else 0.0


def against_replicated(large: dict[str, Any], small: dict[str, Any]) -> dict[str, dict[str, Any]]:
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
            half = float(
                np.hypot(
                    half_width(summary.get("mean_interval")),
                    half_width(
                        quality_of_model[section].get(interval_key) if interval_key else None
                    ),
                )
            )
            difference = picked[name] - summary["mean"]
            compared.setdefault(model, {})[name] = {
                "large": picked[name],
                "small_mean": summary["mean"],
                "difference": difference,
                "interval": [difference - half, difference + half],
                "worse": bool(difference + half < 0),
            }
    return compared


def comparisons(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per model set: its largest timed run against every smaller size with replicates."""
    found = []
    for models in {tuple(r["models"]) for r in runs}:
        mine = sorted((r for r in runs if tuple(r["models"]) == models), key=lambda r: r["n"])
        large = mine[-1]
        for small in mine[:-1]:
            if small.get("over_corpora"):
                found.append(
                    {
                        "models": list(models),
                        "large_n": large["n"],
                        "small_n": small["n"],
                        "corpora": len(small.get("replicates", [])) + 1,
                        "scores": against_replicated(large, small),
                    }
                )
    return sorted(found, key=lambda c: (c["models"], c["small_n"]))
