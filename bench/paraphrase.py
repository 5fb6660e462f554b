"""Paraphrase and claim recall in context: STS-B news pairs planted into real ECB+ events.

Usage: python -m bench.paraphrase [--config config/config.yaml] [--models minilm,use]

An isolated-pair threshold (bench/alignment.py) sees one pair at a time; inside
an event, a sentence has rivals in the other article, shares names and numbers
with some of them and contradicts others. This bench measures alignment and
claims where they work, inside an event:

- *Episodes.* Two real ECB+ articles of one gold event are articles A and B
  (fit: odd-numbered topics; test: even-numbered topics, so no article is in
  both). Into each episode, four STS-B ``main-news`` pairs on one topic (grouped
  by word TF-IDF, :func:`topic_groups`) are planted, each sentence at a uniformly
  random position of its article: pairs scored >= 3 ("roughly equivalent": one
  fact, details may differ, as one fact reads across outlets) are paraphrases (a
  into A, b into B), pairs scored <= 2 are distinct claims on one topic (a into A,
  b into B). Planting pairs of one topic together makes them rivals, as the claims
  of one event are: without rivals a planted sentence would always be its
  partner's best match by a wide margin. The fit split plants STS-B train and
  dev pairs, the test split STS-B test pairs.
- *What is measured.* The real :func:`framelens.align.align_event` and the real
  claim clustering (:func:`framelens.claims.cluster_event_sentences`, must-links
  from :func:`framelens.claims.alignment_links`) run on each episode. Alignment
  recall is the share of planted paraphrases aligned (any relation); its link
  rate the share of planted distinct pairs aligned. Claim recall is the share of
  planted paraphrases put in one claim; the merge rate the share of distinct
  pairs put in one claim.
- *OLD* is the rule before the evidence score (a paraphrase is a best candidate
  with cosine >= ``paraphrase_threshold``; claims must-link reuse pairs only).
  *NEW* is the configured evidence score (config ``alignment.evidence``).

Calibration of ``alignment.evidence`` (printed as "fitted"): a logistic
regression of planted paraphrase (1) against planted distinct pair (0) on the
fit split's candidate pairs, features: cosine minus the model's
``paraphrase_threshold``, mutual best match (each beats the other's runner-up;
the margin by which it does is left out: it depends on how many rivals an
article holds, and planted sentences have fewer on-topic rivals than real
ones), shared anchors (IDF within the episode) and contradicting numbers; pooled over the
neural models (minilm, use, static: one set of weights, since the cosine enters
relative to each model's threshold). The ``cut`` is the probability (grid 0.05 to
0.95) with the best F1 of planted paraphrases against planted distinct pairs
among the fit split's candidates, pooled over those models. (Keeping the pooled
precision of the cosine threshold alone instead gives cut 0.6, about the old
threshold for a mutual best match: set it for precision-first work.) Not fitted: ``link``
(0.5, even odds: an aligned paraphrase is a must-link of claims when the same
claim is likelier than not) and ``floor`` (0.2: with the fitted weights a
candidate that far below the threshold scores at most 0.34, under the cut,
whatever its other evidence).

Left out of the score, because planting cannot make them realistic: the
position of the sentences in their articles (a planted sentence's position is
random by construction) and whether their neighbours align (a planted
sentence's neighbours are unrelated ECB+ sentences, so the feature would be 0
for every planted pair).

Writes results/bench/paraphrase.json. Sentence vectors are cached (see
``FRAMELENS_CACHE_DIR``): the first run encodes about 25,000 sentences per model.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bench.planted import StsPair, read_stsb
from framelens.align import EventFeatures, Thresholds, choose_pairs, label_pairs
from framelens.basics.evidence import EvidenceWeights
from framelens.basics.similarity import l2_normalise
from framelens.basics.tables import Relation, content_mask
from framelens.claims import (
    CONTRADICTION_COST,
    alignment_links,
    cluster_event_sentences,
    quote_continuations,
)
from framelens.config import validate_config
from framelens.corpus import ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.models import ModelSpec, load_encoder

ROOT = Path(__file__).resolve().parents[1]
PER_EPISODE = 4
FEATURES = ("cosine", "mutual", "anchor", "contradiction")
POOLED = ("minilm", "use", "static")


@dataclass(frozen=True)
class Episode:
    """Two articles of one ECB+ event with planted pairs: ``sentences`` (sent_id, doc_id,
    text, position, in article order) and ``planted`` [(sent_id a, sent_id b, is_same)]."""

    sentences: pd.DataFrame
    planted: list[tuple[str, str, bool]]


SAME_MIN = 3.0  # STS-B "roughly equivalent": one fact, details may differ, as across outlets


def news_pairs(path: Path) -> list[StsPair]:
    """The STS-B news pairs of one split that state one fact (>= SAME_MIN) or distinct
    ones (<= 2)."""
    return [
        p
        for p in read_stsb(path)
        if p.genre == "main-news" and (p.score >= SAME_MIN or p.score <= 2.0)
    ]


def ecb_articles(ecb: Path) -> tuple[dict[str, list[str]], pd.DataFrame]:
    """Content sentences of every ECB+ article (ingested as the workflow does), and the
    gold table (file, event, topic) indexed by doc_id."""
    corpus = ingest_corpus(ecb / "corpus")
    sentences = corpus.sentences[content_mask(corpus.sentences)]
    texts = {
        doc: part.sort_values("position")["text"].tolist()
        for doc, part in sentences.groupby("doc_id")
    }
    gold = pd.read_csv(ecb / "gold_events.csv")
    docs = corpus.documents[["doc_id", "file"]].merge(gold, on="file").set_index("doc_id")
    return texts, docs


def topic_groups(pairs: list[StsPair], rng: random.Random) -> list[StsPair]:
    """``pairs`` reordered so that each run of PER_EPISODE pairs is on one topic: taking
    the pairs in random order, each unused pair is grouped with the unused pairs closest
    to it in words (TF-IDF cosine of both sentences; model-independent). So a planted
    sentence competes with others on its topic, as the claims of one event do."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    pairs = list(pairs)
    rng.shuffle(pairs)
    words = TfidfVectorizer(stop_words="english").fit_transform([f"{p.a} {p.b}" for p in pairs])
    similar = (words @ words.T).toarray()
    used = np.zeros(len(pairs), dtype=bool)
    ordered = []
    for i in range(len(pairs)):
        if used[i]:
            continue
        used[i] = True
        row = np.where(used, -np.inf, similar[i])
        mates = [int(j) for j in np.argsort(-row, kind="stable")[: PER_EPISODE - 1] if not used[j]]
        used[mates] = True
        ordered += [pairs[i]] + [pairs[j] for j in mates]
    return ordered


