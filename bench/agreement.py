"""Agreement with people: document similarity against human judgements, per model.

Usage: python -m bench.agreement [--config config/config.yaml] [--data ../shared/data]
                                 [--calibrate] [--models minilm,use] [--datasets lp50]

For every configured model (or those named), on public data read from ``--data``:

- **LP50** (50 news articles, mean human similarity of all 1,225 pairs): Pearson and
  Spearman of each document measure against the ratings.
- **ECB+ graded pairs** (982 articles): a pair is graded 2 when both articles report
  one event, 1 when they report two events of one topic, 0 otherwise. Every pair of
  grade 1 or 2 is scored, with as many grade-0 pairs drawn at random (seeded by
  ``random_state``); Spearman and Pearson against the grade.
- **ECB+ with titles apart** (``titles_apart``): the same graded pairs, with each
  article's headline line moved out of the text into ``metadata.csv`` (as scraped pages
  and table exports keep it; ingest puts it back on top as the headline), and removed
  altogether: what a headline kept apart costs, and what ingest recovers.
- **STS-B news** (``main-news`` rows of the test split): Spearman of the sentence cosine
  against the human score (the model itself, at sentence level).

The document measures are framelens' own (:func:`framelens.similarity.doc_similarity`
on the ingested articles): ``story`` (the default), ``best_match`` symmetrised
((A→B + B→A) / 2, as the old default was read as a symmetric score) and
``mean_vector``. Beside them, measured in the same run, the plain whole-article cosine a
researcher would try first: ``model.encode(article_text)`` (truncated by the model as it
truncates; for ``tfidf`` the whole-article TF-IDF, sublinear tf, English stop words).

``--calibrate`` grids the ``story`` weights (``lead_decay``, ``names``, ``words``) and
prints the one that maximises the mean, over the models and over LP50 Pearson and ECB+
Spearman, among settings where the model keeps at least half of the weight (a
framelens measure must stay the model's: runs compare models, and across languages only
the model sees meaning). That is how the config defaults were set.

Writes results/bench/agreement.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.stats import pearsonr, spearmanr
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.planted import read_stsb
from framelens.basics.similarity import cos_sim, l2_normalise, pairwise_cos_sim
from framelens.config import validate_config
from framelens.corpus import ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.models import ModelSpec, load_encoder
from framelens.similarity import (
    StorySettings,
    doc_similarity,
    story_matrix,
    story_profiles,
)

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("story", "best_match", "mean_vector")
DECAYS = (1.0, 2.0, 4.0, 8.0)
CALIBRATION_SETS = ("lp50", "ecbplus")  # the story weights are fitted on these only
WEIGHTS = tuple(np.round(np.arange(0.0, 0.51, 0.1), 2))


class Dataset:
    """An ingested corpus and the article pairs people judged."""

    def __init__(self, name: str, folder: Path, pairs: pd.DataFrame) -> None:
        corpus = ingest_corpus(folder)
        self.name = name
        self.sentences = corpus.sentences
        self.doc_ids = corpus.documents["doc_id"].tolist()
        self.files = corpus.documents["file"].tolist()
        index = dict(zip(self.files, range(len(self.doc_ids)), strict=True))
        self.a = pairs["file_a"].map(index).to_numpy()
        self.b = pairs["file_b"].map(index).to_numpy()
        self.truth = pairs["truth"].to_numpy(dtype=float)
        by_doc = self.sentences.groupby("doc_id", sort=False)["text"].apply(" ".join)
        self.articles = [by_doc.get(d, "") for d in self.doc_ids]

    def score(self, matrix: np.ndarray) -> dict[str, float]:
        """Pearson and Spearman of the judged pairs' cells against the human scores."""
        values = matrix[self.a, self.b]
        return {
            "pearson": float(pearsonr(values, self.truth)[0]),
            "spearman": float(spearmanr(values, self.truth)[0]),
        }


def lp50(data: Path) -> Dataset:
    """LP50: every pair of its 50 articles, with the mean human rating."""
    pairs = pd.read_csv(data / "lp50/pairs.csv").rename(columns={"human": "truth"})
    return Dataset("lp50", data / "lp50/corpus", pairs)


