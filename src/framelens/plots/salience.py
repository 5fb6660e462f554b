"""What each outlet puts first: the claims in each article's lead, per event."""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from framelens.claims import shorten
from framelens.plots.common import empty_figure


def lead_figure(salience: pd.DataFrame, shared: pd.Series, *, title: str, slots: int = 3) -> Figure:
    """One row per article of an event: its first ``slots`` claims as boxes, left to right.

    ``shared`` maps claim_id to how many outlets carry it; a box is dark when the
    claim is shared (its outlet count is written in it) and white when only this
    outlet has it, so framing choices in the lead stand out.
    """
    articles = salience[["outlet", "doc_id"]].drop_duplicates().sort_values(["outlet", "doc_id"])
    fig = Figure(figsize=(3.1 * slots + 2.6, 0.9 + 0.85 * len(articles)), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(0, slots)
    ax.set_ylim(len(articles) - 0.5, -0.8)
    ax.axis("off")
    for y, (outlet, doc_id) in enumerate(articles.itertuples(index=False)):
        ax.text(-0.05, y, outlet, ha="right", va="center", fontsize=9, fontweight="bold")
        rows = salience[salience["doc_id"] == doc_id].sort_values("first_position")
        for x, row in enumerate(rows.head(slots).itertuples(index=False)):
            n = int(shared.get(row.claim_id, 1))
            dark = n >= 2
            ax.add_patch(
                FancyBboxPatch(
                    (x + 0.03, y - 0.38),
                    0.94,
                    0.76,
                    boxstyle="round,pad=0,rounding_size=0.04",
                    facecolor="#3a3a3a" if dark else "white",
                    edgecolor="#3a3a3a",
                    linewidth=0.8,
                )
            )
            label = textwrap.fill(
                shorten(row.representative, 80), 38, max_lines=2, placeholder=" …"
            )
            tag = f"{n} outlets" if dark else "only here"
            ax.text(
                x + 0.06,
                y - 0.02,
                label,
                ha="left",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
            ax.text(
                x + 0.94,
                y + 0.3,
                tag,
                ha="right",
                va="center",
                fontsize=6.5,
                color="white" if dark else "#555555",
            )
    for x in range(slots):
        ax.text(
            x + 0.5,
            -0.62,
            ("1st", "2nd", "3rd")[x] if x < 3 else f"{x + 1}th",
            ha="center",
            fontsize=9,
        )
    ax.set_title(title, fontsize=10)
    return fig


def event_leads_figure(salience: pd.DataFrame, summary: pd.DataFrame, *, model: str) -> Figure:
    """:func:`lead_figure` of the event with the most outlets in one model's
    ``salience.csv`` (the first such event in table order), shared claims told from
    ``claims_summary.csv``; a figure that says so when there are no claims. ``model``: the
    model's title label."""
    if salience.empty:
        return empty_figure(f"No claims under {model}")
    event_id = (
        salience.groupby("event_id")["outlet"]
        .nunique()
        .sort_values(ascending=False, kind="stable")
        .index[0]
    )
    return lead_figure(
        salience[salience["event_id"] == event_id],
        summary.set_index("claim_id")["n_outlets"],
        title=f"What each outlet puts first: event {event_id}\n"
        f"claims in order; dark = shared with other outlets; "
        f"under model {model}",
    )
