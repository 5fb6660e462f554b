"""Coverage matrix: claims (rows, most shared first) × outlets (columns)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from framelens.claims import shorten
from framelens.plots.claim_intersections import claim_intersections
from framelens.plots.common import empty_figure


def coverage_matrix(
    coverage: pd.DataFrame, summary: pd.DataFrame, *, title: str, max_rows: int = 40
) -> Figure:
    """Marks where each outlet carries each shared claim of one event.

    ``coverage`` rows of one event (claim_id, outlet, present, lead);
    ``summary`` the claims summary (claim_id, representative, n_outlets). Claims
    carried by two or more outlets are rows, most shared first (at most
    ``max_rows``); a last row counts each outlet's own claims. A black square is
    a claim in the article's lead, a grey circle elsewhere, nothing: omitted.
    """
    info = summary.set_index("claim_id")
    shared = info[info["n_outlets"] >= 2].sort_values(
        ["n_outlets", "n_sentences"], ascending=False, kind="stable"
    )
    hidden = max(0, len(shared) - max_rows)
    shared = shared.iloc[:max_rows]
    outlets = sorted(coverage["outlet"].unique())
    cells = coverage.set_index(["claim_id", "outlet"])
    rows = len(shared) + 1
    fig = Figure(
        figsize=(min(4.5 + 0.42 * len(outlets), 22) + 3, 1.8 + 0.32 * rows), layout="constrained"
    )
    ax = fig.add_subplot()
    for y, claim_id in enumerate(shared.index):
        for x, outlet in enumerate(outlets):
            if (claim_id, outlet) not in cells.index:
                continue
            cell = cells.loc[(claim_id, outlet)]
            if cell["present"]:
                lead = bool(cell["lead"])
                ax.scatter(
                    x,
                    y,
                    marker="s" if lead else "o",
                    s=90 if lead else 70,
                    color="black" if lead else "#8c8c8c",
                    zorder=3,
                )
    own = coverage[coverage["own"]].groupby("outlet").size()
    for x, outlet in enumerate(outlets):
        ax.text(
            x,
            rows - 1,
            str(int(own.get(outlet, 0))),
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
        )
    labels = [
        f"{shorten(text, 62)} ({n})"
        for text, n in zip(shared["representative"], shared["n_outlets"], strict=True)
    ]
    labels.append("own claims (only this outlet)")
    ax.set_yticks(range(rows), labels, fontsize=8)
    ax.set_xticks(range(len(outlets)), outlets, rotation=40, ha="right", fontsize=9)
    ax.set_xlim(-0.6, len(outlets) - 0.4)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xticks(np.arange(-0.5, len(outlets)), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="#e0e0e0", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.axhline(rows - 1.5, color="#555555", linewidth=1)
    ax.scatter([], [], marker="s", color="black", label="in the lead")
    ax.scatter([], [], marker="o", color="#8c8c8c", label="later in the article")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    note = f" ({hidden} more shared claims not shown)" if hidden else ""
    ax.set_title(title + note, fontsize=10)
    return fig


def top_events(coverage: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` events of ``coverage.csv`` with the most outlets (ties: event id)."""
    ranking = (
        coverage.groupby("event_id")["outlet"]
        .nunique()
        .reset_index()
        .sort_values(["outlet", "event_id"], ascending=[False, True])["event_id"]
    )
    return ranking.tolist()[:n]


def coverage_figures(
    coverage: pd.DataFrame, summary: pd.DataFrame, *, n: int, model: str
) -> Iterator[tuple[Figure, Figure]]:
    """For each of the ``n`` events with the most outlets (:func:`top_events`), best first:
    its coverage matrix and its claim-intersection chart; two figures that say so for a
    rank without an event. ``coverage`` and ``summary``: one model's ``coverage.csv`` and
    ``claims_summary.csv``; ``model``: its title label."""
    ranking = top_events(coverage, n)
    for rank in range(n):
        if rank >= len(ranking):
            yield (
                empty_figure(f"No event #{rank + 1} under {model}"),
                empty_figure(f"No event #{rank + 1} under {model}"),
            )
            continue
        event_id = ranking[rank]
        part = coverage[coverage["event_id"] == event_id]
        n_outlets = part["outlet"].nunique()
        yield (
            coverage_matrix(
                part,
                summary[summary["event_id"] == event_id],
                title=f"Which outlet carries which claim: event {event_id} ({n_outlets} "
                f"outlets)\nunder model {model}; (n) = outlets carrying it",
            ),
            claim_intersections(
                part,
                title=f"Claims shared by exactly these outlets: event {event_id}\n"
                f"under model {model}",
            ),
        )
