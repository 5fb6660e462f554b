"""Workflow steps: read a step's inputs, call the package, write its outputs.

Each function here is what one Snakemake rule runs (through a ~10-line script
in ``workflow/scripts/``), and can be called directly from Python or tests.
:func:`run_logged` gives every step the same logging and error handling: a
:class:`FramelensError` becomes one clear message and a non-zero exit.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framelens.align import Thresholds, align_corpus
from framelens.corpus import IngestSettings, ingest_to_files
from framelens.embed import (
    EmbeddingCache,
    EmbeddingPlan,
    EmbeddingStats,
    content_mask,
    embed_shard,
    embed_texts,
    fingerprint,
    gather_shards,
    is_shardable,
    limit_threads,
    load_shard,
    load_vectors,
    save_shard,
    save_vectors,
    summarise_shards,
)
from framelens.errors import FramelensError
from framelens.io import write_csv, write_json, write_parquet
from framelens.models import ModelSpec, load_encoder
from framelens.provenance import build_provenance
from framelens.similarity import (
    DocMethod,
    StorySettings,
    doc_pairs_within_events,
    doc_similarity,
)

log = logging.getLogger("framelens")


def run_logged(log_path: str | None, step: Callable[..., Any], **kwargs: Any) -> None:
    """Run ``step(**kwargs)`` with logging to ``log_path`` and stderr.

    A FramelensError is logged as one message (no traceback) and exits with 1.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        step(**kwargs)
    except FramelensError as error:
        log.error("%s", error)
        sys.exit(1)


def ingest_step(corpus: str | dict[str, Any], documents: str, sentences: str, report: str,
                ingest: dict[str, Any]) -> None:
    """Ingest a corpus (any format) into the documents and sentences tables and the report,
    streaming the sentences to disk."""
    result = ingest_to_files(corpus, IngestSettings.from_config(ingest), documents=documents,
                             sentences=sentences)
    write_json(result, report)
    log.info("ingested %d documents, %d sentences (%d boilerplate, %d repeats); "
             "%d documents without a content sentence", result["n_files"],
             result["n_sentences"], result["n_boilerplate"], result["n_duplicates"],
             result["n_no_content"])


def embed_shard_step(sentences: str, model_key: str, model_entry: dict[str, Any], device: str,
                     cache_dir: str | None, shard: int, n_shards: int, threads: int | None,
                     vectors: str, stats: str) -> None:
    """Embed one shard of a model's unique texts (:class:`EmbeddingPlan`); write its
    vectors and a summary. The model is loaded once, and not at all for an empty shard."""
    if not is_shardable(model_entry):
        raise FramelensError(f"models.{model_key}: kind {model_entry.get('kind')!r} is fitted "
                             "on the whole corpus; it is embedded by the embed rule, not in "
                             "shards")
    texts = pd.read_parquet(sentences, columns=["text"])["text"].tolist()
    spec = ModelSpec.from_config(model_key, model_entry)
    plan = EmbeddingPlan.build(texts, spec.batch_size, n_shards)
    record: dict[str, Any] = {"shard": shard, "n_shards": n_shards,
                              "keys_sha256": plan.digest(shard)}
    if not len(plan.rows(shard)):
        log.info("shard %d of %d: no texts (%d batches of %d in the corpus)", shard, n_shards,
                 plan.n_batches, plan.batch_size)
        save_shard(vectors, np.zeros((0, 0), dtype=np.float32), record["keys_sha256"])
        write_json({**record, "identity": None, "fingerprint": None, "device": None,
                    "load_seconds": 0.0, **EmbeddingStats(0, 0, 0, 0, 0, 0.0).as_dict()}, stats)
        return
    started = time.perf_counter()
    encoder = load_encoder(spec, device=device)
    identity = encoder.identity()  # loads the model
    limit_threads(threads)
    load_seconds = time.perf_counter() - started
    cache = EmbeddingCache(cache_dir, fingerprint(identity)) if cache_dir else None
    log.info("model %s: %s (loaded in %.1f s)", model_key,
             json.dumps(identity, sort_keys=True, default=str), load_seconds)
    log.info("shard %d of %d: %d of %d unique texts", shard, n_shards, len(plan.rows(shard)),
             len(plan.texts))
    matrix, summary = embed_shard(plan, shard, encoder, cache, show_progress=True)
    save_shard(vectors, matrix, record["keys_sha256"])
    write_json({**record, "identity": identity, "fingerprint": fingerprint(identity),
                "device": getattr(encoder, "device", "cpu"), "load_seconds": load_seconds,
                **summary.as_dict()}, stats)
    log.info("embedded %d sentences (%d unique, %d from cache, %d encoded, %d truncated) "
             "in %.1f s", summary.n_sentences, summary.n_unique, summary.n_cached,
             summary.n_encoded, summary.n_truncated, summary.seconds)


