"""Coverage: which outlet carries which claim of an event, and where in the article.

From the claims of each event: an outlet × claim table (present or not, the
first position as a fraction of the article, whether in the lead), the
event's shared core (claims carried by at least ``core_share`` of the outlets
covering it, and by two at least), each outlet's own claims (no other outlet
carries them) and what each outlet omits from the core; then totals per
outlet over all events.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from framelens.basics.tables import sentence_positions
from framelens.lookup import run_bounds
from framelens.schema import defaults

COVERAGE_COLUMNS = [
    "event_id",
    "claim_id",
    "outlet",
    "present",
    "first_position",
    "lead",
    "n_sentences",
    "core",
    "own",
]
OUTLET_COLUMNS = [
    "outlet",
    "n_events",
    "n_claims",
    "n_own_claims",
    "n_core_claims",
    "n_core_carried",
    "n_core_omitted",
    "core_carried_share",
    "n_core_in_lead",
]


def core_size(n_outlets: int, share: float) -> int:
    """How many outlets must carry a claim for it to be in the event's shared core."""
    return max(2, math.ceil(share * n_outlets))


def coverage_table(
    claims: pd.DataFrame,
    content: pd.DataFrame,
    outlet_of: pd.Series,
    *,
    core_share: float = defaults("coverage")["core_share"],
    lead_sentences: int = defaults("coverage")["lead_sentences"],
    rows_at_once: int = 1 << 18,
) -> pd.DataFrame:
    """One row per event, claim and outlet covering the event (present or absent), by
    event, claim and outlet.

    ``first_position`` is the earliest position of the claim in the outlet's
    articles as a fraction (0 = first sentence); ``lead`` is true when it is among
    the first ``lead_sentences`` content sentences. Worked a block of whole events at a
    time (at most about ``rows_at_once`` claim rows): every figure is per event, so the
    blocks give the table one pass would, with a block's merges held instead of all.
    """
    positions = sentence_positions(content)
    blocks = [
        _event_coverage(part, positions, outlet_of, core_share, lead_sentences)
        for part in _event_blocks(claims, rows_at_once)
    ]
    if len(blocks) == 1:
        return blocks[0]
    return pd.concat(blocks, ignore_index=True)


def _event_blocks(claims: pd.DataFrame, rows_at_once: int) -> list[pd.DataFrame]:
    """``claims`` in blocks of whole events, by event id (one block when it is small)."""
    if len(claims) <= rows_at_once:
        return [claims]
    events = claims["event_id"].astype(str).to_numpy()
    order = np.argsort(events, kind="stable")
    bounds = run_bounds(events[order]).tolist()
    blocks, lo = [], 0
    for end in bounds[1:]:
        if end - lo >= rows_at_once or end == bounds[-1]:
            blocks.append(claims.iloc[order[lo:end]])
            lo = end
    return blocks


def _event_coverage(
    claims: pd.DataFrame,
    positions: pd.DataFrame,
    outlet_of: pd.Series,
    core_share: float,
    lead_sentences: int,
) -> pd.DataFrame:
    """:func:`coverage_table` of the claims of some whole events."""
    table = claims.assign(
        outlet=claims["doc_id"].map(outlet_of),
        rank=claims["sent_id"].map(positions["rank"]),
        fraction=claims["sent_id"].map(positions["fraction"]),
    )
    table = table[table["outlet"].notna()]
    carried = (
        table.groupby(["event_id", "claim_id", "outlet"])
        .agg(
            first_position=("fraction", "min"),
            first_rank=("rank", "min"),
            n_sentences=("sent_id", "size"),
        )
        .reset_index()
    )
    # Every claim of an event against every outlet covering it, in one merge.
    outlets = table[["event_id", "outlet"]].drop_duplicates()
    n_event_outlets = outlets.groupby("event_id").size()
    per_claim = (
        table.groupby(["event_id", "claim_id"])["outlet"]
        .nunique()
        .rename("n_outlets")
        .reset_index()
    )
    grid = per_claim.merge(outlets, on="event_id").sort_values(
        ["event_id", "claim_id", "outlet"], kind="stable"
    )
    grid = grid.merge(carried, on=["event_id", "claim_id", "outlet"], how="left")
    present = grid["n_sentences"].notna().to_numpy()
    need = grid["event_id"].map(n_event_outlets.map(lambda n: core_size(int(n), core_share)))
    lead = grid["first_rank"].fillna(lead_sentences).to_numpy() < lead_sentences
    return pd.DataFrame(
        {  # ids stay in their arrays (to_numpy would make a Python string of each cell)
            "event_id": grid["event_id"].array,
            "claim_id": grid["claim_id"].array,
            "outlet": grid["outlet"].array,
            "present": present,
            "first_position": grid["first_position"].astype(float).to_numpy(),
            "lead": lead & present,
            "n_sentences": grid["n_sentences"].fillna(0).astype(int),
            "core": (grid["n_outlets"] >= need).to_numpy(),
            "own": (grid["n_outlets"] == 1).to_numpy() & present,
        },
        columns=COVERAGE_COLUMNS,
    )


def outlet_coverage(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per outlet, over the events it covers: claims carried, own claims, core claims
    carried and omitted, and core claims it puts in its lead."""
    rows = []
    for outlet, part in coverage.groupby("outlet", sort=True):
        present = part[part["present"]]
        core = part[part["core"]]
        rows.append(
            {
                "outlet": outlet,
                "n_events": part["event_id"].nunique(),
                "n_claims": len(present),
                "n_own_claims": int(part["own"].sum()),
                "n_core_claims": len(core),
                "n_core_carried": int(core["present"].sum()),
                "n_core_omitted": int((~core["present"]).sum()),
                "core_carried_share": float(core["present"].mean()) if len(core) else None,
                "n_core_in_lead": int((core["present"] & core["lead"]).sum()),
            }
        )
    return pd.DataFrame.from_records(rows, columns=OUTLET_COLUMNS)
