"""The tables the explorer reads, loaded once and checked: a missing file or column is a
:class:`~framelens.errors.FramelensError` that names the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from framelens.errors import FramelensError

#: Columns the explorer needs, per table (more may be there).
REQUIRED: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "outlet", "outlet_label", "title", "date"),
    "sentences": (
        "sent_id",
        "doc_id",
        "position",
        "paragraph",
        "text",
        "heading",
        "duplicate_of",
        "boilerplate",
        "boilerplate_reason",
    ),
    "alignments": (
        "sent_id_a",
        "sent_id_b",
        "doc_id_a",
        "doc_id_b",
        "semantic",
        "lexical",
        "sequence",
        "relation",
    ),
    "overlap": (
        "outlet_a",
        "outlet_b",
        "share_a_in_b",
        "reuse_share",
        "ci_low",
        "ci_high",
        "share_ci_low",
        "share_ci_high",
        "p_adjusted",
    ),
    "events": ("doc_id", "event_id"),
    "claims": ("sent_id", "doc_id", "event_id", "claim_id"),
    "summary": ("claim_id", "event_id", "label", "representative", "n_outlets"),
    "coverage": ("event_id", "claim_id", "outlet", "present", "lead", "core", "own"),
    "outlet_coverage": ("outlet", "n_core_omitted", "n_own_claims", "n_core_claims"),
    "quotes": ("doc_id", "sent_ids", "quote", "kind", "speaker"),
    "disputed": ("group", "kind", "unit", "values", "spread", "sent_ids", "texts"),
}

#: Columns the explorer shows when a table has them.
OPTIONAL: dict[str, tuple[str, ...]] = {"alignments": ("matched_from", "source_doc_id")}

#: Table name -> the file name a model folder holds it under.
MODEL_FILES = {
    "alignments": "alignments.parquet",
    "overlap": "outlet_overlap.csv",
    "events": "events.csv",
    "claims": "claims.parquet",
    "summary": "claims_summary.csv",
    "coverage": "coverage.csv",
    "outlet_coverage": "outlet_coverage.csv",
    "quotes": "quotes.csv",
    "disputed": "disputed_facts.csv",
}


def read_table(kind: str, path: str | Path) -> pd.DataFrame:
    """Read the columns the explorer uses of one table (Parquet or CSV, ids as strings:
    :data:`REQUIRED` and :data:`OPTIONAL`) and check that the required ones are there.

    >>> read_table("events", "results/minilm/events.csv")  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise FramelensError(f"{path}: not found; the explorer needs it (rerun the workflow)")
    wanted = {*REQUIRED[kind], *OPTIONAL.get(kind, ())}
    try:
        if path.suffix == ".parquet":
            present = pq.read_schema(path).names
            table = pd.read_parquet(path, columns=[c for c in present if c in wanted])
        else:
            table = pd.read_csv(
                path,
                usecols=lambda column: column in wanted,
                dtype={c: str for c in _string_columns(kind)},
            )
    except (OSError, ValueError) as error:
        raise FramelensError(f"{path}: cannot be read ({error})") from error
    missing = [c for c in REQUIRED[kind] if c not in table.columns]
    if missing:
        raise FramelensError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def _string_columns(kind: str) -> list[str]:
    """Columns read as text from a CSV (ids and names: never parsed as numbers)."""
    numeric = {
        "share_a_in_b",
        "reuse_share",
        "ci_low",
        "ci_high",
        "share_ci_low",
        "share_ci_high",
        "p_adjusted",
        "n_outlets",
        "spread",
        "n_core_omitted",
        "n_own_claims",
        "n_core_claims",
        "present",
        "lead",
        "core",
        "own",
    }
    return [c for c in REQUIRED[kind] if c not in numeric]


@dataclass(frozen=True)
class ModelTables:
    """One model's tables (``results/<model>/``)."""

    name: str
    alignments: pd.DataFrame
    overlap: pd.DataFrame
    events: pd.DataFrame
    claims: pd.DataFrame
    summary: pd.DataFrame
    coverage: pd.DataFrame
    outlet_coverage: pd.DataFrame
    quotes: pd.DataFrame
    disputed: pd.DataFrame


@dataclass(frozen=True)
class RunTables:
    """Every table of a run the explorer shows: the corpus and each model's."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    models: dict[str, ModelTables]


def read_model(name: str, paths: dict[str, str]) -> ModelTables:
    """One model's tables from ``paths`` (keys as :data:`MODEL_FILES`)."""
    missing = sorted(set(MODEL_FILES) - set(paths))
    if missing:
        raise FramelensError(f"model {name!r}: no path given for {', '.join(missing)}")
    tables = {kind: read_table(kind, paths[kind]) for kind in MODEL_FILES}
    return ModelTables(name=name, **tables)


def read_run(
    *,
    documents: str,
    sentences: str,
    models: dict[str, dict[str, str]],
) -> RunTables:
    """All tables of a run (``models``: model name -> table kind -> path)."""
    if not models:
        raise FramelensError("the explorer needs at least one model's results")
    return RunTables(
        documents=read_table("documents", documents),
        sentences=read_table("sentences", sentences),
        models={name: read_model(name, models[name]) for name in sorted(models)},
    )


def model_paths(folder: str | Path) -> dict[str, str]:
    """Where a model folder (``results/<model>``) holds each table the explorer reads."""
    return {kind: str(Path(folder) / name) for kind, name in MODEL_FILES.items()}
