"""Agreement between models (four model × model heatmaps) and the significance of the
top reuse finding under each model (adjusted p-values, with the verdict in words)."""

from __future__ import annotations

import textwrap

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from framelens.overlap import SIGNIFICANCE_LEVEL

MEASURES = (
    (
        "doc_similarity_spearman",
        "Document similarity\n(Spearman, off-diagonal cells)",
        "n_doc_pairs",
        "cells",
    ),
    ("claims_ari", "Claims\n(adjusted Rand index)", "n_sentences", "sentences"),
    ("alignment_jaccard", "Aligned sentence pairs\n(Jaccard)", "n_aligned_both", "shared"),
    (
        "overlap_kendall_tau",
        "Outlet reuse shares\n(Kendall's tau)",
        "n_outlet_pairs",
        "outlet pairs",
    ),
)


def plain(text: object) -> str:
    """Text shown as is by matplotlib (a ``$`` would start mathematical notation)."""
    return str(text).replace("$", r"\$")


def agreement_matrix(table: pd.DataFrame, models: list[str], column: str) -> np.ndarray:
    """Symmetric model × model matrix of one column of ``agreement.csv`` (diagonal 1)."""
    index = {m: i for i, m in enumerate(models)}
    matrix = np.full((len(models), len(models)), np.nan)
    np.fill_diagonal(matrix, 1.0)
    for a, b, value in zip(table["model_a"], table["model_b"], table[column], strict=True):
        if a in index and b in index:
            matrix[index[a], index[b]] = matrix[index[b], index[a]] = value
    return matrix


def agreement_heatmaps(table: pd.DataFrame, models: list[str]) -> Figure:
    """Four heatmaps, one per agreement measure, models on both axes, values written in
    the cells (with the count they rest on below the diagonal). 1 = the models agree
    completely; 0 = no more than chance (ARI, correlations) or nothing shared (Jaccard).
    The diagonal (a model with itself) is left grey."""
    n = len(models)
    side = min(max(3.2, 0.8 * n + 1.8), 9)
    fig = Figure(figsize=(2 * side + 1.2, 2 * side), layout="constrained")
    axes = fig.subplots(2, 2)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#eeeeee")
    labels = [plain(m) for m in models]
    image = None
    for ax, (column, name, count, unit) in zip(axes.ravel(), MEASURES, strict=True):
        values = agreement_matrix(table, models, column)
        np.fill_diagonal(values, np.nan)
        counts = agreement_matrix(table, models, count)
        image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=1)
        for i in range(n):
            for j in range(n):
                value = values[i, j]
                if i == j:
                    continue
                text = "n/a" if not np.isfinite(value) else f"{value:.2f}"
                colour = "black" if np.isfinite(value) and value > 0.6 else "white"
                if not np.isfinite(value):
                    colour = "black"
                ax.text(
                    j,
                    i - (0.12 if i > j else 0),
                    text,
                    ha="center",
                    va="center",
                    fontsize=11,
                    fontweight="bold",
                    color=colour,
                )
                if i > j and np.isfinite(counts[i, j]):
                    ax.text(
                        j,
                        i + 0.22,
                        f"n = {int(counts[i, j])} {unit}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color=colour,
                    )
        ax.set_xticks(range(n), labels, rotation=30, ha="right", fontsize=10)
        ax.set_yticks(range(n), labels, fontsize=10)
        ax.set_title(name, fontsize=11)
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.6, label="agreement (1 = identical)")
    fig.suptitle("How far the models agree, pair by pair", fontsize=13)
    return fig


def significance_chart(
    table: pd.DataFrame, sentence: str, *, alpha: float = SIGNIFICANCE_LEVEL
) -> Figure:
    """Adjusted p-value (log scale) of each model for both directions of the outlet
    pairs with the most reuse; filled markers are significant, open ones are not. The
    verdict ``sentence`` is the title."""
    fig = Figure(figsize=(9, 2.4 + 0.45 * max(len(table), 1)), layout="constrained")
    ax = fig.add_subplot()
    fig.suptitle("\n".join(textwrap.wrap(plain(sentence), 105)), fontsize=10, ha="center")
    if table.empty:
        ax.set_axis_off()
        return fig
    table = table.reset_index(drop=True)
    models = list(dict.fromkeys(table["model"]))
    colours = dict(zip(models, matplotlib.color_sequences["tab10"], strict=False))
    directions = list(dict.fromkeys(zip(table["outlet_a"], table["outlet_b"], strict=True)))
    floor = 1e-4
    for row in table.itertuples():
        y = directions.index((row.outlet_a, row.outlet_b)) + (
            models.index(row.model) - (len(models) - 1) / 2
        ) * 0.8 / max(len(models), 1)
        p = row.p_adjusted if np.isfinite(row.p_adjusted) else 1.0
        filled = bool(row.significant)
        ax.scatter(
            max(p, floor),
            y,
            s=60,
            marker="o" if row.neural else "s",
            facecolors=colours[row.model] if filled else "white",
            edgecolors=colours[row.model],
            linewidths=1.5,
            zorder=3,
        )
        share = f"{row.reuse_share:.0%}" if np.isfinite(row.reuse_share) else "n/a"
        ax.annotate(
            f"{plain(row.model)}: {share} reused, {_p(row.p_adjusted)}",
            (max(p, floor), y),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.axvline(alpha, color="#aa0000", linestyle="--", linewidth=1)
    ax.text(alpha, -0.75, f" {alpha:g}", color="#aa0000", fontsize=8, va="center")
    ax.set_xscale("log")
    ax.set_xlim(floor / 2, 3)
    ax.set_ylim(len(directions) - 0.5, -0.9)
    ax.set_yticks(
        range(len(directions)), [f"{plain(a)} \u2192 {plain(b)}" for a, b in directions], fontsize=9
    )
    ax.set_xlabel(
        "Benjamini-Hochberg adjusted permutation p-value of reuse_share "
        "(log scale; filled = significant)"
    )
    for model in models:
        neural = bool(table.loc[table["model"] == model, "neural"].iloc[0])
        ax.scatter(
            [],
            [],
            marker="o" if neural else "s",
            color=colours[model],
            label=f"{plain(model)} ({'neural' if neural else 'lexical'})",
        )
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _p(p: float) -> str:
    if not np.isfinite(p):
        return "not testable"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
