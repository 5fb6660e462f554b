"""Lean vectors: what storing sentence vectors as float16 (``embedding.dtype: float16``)
changes, against float32 measured in the same run.

Usage: python -m bench.vectors [--models minilm static use] [--skip-seeds]

For each dense model of the config:

- **STS-B test** (``../shared/data/stsb``): Spearman of the pairs' cosines with the human
  scores, from the model's vectors as float32 and as float16 (each vector rounded to
  float16 and read back, as every stage reads it), and the mean and largest change of a
  cosine;
- **ECB+ events** (``../shared/data/ecbplus``): the articles clustered into events exactly
  as the workflow does, at the model's configured ``event_threshold``, from float32 and
  from float16 vectors: ARI against the gold events of each, and the ARI between the two;
- **the seeds' tables**: the workflow's tables (alignment, claims, coverage, framing,
  ``doc_pairs``, outlet overlap) on ``corpus/seeds`` with ``embedding.dtype`` float32 and
  float16, compared table by table (:func:`bench.revisions.compare`), with the aligned
  pairs of each relation under both.

Writes ``results/bench/vectors.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from bench.revisions import ROOT, SHARED, compare
from bench.shards import run_tables
from framelens.compare.cards import read_sts
from framelens.config import validate_config
from framelens.corpus import ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.events import EventSettings, cluster_events
from framelens.models import ModelSpec, load_encoder


def as_stored(vectors: np.ndarray, dtype: str) -> np.ndarray:
    """``vectors`` as a stage reads them back when stored as ``dtype``."""
    return np.asarray(vectors, dtype=dtype).astype(np.float32)


def stsb_effect(encoder: Any, cache: EmbeddingCache, stsb: Path) -> dict[str, float]:
    """STS-B test Spearman from float32 and float16 vectors, and how far cosines move."""
    pairs = read_sts(stsb / "sts-test.csv")
    texts = list(dict.fromkeys([*pairs["a"], *pairs["b"]]))
    vectors, _ = embed_texts(texts, encoder, cache)
    row = {t: i for i, t in enumerate(texts)}
    a = np.array([row[t] for t in pairs["a"]])
    b = np.array([row[t] for t in pairs["b"]])
    cosines = {}
    for dtype in ("float32", "float16"):
        stored = as_stored(vectors, dtype)
        cosines[dtype] = np.einsum("ij,ij->i", stored[a], stored[b])
    change = np.abs(cosines["float16"] - cosines["float32"])
    rho = {d: float(spearmanr(c, pairs["score"]).statistic) for d, c in cosines.items()}
    return {
        "n_pairs": len(pairs),
        "spearman_float32": round(rho["float32"], 5),
        "spearman_float16": round(rho["float16"], 5),
        "difference": round(rho["float16"] - rho["float32"], 5),
        "mean_abs_cosine_change": float(f"{change.mean():.3g}"),
        "max_abs_cosine_change": float(f"{change.max():.3g}"),
    }


def ecbplus_effect(
    encoder: Any, cache: EmbeddingCache, config: dict[str, Any], threshold: float
) -> dict[str, float]:
    """Event ARI on ECB+ from float32 and float16 vectors, and between the two."""
    ecb = SHARED / "data" / "ecbplus"
    corpus = ingest_corpus(ecb / "corpus")
    documents = corpus.documents.sort_values("doc_id").reset_index(drop=True)
    gold_of = pd.read_csv(ecb / "gold_events.csv").set_index("file")["event"]
    gold = documents["file"].map(gold_of).to_numpy()
    vectors, _ = embed_texts(corpus.sentences["text"].tolist(), encoder, cache)
    settings = EventSettings.from_config(config["events"], threshold)
    labels = {
        dtype: cluster_events(
            np.asarray(vectors, dtype=dtype), corpus.sentences, documents, settings
        )["event_id"].to_numpy()
        for dtype in ("float32", "float16")
    }
    return {
        "threshold": threshold,
        "ari_float32": round(float(adjusted_rand_score(gold, labels["float32"])), 4),
        "ari_float16": round(float(adjusted_rand_score(gold, labels["float16"])), 4),
        "ari_between": round(float(adjusted_rand_score(labels["float32"], labels["float16"])), 4),
    }


def relation_counts(results: Path, model: str) -> dict[str, int]:
    """Aligned pairs of each relation in one run's ``alignments.parquet``."""
    table = pd.read_parquet(results / model / "alignments.parquet")
    return {str(k): int(v) for k, v in table["relation"].value_counts().sort_index().items()}


