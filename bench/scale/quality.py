"""Quality of a scale run against the synthetic corpus's planted gold: event ARI and
V-measure, reuse precision and recall, each with a 95% bootstrap interval over the gold
events; and the slice check (gold events clustered alone against the whole run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

REUSE = ("verbatim", "rewrite")
BOOTSTRAP_ROUNDS, BOOTSTRAP_SEED = 200, 2026  # intervals of the quality scores


def quality(work: Path, corpus: Path, models: list[str]) -> dict[str, Any]:
    results = work / "results"
    if not (results / "corpus" / "sentences.parquet").is_file():
        return {}
    gold = gold_sentence_pairs(results, corpus)
    return {
        m: {
            "events": event_scores(results, corpus, m),
            "reuse": reuse_scores(results, corpus, m, gold),
        }
        for m in models
    }


def event_scores(results: Path, corpus: Path, model: str) -> dict[str, Any]:
    """ARI, V-measure and cluster counts of ``events.csv`` against the gold events."""
    from sklearn.metrics import adjusted_rand_score, homogeneity_completeness_v_measure

    path = results / model / "events.csv"
    if not path.is_file():
        return {}
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id", "file"])
    gold = pd.read_csv(corpus / "gold_events.csv").set_index("file")["event"]
    found = pd.read_csv(path, dtype=str).set_index("doc_id")["event_id"]
    truth = docs["file"].map(gold).to_numpy()
    labels = docs["doc_id"].map(found).to_numpy()
    homogeneity, completeness, v_measure = homogeneity_completeness_v_measure(truth, labels)
    return {
        "ari": float(adjusted_rand_score(truth, labels)),
        "ari_interval": ari_interval(truth, labels),
        "v_measure": float(v_measure),
        "homogeneity": float(homogeneity),
        "completeness": float(completeness),
        "n_clusters": len(set(labels)),
        "n_gold_events": len(set(truth)),
    }


def resampled_events(n_events: int, rounds: int = BOOTSTRAP_ROUNDS) -> np.ndarray:
    """How often each gold event is drawn in each of ``rounds`` bootstrap samples of the
    events (``rounds`` x ``n_events``; seeded, so the same on every run)."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    return rng.multinomial(n_events, np.full(n_events, 1 / n_events), size=rounds)