def ecb_graded(data: Path, seed: int) -> Dataset:
    """ECB+: same-event (2) and same-topic (1) pairs, plus as many other-topic pairs (0)."""
    gold = pd.read_csv(data / "ecbplus/gold_events.csv").sort_values("file")
    files, event, topic = (gold[c].to_numpy() for c in ("file", "event", "topic"))
    first, second = np.triu_indices(len(files), 1)
    grade = np.where(
        event[first] == event[second], 2, np.where(topic[first] == topic[second], 1, 0)
    )
    judged = np.flatnonzero(grade > 0)
    other = np.random.default_rng(seed).choice(
        np.flatnonzero(grade == 0), size=len(judged), replace=False
    )
    keep = np.sort(np.concatenate([judged, other]))
    pairs = pd.DataFrame(
        {"file_a": files[first[keep]], "file_b": files[second[keep]], "truth": grade[keep]}
    )
    return Dataset("ecbplus", data / "ecbplus/corpus", pairs)


def without_title_lines(source: Path, target: Path, *, keep_title: bool) -> Path:
    """A copy of an ECB+-style corpus folder whose articles no longer open with their
    title: where an article's first line is its metadata title, the line is dropped,
    and the title stays in ``metadata.csv`` (``keep_title``: as scraped pages and table
    exports keep it) or is blanked there too (the article loses its headline)."""
    target.mkdir(parents=True, exist_ok=True)
    metadata = pd.read_csv(source / "metadata.csv", dtype=str, keep_default_na=False)
    for row in metadata.itertuples():
        text = (source / row.file).read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        moved = bool(row.title) and first.strip() == row.title.strip() and bool(rest.strip())
        (target / row.file).write_text(rest if moved else text, encoding="utf-8")
        if moved and not keep_title:
            metadata.loc[row.Index, "title"] = ""
    metadata.to_csv(target / "metadata.csv", index=False)
    return target


def ecb_titles_apart(data: Path, seed: int, scratch: Path) -> list[Dataset]:
    """ECB+ graded pairs with the headline line taken out of the text: once with the
    title left in the metadata (ingest puts it back on top as the headline) and once
    without any title. Beside ``ecbplus`` (the headline in the text) they show what a
    headline kept apart from the text costs, and what ingest recovers."""
    graded = ecb_graded(data, seed)
    pairs = pd.DataFrame(
        {
            "file_a": np.array(graded.files)[graded.a],
            "file_b": np.array(graded.files)[graded.b],
            "truth": graded.truth,
        }
    )
    source = data / "ecbplus/corpus"
    return [
        Dataset(name, without_title_lines(source, scratch / name, keep_title=keep), pairs)
        for name, keep in (("ecbplus_title_apart", True), ("ecbplus_no_title", False))
    ]


def whole_article_matrix(encoder: Any, key_kind: str, articles: list[str]) -> np.ndarray:
    """The plain baseline: cosine of whole-article vectors (the model's own truncation);
    for the lexical model, whole-article TF-IDF."""
    if key_kind == "tfidf":
        vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(articles)
    else:
        vectors = l2_normalise(encoder.encode(articles))
    return cos_sim(vectors, vectors)


def measure_matrices(vectors: Any, data: Dataset, story: StorySettings) -> dict[str, np.ndarray]:
    """framelens' document measures on one dataset (best_match symmetrised)."""
    out = {}
    for method in MEASURES:
        matrix = doc_similarity(vectors, data.sentences, data.doc_ids, method, story).to_numpy()
        out[method] = (matrix + matrix.T) / 2 if method == "best_match" else matrix
    return out


def stsb_news(encoder: Any, stsb: Path) -> float:
    """Spearman of the sentence cosine on the STS-B test split's news pairs."""
    pairs = [p for p in read_stsb(stsb / "sts-test.csv") if p.genre == "main-news"]
    texts = list(dict.fromkeys([p.a for p in pairs] + [p.b for p in pairs]))
    row = {t: i for i, t in enumerate(texts)}
    vectors = l2_normalise(encoder.encode(texts))
    sims = pairwise_cos_sim(vectors[[row[p.a] for p in pairs]], vectors[[row[p.b] for p in pairs]])
    return float(spearmanr(sims, [p.score for p in pairs])[0])


def story_grid(vectors: Any, data: Dataset) -> dict[tuple[float, float, float], float]:
    """Calibration score of every (lead_decay, names, words) with names + words <= 0.5:
    LP50 Pearson or ECB+ Spearman."""
    measure = "pearson" if data.name == "lp50" else "spearman"
    grid = {}
    for decay in DECAYS:
        profiles = story_profiles(
            vectors, data.sentences, data.doc_ids, StorySettings(lead_decay=decay)
        )
        for names, words in itertools.product(WEIGHTS, WEIGHTS):
            if names + words <= 0.5 + 1e-9:
                settings = StorySettings(lead_decay=decay, names=names, words=words)
                grid[(decay, names, words)] = data.score(story_matrix(profiles, settings))[measure]
    return grid


