"""Sensitivity of the headline numbers to the thresholds: one column per threshold,
reuse shares of the top outlet pairs above, number of claims below."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from framelens.plots.agreement import plain

NAMES = {
    "rewrite_alone": "alignment.rewrite_alone",
    "rewrite": "alignment.rewrite",
    "paraphrase": "paraphrase_threshold",
    "claim": "claim_threshold",
}


def top_pairs(data: pd.DataFrame, n: int) -> list[tuple[str, str]]:
    """The ``n`` ordered outlet pairs with the highest reuse share (then any-counterpart
    share) at the configured thresholds."""
    at_default = data[(data["offset"] == 0)]
    reuse = (
        at_default[at_default["quantity"] == "reuse_share"]
        .groupby(["outlet_a", "outlet_b"])["value"]
        .max()
    )
    share = (
        at_default[at_default["quantity"] == "share_a_in_b"]
        .groupby(["outlet_a", "outlet_b"])["value"]
        .max()
    )
    ranked = sorted(reuse.index, key=lambda p: (-reuse[p], -share.get(p, 0.0), p))
    return ranked[:n]


def sensitivity_chart(data: pd.DataFrame, *, title: str, n_pairs: int = 4) -> Figure:
    """Line charts of ``sensitivity.csv``: for each threshold (columns), the reuse share
    (solid) and any-counterpart share (dotted) of the ``n_pairs`` ordered outlet pairs
    with most reuse (top row), and the numbers of claims and of reuse pairs (bottom row),
    against the threshold's value; the configured value is the dashed vertical line."""
    thresholds = [t for t in NAMES if t in set(data["threshold"])]
    fig = Figure(figsize=(3.4 * max(len(thresholds), 1) + 2.2, 6.6), layout="constrained")
    if not thresholds:
        fig.text(0.5, 0.5, "No threshold setting could be evaluated", ha="center")
        return fig
    axes = fig.subplots(2, len(thresholds), sharey="row", squeeze=False)
    pairs = top_pairs(data, n_pairs)
    colours = matplotlib.color_sequences["tab10"]
    for col, name in enumerate(thresholds):
        part = data[data["threshold"] == name]
        default = float(part.loc[part["offset"] == 0, "threshold_value"].iloc[0])
        top, bottom = axes[0, col], axes[1, col]
        for k, (a, b) in enumerate(pairs):
            for quantity, style in (("reuse_share", "-"), ("share_a_in_b", ":")):
                line = part[
                    (part["quantity"] == quantity)
                    & (part["outlet_a"] == a)
                    & (part["outlet_b"] == b)
                ].sort_values("threshold_value")
                top.plot(
                    line["threshold_value"],
                    line["value"],
                    style,
                    marker="o",
                    markersize=3,
                    color=colours[k % len(colours)],
                    label=(
                        f"{plain(a)} \u2192 {plain(b)}"
                        if quantity == "reuse_share" and col == 0
                        else None
                    ),
                )
        for quantity, style, label in (
            ("n_claims", "-", "claims"),
            ("n_reuse_pairs", "--", "reuse pairs"),
        ):
            line = part[part["quantity"] == quantity].sort_values("threshold_value")
            bottom.plot(
                line["threshold_value"],
                line["value"],
                style,
                marker="o",
                markersize=3,
                color="black",
                label=label if col == 0 else None,
            )
        for ax in (top, bottom):
            ax.axvline(default, color="#888888", linestyle="--", linewidth=1)
            ax.grid(alpha=0.3)
        top.set_title(f"{NAMES[name]}\n(configured {default:g})", fontsize=10)
        top.yaxis.set_major_formatter(PercentFormatter(1.0))
        bottom.set_xlabel("threshold value")
    axes[0, 0].set_ylabel(
        "share of the row outlet's sentences\n(solid: reuse, dotted: any counterpart)"
    )
    axes[1, 0].set_ylabel("count")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside right upper",
        fontsize=8,
        frameon=False,
        title="ordered outlet pair\n(reused share of row outlet)",
        title_fontsize=8,
    )
    axes[1, 0].legend(fontsize=8, frameon=False)
    fig.suptitle(plain(title), fontsize=11)
    return fig


def sensitivity_figure(data: pd.DataFrame, *, model: str) -> Figure:
    """The line charts of one model's ``sensitivity.csv``, ``model`` (its title label) in
    the title."""
    return sensitivity_chart(
        data, title=f"How the headline numbers move with the thresholds\nunder model {model}"
    )
