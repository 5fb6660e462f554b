"""Benchmark event clustering on ECB+ for every configured model.

Usage: python -m bench.events [--config config/config.yaml] [--ecbplus ../shared/data/ecbplus]

Ingests the ECB+ corpus (982 articles, 86 gold events in 43 topics), embeds it
with each model (vectors are cached), clusters articles into events exactly as
the workflow does, and scores the result against gold_events.csv: adjusted Rand
index (ARI), V-measure and the number of clusters.

The threshold rule (no hand tuning on the gold): split the topics into odd and
even numbers; on each half, take the threshold with the best ARI; report each
half's threshold on the *other* half (held-out ARI); the model's threshold is
the mean of the two. The config's ``event_threshold`` should be that value.

Triplets (``--triplets K``, 10 by default): news comparisons often hold a few articles
per event, one per outlet. K seeded draws keep three articles of every gold event
(258 articles), rebuild the similarities on that corpus alone (its own TF-IDF weights)
and cluster them at the configured threshold. Two kinds: every gold event (each topic's
two events of the same kind are rivals, the hard case) and the first event of each topic
only (43 events with no rival of their kind). The mean and range of their ARI are
reported beside the whole corpus's; nothing is chosen on them.
Writes results/bench/events.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score, v_measure_score

from framelens.basics.linkage import sparse_average_linkage
from framelens.config import validate_config
from framelens.corpus import ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.events import EventSettings, similarity_edges
from framelens.models import ModelSpec, load_encoder

ROOT = Path(__file__).resolve().parents[1]
GRID = np.round(np.arange(0.10, 0.601, 0.005), 3)


def scores(gold: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """ARI, V-measure and cluster count of one clustering."""
    return {
        "ari": float(adjusted_rand_score(gold, labels)),
        "v_measure": float(v_measure_score(gold, labels)),
        "n_clusters": len(set(labels)),
    }


def restricted(
    edges: dict[tuple[int, int], float], mask: np.ndarray
) -> tuple[int, dict[tuple[int, int], float]]:
    """The edges among the items in ``mask``, renumbered 0..n-1."""
    new = -np.ones(len(mask), dtype=int)
    new[mask] = np.arange(mask.sum())
    return int(mask.sum()), {
        (int(new[i]), int(new[j])): s for (i, j), s in edges.items() if mask[i] and mask[j]
    }


def best_threshold(edges, mask, gold) -> float:
    """The grid threshold with the best ARI on the items in ``mask``."""
    n, sub = restricted(edges, mask)
    ari = [adjusted_rand_score(gold[mask], sparse_average_linkage(n, sub, t)) for t in GRID]
    return float(GRID[int(np.argmax(ari))])


def triplet_draw(
    gold: np.ndarray, rng: np.random.Generator, events: np.ndarray, size: int = 3
) -> np.ndarray:
    """A mask keeping ``size`` articles (all, when fewer) of each gold event in
    ``events``, drawn with ``rng``."""
    keep = np.zeros(len(gold), dtype=bool)
    for event in events:
        members = np.flatnonzero(gold == event)
        keep[rng.choice(members, size=min(size, len(members)), replace=False)] = True
    return keep


def triplet_ari(
    vectors: np.ndarray,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    gold: np.ndarray,
    events: np.ndarray,
    settings: EventSettings,
    draws: int,
) -> list[float]:
    """Event ARI of ``draws`` seeded triplet corpora of the gold ``events``
    (:func:`triplet_draw`), each clustered alone at ``settings``' threshold."""
    aris = []
    for draw in range(draws):
        keep = triplet_draw(gold, np.random.default_rng(draw), events)
        kept_docs = documents[keep].reset_index(drop=True)
        rows = sentences["doc_id"].isin(set(kept_docs["doc_id"])).to_numpy()
        edges = similarity_edges(
            vectors[rows], sentences[rows].reset_index(drop=True), kept_docs, settings
        )
        labels = sparse_average_linkage(len(kept_docs), edges, settings.min_similarity)
        aris.append(float(adjusted_rand_score(gold[keep], labels)))
    return aris