def reuse_pairs(results: Path, model: str) -> set[tuple[str, str, str]]:
    """The verbatim and rewrite pairs of one run."""
    table = pd.read_parquet(results / model / "alignments.parquet")
    reuse = table[table["relation"].isin(["verbatim", "rewrite"])]
    return set(zip(reuse["sent_id_a"], reuse["sent_id_b"], reuse["relation"], strict=True))


def alignment_change(wide: Path, narrow: Path, model: str) -> dict[str, Any]:
    """Whether two runs align the same sentence pairs with the same relations, and the
    largest change of a pair's cosine (``semantic``) between them."""
    key = ["sent_id_a", "sent_id_b"]
    a, b = (pd.read_parquet(r / model / "alignments.parquet") for r in (wide, narrow))
    both = a.merge(b, on=key, how="outer", suffixes=("_32", "_16"), indicator=True)
    matched = both[both["_merge"] == "both"]
    return {
        "same_pairs": bool((both["_merge"] == "both").all()),
        "same_relations": bool((matched["relation_32"] == matched["relation_16"]).all()),
        "max_abs_semantic_change": float(
            f"{(matched['semantic_32'] - matched['semantic_16']).abs().max():.3g}"
        ),
    }


def seeds_effect(models: list[str], base: Path, cores: int) -> dict[str, Any]:
    """The seeds' tables with float32 and float16 vectors, compared."""
    runs = {}
    for dtype in ("float32", "float16"):
        runs[dtype] = base / dtype
        run_tables(
            ROOT / "corpus" / "seeds",
            runs[dtype],
            models,
            1,
            cores,
            {"embedding": {"dtype": dtype}},
        )
    outcome = compare(runs["float32"] / "results", runs["float16"] / "results")
    per_model = {}
    for model in models:
        narrow, wide = (reuse_pairs(runs[d] / "results", model) for d in ("float16", "float32"))
        per_model[model] = {
            "relations_float32": relation_counts(runs["float32"] / "results", model),
            "relations_float16": relation_counts(runs["float16"] / "results", model),
            "reuse_pairs_equal": narrow == wide,
            **alignment_change(runs["float32"] / "results", runs["float16"] / "results", model),
            "different_tables": [t for t in outcome["different"] if t.startswith(f"{model}/")],
        }
    return {
        "n_identical": len(outcome["identical"]),
        "same_values": outcome["same_values"],
        "different": outcome["different"],
        "models": per_model,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["minilm", "static", "use"])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--skip-seeds", action="store_true", help="leave out the seeds' tables")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench" / "vectors.json")
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8")),
        ROOT / "workflow" / "schemas" / "config.schema.yaml",
    )
    cache_root = os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache" / "framelens"))
    report: dict[str, Any] = {"models": {}}
    for key in args.models:
        entry = config["models"][key]
        encoder = load_encoder(ModelSpec.from_config(key, entry), device="cpu")
        cache = EmbeddingCache(cache_root, fingerprint(encoder.identity()))
        stsb = stsb_effect(encoder, cache, SHARED / "data" / "stsb")
        events = ecbplus_effect(encoder, cache, config, entry["event_threshold"])
        report["models"][key] = {"stsb": stsb, "ecbplus_events": events}
        print(
            f"{key:<8} STS-B rho {stsb['spearman_float32']:.4f} -> {stsb['spearman_float16']:.4f} "
            f"({stsb['difference']:+.5f}; cosines move {stsb['mean_abs_cosine_change']:.1e} "
            f"on average, at most {stsb['max_abs_cosine_change']:.1e}); ECB+ event ARI "
            f"{events['ari_float32']:.3f} -> {events['ari_float16']:.3f} "
            f"(between: {events['ari_between']:.3f})",
            flush=True,
        )
    if not args.skip_seeds:
        with tempfile.TemporaryDirectory(prefix="framelens-vectors-") as tmp:
            seeds = seeds_effect(args.models, Path(tmp), args.cores)
        report["seeds"] = seeds
        print(
            f"seeds: {seeds['n_identical']} tables identical, {len(seeds['same_values'])} "
            f"equal by value, {len(seeds['different'])} different: {seeds['different']}"
        )
        for key, found in seeds["models"].items():
            print(
                f"  {key}: relations {found['relations_float32']} -> "
                f"{found['relations_float16']}; reuse pairs equal: {found['reuse_pairs_equal']}; "
                f"same pairs {found['same_pairs']}, same relations {found['same_relations']}, "
                f"cosines move at most {found['max_abs_semantic_change']:.1e}"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
