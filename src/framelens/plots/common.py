"""What the figures share: the model named in their titles, and the figure that says there
is nothing to draw."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure


def model_label(model_key: str, identity: dict[str, Any]) -> str:
    """How a title names a model: ``minilm (sentence-transformers/all-MiniLM-L6-v2)``, from
    its config key and the identity in its ``embedding.json``.

    >>> model_label("minilm", {"name": "x", "upstream": "sentence-transformers/all-MiniLM-L6-v2"})
    'minilm (sentence-transformers/all-MiniLM-L6-v2)'
    """
    return f"{model_key} ({identity.get('upstream') or identity.get('name')})"


def empty_figure(message: str) -> Figure:
    """A small figure that says there is nothing to show (and why)."""
    fig = Figure(figsize=(6, 1.5))
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=10)
    return fig