def percentile_interval(values: np.ndarray) -> list[float]:
    """The central 95% of bootstrap values."""
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def ari_interval(truth: np.ndarray, labels: np.ndarray) -> list[float]:
    """95% bootstrap interval of the event ARI, resampling gold events. An event drawn
    twice enters as two events: its second copy's found clusters are kept apart from the
    first copy's (but still shared with the other events' second copies)."""
    from sklearn.metrics import adjusted_rand_score

    gold_codes, found_codes = pd.factorize(truth)[0], pd.factorize(labels)[0]
    order = np.argsort(gold_codes, kind="stable")
    counts = np.bincount(gold_codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n_found = int(found_codes.max()) + 1
    scores = []
    for draws in resampled_events(len(counts)):
        events = np.repeat(np.arange(len(counts)), draws)
        layer = np.arange(len(events)) - np.repeat(np.cumsum(draws) - draws, draws)
        members = np.concatenate([order[starts[e] : starts[e] + counts[e]] for e in events])
        copy_of = np.repeat(np.arange(len(events)), counts[events])
        found = found_codes[members] + n_found * np.repeat(layer, counts[events])
        scores.append(adjusted_rand_score(copy_of, found))
    return percentile_interval(np.array(scores))


def gold_sentence_pairs(results: Path, corpus: Path) -> pd.DataFrame:
    """The gold reuse pairs with ``sent_id_a``/``sent_id_b`` (by document and position,
    checked by text; a sentence the ingest split or changed is looked up by its text)."""
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id", "file"])
    sents = pd.read_parquet(
        results / "corpus" / "sentences.parquet", columns=["sent_id", "doc_id", "position", "text"]
    )
    doc_of = dict(zip(docs["file"], docs["doc_id"], strict=True))
    by_place = {
        (d, int(p)): (s, t)
        for s, d, p, t in zip(
            sents["sent_id"], sents["doc_id"], sents["position"], sents["text"], strict=True
        )
    }
    by_text = {
        (d, " ".join(t.split())): s
        for s, d, t in zip(sents["sent_id"], sents["doc_id"], sents["text"], strict=True)
    }
    gold = pd.read_csv(corpus / "gold_reuse.csv", keep_default_na=False)
    for side in "ab":
        ids = []
        for file, index, text in zip(
            gold[f"file_{side}"], gold[f"index_{side}"], gold[f"text_{side}"], strict=True
        ):
            doc = doc_of.get(file)
            placed = by_place.get((doc, int(index)))
            if placed and placed[1] == text:
                ids.append(placed[0])
            else:
                ids.append(by_text.get((doc, " ".join(text.split()))))
        gold[f"sent_id_{side}"] = ids
    gold["planted"] = gold["planted"].astype(str) == "True"
    return gold


def reuse_scores(
    results: Path, corpus: Path, model: str, gold: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Precision and recall of the verbatim/rewrite pairs against the planted gold."""
    path = results / model / "alignments.parquet"
    if not path.is_file():
        return {}
    gold = gold_sentence_pairs(results, corpus) if gold is None else gold
    pairs = pd.read_parquet(path, columns=["sent_id_a", "sent_id_b", "relation"])
    found = {
        frozenset(p): r
        for p, r in zip(
            zip(pairs["sent_id_a"], pairs["sent_id_b"], strict=True), pairs["relation"], strict=True
        )
    }
    reuse = {p for p, r in found.items() if r in REUSE}
    keyed = [frozenset((a, b)) for a, b in zip(gold["sent_id_a"], gold["sent_id_b"], strict=True)]
    known = set(keyed)
    planted = gold["planted"].to_numpy()
    hit = np.array([k in reuse for k in keyed])
    right_label = np.array(
        [found.get(k) == rel for k, rel in zip(keyed, gold["relation"], strict=True)]
    )
    true_pos = len(reuse & known)
    result: dict[str, Any] = {
        "found_reuse_pairs": len(reuse),
        "found_paraphrase_pairs": sum(r == "paraphrase" for r in found.values()),
        "gold_pairs": len(known),
        "planted_pairs": int(planted.sum()),
        "precision": true_pos / len(reuse) if reuse else None,
        "recall_planted": float(hit[planted].mean()) if planted.any() else None,
        "recall_all_gold": float(hit.mean()) if len(hit) else None,
        "label_accuracy_planted_found": float(right_label[planted & hit].mean())
        if (planted & hit).any()
        else None,
        "unmapped_gold_sentences": int(gold[["sent_id_a", "sent_id_b"]].isna().sum().sum()),
    }
    result.update(
        reuse_intervals(results, corpus, reuse, known, gold["event"].to_numpy(), hit, planted)
    )
    for how in ("copy", "trimmed", "reordered"):
        mask = planted & (gold["how"] == how).to_numpy()
        result[f"recall_{how}"] = float(hit[mask].mean()) if mask.any() else None
    events = results / model / "events.csv"
    if events.is_file() and planted.any():  # alignment only pairs articles of one event
        event_of = pd.read_csv(events, dtype=str).set_index("doc_id")["event_id"]
        doc = gold[["sent_id_a", "sent_id_b"]].apply(lambda c: c.str.rsplit(":", n=1).str[0])
        together = (doc["sent_id_a"].map(event_of) == doc["sent_id_b"].map(event_of)).to_numpy()
        result["planted_in_one_found_event"] = float(together[planted].mean())
        result["recall_planted_in_one_found_event"] = (
            float(hit[planted & together].mean()) if (planted & together).any() else None
        )
    return result


def reuse_intervals(
    results: Path,
    corpus: Path,
    reuse: set[frozenset],
    known: set[frozenset],
    gold_event: np.ndarray,
    hit: np.ndarray,
    planted: np.ndarray,
) -> dict[str, list[float]]:
    """95% bootstrap intervals of reuse precision and planted recall, resampling gold
    events (a found pair belongs to the gold event of its first article)."""
    docs = pd.read_parquet(results / "corpus" / "documents.parquet", columns=["doc_id", "file"])
    event_of_file = pd.read_csv(corpus / "gold_events.csv").set_index("file")["event"]
    event_of_doc = dict(zip(docs["doc_id"], docs["file"].map(event_of_file), strict=True))
    names = sorted(set(event_of_file))
    code = {name: i for i, name in enumerate(names)}
    found_event = np.array(
        [code[event_of_doc[min(p).rsplit(":", 1)[0]]] for p in reuse], dtype=np.int64
    )
    right = np.array([p in known for p in reuse], dtype=float)
    planted_event = np.array([code[e] for e in gold_event[planted]], dtype=np.int64)
    per_event = [
        np.bincount(found_event, weights=right, minlength=len(names)),
        np.bincount(found_event, minlength=len(names)),
        np.bincount(planted_event, weights=hit[planted].astype(float), minlength=len(names)),
        np.bincount(planted_event, minlength=len(names)),
    ]
    draws = resampled_events(len(names))
    right_n, found_n, hit_n, planted_n = (draws @ v for v in per_event)
    return {
        "precision_interval": percentile_interval(right_n / np.maximum(found_n, 1)),
        "recall_planted_interval": percentile_interval(hit_n / np.maximum(planted_n, 1)),
    }


def slice_check(
    work: Path, corpus: Path, model: str, events_per_slice: int, slices: int
) -> list[dict[str, Any]]:
    """Same articles, small corpus against whole corpus: ``slices`` runs of
    ``events_per_slice`` gold events (consecutive by first date, spread over the corpus),
    each clustered alone with the run's settings and scored against the gold, beside the
    whole run's clusters for the same articles. A pipeline that loses quality with N
    scores lower inside the whole run than alone."""
    from sklearn.metrics import adjusted_rand_score

    from framelens.events import EventSettings, cluster_events
    from framelens.steps._common import read_vectors_for

    results = work / "results"
    config = yaml.safe_load((work / "config.yaml").read_text(encoding="utf-8"))
    settings = EventSettings.from_config(
        config["events"], config["models"][model]["event_threshold"]
    )
    sents, vectors = read_vectors_for(
        str(results / "corpus" / "sentences.parquet"), str(results / model / "sentence_vectors.npz")
    )
    docs = pd.read_parquet(results / "corpus" / "documents.parquet")
    docs["gold"] = docs["file"].map(
        pd.read_csv(corpus / "gold_events.csv").set_index("file")["event"]
    )
    whole = pd.read_csv(results / model / "events.csv", dtype=str).set_index("doc_id")
    by_start = docs.groupby("gold")["date"].min().sort_values(kind="stable").index
    starts = np.linspace(0, max(len(by_start) - events_per_slice, 0), slices).astype(int)
    found = []
    for lo in sorted(set(starts.tolist())):
        part = docs[docs["gold"].isin(set(by_start[lo : lo + events_per_slice]))]
        keep = sents["doc_id"].isin(set(part["doc_id"])).to_numpy()
        alone = cluster_events(
            vectors[np.flatnonzero(keep)],
            sents[keep].reset_index(drop=True),
            part.reset_index(drop=True),
            settings,
        )
        alone_labels = alone.set_index("doc_id")["event_id"].reindex(part["doc_id"])
        whole_labels = whole["event_id"].reindex(part["doc_id"])
        found.append(
            {
                "first_event": lo,
                "events": events_per_slice,
                "articles": len(part),
                "ari_alone": float(adjusted_rand_score(part["gold"], alone_labels)),
                "ari_in_whole": float(adjusted_rand_score(part["gold"], whole_labels)),
                "agreement": float(adjusted_rand_score(alone_labels, whole_labels)),
            }
        )
    return found
