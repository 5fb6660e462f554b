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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config/config.yaml"))
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared/data/ecbplus"))
    parser.add_argument("--out", default=str(ROOT / "results/bench/events.json"))
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    ecb = Path(args.ecbplus)
    corpus = ingest_corpus(ecb / "corpus")
    documents = corpus.documents.sort_values("doc_id").reset_index(drop=True)
    gold_table = pd.read_csv(ecb / "gold_events.csv").set_index("file")
    gold = documents["file"].map(gold_table["event"]).to_numpy()
    odd = (documents["file"].map(gold_table["topic"]) % 2 == 1).to_numpy()
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
        f"held-out ARI (odd->even, even->odd)   chosen threshold"
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
        report["models"][key] = {
            "configured_threshold": settings.min_similarity,
            **configured,
            "held_out_ari": held_out,
            "thresholds_by_half": [t_odd, t_even],
            "chosen_threshold": chosen,
            "seconds": time.perf_counter() - started,
        }
        print(
            f"{key:<8} {settings.min_similarity:>9.3f} {configured['ari']:>6.3f} "
            f"{configured['v_measure']:>6.3f} {configured['n_clusters']:>8}   "
            f"{held_out['odd_to_even']:.3f}, {held_out['even_to_odd']:.3f}"
            f"{'':>22}{chosen:.3f}"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