def embed_step(sentences: str, model_key: str, model_entry: dict[str, Any], device: str,
               shard_vectors: list[str], shard_stats: list[str], vectors: str,
               stats: str) -> None:
    """All sentence vectors of one model and a summary with its identity: put together
    from the shard jobs, or, for a model fitted on the corpus (TF-IDF), computed here."""
    table = pd.read_parquet(sentences, columns=["sent_id", "text"])
    texts = table["text"].tolist()
    spec = ModelSpec.from_config(model_key, model_entry)
    if not is_shardable(model_entry):
        encoder = load_encoder(spec, device=device)
        identity = encoder.identity()
        log.info("model %s: %s", model_key, json.dumps(identity, sort_keys=True, default=str))
        matrix, summary = embed_texts(texts, encoder, None, show_progress=True)
        save_vectors(vectors, table["sent_id"].tolist(), matrix)
        write_json({"identity": identity, "device": getattr(encoder, "device", "cpu"),
                    "fingerprint": fingerprint(identity), "shards": 0,
                    **summary.as_dict()}, stats)
        log.info("embedded %d sentences (%d unique) in %.1f s", summary.n_sentences,
                 summary.n_unique, summary.seconds)
        return
    plan = EmbeddingPlan.build(texts, spec.batch_size, len(shard_vectors))
    records = [json.loads(Path(p).read_text(encoding="utf-8")) for p in shard_stats]
    parts = (load_shard(p, plan.digest(i)) for i, p in enumerate(shard_vectors))
    matrix = gather_shards(plan, parts)[plan.sentence_rows(texts)]
    summary = summarise_shards(records, len(texts))
    identities = {r["fingerprint"]: r["identity"] for r in records if r.get("identity")}
    if len(identities) > 1:
        raise FramelensError(f"the shards of {model_key} were embedded by different models "
                             f"(fingerprints {sorted(identities)}); rerun embed_shard")
    if identities:
        identity = next(iter(identities.values()))
    else:  # no sentences at all: ask the model who it is
        identity = load_encoder(spec, device=device).identity()
    save_vectors(vectors, table["sent_id"].tolist(), matrix)
    write_json({"identity": identity, "fingerprint": fingerprint(identity), **summary}, stats)
    log.info("gathered %d shards: %d sentences (%d unique, %d from cache, %d encoded, "
             "%d truncated), %.1f s encoding on %s", summary["shards"], summary["n_sentences"],
             summary["n_unique"], summary["n_cached"], summary["n_encoded"],
             summary["n_truncated"], summary["seconds"], summary["device"])


def read_vectors_for(sentences: str, vectors: str) -> tuple[pd.DataFrame, Any]:
    """The sentences table and its vectors, checked to be row for row the same."""
    sents = pd.read_parquet(sentences)
    ids, matrix = load_vectors(vectors)
    if ids != sents["sent_id"].tolist():
        raise FramelensError(f"{vectors} does not match {sentences}; rerun the embed rule")
    return sents, matrix


def doc_similarity_step(sentences: str, vectors: str, similarity: dict[str, Any],
                        table: str) -> None:
    """Document × document similarity under one model, as a square CSV (``similarity``:
    the config section, with ``doc_method`` and the ``story`` weights)."""
    sents, matrix = read_vectors_for(sentences, vectors)
    doc_ids = list(dict.fromkeys(sents["doc_id"]))
    write_csv(doc_similarity(matrix, sents, doc_ids, DocMethod.parse(similarity["doc_method"]),
                             StorySettings.from_config(similarity)), table, index=True)


def doc_pairs_step(sentences: str, vectors: str, events: str, similarity: dict[str, Any],
                   table: str) -> None:
    """Document similarity of every ordered pair of documents within one event, long form."""
    sents, matrix = read_vectors_for(sentences, vectors)
    event_table = pd.read_csv(events, dtype={"doc_id": str, "event_id": str},
                              keep_default_na=False)
    pairs = doc_pairs_within_events(matrix, sents, event_table[["doc_id", "event_id"]],
                                    DocMethod.parse(similarity["doc_method"]),
                                    StorySettings.from_config(similarity))
    write_parquet(pairs, table)
    log.info("%d document pairs within %d events", len(pairs), event_table["event_id"].nunique())


