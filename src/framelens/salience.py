"""Salience: where in each article a claim appears, and how much of the article it fills.

Framing is selection and salience (Entman 1993): beyond which claims an outlet
carries, what it puts first. For every claim an outlet carries, its position
class (``first``: the article's first content sentence; ``lead``: among the
first ``lead_sentences``; ``later``), its first position as a fraction of the
article and its share of the article's content sentences.
"""

from __future__ import annotations

import pandas as pd

from framelens.basics.tables import sentence_positions
from framelens.lookup import index_in, map_values
from framelens.schema import defaults

SALIENCE_COLUMNS = [
    "event_id",
    "claim_id",
    "outlet",
    "doc_id",
    "position",
    "first_position",
    "article_share",
    "n_sentences",
    "representative",
]


def position_class(rank: int, lead_sentences: int) -> str:
    """``first``, ``lead`` or ``later`` for a 0-based content-sentence rank."""
    if rank == 0:
        return "first"
    return "lead" if rank < lead_sentences else "later"


def _by_position(column: pd.Series) -> pd.Series:
    """``column`` indexed by row number instead of its labels."""
    return pd.Series(column.array, index=pd.RangeIndex(len(column)))


def salience_table(
    claims: pd.DataFrame,
    content: pd.DataFrame,
    summary: pd.DataFrame,
    outlet_of: pd.Series,
    *,
    lead_sentences: int = defaults("coverage")["lead_sentences"],
) -> pd.DataFrame:
    """One row per claim and article carrying it (see the module docstring)."""
    positions = sentence_positions(content[["sent_id", "doc_id", "position"]])  # not the text
    sizes = content.groupby("doc_id").size()
    at = pd.Series(index_in(claims["sent_id"], positions.index), index=claims.index)
    table = claims.assign(
        rank=map_values(at, _by_position(positions["rank"])),
        fraction=map_values(at, _by_position(positions["fraction"])),
    )
    grouped = (
        table.groupby(["event_id", "claim_id", "doc_id"])
        .agg(
            rank=("rank", "min"),
            first_position=("fraction", "min"),
            n_sentences=("sent_id", "size"),
        )
        .reset_index()
    )
    del table
    # sorted before the text columns are added, so they are built once, in order
    grouped = grouped.sort_values(["event_id", "doc_id", "rank", "claim_id"]).reset_index(drop=True)
    grouped["outlet"] = map_values(grouped["doc_id"], outlet_of)
    grouped["position"] = [position_class(int(r), lead_sentences) for r in grouped["rank"]]
    grouped["article_share"] = grouped["n_sentences"] / map_values(grouped["doc_id"], sizes)
    grouped["representative"] = map_values(
        grouped["claim_id"], summary.set_index("claim_id")["representative"]
    )
    return grouped[SALIENCE_COLUMNS]


def lead_claims(salience: pd.DataFrame) -> pd.DataFrame:
    """The claims each article opens with (position ``first`` or ``lead``), in order."""
    leads = salience[salience["position"].isin(["first", "lead"])]
    return leads.sort_values(["event_id", "outlet", "doc_id", "first_position"])
