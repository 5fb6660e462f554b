# Shared helpers: config validation (before any job), corpus check, input functions.

import os
import re
import sys
from pathlib import Path

from framelens.config import validate_config
from framelens.corpus import IngestSettings, check_corpus_source
from framelens.sources import count_articles, source_inputs
from framelens.errors import FramelensError
from framelens.steps.dag import (
    CARD_RULES,
    CARD_SHARD_RULES,
    event_shard_mem_mb,
    shard_count,
)


def fail_before_jobs(error):
    """Print a user-facing error without a traceback and stop before any job runs."""
    print(f"framelens: {error}", file=sys.stderr)
    sys.exit(1)


try:
    config.update(
        validate_config(
            config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
        )
    )
    SOURCE = check_corpus_source(
        config["corpus"], IngestSettings.from_config(config["ingest"])
    )
except FramelensError as error:
    fail_before_jobs(error)


MODELS = sorted(config["models"])
# Alignment, claims, framing and doc_pairs each run as this many jobs over blocks of whole
# events, gathered into one table each (framelens/shards.py, README "Event shards").
EVENT_SHARDS = config["event_shards"]
CACHE_DIR = os.environ.get("FRAMELENS_CACHE_DIR", ".cache/framelens")
ALIGNMENT_VIEW_RANKS = list(range(1, config["figures"]["alignment_views"] + 1))
COVERAGE_EVENT_RANKS = list(range(1, config["figures"]["coverage_events"] + 1))
# The square article x article matrix and its heatmap only for corpora small enough;
# every corpus gets doc_pairs.parquet (similarity.matrix_max_documents, config/README.md).
MAX_MATRIX = config["similarity"]["matrix_max_documents"]
FULL_MATRIX = count_articles(SOURCE, limit=MAX_MATRIX) <= MAX_MATRIX


wildcard_constraints:
    model="|".join(re.escape(m) for m in MODELS),


def corpus_inputs(wildcards):
    """Every file of the corpus, so a changed or added article reruns ingest."""
    return {"corpus": source_inputs(SOURCE)}


def model_entry(wildcards):
    """The config entry of one model (only it, so other models' changes do not rerun it)."""
    return config["models"][wildcards.model]


def paraphrase_threshold(wildcards):
    """The paraphrase cosine of one model (each model has its own scale)."""
    return config["models"][wildcards.model]["paraphrase_threshold"]


def claim_threshold(wildcards):
    """The claim similarity of one model."""
    return config["models"][wildcards.model]["claim_threshold"]


def event_threshold(wildcards):
    """The event similarity of one model."""
    return config["models"][wildcards.model]["event_threshold"]


def embedding_shards(wildcards):
    """How many embed_shard jobs embed this model (0 for a model fitted on the corpus)."""
    return shard_count(config["models"][wildcards.model], config["embedding"]["shards"])


def shard_outputs(name):
    """Input function: one output (``vectors`` or ``stats``) of every shard of a model."""

    def files(wildcards):
        return expand(
            getattr(rules.embed_shard.output, name),
            model=wildcards.model,
            shard=range(embedding_shards(wildcards)),
        )

    return files


def event_parts(rule, name):
    """Input function: output ``name`` of every event shard of ``rule`` for one model, in
    shard order."""

    def files(wildcards):
        return expand(
            getattr(getattr(rules, rule).output, name),
            model=wildcards.model,
            shard=range(EVENT_SHARDS),
        )

    return files


def shard_mem_mb(whole_mb, fixed_mb):
    """Resource function: the memory (MB) of one event-shard job, falling with
    event_shards (framelens.steps.dag.event_shard_mem_mb; profiles/slurm sets no mem_mb
    for these rules, so this is what a cluster job asks for)."""

    def mem_mb(wildcards, attempt):
        return event_shard_mem_mb(whole_mb, fixed_mb, EVENT_SHARDS, attempt)

    return mem_mb


def all_embedding_stats(wildcards):
    """Embedding summaries of every configured model."""
    return expand(rules.embed.output.stats, model=MODELS)


def stsb_input(wildcards):
    """The STS-B file a model card is scored on, when compare.stsb names one."""
    path = config["compare"]["stsb"]
    if not path:
        return {}
    return {"stsb": str(Path(path) / "sts-test.csv") if Path(path).is_dir() else path}


def model_card_benchmarks(wildcards):
    """Benchmark files (time, memory) of one model's main rules and its embed_shard jobs,
    for its model card."""
    names = [
        n if FULL_MATRIX or n != "doc_similarity" else "doc_pairs" for n in CARD_RULES
    ]
    shards = expand(
        str(rules.embed_shard.benchmark),
        model=wildcards.model,
        shard=range(embedding_shards(wildcards)),
    )
    event_shards = [
        str(getattr(rules, name).benchmark).format(model=wildcards.model, shard=shard)
        for name in CARD_SHARD_RULES
        if not FULL_MATRIX or name != "doc_pairs_shard"
        for shard in range(EVENT_SHARDS)
    ]
    return (
        [
            str(getattr(rules, name).benchmark).format(model=wildcards.model)
            for name in names
        ]
        + shards
        + event_shards
    )


def doc_similarity_tables(wildcards):
    """Every model's document similarity: the square matrices, or for corpora over
    similarity.matrix_max_documents the within-event pairs."""
    chosen = rules.doc_similarity if FULL_MATRIX else rules.doc_pairs
    return expand(chosen.output.table, model=MODELS)


def report_description(wildcards):
    """What the report's landing page starts with: the workflow's description and the
    explorer's (read here, so a change to either reruns the explorer rule)."""
    folder = Path(workflow.basedir) / "workflow" / "report"
    return "\n".join(
        (folder / name).read_text(encoding="utf-8")
        for name in ("workflow.rst", "explorer.rst")
    )


def landing_page():
    """The report's landing page: the workflow description with the run's findings once
    the explorer rule wrote them (results/findings.rst), else the description alone."""
    written = Path(rules.explorer.output.landing)
    return str(written.resolve()) if written.is_file() else "../report/workflow.rst"


def get_final_output():
    """Everything `snakemake` builds by default."""
    return [
        *rules.ingest.output,
        *expand(rules.doc_pairs.output.table, model=MODELS),
        *(
            expand(rules.doc_similarity.output.table, model=MODELS)
            if FULL_MATRIX
            else []
        ),
        *(
            expand(rules.plot_doc_similarity.output.figure, model=MODELS)
            if FULL_MATRIX
            else []
        ),
        *expand(rules.outlet_overlap.output, model=MODELS),
        *expand(rules.plot_outlet_overlap.output.figure, model=MODELS),
        *expand(rules.plot_alignment_views.output.figures, model=MODELS),
        *expand(rules.claims.output, model=MODELS),
        *expand(rules.plot_coverage.output, model=MODELS),
        *expand(rules.plot_sensitivity.output.figure, model=MODELS),
        *expand(rules.model_card.output.card, model=MODELS),
        *rules.model_agreement.output,
        rules.plot_model_agreement.output.figure,
        rules.plot_reuse_significance.output.figure,
        *expand(rules.framing.output, model=MODELS),
        *expand(rules.plot_framing.output, model=MODELS),
        rules.provenance.output.provenance,
        *rules.explorer.output,
    ]