def heatmap_step(table: str, documents: str, embedding: str, model_key: str, method: str,
                 figure: str) -> None:
    """Clustered heatmap of one model's document similarity, outlet names on the axes."""
    from framelens.plots.similarity_heatmap import similarity_heatmap

    sim = pd.read_csv(table, index_col=0)
    docs = pd.read_parquet(documents)
    labels = dict(zip(docs["doc_id"], docs["outlet_label"], strict=True))
    described = {"story": "Same-story similarity (lead-weighted model, names, words)",
                 "best_match": "Document similarity, best-match sentence similarity",
                 "mean_vector": "Document similarity, cosine of mean sentence vectors"}[method]
    save_figure(similarity_heatmap(sim, labels, directional=method == "best_match",
                                   title=f"{described}\n"
                                         f"under model {model_title(embedding, model_key)}"),
                figure)


def provenance_step(config: dict[str, Any], embeddings: list[str], provenance: str) -> None:
    """Record config, model identities, package versions and the corpus hash."""
    models = {}
    for path in embeddings:
        stats = json.loads(Path(path).read_text(encoding="utf-8"))
        models[stats["identity"]["key"]] = {**stats["identity"], "device": stats["device"],
                                            "fingerprint": stats["fingerprint"]}
    write_json(build_provenance(config, models, config["corpus"]), provenance)


def read_events(events: str) -> pd.Series:
    """doc_id -> event_id from an events.csv."""
    table = pd.read_csv(events, dtype=str)
    return pd.Series(table["event_id"].to_numpy(), index=table["doc_id"], name="event")


def events_step(sentences: str, documents: str, vectors: str, settings: dict[str, Any],
                event_threshold: float, events: str) -> None:
    """Articles grouped into events (from metadata, or clustered) under one model."""
    from framelens.events import EventSettings, cluster_events

    sents, matrix = read_vectors_for(sentences, vectors)
    docs = pd.read_parquet(documents)
    table = cluster_events(matrix, sents, docs,
                           EventSettings.from_config(settings, event_threshold))
    write_csv(table, events)
    log.info("%d documents in %d events (%s)", len(table), table["event_id"].nunique(),
             table["event_source"].iloc[0] if len(table) else "none")


def align_step(sentences: str, documents: str, vectors: str, events: str,
               alignment: dict[str, Any], paraphrase_threshold: float, alignments: str) -> None:
    """Cross-document sentence pairs of one model with their relation."""
    sents, matrix = read_vectors_for(sentences, vectors)
    docs = pd.read_parquet(documents)
    thresholds = Thresholds.from_config(alignment, paraphrase_threshold)
    table = align_corpus(matrix, sents, docs, thresholds, events=read_events(events),
                         k=alignment["candidates"])
    write_parquet(table, alignments)
    log.info("aligned %d sentence pairs: %s", len(table),
             table["relation"].value_counts().to_dict())


def save_figure(fig: Any, path: str) -> None:
    """Write a matplotlib Figure as PNG, atomically."""
    from framelens.io import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=150)


def model_title(embedding: str, model_key: str) -> str:
    """'minilm (sentence-transformers/all-MiniLM-L6-v2)' from an embedding summary."""
    identity = json.loads(Path(embedding).read_text(encoding="utf-8"))["identity"]
    return f"{model_key} ({identity.get('upstream') or identity.get('name')})"


def overlap_heatmap_step(overlap: str, embedding: str, model_key: str, figure: str) -> None:
    """Directional outlet-overlap heatmap of one model."""
    from framelens.plots.outlet_overlap import outlet_overlap_heatmap

    table = pd.read_csv(overlap)
    save_figure(outlet_overlap_heatmap(
        table, title="Share of each outlet's sentences with a verbatim or rewrite counterpart "
                     f"in another outlet\nunder model {model_title(embedding, model_key)}"),
        figure)


