"""A fast backend against torch on the tables: ECB+ event ARI and the seeds' reuse pairs.

Usage: python -m bench.backends [--model minilm] [--backend onnx] [--quantization int8]
                                [--ecbplus ../shared/data/ecbplus] [--skip-seeds]

The floor (issue 18): the configured ``--model`` run through ``--backend`` with
``--quantization`` (its entry with those keys added, and its own thresholds when the config
has an entry like that, else the model's) gives the same events on ECB+ (ARI against the
gold within 0.01 of torch's) and the same reuse pairs (verbatim and rewrite) on the seeds.

ECB+: both encoders embed the corpus (vectors cached in ``$FRAMELENS_CACHE_DIR``) and
events are clustered as ``bench.events`` does, at each entry's ``event_threshold``.
Seeds: the workflow runs both models (``snakemake`` with a config file holding the two
entries) and their ``alignments.parquet`` are compared. Writes
``results/bench/backends.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score

from bench.events import scores
from framelens.basics.linkage import sparse_average_linkage
from framelens.config import validate_config
from framelens.corpus import ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.events import EventSettings, similarity_edges
from framelens.models import ModelSpec, load_encoder

ROOT = Path(__file__).resolve().parents[1]
ARI_TOLERANCE = 0.01
REUSE = ("verbatim", "rewrite")


def entries(
    config: dict[str, Any], model: str, backend: str, quantization: str
) -> dict[str, dict[str, Any]]:
    """The torch entry and its fast copy (a configured entry with that backend and
    quantization and the same model when there is one: its thresholds are calibrated)."""
    torch_entry = config["models"][model]
    for key, entry in config["models"].items():
        if (
            entry.get("backend") == backend
            and entry.get("quantization") == quantization
            and entry.get("name") == torch_entry.get("name")
            and entry.get("kind") == torch_entry.get("kind")
        ):
            return {model: torch_entry, key: entry}
    fast = {**torch_entry, "backend": backend, "quantization": quantization}
    return {model: torch_entry, f"{model}_{backend}_{quantization}": fast}


def ecbplus_events(
    models: dict[str, dict[str, Any]], config: dict[str, Any], ecbplus: Path
) -> dict[str, Any]:
    """Event ARI against the gold on ECB+ per model, and between the two clusterings."""
    corpus = ingest_corpus(ecbplus / "corpus")
    documents = corpus.documents.sort_values("doc_id").reset_index(drop=True)
    gold_table = pd.read_csv(ecbplus / "gold_events.csv").set_index("file")
    gold = documents["file"].map(gold_table["event"]).to_numpy()
    cache_root = os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache/framelens"))
    labels, report = {}, {}
    for key, entry in models.items():
        encoder = load_encoder(ModelSpec.from_config(key, entry), device=config["device"])
        cache = EmbeddingCache(cache_root, fingerprint(encoder.identity()))
        vectors, _ = embed_texts(corpus.sentences["text"].tolist(), encoder, cache)
        settings = EventSettings.from_config(config["events"], entry["event_threshold"])
        edges = similarity_edges(vectors, corpus.sentences, documents, settings)
        labels[key] = sparse_average_linkage(len(documents), edges, settings.min_similarity)
        report[key] = {"event_threshold": settings.min_similarity, **scores(gold, labels[key])}
    a, b = list(models)
    report["ari_difference"] = report[b]["ari"] - report[a]["ari"]
    report["ari_between"] = float(adjusted_rand_score(labels[a], labels[b]))
    report["meets_floor"] = abs(report["ari_difference"]) <= ARI_TOLERANCE
    return report


def seeds_reuse(models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Run the workflow on the seeds for both models; compare their reuse pairs."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        yaml.safe_dump({"models": models, "corpus": "corpus/seeds"}, fh)
    targets = [f"results/{key}/alignments.parquet" for key in models]
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", fh.name]
    subprocess.run([*command, "--", *targets], cwd=ROOT, check=True)
    pairs = {}
    for key in models:
        table = pd.read_parquet(ROOT / "results" / key / "alignments.parquet")
        reuse = table[table["relation"].isin(REUSE)]
        pairs[key] = set(
            zip(reuse["sent_id_a"], reuse["sent_id_b"], reuse["relation"], strict=True)
        )
    a, b = list(models)
    return {
        "reuse_pairs": {k: len(v) for k, v in pairs.items()},
        "only_" + a: sorted(map(list, pairs[a] - pairs[b])),
        "only_" + b: sorted(map(list, pairs[b] - pairs[a])),
        "equal": pairs[a] == pairs[b],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--backend", default="onnx")
    parser.add_argument("--quantization", default="int8")
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared" / "data" / "ecbplus"))
    parser.add_argument("--skip-seeds", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "results" / "bench" / "backends.json"))
    args = parser.parse_args(argv)
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    models = entries(config, args.model, args.backend, args.quantization)
    report: dict[str, Any] = {"models": models}
    report["ecbplus"] = ecbplus_events(models, config, Path(args.ecbplus))
    print(json.dumps(report["ecbplus"], indent=1), flush=True)
    if not args.skip_seeds:
        report["seeds"] = seeds_reuse(models)
        print(json.dumps(report["seeds"], indent=1), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out}")
    ok = report["ecbplus"]["meets_floor"] and report.get("seeds", {"equal": True})["equal"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
