"""Words that distinguish each outlet: small multiples of z-scores."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure

from framelens.plots.common import empty_figure


def vocabulary_figure(terms: pd.DataFrame, *, title: str, top: int = 10) -> Figure:
    """One panel per outlet: its ``top`` most distinctive terms by z-score (weighted
    log-odds with an informative Dirichlet prior). Bars beyond |z| = 1.96 are dark."""
    outlets = sorted(terms["outlet"].unique())
    cols = min(3, max(1, len(outlets)))
    rows = max(1, math.ceil(len(outlets) / cols))
    fig = Figure(figsize=(4.2 * cols, 0.35 * top * rows + 1.2), layout="constrained")
    for index, outlet in enumerate(outlets):
        ax = fig.add_subplot(rows, cols, index + 1)
        part = terms[terms["outlet"] == outlet].sort_values("z", ascending=False).head(top)
        part = part.iloc[::-1]
        colours = ["#2b2b2b" if abs(z) >= 1.96 else "#a6a6a6" for z in part["z"]]
        ax.barh(range(len(part)), part["z"], color=colours)
        ax.set_yticks(range(len(part)), part["term"], fontsize=8)
        ax.axvline(1.96, color="#555555", linewidth=0.6, linestyle=":")
        ax.set_title(outlet, fontsize=9)
        ax.set_xlabel("z", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(title, fontsize=10)
    return fig


def distinctive_words_figure(terms: pd.DataFrame) -> Figure:
    """:func:`vocabulary_figure` of ``vocabulary.csv`` with its title; a figure that says
    so when there was too little text to compare."""
    if not len(terms):
        return empty_figure("Too little text to compare vocabulary")
    return vocabulary_figure(
        terms,
        title="Words and phrases that distinguish each outlet "
        "from the others on the same events (z-scores)",
    )
