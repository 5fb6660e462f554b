"""Stage compare (``workflow/rules/compare.smk``): per model, how the headline numbers
move with the thresholds and the model card; across models, how far they agree and how
firm the top reuse finding is; and their figures. The measures are in
:mod:`framelens.compare`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from framelens.compare import (
    ModelOutputs,
    agreement_table,
    read_sts,
    read_table,
    sensitivity_table,
    significance_sentence,
    significance_table,
    stsb_spearman,
)
from framelens.compare import model_card as build_card
from framelens.io import write_csv, write_json
from framelens.settings import Thresholds
from framelens.steps._common import (
    read_identity,
    read_vector_file_for,
    save_figure,
)

log = logging.getLogger("framelens")


def sensitivity(
    *,
    sentences: str,
    documents: str,
    vectors: str,
    events: str,
    thresholds: Thresholds,
    candidates: int,
    claim_threshold: float,
    offsets: list[float],
    max_sentences: int | None,
    random_state: int,
    table: str,
) -> None:
    """How reuse shares and claim counts move with the thresholds, under one model
    (``thresholds``: the configured alignment with the model's paraphrase cosine)."""
    sents, matrix = read_vector_file_for(sentences, vectors)
    result = sensitivity_table(
        matrix,
        sents,
        pd.read_parquet(documents),
        pd.read_csv(events, dtype=str),
        thresholds=thresholds,
        candidates=candidates,
        claim_threshold=claim_threshold,
        offsets=offsets,
        max_sentences=max_sentences,
        random_state=random_state,
    )
    write_csv(result, table)
    log.info("sensitivity: %d settings", result[["threshold", "offset"]].drop_duplicates().shape[0])


def plot_sensitivity(*, table: str, embedding: str, model_key: str, figure: str) -> None:
    """The sensitivity table of one model as line charts."""
    from framelens.plots.common import model_label
    from framelens.plots.sensitivity import sensitivity_figure

    save_figure(
        sensitivity_figure(
            read_table(table), model=model_label(model_key, read_identity(embedding))
        ),
        figure,
    )


def model_card(
    *,
    embedding: str,
    benchmarks: list[str],
    stsb: str | None,
    model_key: str,
    model_entry: dict[str, Any],
    device: str,
    cache_dir: str | None,
    card: str,
) -> None:
    """Write one model's card; measure STS-B Spearman when ``stsb`` names a file."""
    stats = json.loads(Path(embedding).read_text(encoding="utf-8"))
    rules: dict[str, list[str]] = {}
    for path in benchmarks:  # results/benchmarks/<rule>/<model>[-<shard>].tsv
        rules.setdefault(Path(path).parent.name, []).append(path)
    stsb_result = None
    if stsb:
        from framelens.embed import EmbeddingCache, fingerprint
        from framelens.models import ModelSpec, load_encoder

        pairs = read_sts(stsb)
        encoder = load_encoder(ModelSpec.from_config(model_key, model_entry), device=device)
        cache = EmbeddingCache(cache_dir, fingerprint(encoder.identity())) if cache_dir else None
        stsb_result = {
            "spearman": round(stsb_spearman(encoder, pairs, cache), 4),
            "n_pairs": len(pairs),
            "file": Path(stsb).name,
        }
        log.info(
            "STS-B Spearman of %s: %.4f over %d pairs",
            model_key,
            stsb_result["spearman"],
            len(pairs),
        )
    thresholds = {
        k: model_entry.get(k)
        for k in ("paraphrase_threshold", "claim_threshold", "event_threshold")
    }
    write_json(build_card(model_key, stats, rules, thresholds, stsb_result), card)


def model_agreement(
    *,
    models: list[str],
    embeddings: list[str],
    doc_similarity: list[str],
    claims: list[str],
    alignments: list[str],
    overlaps: list[str],
    agreement: str,
    significance: str,
) -> None:
    """Agreement between every pair of models, and the top reuse finding's p-values (the
    input lists given in the order of ``models``)."""
    outputs = [
        ModelOutputs.read(key, embedding=e, doc_similarity=d, claims=c, alignments=a, overlap=o)
        for key, e, d, c, a, o in zip(
            models, embeddings, doc_similarity, claims, alignments, overlaps, strict=True
        )
    ]
    table = agreement_table(outputs)
    write_csv(table, agreement)
    sig = significance_table(outputs)
    write_csv(sig, significance)
    log.info("%d model pairs compared; %s", len(table), significance_sentence(sig))


def plot_model_agreement(*, agreement: str, models: list[str], figure: str) -> None:
    """Heatmaps of the four agreement measures, model × model."""
    from framelens.plots.agreement import agreement_heatmaps

    save_figure(agreement_heatmaps(read_table(agreement), models), figure)


def plot_reuse_significance(*, significance: str, figure: str) -> None:
    """The top reuse pairs' adjusted p-values per model, with the verdict in words."""
    from framelens.plots.agreement import significance_chart

    table = read_table(significance)
    save_figure(significance_chart(table, significance_sentence(table)), figure)