def build_episodes(
    texts: dict[str, list[str]],
    gold: pd.DataFrame,
    pairs: list[StsPair],
    *,
    odd_topics: bool,
    seed: int,
) -> list[Episode]:
    """Plant ``pairs`` (PER_EPISODE at a time) into article pairs of one gold event, from the
    odd- or even-numbered topics; positions uniformly random."""
    rng = random.Random(seed)
    chosen = gold[(gold["topic"] % 2 == 1) == odd_topics]
    events = [sorted(d for d in part.index if texts.get(d)) for _e, part in chosen.groupby("event")]
    events = [e for e in events if len(e) >= 2]
    pairs = topic_groups(pairs, rng)
    episodes = []
    for start in range(0, len(pairs), PER_EPISODE):
        doc_a, doc_b = rng.sample(rng.choice(events), 2)
        body = {doc_a: list(texts[doc_a]), doc_b: list(texts[doc_b])}
        ids = {doc: [f"{doc}:{i}" for i in range(len(body[doc]))] for doc in body}
        planted = []
        for n, pair in enumerate(pairs[start : start + PER_EPISODE]):
            tag = []
            for doc, text in ((doc_a, pair.a), (doc_b, pair.b)):
                at = rng.randint(0, len(body[doc]))
                body[doc].insert(at, text)
                ids[doc].insert(at, f"{doc}:planted{n}")
                tag.append(f"{doc}:planted{n}")
            planted.append((tag[0], tag[1], pair.score >= SAME_MIN))
        rows = [
            {"sent_id": sid, "doc_id": doc, "text": text, "position": i}
            for doc in (doc_a, doc_b)
            for i, (sid, text) in enumerate(zip(ids[doc], body[doc], strict=True))
        ]
        episodes.append(Episode(pd.DataFrame(rows), planted))
    return episodes


