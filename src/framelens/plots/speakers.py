"""Who each outlet quotes: shares of quoted words by speaker."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from framelens.plots.common import empty_figure


def speakers_figure(shares: pd.DataFrame, *, title: str, top: int = 7) -> Figure:
    """Stacked horizontal bars: per outlet, the share of its quoted words by speaker.

    The ``top`` speakers overall get their own segment (labelled in the bar when wide
    enough), the rest are pooled as "others"; unattributed quotes are "unknown".
    """
    shares = shares.assign(speaker=shares["speaker"].fillna("unknown"))
    overall = shares.groupby("speaker")["quoted_words"].sum().sort_values(ascending=False)
    named = [s for s in overall.index if s != "unknown"][:top]
    shares = shares.assign(group=shares["speaker"].where(shares["speaker"].isin(named), "others"))
    shares.loc[shares["speaker"] == "unknown", "group"] = "unknown"
    table = shares.pivot_table(
        index="outlet", columns="group", values="quoted_words", aggfunc="sum", fill_value=0
    )
    table = table.div(table.sum(axis=1).replace(0, 1), axis=0)
    columns = [c for c in [*named, "others", "unknown"] if c in table.columns]
    table = table[columns].sort_index(ascending=False)
    fig = Figure(figsize=(10, 1.6 + 0.55 * len(table)), layout="constrained")
    ax = fig.add_subplot()
    colours = matplotlib.colormaps["cividis"](np.linspace(0.05, 0.95, max(1, len(named))))
    palette = {name: colours[i] for i, name in enumerate(named)}
    palette.update({"others": "#bdbdbd", "unknown": "#f0f0f0"})
    left = np.zeros(len(table))
    for column in columns:
        values = table[column].to_numpy()
        bars = ax.barh(
            range(len(table)),
            values,
            left=left,
            color=palette[column],
            edgecolor="white",
            label=column,
        )
        for bar, value in zip(bars, values, strict=True):
            if value >= 0.09:
                r, g, b, _ = bar.get_facecolor()
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    f"{column.split()[-1]}\n{value:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if 0.3 * r + 0.6 * g + 0.1 * b > 0.5 else "white",
                )
        left += values
    ax.set_yticks(range(len(table)), table.index, fontsize=9)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("share of the outlet's quoted words")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=10)
    return fig


def quoted_speakers_figure(shares: pd.DataFrame) -> Figure:
    """:func:`speakers_figure` of ``speakers.csv`` with its title; a figure that says so
    when no quote is attributed."""
    if not len(shares):
        return empty_figure("No attributed quotes found")
    return speakers_figure(shares, title="Who each outlet quotes: share of quoted words by speaker")
