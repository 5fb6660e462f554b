"""Side-by-side view of two articles with their aligned sentences linked."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import TypedDict

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from framelens.basics.tables import content_mask
from framelens.plots.common import empty_figure


class LineStyle(TypedDict):
    """Keyword arguments of ``Axes.plot`` that draw one relation's links."""

    color: str
    linestyle: str | tuple[int, tuple[int, int]]
    linewidth: float


# colour and line style both encode the relation, so the figure reads in greyscale
STYLE: dict[str, LineStyle] = {
    "verbatim": {"color": "#08306b", "linestyle": "-", "linewidth": 3.0},
    "rewrite": {"color": "#d95f02", "linestyle": "-", "linewidth": 2.0},
    "paraphrase": {"color": "#7f7f7f", "linestyle": (0, (4, 2)), "linewidth": 1.4},
}


def snippet(text: str, width: int = 52, lines: int = 2) -> str:
    """The start of a sentence wrapped into at most ``lines`` lines of ``width``."""
    return textwrap.fill(text, width=width, max_lines=lines, placeholder=" …")


def alignment_view(
    left: pd.DataFrame,
    right: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    left_title: str,
    right_title: str,
    title: str,
) -> Figure:
    """Two columns of sentence boxes (in article order) joined where they align.

    ``left``/``right``: a document's content sentences (``sent_id``, ``text``) in
    order; ``pairs``: alignments between them (``sent_id_a``, ``sent_id_b``,
    ``relation``) in either orientation.
    """
    rows = max(len(left), len(right), 1)
    fig = Figure(figsize=(12, 1.2 + 0.42 * rows), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(0, 12)
    ax.set_ylim(rows - 0.4, -1.2)
    ax.axis("off")
    position = {}
    linked = set(pairs["sent_id_a"]) | set(pairs["sent_id_b"])
    for x, doc, header in ((0.05, left, left_title), (7.05, right, right_title)):
        ax.text(x + 2.45, -0.9, header, ha="center", va="center", fontsize=11, fontweight="bold")
        for y, (sent_id, text) in enumerate(zip(doc["sent_id"], doc["text"], strict=True)):
            position[sent_id] = (x, y)
            shade = "#e8eef7" if sent_id in linked else "white"
            ax.add_patch(
                FancyBboxPatch(
                    (x, y - 0.36),
                    4.9,
                    0.72,
                    facecolor=shade,
                    edgecolor="#999999",
                    linewidth=0.6,
                    boxstyle="round,pad=0.0,rounding_size=0.08",
                )
            )
            ax.text(x + 0.08, y, snippet(text), va="center", ha="left", fontsize=7)
    for a, b, relation in zip(
        pairs["sent_id_a"], pairs["sent_id_b"], pairs["relation"], strict=True
    ):
        (xa, ya), (xb, yb) = position[a], position[b]
        if xa > xb:
            (xa, ya), (xb, yb) = (xb, yb), (xa, ya)
        ax.plot([xa + 4.95, xb - 0.05], [ya, yb], **STYLE[relation], alpha=0.85)
    handles = [ax.plot([], [], label=name, **style)[0] for name, style in STYLE.items()]
    # below the boxes: long article headers fill the top row
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=9)
    ax.set_title(title, fontsize=11)
    return fig


def top_document_pairs(pairs: pd.DataFrame, n: int) -> list[tuple[str, str]]:
    """Document pairs ranked by reused (verbatim + rewrite) pairs, then by all pairs, then
    by their ids. ``pairs``' id columns may be categorical (as a dictionary-encoded read
    gives them): ties are still broken by the ids' text."""
    if pairs.empty:
        return []
    scored = pairs.assign(reuse=pairs["relation"].isin(["verbatim", "rewrite"]))
    ranking = (
        scored.groupby(["doc_id_a", "doc_id_b"], observed=True)
        .agg(reuse=("reuse", "sum"), total=("reuse", "size"))
        .reset_index()
        .astype({"doc_id_a": str, "doc_id_b": str})
        .sort_values(
            ["reuse", "total", "doc_id_a", "doc_id_b"], ascending=[False, False, True, True]
        )
    )
    return list(zip(ranking["doc_id_a"], ranking["doc_id_b"], strict=True))[:n]


def alignment_views(
    sentences: pd.DataFrame, documents: pd.DataFrame, pairs: pd.DataFrame, *, n: int, model: str
) -> Iterator[Figure]:
    """The views of the ``n`` document pairs with the most reused sentences
    (:func:`top_document_pairs`), best first, one at a time; a figure that says so for a
    rank without a pair. ``sentences``, ``documents`` and ``pairs``: the corpus tables and
    one model's alignments; ``model``: its title label."""
    content = sentences[content_mask(sentences)]
    docs = documents.set_index("doc_id")
    ranking = top_document_pairs(pairs, n)
    for rank in range(n):
        if rank >= len(ranking):
            yield empty_figure(f"No aligned article pair #{rank + 1} under {model}")
            continue
        a, b = ranking[rank]
        linked = pairs[(pairs["doc_id_a"] == a) & (pairs["doc_id_b"] == b)]
        counts = linked["relation"].value_counts()
        summary = ", ".join(
            f"{counts[r]} {r}" for r in ("verbatim", "rewrite", "paraphrase") if r in counts
        )
        label_a, label_b = docs.at[a, "outlet_label"], docs.at[b, "outlet_label"]
        yield alignment_view(
            content[content["doc_id"] == a],
            content[content["doc_id"] == b],
            linked,
            left_title=f"{label_a} ({docs.at[a, 'date'] or 'no date'})",
            right_title=f"{label_b} ({docs.at[b, 'date'] or 'no date'})",
            title=f"Aligned sentences, {label_a} and {label_b}: {summary}\nunder model {model}",
        )