def encode_all(encoder, texts: list[str], cache_root: str):
    """L2-normalised vectors of ``texts`` (cached for neural models) and a text->row map."""
    unique = list(dict.fromkeys(texts))
    cache = (
        EmbeddingCache(cache_root, fingerprint(encoder.identity())) if encoder.cacheable else None
    )
    vectors, _ = embed_texts(unique, encoder, cache)
    return l2_normalise(vectors), {t: i for i, t in enumerate(unique)}


def episode_vectors(episode: Episode, vectors, row_of):
    """The vectors of an episode's sentences, in its order."""
    return vectors[[row_of[t] for t in episode.sentences["text"]]]


def run_episode(
    episode: Episode,
    vectors,
    thresholds: Thresholds,
    claim_threshold: float,
    *,
    old: bool,
    k: int = 3,
) -> tuple[dict, pd.DataFrame, np.ndarray]:
    """Candidate pairs (by sent_id pair), the alignment table and claim labels of one
    episode under the OLD or NEW rule."""
    features = EventFeatures(vectors, episode.sentences, k=k)
    pairs, ordered = choose_pairs(features, thresholds), features.sentences
    if old:  # the rule before the evidence score: cosine >= paraphrase_threshold
        pairs = {key: {f: v for f, v in p.items() if f != "evidence"} for key, p in pairs.items()}
    table = label_pairs(pairs, features, thresholds)
    by_id = {(ordered.at[i, "sent_id"], ordered.at[j, "sent_id"]): p for (i, j), p in pairs.items()}
    sentences = episode.sentences
    row = pd.Series(np.arange(len(sentences)), index=sentences["sent_id"].to_numpy())
    relations = tuple(r.value for r in (Relation.VERBATIM, Relation.REWRITE)) if old else None
    must = alignment_links(table, row, relations, thresholds.evidence.link) + quote_continuations(
        sentences
    )
    labels = cluster_event_sentences(
        vectors,
        sentences["text"].tolist(),
        must,
        claim_threshold,
        sentences["doc_id"].nunique(),
        contradiction_cost=0.0 if old else CONTRADICTION_COST,
    )
    return by_id, table, labels


def score_episodes(
    episodes: list[Episode],
    vectors,
    row_of,
    thresholds: Thresholds,
    claim_threshold: float,
    *,
    old: bool,
) -> dict:
    """Planted paraphrase recall and distinct-pair link rate, for alignment and claims."""
    counts = {
        "same": 0,
        "distinct": 0,
        "aligned_same": 0,
        "aligned_distinct": 0,
        "claim_same": 0,
        "claim_distinct": 0,
    }
    for episode in episodes:
        _, table, labels = run_episode(
            episode, episode_vectors(episode, vectors, row_of), thresholds, claim_threshold, old=old
        )
        aligned = {frozenset(p) for p in zip(table["sent_id_a"], table["sent_id_b"], strict=True)}
        label_of = dict(zip(episode.sentences["sent_id"], labels, strict=True))
        for a, b, same in episode.planted:
            kind = "same" if same else "distinct"
            counts[kind] += 1
            counts[f"aligned_{kind}"] += frozenset((a, b)) in aligned
            counts[f"claim_{kind}"] += bool(label_of[a] == label_of[b])
    return {
        **counts,
        "align_recall": counts["aligned_same"] / max(counts["same"], 1),
        "align_link_rate": counts["aligned_distinct"] / max(counts["distinct"], 1),
        "claim_recall": counts["claim_same"] / max(counts["same"], 1),
        "claim_merge_rate": counts["claim_distinct"] / max(counts["distinct"], 1),
    }


