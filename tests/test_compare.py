"""Comparing models: agreement metrics, permutation p-values, BH adjustment, sensitivity,
model cards, and that adding a model reruns only its own rules and the cross-model ones."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import false_discovery_control, kendalltau, spearmanr
from sklearn.metrics import adjusted_rand_score

from framelens.compare import (
    ModelOutputs,
    agreement_table,
    alignment_jaccard,
    claims_ari,
    doc_similarity_spearman,
    headline_pairs,
    model_card,
    overlap_kendall_tau,
    read_sts,
    sensitivity_table,
    significance_sentence,
    significance_table,
    stsb_spearman,
)
from framelens.overlap import benjamini_hochberg, outlet_overlap, reuse_permutation_test
from framelens.steps.dag import CARD_RULES

from .conftest import ROOT, SEEDS
from .runs import snakemake

CROSS_MODEL_RULES = {
    "model_agreement",
    "plot_model_agreement",
    "plot_reuse_significance",
    "explorer",
}


# --------------------------------------------------------------------------- agreement


def square(values: np.ndarray, docs: list[str]) -> pd.DataFrame:
    return pd.DataFrame(values, index=docs, columns=docs)


def test_doc_similarity_spearman_matches_scipy_on_off_diagonal_cells():
    rng = np.random.default_rng(0)
    docs = ["d1", "d2", "d3", "d4"]
    a, b = rng.random((4, 4)), rng.random((4, 4))
    off = ~np.eye(4, dtype=bool)
    expected = spearmanr(a[off], b[off]).statistic
    # b's rows and columns in another order: documents are matched by id
    shuffled = square(b, docs).loc[docs[::-1], docs[::-1]]
    rho, n = doc_similarity_spearman(square(a, docs), shuffled)
    assert rho == pytest.approx(expected) and n == 12
    # a document only one model has is left out
    extra = square(np.ones((5, 5)), [*docs, "d5"])
    extra.loc[docs, docs] = b
    assert doc_similarity_spearman(square(a, docs), extra) == (pytest.approx(expected), 12)


def test_claims_ari_matches_sklearn_over_shared_sentences():
    a = pd.DataFrame(
        {
            "sent_id": ["s1", "s2", "s3", "s4", "s5", "only_a"],
            "claim_id": ["e-c1", "e-c1", "e-c2", "e-c2", "e-c3", "e-c9"],
        }
    )
    b = pd.DataFrame(
        {
            "sent_id": ["s5", "s4", "s3", "s2", "s1", "only_b"],
            "claim_id": ["x-c1", "x-c1", "x-c2", "x-c2", "x-c2", "x-c3"],
        }
    )
    ari, n = claims_ari(a, b)
    expected = adjusted_rand_score(
        ["e-c1", "e-c1", "e-c2", "e-c2", "e-c3"], ["x-c2", "x-c2", "x-c2", "x-c1", "x-c1"]
    )
    assert ari == pytest.approx(expected) and n == 5
    assert claims_ari(a, a.rename(columns={}))[0] == pytest.approx(1.0)


def test_alignment_jaccard_ignores_the_order_within_a_pair():
    a = pd.DataFrame(
        {
            "sent_id_a": ["x:0", "x:1", "x:2"],
            "sent_id_b": ["y:0", "y:1", "y:2"],
            "relation": ["verbatim", "rewrite", "paraphrase"],
        }
    )
    b = pd.DataFrame(
        {
            "sent_id_a": ["y:0", "x:2", "x:5"],
            "sent_id_b": ["x:0", "y:2", "y:5"],
            "relation": ["rewrite", "rewrite", "paraphrase"],
        }
    )
    result = alignment_jaccard(a, b)
    assert result["alignment_jaccard"] == pytest.approx(2 / 4)  # {x0y0, x2y2} of 4
    assert result["reuse_jaccard"] == pytest.approx(1 / 3)  # {x0y0} of {x0y0, x1y1, x2y2}
    assert (result["n_aligned_a"], result["n_aligned_b"], result["n_aligned_both"]) == (3, 3, 2)


def test_overlap_kendall_tau_matches_scipy_over_the_same_ordered_pairs():
    a = pd.DataFrame(
        {
            "outlet_a": ["A", "A", "B", "B", "C"],
            "outlet_b": ["B", "C", "A", "C", "A"],
            "reuse_share": [0.5, 0.1, 0.3, 0.0, 0.2],
        }
    )
    b = pd.DataFrame(
        {
            "outlet_a": ["C", "B", "B", "A", "A"],
            "outlet_b": ["A", "C", "A", "C", "B"],
            "reuse_share": [0.1, 0.05, 0.4, 0.0, 0.6],
        }
    )
    tau, n = overlap_kendall_tau(a, b)
    expected = kendalltau([0.5, 0.1, 0.3, 0.0, 0.2], [0.6, 0.0, 0.4, 0.05, 0.1]).statistic
    assert tau == pytest.approx(expected) and n == 5
    constant = b.assign(reuse_share=0.0)
    assert np.isnan(overlap_kendall_tau(a, constant)[0])


def outputs(key: str, *, neural: bool, overlap: pd.DataFrame, seed: int = 0) -> ModelOutputs:
    rng = np.random.default_rng(seed)
    docs = ["d1", "d2", "d3"]
    return ModelOutputs(
        key=key,
        neural=neural,
        doc_similarity=square(rng.random((3, 3)), docs),
        claims=pd.DataFrame(
            {"sent_id": ["s1", "s2", "s3"], "claim_id": rng.choice(["c1", "c2"], 3)}
        ),
        alignments=pd.DataFrame(
            {"sent_id_a": ["s1"], "sent_id_b": ["s2"], "relation": ["rewrite"]}
        ),
        overlap=overlap,
    )


def overlap_rows(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "outlet_a": a,
                "outlet_b": b,
                "reuse_share": s,
                "ci_low": s / 2,
                "ci_high": s,
                "p_value": p,
                "p_adjusted": p,
            }
            for a, b, s, p in rows
        ]
    )


def test_agreement_table_has_one_row_per_model_pair():
    table = overlap_rows([("AP", "UK", 0.5, 0.01), ("UK", "AP", 0.4, 0.01)])
    models = [
        outputs(k, neural=True, overlap=table, seed=i) for i, k in enumerate(["m1", "m2", "m3"])
    ]
    result = agreement_table(models)
    assert list(zip(result["model_a"], result["model_b"], strict=True)) == [
        ("m1", "m2"),
        ("m1", "m3"),
        ("m2", "m3"),
    ]
    assert (result["alignment_jaccard"] == 1.0).all()
    assert agreement_table(models[:1]).empty


def test_significance_sentence_says_whether_every_neural_model_agrees():
    strong = overlap_rows(
        [
            ("AP", "UK", 0.57, 0.01),
            ("UK", "AP", 0.38, 0.01),
            ("AP", "DE", 0.0, 1.0),
            ("DE", "AP", 0.0, 1.0),
        ]
    )
    weak = overlap_rows(
        [
            ("AP", "UK", 0.20, 0.01),
            ("UK", "AP", 0.10, 0.30),
            ("AP", "DE", 0.0, 1.0),
            ("DE", "AP", 0.0, 1.0),
        ]
    )
    assert headline_pairs({"m": strong}, 3) == [("AP", "UK")]  # pairs without reuse left out
    both = [
        outputs("minilm", neural=True, overlap=strong),
        outputs("use", neural=True, overlap=strong),
        outputs("tfidf", neural=False, overlap=weak),
    ]
    table = significance_table(both)
    assert set(table["model"]) == {"minilm", "use", "tfidf"} and len(table) == 6
    sentence = significance_sentence(table)
    assert "AP and UK" in sentence
    assert "is significant under every neural model" in sentence
    assert "minilm (p = 0.010), use (p = 0.010)" in sentence
    assert "Lexical baseline: not significant (tfidf (p = 0.300))" in sentence
    both[1].overlap = weak
    sentence = significance_sentence(significance_table(both))
    assert "is NOT significant under every neural model" in sentence
    assert "not under use (p = 0.300); significant under minilm" in sentence


# --------------------------------------------------------------------------- permutation test


def planted_corpus(n_reused: int, *, spread: bool = False):
    """One event, four outlets of 12 content sentences each; A's first ``n_reused``
    sentences are rewritten in B (or, with ``spread``, one each in B, C and D)."""
    outlets = ["A", "B", "C", "D"]
    documents = pd.DataFrame(
        {
            "doc_id": [o.lower() for o in outlets],
            "outlet": outlets,
            "outlet_label": outlets,
            "date": [None] * 4,
        }
    )
    content = pd.DataFrame(
        {
            "sent_id": [f"{o.lower()}:{i}" for o in outlets for i in range(12)],
            "doc_id": [o.lower() for o in outlets for _ in range(12)],
        }
    )
    targets = ["b", "c", "d"] if spread else ["b"] * n_reused
    pairs = [(f"a:{i}", f"{t}:{i}", "a", t) for i, t in enumerate(targets[:n_reused])]
    pairs += [("b:11", "c:11", "b", "c")]  # a paraphrase elsewhere: never reuse
    alignments = pd.DataFrame(pairs, columns=["sent_id_a", "sent_id_b", "doc_id_a", "doc_id_b"])
    alignments["relation"] = ["rewrite"] * (len(pairs) - 1) + ["paraphrase"]
    alignments["source_doc_id"] = None
    events = pd.Series("e1", index=documents["doc_id"])
    return content, alignments, documents, events


def test_planted_strong_reuse_is_significant_and_no_reuse_is_not():
    table = outlet_overlap(*planted_corpus(6), n_boot=100, n_perm=999, random_state=42)
    table = table.set_index(["outlet_a", "outlet_b"])
    assert table.loc[("A", "B"), "reuse_share"] == pytest.approx(0.5)
    assert table.loc[("A", "B"), "p_value"] < 0.01
    assert table.loc[("A", "B"), "p_adjusted"] < 0.05
    assert table.loc[("B", "A"), "p_adjusted"] < 0.05
    assert table.loc[("A", "C"), "p_value"] == 1.0  # no reuse at all
    assert table.loc[("C", "D"), "p_adjusted"] == 1.0


def test_reuse_spread_over_every_outlet_is_not_significant():
    table = outlet_overlap(
        *planted_corpus(3, spread=True), n_boot=100, n_perm=999, random_state=42
    ).set_index(["outlet_a", "outlet_b"])
    # one reused sentence in each of B, C, D: B is no special taker of A's copy
    assert table.loc[("A", "B"), "p_value"] > 0.5
    assert (table["p_adjusted"].dropna() >= 0.05).all()


def test_p_values_are_deterministic_and_seeded_per_pair():
    corpus = planted_corpus(2)
    first = outlet_overlap(*corpus, n_boot=100, n_perm=499, random_state=7)
    again = outlet_overlap(*corpus, n_boot=100, n_perm=499, random_state=7)
    pd.testing.assert_frame_equal(first, again)
    other = outlet_overlap(*corpus, n_boot=100, n_perm=499, random_state=8)
    assert not np.allclose(first["p_value"], other["p_value"])


def exact_tail(probabilities: np.ndarray, observed: int) -> float:
    """P(sum of independent Bernoulli(probabilities) >= observed), by dynamic programming."""
    dist = np.array([1.0])
    for p in probabilities:
        dist = np.convolve(dist, [1 - p, p])
    return float(dist[observed:].sum())


def test_monte_carlo_p_value_approaches_the_exact_tail():
    partners = np.array([1, 1, 2, 1, 3, 1, 0, 0])
    weight = np.array([0.3, 0.3, 0.3, 0.2, 0.2, 0.5, 0.5, 0.5])
    hit = 1 - (1 - weight) ** partners
    for observed in (2, 4):
        p = reuse_permutation_test(
            partners, weight, observed, n_perm=20_000, rng=np.random.default_rng(1)
        )
        assert p == pytest.approx(exact_tail(hit[partners > 0], observed), abs=0.01)


def test_null_that_cannot_vary_is_not_testable():
    # B is the only other outlet: every reuse partner is necessarily in B
    assert np.isnan(
        reuse_permutation_test(
            np.array([1, 2]), np.array([1.0, 1.0]), 2, n_perm=99, rng=np.random.default_rng(0)
        )
    )
    assert (
        reuse_permutation_test(
            np.array([0, 0]), np.array([0.5, 0.5]), 0, n_perm=99, rng=np.random.default_rng(0)
        )
        == 1.0
    )


def test_benjamini_hochberg_matches_a_hand_computation_and_scipy():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4): times m / rank = 0.02, 0.02, 0.04, 0.04;
    # running minimum from the largest down leaves them as they are
    expected = np.array([0.02, 0.04, 0.04, 0.02, np.nan])
    np.testing.assert_allclose(benjamini_hochberg(p), expected)
    # step-up: a larger p-value can lower a smaller one's adjustment
    np.testing.assert_allclose(benjamini_hochberg([0.02, 0.021, 0.9]), [0.0315, 0.0315, 0.9])
    rng = np.random.default_rng(3)
    many = rng.random(50) ** 3
    np.testing.assert_allclose(benjamini_hochberg(many), false_discovery_control(many))


# --------------------------------------------------------------------------- sensitivity, cards


@pytest.fixture(scope="module")
def seeds_under_tfidf():
    from framelens.corpus import ingest_corpus
    from framelens.models import ModelSpec, load_encoder

    corpus = ingest_corpus(SEEDS)
    vectors = load_encoder(ModelSpec.from_config("tfidf", {"kind": "tfidf"})).encode(
        corpus.sentences["text"].tolist()
    )
    events = pd.DataFrame({"doc_id": corpus.documents["doc_id"], "event_id": "all"})
    return vectors, corpus.sentences, corpus.documents, events


def test_sensitivity_at_the_configured_thresholds_matches_the_workflow(seeds_under_tfidf):
    from framelens.align import Thresholds, align_corpus
    from framelens.basics.tables import content_mask

    vectors, sentences, documents, events = seeds_under_tfidf
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    alignment = config["alignment"]
    table = sensitivity_table(
        vectors,
        sentences,
        documents,
        events,
        thresholds=Thresholds.from_config(alignment, 0.33),
        candidates=alignment["candidates"],
        claim_threshold=0.33,
        offsets=[-0.1, 0.1],
    )
    assert set(table["threshold"]) == {"rewrite_alone", "rewrite", "paraphrase", "claim"}
    assert set(table["offset"]) == {-0.1, 0.0, 0.1}
    event_of = pd.Series("all", index=documents["doc_id"])
    pairs = align_corpus(
        vectors,
        sentences,
        documents,
        Thresholds(
            **{k: alignment[k] for k in ("verbatim", "rewrite_alone", "rewrite", "min_shared")},
            paraphrase=0.33,
        ),
        events=event_of,
        k=alignment["candidates"],
    )
    direct = outlet_overlap(
        sentences[content_mask(sentences)], pairs, documents, event_of, n_boot=0, n_perm=0
    )
    at_default = table[
        (table["threshold"] == "claim")
        & (table["offset"] == 0)
        & (table["quantity"] == "reuse_share")
    ]
    np.testing.assert_allclose(at_default["value"].to_numpy(), direct["reuse_share"].to_numpy())
    claims = table[(table["threshold"] == "claim") & (table["quantity"] == "n_claims")]
    counts = claims.set_index("offset")["value"]
    assert counts[-0.1] <= counts[0.0] <= counts[0.1]  # a higher bar splits claims


def test_model_card_holds_identity_speed_and_stsb(tmp_path):
    from framelens.models import ModelSpec, load_encoder

    embedding = {
        "identity": {
            "key": "m",
            "kind": "package",
            "name": "pkg",
            "dimension": 512,
            "max_seq_length": None,
            "weights_sha256": "ab" * 32,
            "package_version": "0.2.1",
        },
        "device": "cpu",
        "fingerprint": "f" * 16,
        "n_sentences": 100,
        "n_unique": 98,
        "n_cached": 0,
        "n_encoded": 98,
        "n_truncated": 0,
        "seconds": 0.5,
        "sentences_per_second": 196.0,
    }
    bench = tmp_path / "embed.tsv"
    bench.write_text("s\th:m:s\tmax_rss\tmax_vms\n1.25\t0:00:01\t300.5\t900\n")
    sts = tmp_path / "sts.csv"
    sts.write_text(
        "\n".join(
            f"g\tx\ty\t{i}\t{score}\t{a}\t{b}"
            for i, (score, a, b) in enumerate(
                [
                    (5.0, "a cat sat on a mat", "a cat sat on the mat"),
                    (0.0, "stocks fell sharply", "the cat sat"),
                    (2.5, "a dog ran home", "a dog ran fast"),
                    (4.0, "rain in paris", "rain fell in paris"),
                ]
            )
        )
    )
    pairs = read_sts(sts)
    encoder = load_encoder(ModelSpec.from_config("t", {"kind": "tfidf"}))
    rho = stsb_spearman(encoder, pairs)
    assert rho > 0.5  # word overlap ranks these four pairs mostly as people scored them
    shards = [tmp_path / f"shard-{i}.tsv" for i in range(2)]
    for shard, (seconds, rss) in zip(shards, [(2.5, 700.0), (3.0, 650.25)], strict=True):
        shard.write_text(f"s\th:m:s\tmax_rss\tmax_vms\n{seconds}\t0:00:03\t{rss}\t900\n")
    card = model_card(
        "m",
        embedding,
        {"embed": [str(bench)], "embed_shard": [str(s) for s in shards]},
        {"claim_threshold": 0.5},
        {"spearman": rho, "n_pairs": len(pairs)},
    )
    assert card["identity"]["dimension"] == 512 and card["identity"]["max_seq_length"] is None
    assert card["sentences"]["n_truncated"] == 0
    assert card["speed"]["sentences_per_second"] == 196.0
    assert card["speed"]["rules"]["embed"] == {"seconds": 1.25, "max_rss_mb": 300.5, "jobs": 1}
    assert card["speed"]["rules"]["embed_shard"] == {"seconds": 5.5, "max_rss_mb": 700.0, "jobs": 2}
    assert card["stsb"]["n_pairs"] == 4
    json.dumps(card)  # JSON-able
    no_sts = model_card("m", {**embedding, "sentences_per_second": None}, {}, {}, None)
    assert no_sts["stsb"]["spearman"] is None and "cache" in no_sts["speed"]["note"]
    assert set(CARD_RULES) >= {"embed", "align", "claims"}


# --------------------------------------------------------------------------- workflow


def write_config(workdir: Path, name: str = "config.yaml", **models: dict) -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    config["corpus"] = str(workdir / "corpus")
    config["models"].update(models)
    (workdir / name).write_text(yaml.safe_dump(config))
    return config


def planned_jobs(output: str) -> list[dict[str, str]]:
    """Rule, output and wildcards of each job a dry-run lists."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \S+:)", output):
        head = re.match(r"(?:local)?rule (\S+):", block.strip())
        if not head:
            continue
        found = re.search(r"^\s+output: (.*)$", block, re.MULTILINE)
        wildcards = re.search(r"^\s+wildcards: (.*)$", block, re.MULTILINE)
        jobs.append(
            {
                "rule": head.group(1),
                "output": found.group(1) if found else "",
                "wildcards": wildcards.group(1) if wildcards else "",
            }
        )
    return jobs


