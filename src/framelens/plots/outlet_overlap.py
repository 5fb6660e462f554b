"""Directional heatmap of outlet overlap: how much of each outlet's reporting
has a reused (verbatim or rewrite) counterpart in another's."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from framelens.overlap import SIGNIFICANCE_LEVEL


def overlap_matrix(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Outlet × outlet matrix of one column of ``outlet_overlap.csv`` (rows: outlet_a)."""
    outlets = sorted(set(table["outlet_a"]) | set(table["outlet_b"]))
    matrix = table.pivot(index="outlet_a", columns="outlet_b", values=column)
    return matrix.reindex(index=outlets, columns=outlets)


def outlet_overlap_heatmap(table: pd.DataFrame, *, title: str) -> Figure:
    """Heatmap of ``reuse_share`` (colour and big number) with its bootstrap interval and
    ``share_a_in_b`` (any counterpart) written in each cell. Rows read "of this outlet's
    sentences", columns "found in this outlet".

    When the table has ``p_adjusted``, the numbers of a cell whose reuse share is not
    significant (adjusted p-value at least 0.05, or not testable) are grey, the cell is
    hatched when that share is above zero, and a note under the axis says so."""
    reuse = overlap_matrix(table, "reuse_share")
    outlets = list(reuse.index)
    n = len(outlets)
    side = min(max(4.5, 0.9 * n + 2.5), 26)
    fig = Figure(figsize=(side + 1.5, side), layout="constrained")
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["cividis"].with_extremes(bad="#eeeeee")
    values = reuse.to_numpy(dtype=float)
    vmax = max(0.05, float(np.nanmax(values)) if np.isfinite(values).any() else 0.05)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=vmax)
    low, high = overlap_matrix(table, "ci_low"), overlap_matrix(table, "ci_high")
    share = overlap_matrix(table, "share_a_in_b")
    tested = "p_adjusted" in table.columns
    if tested:
        adjusted = overlap_matrix(table, "p_adjusted").to_numpy(dtype=float)
        weak = np.isfinite(values) & ~(adjusted < SIGNIFICANCE_LEVEL)
        for i, j in zip(*np.nonzero(weak & (values > 0)), strict=True):
            ax.add_patch(
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1,
                    1,
                    fill=False,
                    hatch="///",
                    edgecolor="#9a9a9a",
                    linewidth=0,
                )
            )
    else:
        weak = np.zeros_like(values, dtype=bool)
    if n <= 20:
        for i in range(n):
            for j in range(n):
                if not np.isfinite(values[i, j]):
                    continue
                colour = "black" if values[i, j] / vmax > 0.55 else "white"
                if weak[i, j]:
                    colour = "#a0a0a0"
                ax.text(
                    j,
                    i - 0.12,
                    f"{values[i, j]:.0%}",
                    ha="center",
                    va="center",
                    fontsize=11,
                    fontweight="bold",
                    color=colour,
                )
                interval = (
                    f"[{low.iat[i, j]:.0%}–{high.iat[i, j]:.0%}]\n" if high.iat[i, j] > 0 else ""
                )
                ax.text(
                    j,
                    i + 0.2,
                    f"{interval}any {share.iat[i, j]:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=colour,
                )
    ax.set_xticks(range(n), outlets, rotation=40, ha="right", fontsize=10)
    ax.set_yticks(range(n), outlets, fontsize=10)
    ax.set_ylabel("outlet whose sentences are counted (row)")
    ax.set_xlabel("outlet where a counterpart is found (column)")
    fig.colorbar(
        image,
        ax=ax,
        shrink=0.8,
        format=matplotlib.ticker.PercentFormatter(1.0),
        label="sentences with a verbatim or rewrite counterpart",
    )
    ax.set_title(title, fontsize=11)
    if tested:
        significant = int((~weak & np.isfinite(values)).sum())
        ax.set_xlabel(
            f"outlet where a counterpart is found (column)\n\nHatched, grey numbers: "
            f"not significant (Benjamini-Hochberg adjusted permutation "
            f"p \u2265 {SIGNIFICANCE_LEVEL:g}, or not testable);\n"
            f"{significant} of {int(np.isfinite(values).sum())} ordered outlet pairs "
            "are significant.",
            fontsize=9,
        )
    return fig


def outlet_overlap_figure(table: pd.DataFrame, *, model: str) -> Figure:
    """The heatmap of one model's ``outlet_overlap.csv``, ``model`` (its title label) in the
    title."""
    return outlet_overlap_heatmap(
        table,
        title="Share of each outlet's sentences with a verbatim or rewrite counterpart "
        f"in another outlet\nunder model {model}",
    )