def planted_in_context(
    model_key: str,
    config: dict,
    *,
    split: str = "test",
    weights: EvidenceWeights | None = None,
    old: bool = False,
    stsb: Path | None = None,
    ecb: Path | None = None,
) -> dict:
    """Planted paraphrase recall and distinct-pair link rate of one configured model on
    one split (``fit`` or ``test``), for other benches: see :func:`score_episodes`."""
    stsb = stsb or ROOT.parent / "shared/data/stsb"
    ecb = ecb or ROOT.parent / "shared/data/ecbplus"
    texts, gold = ecb_articles(ecb)
    episodes = split_episodes(texts, gold, stsb, config["random_state"])[split]
    entry = config["models"][model_key]
    encoder = load_encoder(ModelSpec.from_config(model_key, entry), device="cpu")
    vectors, row_of = encode_all(encoder, all_texts(episodes), cache_dir())
    th = model_thresholds(config, entry, weights)
    return score_episodes(episodes, vectors, row_of, th, entry["claim_threshold"], old=old)


def split_episodes(texts, gold, stsb: Path, seed: int) -> dict[str, list[Episode]]:
    """Fit episodes (STS-B train + dev, odd topics) and test episodes (STS-B test, even)."""
    fit = news_pairs(stsb / "sts-train.csv") + news_pairs(stsb / "sts-dev.csv")
    return {
        "fit": build_episodes(texts, gold, fit, odd_topics=True, seed=seed),
        "test": build_episodes(
            texts, gold, news_pairs(stsb / "sts-test.csv"), odd_topics=False, seed=seed + 1
        ),
    }


def all_texts(episodes: list[Episode]) -> list[str]:
    """Every sentence text of the episodes."""
    return [t for e in episodes for t in e.sentences["text"]]


def cache_dir() -> str:
    """Where sentence vectors are cached."""
    return os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache/framelens"))


def model_thresholds(config: dict, entry: dict, weights: EvidenceWeights | None) -> Thresholds:
    """The alignment thresholds of one model, with ``weights`` instead of the configured
    evidence weights when given."""
    th = Thresholds.from_config(config["alignment"], entry["paraphrase_threshold"])
    return th if weights is None else dataclasses.replace(th, evidence=weights)


def candidate_features(episodes, vectors, row_of, th: Thresholds) -> tuple[np.ndarray, np.ndarray]:
    """Features (FEATURES order, cosine relative to the threshold) and labels of the
    planted pairs that are candidates in their episode (others cannot be found)."""
    rows, labels = [], []
    for episode in episodes:
        features = EventFeatures(episode_vectors(episode, vectors, row_of), episode.sentences)
        pairs, ordered = choose_pairs(features, th), features.sentences
        by_id = {
            frozenset((ordered.at[i, "sent_id"], ordered.at[j, "sent_id"])): p
            for (i, j), p in pairs.items()
        }
        for a, b, same in episode.planted:
            p = by_id.get(frozenset((a, b)))
            if p is None or p["lexical"] >= th.rewrite_alone or (p["sequence"] or 0) >= th.verbatim:
                continue  # absent, or reuse whatever the score
            rows.append(
                [
                    p["semantic"] - th.paraphrase,
                    float(p["margin"] > 0),
                    p["anchor"],
                    p["contradiction"],
                ]
            )
            labels.append(int(same))
    return np.array(rows), np.array(labels)


def fit_weights(features: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Logistic regression weights (named as :class:`EvidenceWeights`; contradiction as a
    penalty, i.e. negated)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, max_iter=1000).fit(features, labels)
    w = model.coef_[0]
    return {
        "intercept": float(model.intercept_[0]),
        "cosine": float(w[0]),
        "mutual": float(w[1]),
        "anchor": float(w[2]),
        "contradiction": float(-w[3]),
    }