def test_adding_a_model_plans_only_its_rules_and_the_cross_model_ones(tmp_path):
    """A finished run is faked (every output created, then marked up to date with
    --touch); adding a model must then plan that model's jobs and the cross-model ones."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    config = write_config(tmp_path)
    summary = snakemake(tmp_path, "--summary")
    assert summary.returncode == 0, summary.stderr[-2000:]
    for line in summary.stdout.splitlines()[1:]:
        path = tmp_path / line.split("\t")[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix:
            path.touch()
        else:  # a directory output (results/explorer)
            path.mkdir(exist_ok=True)
    for rule in CARD_RULES:
        for model in config["models"]:
            path = tmp_path / f"results/benchmarks/{rule}/{model}.tsv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    touched = snakemake(tmp_path, "--cores", "1", "--touch")
    assert touched.returncode == 0, touched.stderr[-2000:]
    write_config(
        tmp_path, "more.yaml", bigrams={"kind": "tfidf", "options": {"ngram_range": [1, 2]}}
    )
    plan = snakemake(tmp_path, "--dry-run", "--configfile", str(tmp_path / "more.yaml"))
    assert plan.returncode == 0, plan.stderr[-2000:]
    jobs = planned_jobs(plan.stdout + plan.stderr)
    rules = {job["rule"] for job in jobs}
    assert rules >= CROSS_MODEL_RULES
    assert {"sensitivity", "plot_sensitivity", "model_card", "embed"} <= rules
    for job in jobs:
        if job["wildcards"]:  # the model's jobs, its shard jobs (model=..., shard=N) too
            assert job["wildcards"].split(", ")[0] == "model=bigrams", job
        else:
            assert job["rule"] in CROSS_MODEL_RULES | {"provenance", "all"}, job
    assert sum(job["rule"] == "model_card" for job in jobs) == 1


@pytest.mark.slow
def test_ap_uk_reuse_is_significant_under_every_neural_model(seed_run, tmp_path):
    """End to end on the seeds (the session's run: every configured model, --cores 2);
    then outlet overlap again with one core, in a copy of that run."""
    workdir, cache = seed_run
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    for name in (
        "results/models/figures/reuse_significance.png",
        "results/models/figures/agreement.png",
    ):
        assert (workdir / name).stat().st_size > 0, name
    table = pd.read_csv(workdir / "results/models/reuse_significance.csv")
    top = table[table["pair_rank"] == 1]
    assert {frozenset(p) for p in zip(top["outlet_a"], top["outlet_b"], strict=True)} == {
        frozenset({"AP", "unattributed (004)"})
    }
    neural = [k for k, e in config["models"].items() if e["kind"] != "tfidf"]
    assert len(neural) >= 2 and set(top.loc[top["neural"], "model"]) == set(neural)
    assert top.loc[top["neural"], "significant"].all(), top
    assert (top.loc[top["neural"], "p_adjusted"] < 0.05).all()
    agreement = pd.read_csv(workdir / "results/models/agreement.csv")
    n = len(config["models"])
    assert len(agreement) == n * (n - 1) // 2
    assert (agreement["overlap_kendall_tau"] > 0.5).all()
    # the same numbers with another number of cores (in a copy: the session's run stays)
    copy = tmp_path / "run"
    shutil.copytree(workdir, copy, symlinks=True)  # copy2: the files keep their times
    first = {m: (copy / f"results/{m}/outlet_overlap.csv").read_bytes() for m in config["models"]}
    again = snakemake(
        copy,
        "--cores",
        "1",
        "--forcerun",
        "outlet_overlap",
        "results/models/reuse_significance.csv",
        cache=cache,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "outlet_overlap" in again.stderr  # it did run again
    for model, content in first.items():
        assert (copy / f"results/{model}/outlet_overlap.csv").read_bytes() == content