def grid_means(
    grids: list[dict[tuple[float, float, float], float]],
) -> dict[tuple[float, float, float], float]:
    """Each setting's mean score over all grids (models × datasets)."""
    return {k: float(np.mean([g[k] for g in grids])) for k in grids[0]}


def chosen_setting(
    grids: list[dict[tuple[float, float, float], float]],
) -> tuple[tuple[float, float, float], float]:
    """The setting with the best mean score over all grids (models × datasets); on a tie,
    the one where the model weighs most, then the slowest decay."""
    means = grid_means(grids)
    best = max(means, key=lambda k: (means[k], -k[1] - k[2], k[0]))
    return best, means[best]


def print_table(key: str, results: dict[str, Any]) -> None:
    """One model's results, each measure beside the whole-article baseline."""
    for name, row in results.items():
        if not isinstance(row, dict):
            continue
        cells = "  ".join(
            f"{m} {row[m]['pearson']:.3f}/{row[m]['spearman']:.3f}"
            for m in ("whole_article", *MEASURES)
        )
        print(f"{key:<8} {name:<20} (Pearson/Spearman)  {cells}")
    print(f"{key:<8} STS-B news Spearman {results['stsb_news_spearman']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config/config.yaml"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    parser.add_argument("--models", default=None, help="comma-separated model keys")
    parser.add_argument(
        "--datasets",
        default="lp50,ecbplus,titles_apart",
        help="comma-separated: lp50, ecbplus, titles_apart (ECB+ with the headline line "
        "moved to the metadata, and removed)",
    )
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "results/bench/agreement.json"))
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    data = Path(args.data)
    story = StorySettings.from_config(config["similarity"])
    readers = {
        "lp50": lambda: lp50(data),
        "ecbplus": lambda: ecb_graded(data, config["random_state"]),
    }
    scratch = tempfile.TemporaryDirectory(prefix="framelens-agreement-")
    readers["titles_apart"] = lambda: ecb_titles_apart(
        data, config["random_state"], Path(scratch.name)
    )
    datasets: list[Dataset] = []
    for name in args.datasets.split(","):
        made = readers[name]()
        datasets.extend(made if isinstance(made, list) else [made])
    cache_root = os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache/framelens"))
    keys = args.models.split(",") if args.models else list(config["models"])
    report: dict[str, Any] = {
        "story": story.__dict__,
        "n_pairs": {d.name: len(d.truth) for d in datasets},
        "models": {},
    }
    grids = []
    for key in keys:
        entry = config["models"][key]
        started = time.perf_counter()
        encoder = load_encoder(ModelSpec.from_config(key, entry), device=config["device"])
        cache = EmbeddingCache(cache_root, fingerprint(encoder.identity()))
        results: dict[str, Any] = {}
        for ds in datasets:
            vectors, _ = embed_texts(ds.sentences["text"].tolist(), encoder, cache)
            matrices = {
                "whole_article": whole_article_matrix(encoder, entry["kind"], ds.articles),
                **measure_matrices(vectors, ds, story),
            }
            results[ds.name] = {m: ds.score(x) for m, x in matrices.items()}
            if args.calibrate and ds.name in CALIBRATION_SETS:
                grids.append(story_grid(vectors, ds))
        results["stsb_news_spearman"] = stsb_news(encoder, data / "stsb")
        results["seconds"] = time.perf_counter() - started
        report["models"][key] = results
        print_table(key, results)
    if args.calibrate:
        (decay, names, words), score = chosen_setting(grids)
        ranked = sorted(grid_means(grids).items(), key=lambda kv: -kv[1])
        report["calibrated"] = {
            "lead_decay": decay,
            "names": names,
            "words": words,
            "mean_score": score,
            "configured": story.__dict__,
            "top_settings": [
                {"lead_decay": k[0], "names": k[1], "words": k[2], "mean_score": v}
                for k, v in ranked[:10]
            ],
        }
        print(
            f"calibrated story weights: lead_decay {decay:g}, names {names:g}, "
            f"words {words:g} (mean score {score:.3f}); configured: {story.__dict__}"
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
