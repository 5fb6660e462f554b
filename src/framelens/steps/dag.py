"""What the Snakefile needs from the package to build the job graph, and nothing heavy.

``workflow/rules/common.smk`` imports from here while Snakemake parses the workflow, on
every run and dry run, so this module imports no numerical library (pandas, NumPy, SciPy,
scikit-learn, torch): ``tests/test_steps.py`` checks it. Keep it that way: a name that
the job graph needs goes here, not into a module of logic.
"""

from __future__ import annotations

from typing import Any

# The rules whose benchmark files (time, memory) each model card reports, besides the
# model's embed_shard jobs. doc_similarity stands for doc_pairs where a corpus is too
# large for the square matrix (common.smk, model_card_benchmarks).
CARD_RULES = ("embed", "doc_similarity", "events", "align", "outlet_overlap", "claims")
# The event-shard rules whose benchmark files each model card reports too, one per shard
# (config ``event_shards``); doc_pairs_shard only where doc_pairs stands for doc_similarity.
CARD_SHARD_RULES = ("align_shard", "claims_shard", "doc_pairs_shard")

# Model kinds fitted on the corpus: one job fits them on every text (no embed_shard jobs).
FITTED_KINDS = frozenset({"tfidf"})


def is_shardable(entry: dict[str, Any]) -> bool:
    """True for a model that maps each text to a vector on its own (every neural kind).

    A model fitted on the corpus (kind ``tfidf``) needs all texts at once: the gather
    job (``embed``) fits it, and it has no shard jobs.
    """
    return str(entry.get("kind", "")) not in FITTED_KINDS


def shard_count(entry: dict[str, Any], shards: int) -> int:
    """How many shard jobs embed a model: ``shards``, or 0 for a model fitted on the corpus."""
    return int(shards) if is_shardable(entry) else 0


def event_shard_mem_mb(whole_mb: int, fixed_mb: int, shards: int, attempt: int = 1) -> int:
    """Memory (MB) to request for one event-shard job: ``fixed_mb`` (what every shard
    reads whole: the event table, a column of ids, the interpreter and libraries) plus its
    share of ``whole_mb`` (what scales with its events: their sentences, vectors and
    pairs), times ``attempt`` (a retried job asks for more).

    >>> event_shard_mem_mb(9000, 1000, 1), event_shard_mem_mb(9000, 1000, 8, attempt=2)
    (10000, 4250)
    """
    if shards < 1:
        raise ValueError(f"event_shards must be >= 1, got {shards}")
    return attempt * (fixed_mb + -(-whole_mb // shards))