def alignment_views_step(sentences: str, documents: str, alignments: str, embedding: str,
                         model_key: str, figures: list[str]) -> None:
    """Side-by-side views of the document pairs with the most reused sentences."""
    from framelens.plots.alignment_view import alignment_view

    sents = pd.read_parquet(sentences)
    content = sents[content_mask(sents)]
    docs = pd.read_parquet(documents).set_index("doc_id")
    pairs = pd.read_parquet(alignments)
    ranking = top_document_pairs(pairs, len(figures))
    title_model = model_title(embedding, model_key)
    for rank, path in enumerate(figures):
        if rank >= len(ranking):
            save_figure(empty_figure(f"No aligned article pair #{rank + 1} under "
                                     f"{title_model}"), path)
            continue
        a, b = ranking[rank]
        linked = pairs[(pairs["doc_id_a"] == a) & (pairs["doc_id_b"] == b)]
        counts = linked["relation"].value_counts()
        summary = ", ".join(f"{counts[r]} {r}" for r in ("verbatim", "rewrite", "paraphrase")
                            if r in counts)
        label_a, label_b = docs.at[a, "outlet_label"], docs.at[b, "outlet_label"]
        save_figure(alignment_view(
            content[content["doc_id"] == a], content[content["doc_id"] == b], linked,
            left_title=f"{label_a} ({docs.at[a, 'date'] or 'no date'})",
            right_title=f"{label_b} ({docs.at[b, 'date'] or 'no date'})",
            title=f"Aligned sentences, {label_a} and {label_b}: {summary}\n"
                  f"under model {title_model}"), path)


def top_document_pairs(pairs: pd.DataFrame, n: int) -> list[tuple[str, str]]:
    """Document pairs ranked by reused (verbatim + rewrite) pairs, then by all pairs."""
    if pairs.empty:
        return []
    scored = pairs.assign(reuse=pairs["relation"].isin(["verbatim", "rewrite"]))
    ranking = (scored.groupby(["doc_id_a", "doc_id_b"])
               .agg(reuse=("reuse", "sum"), total=("reuse", "size")).reset_index()
               .sort_values(["reuse", "total", "doc_id_a", "doc_id_b"],
                            ascending=[False, False, True, True]))
    return list(zip(ranking["doc_id_a"], ranking["doc_id_b"], strict=True))[:n]


