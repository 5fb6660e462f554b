"""UpSet-style chart: which outlets share which claims."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure


def outlet_sets(coverage: pd.DataFrame) -> pd.Series:
    """Number of claims per exact set of outlets carrying them (largest first)."""
    present = coverage[coverage["present"]]
    sets = present.groupby("claim_id")["outlet"].agg(lambda o: tuple(sorted(o)))
    counts = sets.value_counts()
    order = sorted(counts.index, key=lambda s: (-counts[s], -len(s), s))
    return counts.reindex(order)


def claim_intersections(coverage: pd.DataFrame, *, title: str, max_sets: int = 20) -> Figure:
    """Bars: claims carried by exactly this set of outlets; dots below: the set."""
    counts = outlet_sets(coverage).iloc[:max_sets]
    outlets = sorted(coverage["outlet"].unique())
    totals = coverage[coverage["present"]].groupby("outlet").size().reindex(outlets).fillna(0)
    width = min(3.5 + 0.42 * len(counts), 20)
    fig = Figure(figsize=(width + 2.5, 2.8 + 0.3 * len(outlets)), layout="constrained")
    grid = fig.add_gridspec(
        2,
        2,
        height_ratios=[2.2, max(1.0, 0.3 * len(outlets))],
        width_ratios=[1.1, max(2.0, 0.42 * len(counts))],
    )
    bars = fig.add_subplot(grid[0, 1])
    dots = fig.add_subplot(grid[1, 1], sharex=bars)
    sizes = fig.add_subplot(grid[1, 0], sharey=dots)
    x = range(len(counts))
    bars.bar(x, counts.to_numpy(), color="#4d4d4d")
    for i, value in enumerate(counts):
        bars.text(i, value, str(value), ha="center", va="bottom", fontsize=8)
    bars.set_ylabel("claims")
    bars.spines[["top", "right"]].set_visible(False)
    bars.tick_params(axis="x", bottom=False, labelbottom=False)
    for i, members in enumerate(counts.index):
        ys = [outlets.index(o) for o in members]
        dots.scatter([i] * len(outlets), range(len(outlets)), color="#dddddd", s=40)
        dots.scatter([i] * len(ys), ys, color="black", s=40, zorder=3)
        if len(ys) > 1:
            dots.plot([i, i], [min(ys), max(ys)], color="black", linewidth=1.5)
    dots.set_yticks(range(len(outlets)), outlets, fontsize=9)
    dots.set_ylim(len(outlets) - 0.5, -0.5)
    dots.tick_params(axis="x", bottom=False, labelbottom=False)
    dots.tick_params(axis="y", left=False, labelleft=False)
    for spine in dots.spines.values():
        spine.set_visible(False)
    sizes.barh(range(len(outlets)), totals.to_numpy(), color="#8c8c8c")
    sizes.invert_xaxis()
    sizes.set_xlabel("claims carried", fontsize=8)
    sizes.yaxis.tick_right()
    sizes.set_yticks(range(len(outlets)), outlets, fontsize=9)
    sizes.spines[["top", "left"]].set_visible(False)
    fig.suptitle(title, fontsize=10)
    return fig
