"""Clustered heatmap of document similarity, labelled with outlet names."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform


def cluster_order(similarity: np.ndarray) -> np.ndarray:
    """Leaf order of average-linkage clustering on 1 - symmetrised similarity.

    NaN (documents with no content) is treated as no similarity. Deterministic.
    """
    n = similarity.shape[0]
    if n < 3:
        return np.arange(n)
    sym = np.nan_to_num((similarity + similarity.T) / 2, nan=0.0)
    distance = np.clip(1.0 - sym, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    return leaves_list(linkage(squareform(distance, checks=False), method="average"))


def similarity_heatmap(
    table: pd.DataFrame,
    labels: dict[str, str],
    *,
    title: str,
    directional: bool,
    annotate_max: int = 25,
) -> Figure:
    """Heatmap of a doc × doc similarity table, rows and columns in cluster order.

    ``labels`` maps doc_id to the name shown (outlet names, not file ids).
    Values are written in the cells when there are at most ``annotate_max``
    documents. The diagonal (an article with itself) is left blank so the colour
    scale spans the off-diagonal values; the map is the perceptually uniform,
    greyscale-safe ``cividis``.
    """
    matrix = table.to_numpy(dtype=float)
    order = cluster_order(matrix)
    matrix = matrix[np.ix_(order, order)]
    names = [labels.get(d, d) for d in table.index[order]]
    n = len(names)
    side = min(max(4.5, 0.55 * n + 2.5), 24)
    fig = Figure(figsize=(side + 1.2, side), layout="constrained")
    ax = fig.add_subplot()
    off_diagonal = np.where(np.eye(n, dtype=bool), np.nan, matrix)
    finite = off_diagonal[np.isfinite(off_diagonal)]
    vmin = float(np.floor(finite.min() * 20) / 20) if finite.size else 0.0
    vmax = float(np.ceil(finite.max() * 20) / 20) if finite.size else 1.0
    cmap = matplotlib.colormaps["cividis"].with_extremes(bad="#eeeeee")
    image = ax.imshow(np.ma.masked_invalid(off_diagonal), cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(n), names, rotation=40, ha="right", fontsize=10)
    ax.set_yticks(range(n), names, fontsize=10)
    if directional:
        ax.set_ylabel("article whose sentences are matched (row)")
        ax.set_xlabel("article searched for the best match (column)")
    if n <= annotate_max:
        for i in range(n):
            for j in range(n):
                value = off_diagonal[i, j]
                if np.isfinite(value):
                    shade = (value - vmin) / max(1e-9, vmax - vmin)
                    ax.text(
                        j,
                        i,
                        f"{value:.2f}",
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="black" if shade > 0.55 else "white",
                    )
    fig.colorbar(image, ax=ax, shrink=0.8, label="similarity")
    ax.set_title(title, fontsize=11)
    return fig


# what each document method (config similarity.doc_method) measures, as a title says it
DOC_METHOD_TITLES = {
    "story": "Same-story similarity (lead-weighted model, names, words)",
    "best_match": "Document similarity, best-match sentence similarity",
    "mean_vector": "Document similarity, cosine of mean sentence vectors",
}


def doc_similarity_figure(
    table: pd.DataFrame, documents: pd.DataFrame, *, method: str, model: str
) -> Figure:
    """The heatmap of one model's ``doc_similarity.csv``: outlet names (``documents``'
    ``outlet_label``) on the axes, the document method and ``model`` (its title label) in
    the title; directional for ``best_match``."""
    labels = dict(zip(documents["doc_id"], documents["outlet_label"], strict=True))
    return similarity_heatmap(
        table,
        labels,
        directional=method == "best_match",
        title=f"{DOC_METHOD_TITLES[method]}\nunder model {model}",
    )