def mean_and_range(values: list[float]) -> str:
    """``0.812 [0.790, 0.830]``; ``-`` for no values."""
    if not values:
        return "-"
    return f"{np.mean(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config/config.yaml"))
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared/data/ecbplus"))
    parser.add_argument("--out", default=str(ROOT / "results/bench/events.json"))
    parser.add_argument("--triplets", type=int, default=10, help="seeded triplet draws")
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    ecb = Path(args.ecbplus)
    corpus = ingest_corpus(ecb / "corpus")
    documents = corpus.documents.sort_values("doc_id").reset_index(drop=True)
    gold_table = pd.read_csv(ecb / "gold_events.csv").set_index("file")
    gold = documents["file"].map(gold_table["event"]).to_numpy()
    topic = documents["file"].map(gold_table["topic"]).to_numpy()
    odd = topic % 2 == 1
    every_event = np.unique(gold)
    first_of_topic = pd.Series(gold).groupby(topic).min().to_numpy()
    base = config["events"]
    cache_root = os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache/framelens"))
    report = {
        "n_documents": len(documents),
        "n_gold_events": len(set(gold)),
        "topic_baseline_ari": float(
            adjusted_rand_score(gold, documents["file"].map(gold_table["topic"]))
        ),
        "models": {},
    }
    print(
        f"ECB+: {len(documents)} articles, {report['n_gold_events']} gold events; "
        f"one cluster per topic scores ARI {report['topic_baseline_ari']:.3f}"
    )
    print(
        f"{'model':<8} {'threshold':>9} {'ARI':>6} {'V':>6} {'clusters':>8}   "
        f"held-out ARI (odd->even, even->odd)   chosen threshold   "
        f"triplets ARI mean [range]: every event; one event per topic"
    )
    for key, entry in config["models"].items():
        encoder = load_encoder(ModelSpec.from_config(key, entry), device=config["device"])
        cache = EmbeddingCache(cache_root, fingerprint(encoder.identity()))
        started = time.perf_counter()
        vectors, _ = embed_texts(corpus.sentences["text"].tolist(), encoder, cache)
        settings = EventSettings.from_config(base, entry["event_threshold"])
        edges = similarity_edges(vectors, corpus.sentences, documents, settings)
        configured = scores(
            gold, sparse_average_linkage(len(documents), edges, settings.min_similarity)
        )
        t_odd, t_even = best_threshold(edges, odd, gold), best_threshold(edges, ~odd, gold)
        held_out = {}
        for name, t, mask in (("odd_to_even", t_odd, ~odd), ("even_to_odd", t_even, odd)):
            n, sub = restricted(edges, mask)
            held_out[name] = float(
                adjusted_rand_score(gold[mask], sparse_average_linkage(n, sub, t))
            )
        chosen = round((t_odd + t_even) / 2, 3)
        triplets = {
            name: triplet_ari(
                vectors, corpus.sentences, documents, gold, events, settings, args.triplets
            )
            for name, events in (("every_event", every_event), ("one_per_topic", first_of_topic))
        }
        report["models"][key] = {
            "configured_threshold": settings.min_similarity,
            **configured,
            "held_out_ari": held_out,
            "thresholds_by_half": [t_odd, t_even],
            "chosen_threshold": chosen,
            "triplet_ari": triplets,
            "seconds": time.perf_counter() - started,
        }
        print(
            f"{key:<8} {settings.min_similarity:>9.3f} {configured['ari']:>6.3f} "
            f"{configured['v_measure']:>6.3f} {configured['n_clusters']:>8}   "
            f"{held_out['odd_to_even']:.3f}, {held_out['even_to_odd']:.3f}"
            f"{'':>22}{chosen:.3f}   {mean_and_range(triplets['every_event'])}; "
            f"{mean_and_range(triplets['one_per_topic'])}"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