def choose_cut(weights: dict[str, float], fit_data: dict) -> float:
    """The cut (grid 0.05..0.95) with the best F1 of planted paraphrases against planted
    distinct pairs among the fit split's candidates (without reused wording), pooled
    over the models of ``fit_data`` (lowest cut on ties)."""
    w = np.array(
        [weights["cosine"], weights["mutual"], weights["anchor"], -weights["contradiction"]]
    )
    x = np.vstack([x for x, _ in fit_data.values()])
    y = np.concatenate([y for _, y in fit_data.values()]) == 1
    probability = 1 / (1 + np.exp(-(weights["intercept"] + x @ w)))
    scores = []
    for cut in np.round(np.arange(0.05, 0.951, 0.05), 2):
        found = probability >= cut
        tp, fp, fn = (found & y).sum(), (found & ~y).sum(), (~found & y).sum()
        scores.append((-2 * tp / max(2 * tp + fp + fn, 1), float(cut)))
    return min(scores)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config/config.yaml"))
    parser.add_argument("--stsb", default=str(ROOT.parent / "shared/data/stsb"))
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared/data/ecbplus"))
    parser.add_argument("--models", default=None, help="comma-separated model keys")
    parser.add_argument("--out", default=str(ROOT / "results/bench/paraphrase.json"))
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    started = time.perf_counter()
    texts, gold = ecb_articles(Path(args.ecbplus))
    episodes = split_episodes(texts, gold, Path(args.stsb), config["random_state"])
    keys = args.models.split(",") if args.models else list(config["models"])
    configured = Thresholds.from_config(config["alignment"], 0.0).evidence
    report: dict = {
        "episodes": {s: len(e) for s, e in episodes.items()},
        "planted": {
            s: {
                "same": sum(p[2] for e in eps for p in e.planted),
                "distinct": sum(not p[2] for e in eps for p in e.planted),
            }
            for s, eps in episodes.items()
        },
        "configured_weights": configured._asdict(),
        "models": {},
    }
    print(f"episodes: {report['episodes']}; planted pairs: {report['planted']}")
    fit_data, pooled_x, pooled_y = {}, [], []
    for key in keys:
        entry = config["models"][key]
        encoder = load_encoder(ModelSpec.from_config(key, entry), device=config["device"])
        data = {}
        for split, eps in episodes.items():
            vectors, row_of = encode_all(encoder, all_texts(eps), cache_dir())
            data[split] = {"episodes": eps, "vectors": vectors, "row_of": row_of, "entry": entry}
        th = model_thresholds(config, entry, None)
        fit = data["fit"]
        fit["old"] = score_episodes(
            fit["episodes"], fit["vectors"], fit["row_of"], th, entry["claim_threshold"], old=True
        )
        x, y = candidate_features(fit["episodes"], fit["vectors"], fit["row_of"], th)
        if key in POOLED:
            fit_data[key] = (x, y)
            pooled_x.append(x)
            pooled_y.append(y)
        test = data["test"]
        report["models"][key] = {
            "own_fit": fit_weights(x, y),
            "fit_candidates": {"same": int(y.sum()), "distinct": int((y == 0).sum())},
            "test": {
                name: score_episodes(
                    test["episodes"],
                    test["vectors"],
                    test["row_of"],
                    th,
                    entry["claim_threshold"],
                    old=name == "old",
                )
                for name in ("old", "new")
            },
            "fit": {
                "old": fit["old"],
                "new": score_episodes(
                    fit["episodes"],
                    fit["vectors"],
                    fit["row_of"],
                    th,
                    entry["claim_threshold"],
                    old=False,
                ),
            },
            "data": data,
        }
    if pooled_x:
        weights = fit_weights(np.vstack(pooled_x), np.concatenate(pooled_y))
        cut = choose_cut(weights, fit_data)
        report["fitted_weights"] = {**weights, "cut": cut, "floor": configured.floor}
        print(
            "fitted (pooled "
            + ",".join(fit_data)
            + "): "
            + ", ".join(f"{k} {v:.3f}" for k, v in report["fitted_weights"].items())
        )
    print(
        "configured: " + ", ".join(f"{k} {v:.3f}" for k, v in report["configured_weights"].items())
    )
    print(
        f"{'model':<8} {'rule':<4} {'align recall':>12} {'align links':>11} "
        f"{'claim recall':>12} {'claim merges':>12}   (test split)"
    )
    for key, result in report["models"].items():
        result.pop("data")
        for name in ("old", "new"):
            r = result["test"][name]
            print(
                f"{key:<8} {name.upper():<4} {r['align_recall']:>12.3f} "
                f"{r['align_link_rate']:>11.3f} {r['claim_recall']:>12.3f} "
                f"{r['claim_merge_rate']:>12.3f}"
            )
    report["seconds"] = round(time.perf_counter() - started, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
