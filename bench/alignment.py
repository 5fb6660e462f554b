"""Benchmark and calibrate sentence alignment for every configured model.

Usage: python -m bench.alignment [--config config/config.yaml] [--stsb ../shared/data/stsb]

Prints, per model: Spearman's rho between cosine similarity and the human
scores of the STS Benchmark test split, and precision / recall of each
relation on a planted set (see bench/planted.py). Thresholds are chosen on
the dev split by stated rules and reported on the test split:

- ``rewrite_alone``: the lexical overlap at the precision-recall break-even of
  verbatim+rewrite against all other pairs on dev (model-independent);
- ``paraphrase`` (per model): the cosine that maximises F1 of paraphrase on
  dev, among pairs not already labelled reuse, with rewrite_alone as chosen.

- ``claim_threshold`` (per model): the cosine that maximises F1 of STS-B dev
  pairs scored >= 3 ("roughly equivalent") against pairs scored <= 2.

Writes everything to results/bench/alignment.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import yaml
from scipy.stats import spearmanr

from bench.planted import PlantedPair, planted_set, read_stsb
from framelens.align import Thresholds, classify, lexical_overlap, sequence_similarity
from framelens.basics.similarity import l2_normalise, pairwise_cos_sim
from framelens.basics.tokens import word_tokens
from framelens.config import validate_config
from framelens.models import ModelSpec, load_encoder
from framelens.schema import model_defaults

ROOT = Path(__file__).resolve().parents[1]
RELATIONS = ("verbatim", "rewrite", "paraphrase")
GRID = np.round(np.arange(0.20, 0.951, 0.01), 2)


def cosines(encoder, a: list[str], b: list[str]) -> np.ndarray:
    """Row-wise cosine of two equally long lists of sentences under one encoder."""
    texts = list(dict.fromkeys(a + b))
    index = {t: i for i, t in enumerate(texts)}
    vectors = l2_normalise(encoder.encode(texts))
    return pairwise_cos_sim(vectors[[index[t] for t in a]], vectors[[index[t] for t in b]])


def features(pairs: list[PlantedPair]) -> tuple[np.ndarray, np.ndarray]:
    """Lexical overlap and sequence similarity of each pair (model-independent)."""
    lexical, sequence = [], []
    for p in pairs:
        ta, tb = word_tokens(p.a), word_tokens(p.b)
        lexical.append(lexical_overlap(ta, tb))
        sequence.append(sequence_similarity(ta, tb))
    return np.array(lexical), np.array(sequence)


def predict(semantic, lexical, ratio, th: Thresholds) -> list[str]:
    """Relation of each isolated pair (no passage evidence: one pair per document pair)."""
    return [
        (r.value if (r := classify(float(s), float(x), float(q), th, shared_pairs=1)) else "none")
        for s, x, q in zip(semantic, lexical, ratio, strict=True)
    ]


def precision_recall(truth: list[str], predicted: list[str], labels: tuple[str, ...]) -> dict:
    """Precision and recall of a group of labels taken together."""
    t = np.isin(truth, labels)
    p = np.isin(predicted, labels)
    both = np.array([a == b for a, b in zip(truth, predicted, strict=True)]) & t & p
    if len(labels) > 1:  # grouped: any label of the group counts as right
        both = t & p
    return {
        "precision": float(both.sum() / p.sum()) if p.sum() else None,
        "recall": float(both.sum() / t.sum()) if t.sum() else None,
        "n_true": int(t.sum()),
        "n_predicted": int(p.sum()),
    }


def break_even(scores: list[tuple[float, float | None, float | None]]) -> float:
    """The threshold whose precision and recall are closest (lowest threshold on ties).

    ``scores`` holds (threshold, precision, recall) for each candidate threshold.
    """
    usable = [(abs(p - r), t) for t, p, r in scores if p is not None and r is not None]
    return min(usable)[1]


def choose_rewrite_alone(truth, lexical, sequence, base: Thresholds) -> float:
    """Lexical threshold at the dev break-even of verbatim+rewrite against the rest."""
    reuse = np.isin(truth, ("verbatim", "rewrite"))
    scores = []
    for t in GRID:
        if base.rewrite <= t <= base.verbatim:
            predicted = (lexical >= t) | (sequence >= base.verbatim)
            hits = (reuse & predicted).sum()
            scores.append(
                (float(t), hits / predicted.sum() if predicted.sum() else None, hits / reuse.sum())
            )
    return break_even(scores)


def f1(precision: float | None, recall: float | None) -> float:
    """Harmonic mean of precision and recall (0 when either is missing or zero)."""
    return 2 * precision * recall / (precision + recall) if precision and recall else 0.0


def choose_paraphrase(truth, semantic, lexical, sequence, th: Thresholds) -> float:
    """Cosine maximising dev F1 of paraphrase against the pairs that are not the same
    claim, among pairs not already labelled reuse (lowest threshold on ties)."""
    scores = []
    for t in np.round(np.arange(0.0, 0.99, 0.01), 2):
        predicted = predict(
            semantic,
            lexical,
            sequence,
            dataclasses.replace(th, paraphrase=float(t)),
        )
        pr = precision_recall(truth, predicted, ("paraphrase",))
        scores.append((-f1(pr["precision"], pr["recall"]), float(t)))
    return min(scores)[1]


def choose_claim_threshold(semantic: np.ndarray, scores: np.ndarray) -> float:
    """Cosine maximising F1 of STS-B pairs scored >= 3 ("roughly equivalent": the same
    claim) against pairs scored <= 2 (lowest threshold on ties)."""
    same, other = scores >= 3.0, scores <= 2.0
    keep = same | other
    best = []
    for t in np.round(np.arange(0.0, 0.99, 0.01), 2):
        predicted = semantic[keep] >= t
        hits = (predicted & same[keep]).sum()
        precision = hits / predicted.sum() if predicted.sum() else None
        best.append((-f1(precision, hits / same[keep].sum()), float(t)))
    return min(best)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config/config.yaml"))
    parser.add_argument("--stsb", default=str(ROOT.parent / "shared/data/stsb"))
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--out", default=str(ROOT / "results/bench/alignment.json"))
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    seed = config["random_state"]
    stsb = Path(args.stsb)
    dev = read_stsb(stsb / "sts-dev.csv")
    test = read_stsb(stsb / "sts-test.csv")
    planted = {
        "dev": planted_set(dev, per_class=args.per_class, seed=seed),
        "test": planted_set(test, per_class=args.per_class, seed=seed + 1),
    }
    feats = {split: features(pairs) for split, pairs in planted.items()}
    truth = {split: [p.relation for p in pairs] for split, pairs in planted.items()}
    base = Thresholds.from_config(config["alignment"], model_defaults()["paraphrase_threshold"])
    rewrite_alone = choose_rewrite_alone(truth["dev"], *feats["dev"], base)
    report: dict = {
        "planted": {s: {r: truth[s].count(r) for r in (*RELATIONS, "none")} for s in planted},
        "rewrite_alone_chosen": rewrite_alone,
        "models": {},
    }
    print(f"planted pairs per split: {report['planted']['test']}")
    print(f"rewrite_alone chosen on dev: {rewrite_alone:.2f} (config: {base.rewrite_alone})")
    header = f"{'model':<10} {'STS-B rho':>9} {'para thr':>8}  " + "  ".join(
        f"{name:>17}" for name in ("verbatim P/R", "verb+rewrite P/R", "paraphrase P/R")
    )
    print(header)
    for key, entry in config["models"].items():
        encoder = load_encoder(ModelSpec.from_config(key, entry), device=config["device"])
        rho = spearmanr(
            cosines(encoder, [p.a for p in test], [p.b for p in test]), [p.score for p in test]
        ).statistic
        semantic = {
            s: cosines(encoder, [p.a for p in pairs], [p.b for p in pairs])
            for s, pairs in planted.items()
        }
        with_rewrite = dataclasses.replace(base, rewrite_alone=rewrite_alone)
        chosen = dataclasses.replace(
            with_rewrite,
            paraphrase=choose_paraphrase(
                truth["dev"], semantic["dev"], *feats["dev"], with_rewrite
            ),
        )
        configured = Thresholds.from_config(config["alignment"], entry["paraphrase_threshold"])
        dev_semantic = cosines(encoder, [p.a for p in dev], [p.b for p in dev])
        claim = {
            "chosen": choose_claim_threshold(dev_semantic, np.array([p.score for p in dev])),
            "configured": entry["claim_threshold"],
        }
        results = {}
        for name, th in (("chosen", chosen), ("configured", configured)):
            predicted = predict(semantic["test"], *feats["test"], th)
            results[name] = {
                "thresholds": th.__dict__,
                "verbatim": precision_recall(truth["test"], predicted, ("verbatim",)),
                "reuse": precision_recall(truth["test"], predicted, ("verbatim", "rewrite")),
                "paraphrase": precision_recall(truth["test"], predicted, ("paraphrase",)),
            }
        report["models"][key] = {"stsb_spearman": float(rho), "claim_threshold": claim, **results}
        for name in ("chosen", "configured"):
            r = results[name]
            cells = "  ".join(
                f"{r[g]['precision'] or 0:>8.3f}/{r[g]['recall'] or 0:<8.3f}"
                for g in ("verbatim", "reuse", "paraphrase")
            )
            print(
                f"{key + ' ' + name[:4]:<10} {rho:>9.3f} "
                f"{r['thresholds']['paraphrase']:>8.2f}  {cells}  claim {claim[name]:.2f}"
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