def empty_figure(message: str) -> Any:
    """A small figure that says there is nothing to show (and why)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 1.5))
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=10)
    return fig


def claims_step(sentences: str, documents: str, vectors: str, events: str, alignments: str,
                claim_threshold: float, evidence_link: float, coverage_settings: dict[str, Any],
                claims: str, summary: str, coverage: str, outlets: str) -> None:
    """Claims per event, their summary, the outlet × claim coverage and per-outlet totals
    (``evidence_link``: config ``alignment.evidence.link``, the evidence from which an
    aligned paraphrase joins its two sentences in one claim)."""
    from framelens.claims import claims_summary, cluster_claims
    from framelens.coverage import coverage_table, outlet_coverage
    from framelens.overlap import outlet_keys

    sents, matrix = read_vectors_for(sentences, vectors)
    docs = pd.read_parquet(documents)
    outlet_of = outlet_keys(docs)
    event_table = pd.read_csv(events, dtype=str)
    table = cluster_claims(matrix, sents, event_table, pd.read_parquet(alignments), outlet_of,
                           threshold=claim_threshold, min_evidence=evidence_link)
    write_parquet(table, claims)
    write_csv(claims_summary(table, sents, matrix, outlet_of), summary)
    cover = coverage_table(table, sents[content_mask(sents)], outlet_of,
                           core_share=coverage_settings["core_share"],
                           lead_sentences=coverage_settings["lead_sentences"])
    write_csv(cover, coverage)
    write_csv(outlet_coverage(cover), outlets)
    log.info("%d sentences in %d claims over %d events", len(table),
             table["claim_id"].nunique(), table["event_id"].nunique())


def coverage_figures_step(coverage: str, summary: str, embedding: str, model_key: str,
                          matrices: list[str], intersections: list[str]) -> None:
    """Coverage matrix and claim-intersection chart of the events with most outlets."""
    from framelens.plots.claim_intersections import claim_intersections
    from framelens.plots.coverage_matrix import coverage_matrix

    cover = pd.read_csv(coverage, dtype={"event_id": str})
    claims = pd.read_csv(summary, dtype={"event_id": str})
    ranking = (cover.groupby("event_id")["outlet"].nunique().reset_index()
               .sort_values(["outlet", "event_id"], ascending=[False, True])["event_id"])
    title_model = model_title(embedding, model_key)
    for rank, (matrix_path, sets_path) in enumerate(zip(matrices, intersections, strict=True)):
        if rank >= len(ranking):
            for path in (matrix_path, sets_path):
                save_figure(empty_figure(f"No event #{rank + 1} under {title_model}"), path)
            continue
        event_id = ranking.iloc[rank]
        part = cover[cover["event_id"] == event_id]
        n_outlets = part["outlet"].nunique()
        save_figure(coverage_matrix(
            part, claims[claims["event_id"] == event_id],
            title=f"Which outlet carries which claim: event {event_id} ({n_outlets} outlets)"
                  f"\nunder model {title_model}; (n) = outlets carrying it"), matrix_path)
        save_figure(claim_intersections(
            part, title=f"Claims shared by exactly these outlets: event {event_id}\n"
                        f"under model {title_model}"), sets_path)


def framing_step(sentences: str, documents: str, events: str, claims: str, summary: str,
                 lead_sentences: int, vocabulary_top: int, salience: str, quotes: str,
                 speakers: str, vocabulary: str, disputed: str) -> None:
    """Salience, quotes and speakers, distinctive vocabulary and disputed figures."""
    import pyarrow.parquet as pq

    from framelens.facts import disputed_facts
    from framelens.overlap import outlet_keys
    from framelens.quotes import find_quotes, speaker_shares
    from framelens.salience import salience_table
    from framelens.vocabulary import distinctive_terms

    # the columns the measures read (not offsets, headings, boilerplate reasons)
    wanted = ["sent_id", "doc_id", "position", "paragraph", "text", "boilerplate",
              "duplicate_of"]
    present = set(pq.read_schema(sentences).names)
    sents = pd.read_parquet(sentences, columns=[c for c in wanted if c in present])
    content = sents[content_mask(sents)]
    del sents  # only the content sentences are used below
    docs = pd.read_parquet(documents)
    event_of = read_events(events)
    claim_table = pd.read_parquet(claims)
    outlet_of = outlet_keys(docs)
    representatives = pd.read_csv(summary, dtype=str, usecols=["claim_id", "representative"])
    write_csv(salience_table(claim_table, content, representatives, outlet_of,
                             lead_sentences=lead_sentences), salience)
    del representatives  # each table is written and let go before the next is built
    quote_table = find_quotes(content, events=event_of)
    write_csv(quote_table, quotes)
    write_csv(speaker_shares(quote_table, docs), speakers)
    n_quotes = len(quote_table)
    del quote_table
    write_csv(distinctive_terms(content, docs, events=event_of, top=vocabulary_top), vocabulary)
    disputes = disputed_facts(content, claim_table.set_index("sent_id")["claim_id"])
    write_csv(disputes, disputed)
    log.info("%d quotes, %d disputed figures", n_quotes, len(disputes))


def framing_figures_step(salience: str, summary: str, speakers: str, vocabulary: str,
                         embedding: str, model_key: str, leads: str, speaker_figure: str,
                         vocabulary_figure: str) -> None:
    """Lead claims of the largest event, speakers per outlet, distinctive words."""
    from framelens.plots.salience import lead_figure
    from framelens.plots.speakers import speakers_figure
    from framelens.plots.vocabulary import vocabulary_figure as words_figure

    title_model = model_title(embedding, model_key)
    table = pd.read_csv(salience, dtype={"event_id": str})
    claims = pd.read_csv(summary, dtype={"event_id": str})
    if table.empty:
        save_figure(empty_figure(f"No claims under {title_model}"), leads)
    else:
        event_id = (table.groupby("event_id")["outlet"].nunique()
                    .sort_values(ascending=False, kind="stable").index[0])
        save_figure(lead_figure(table[table["event_id"] == event_id],
                                claims.set_index("claim_id")["n_outlets"],
                                title=f"What each outlet puts first: event {event_id}\n"
                                      f"claims in order; dark = shared with other outlets; "
                                      f"under model {title_model}"), leads)
    shares = pd.read_csv(speakers)
    save_figure(speakers_figure(shares, title="Who each outlet quotes: share of quoted words "
                                              "by speaker") if len(shares) else
                empty_figure("No attributed quotes found"), speaker_figure)
    terms = pd.read_csv(vocabulary)
    save_figure(words_figure(terms, title="Words and phrases that distinguish each outlet "
                                          "from the others on the same events (z-scores)")
                if len(terms) else empty_figure("Too little text to compare vocabulary"),
                vocabulary_figure)
