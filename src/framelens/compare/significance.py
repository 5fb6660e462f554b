"""Is the headline reuse finding significant?

:func:`significance_table` takes the outlet pairs with the most reuse (averaged over
models, :func:`headline_pairs`) and reports each model's permutation p-values for them
(see :mod:`framelens.overlap`); :func:`significance_sentence` says in words whether the
top one holds under every neural model.
"""

from __future__ import annotations

import math

import pandas as pd

from framelens.compare.agreement import ModelOutputs
from framelens.overlap import SIGNIFICANCE_LEVEL

SIGNIFICANCE_COLUMNS = [
    "pair_rank",
    "outlet_a",
    "outlet_b",
    "model",
    "neural",
    "reuse_share",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "significant",
]


def headline_pairs(overlaps: dict[str, pd.DataFrame], n: int = 1) -> list[tuple[str, str]]:
    """The ``n`` outlet pairs (unordered, names sorted) with the most reuse: the larger
    ``reuse_share`` of their two directions, averaged over models. Pairs without any
    reuse are left out."""
    totals: dict[tuple[str, str], float] = {}
    for table in overlaps.values():
        best: dict[tuple[str, str], float] = {}
        for a, b, share in zip(
            table["outlet_a"], table["outlet_b"], table["reuse_share"], strict=True
        ):
            pair = (a, b) if a <= b else (b, a)
            best[pair] = max(best.get(pair, 0.0), float(share))
        for pair, share in best.items():
            totals[pair] = totals.get(pair, 0.0) + share
    ranked = sorted((p for p in totals if totals[p] > 0), key=lambda p: (-totals[p], p))
    return ranked[:n]


def significance_table(
    outputs: list[ModelOutputs], n_pairs: int = 3, *, alpha: float = SIGNIFICANCE_LEVEL
) -> pd.DataFrame:
    """Each model's reuse share, interval and permutation p-values for both directions
    of the ``n_pairs`` outlet pairs with the most reuse (see :func:`headline_pairs`)."""
    pairs = headline_pairs({o.key: o.overlap for o in outputs}, n_pairs)
    rows = []
    for rank, (x, y) in enumerate(pairs, start=1):
        for a, b in ((x, y), (y, x)):
            for out in outputs:
                table = out.overlap
                hit = table[(table["outlet_a"] == a) & (table["outlet_b"] == b)]
                row = hit.iloc[0] if len(hit) else None

                def get(column: str, row: pd.Series | None = row) -> float:
                    return float(row[column]) if row is not None else float("nan")

                rows.append(
                    {
                        "pair_rank": rank,
                        "outlet_a": a,
                        "outlet_b": b,
                        "model": out.key,
                        "neural": out.neural,
                        "reuse_share": get("reuse_share"),
                        "ci_low": get("ci_low"),
                        "ci_high": get("ci_high"),
                        "p_value": get("p_value"),
                        "p_adjusted": get("p_adjusted"),
                        "significant": bool(get("p_adjusted") < alpha),
                    }
                )
    return pd.DataFrame.from_records(rows, columns=SIGNIFICANCE_COLUMNS)


def format_p(p: float) -> str:
    """'p = 0.010', 'p < 0.001' or 'p n/a'."""
    if not math.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significance_sentence(table: pd.DataFrame, *, alpha: float = SIGNIFICANCE_LEVEL) -> str:
    """Whether the top reuse finding holds (both directions, BH-adjusted permutation
    p < alpha) under every neural model, in one or two plain sentences."""
    top = table[table["pair_rank"] == 1]
    if top.empty:
        return "No outlet pair shares verbatim or rewritten sentences under any model."
    x, y = top.iloc[0]["outlet_a"], top.iloc[0]["outlet_b"]
    verdict = {}
    worst = {}
    for model, part in top.groupby("model", sort=False):
        verdict[model] = bool(part["significant"].all())
        worst[model] = float(part["p_adjusted"].max())
    neural = list(dict.fromkeys(top.loc[top["neural"], "model"]))
    lexical = list(dict.fromkeys(top.loc[~top["neural"], "model"]))

    def listing(models: list[str]) -> str:
        return ", ".join(f"{m} ({format_p(worst[m])})" for m in models)

    head = f"Reuse between {x} and {y} (the outlet pair with the most reuse)"
    criterion = f"BH-adjusted permutation p < {alpha:g} in both directions"
    if not neural:
        text = f"{head}: no neural model is configured."
    elif all(verdict[m] for m in neural):
        text = f"{head} is significant under every neural model ({criterion}): {listing(neural)}."
    else:
        yes = [m for m in neural if verdict[m]]
        no = [m for m in neural if not verdict[m]]
        text = (
            f"{head} is NOT significant under every neural model ({criterion}): "
            f"not under {listing(no)}" + (f"; significant under {listing(yes)}." if yes else ".")
        )
    if lexical:
        yes = [m for m in lexical if verdict[m]]
        state = (
            "significant" if len(yes) == len(lexical) else "not significant" if not yes else "mixed"
        )
        text += f" Lexical baseline: {state} ({listing(lexical)})."
    return text
