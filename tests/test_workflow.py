"""End to end: the Snakemake workflow on the seed corpus, in a temporary directory.

Slow (about a minute): marked ``slow``; `make test` runs it, `make test-fast` skips it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from .conftest import ROOT, SEEDS
from .runs import snakemake

pytestmark = pytest.mark.slow

TABLES = [
    "results/corpus/documents.parquet",
    "results/corpus/sentences.parquet",
    "results/corpus/ingest_report.json",
    "results/minilm/doc_similarity.csv",
    "results/tfidf/doc_similarity.csv",
    "results/minilm/alignments.parquet",
    "results/tfidf/alignments.parquet",
    "results/minilm/outlet_overlap.csv",
    "results/tfidf/outlet_overlap.csv",
    "results/minilm/reuse_sources.csv",
    "results/minilm/events.csv",
    "results/minilm/claims.parquet",
    "results/minilm/claims_summary.csv",
    "results/minilm/coverage.csv",
    "results/minilm/outlet_coverage.csv",
    "results/minilm/salience.csv",
    "results/minilm/quotes.csv",
    "results/minilm/speakers.csv",
    "results/minilm/vocabulary.csv",
    "results/minilm/disputed_facts.csv",
    "results/minilm/sensitivity.csv",
    "results/models/agreement.csv",
    "results/models/reuse_significance.csv",
]
PER_MODEL_RULES = {
    "embed",
    "doc_similarity",
    "doc_pairs_shard",
    "doc_pairs",
    "plot_doc_similarity",
    "events",
    "align_shard",
    "align",
    "outlet_overlap",
    "plot_outlet_overlap",
    "plot_alignment_views",
    "claims_shard",
    "claims",
    "plot_coverage",
    "framing_shard",
    "framing",
    "plot_framing",
    "sensitivity",
    "plot_sensitivity",
    "model_card",
}
CROSS_MODEL_RULES = {
    "provenance",
    "explorer",
    "model_agreement",
    "plot_model_agreement",
    "plot_reuse_significance",
}


def write_config(folder: Path, corpus: Path = SEEDS, **changes: object) -> Path:
    """The default config pointed at ``corpus``, with top-level ``changes``, in ``folder``."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config.update(corpus=str(corpus), **changes)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def copy_seeds(folder: Path) -> Path:
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run(seed_run):
    """A finished run on the seeds (the session's, conftest.py): its folder and cache."""
    return seed_run


def test_every_output_is_there(run):
    workdir, _ = run
    figures = [
        f"results/{m}/figures/{f}.png"
        for m in ("minilm", "tfidf")
        for f in (
            "doc_similarity",
            "outlet_overlap",
            "alignment_1",
            "alignment_3",
            "coverage_1",
            "claim_sets_1",
            "leads",
            "speakers",
            "vocabulary",
        )
    ]
    for name in [*TABLES, *figures, "results/provenance.json", "results/report.html"]:
        assert (workdir / name).stat().st_size > 0, name


def test_similarity_tables_are_square_and_ap_uk_reuse_stands_out(run):
    workdir, _ = run
    for model in ("minilm", "tfidf"):
        table = pd.read_csv(workdir / f"results/{model}/doc_similarity.csv", index_col=0)
        assert list(table.index) == list(table.columns)
        assert len(table) == 5
        off = table.where(
            ~pd.DataFrame(
                [[i == j for j in table.columns] for i in table.index],
                index=table.index,
                columns=table.columns,
            )
        )
        # AP's sentences are best found in the UK piece that reuses AP copy
        assert off.stack().idxmax() == ("002_a0ebff16809bcad7", "004_b30742ffba48f2e5")


def test_ap_uk_pair_has_the_highest_reuse_share_under_both_models(run):
    workdir, _ = run
    for model in ("minilm", "tfidf"):
        table = pd.read_csv(workdir / f"results/{model}/outlet_overlap.csv")
        top = table.sort_values("reuse_share", ascending=False).head(2)
        assert {frozenset(p) for p in zip(top["outlet_a"], top["outlet_b"], strict=True)} == {
            frozenset({"AP", "unattributed (004)"})
        }, model
        sources = pd.read_csv(workdir / f"results/{model}/reuse_sources.csv")
        assert sources.iloc[0]["source_outlet"] == "AP"
        assert sources.iloc[0]["reused_share"] > 0.3


def test_framing_tables_on_the_seeds(run):
    workdir, _ = run
    speakers = pd.read_csv(workdir / "results/minilm/speakers.csv")
    quoted = speakers.groupby("speaker")["outlet"].agg(set)
    assert {"AP", "Bloomberg", "unattributed (004)"} <= quoted["Aleksandar Vucic"]
    assert "unattributed (001)" in quoted["Jens Stoltenberg"]
    assert quoted["Josep Borrell"] == {"AP"}
    assert "unattributed (001)" in quoted["Albin Kurti"]
    assert not any("Vučić" in s or "Vuvic" in s for s in speakers["speaker"].dropna())
    disputed = pd.read_csv(workdir / "results/minilm/disputed_facts.csv")
    troops = disputed[disputed["unit"] == "troops"]
    assert len(troops) and {"3800", "4000"} <= set(";".join(troops["values"]).split(";"))
    salience = pd.read_csv(workdir / "results/minilm/salience.csv")
    assert (salience.groupby("doc_id")["position"].apply(lambda p: (p == "first").sum()) == 1).all()


def test_provenance_names_model_revision_packages_and_corpus(run):
    workdir, _ = run
    provenance = json.loads((workdir / "results/provenance.json").read_text())
    minilm = provenance["models"]["minilm"]
    assert minilm["weights_sha256"].startswith("53aa5117")
    assert minilm["upstream"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert provenance["packages"]["sentence-transformers"]
    assert len(provenance["corpus"]["sha256"]) == 64
    assert provenance["config"]["models"]["tfidf"]["kind"] == "tfidf"


def test_report_is_self_contained(run):
    workdir, _ = run
    html = (workdir / "results/report.html").read_text()
    assert 'src="http' not in html and "src='http" not in html
    assert 'href="http' not in html.split("<body")[0]  # no external stylesheets


def test_second_run_does_nothing(run):
    workdir, cache = run
    again = snakemake(workdir, "--cores", "2", cache=cache)
    assert again.returncode == 0
    assert "Nothing to be done" in again.stdout + again.stderr


def test_adding_a_model_reruns_only_that_model(run):
    workdir, cache = run
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["models"]["bigrams"] = {"kind": "tfidf", "options": {"ngram_range": [1, 2]}}
    (workdir / "more.yaml").write_text(yaml.safe_dump(config))
    plan = snakemake(
        workdir,
        "--cores",
        "1",
        "--dry-run",
        "--quiet",
        "rules",
        "--configfile",
        str(workdir / "more.yaml"),
        cache=cache,
    )
    assert plan.returncode == 0, plan.stderr[-2000:]
    out = plan.stdout + plan.stderr
    counts = {
        line.split()[0]: int(line.split()[1])
        for line in out.splitlines()
        if len(line.split()) == 2 and line.split()[1].isdigit()
    }
    counts.pop("total", None)
    counts.pop("all", None)
    assert set(counts) == PER_MODEL_RULES | CROSS_MODEL_RULES, out
    assert all(n == 1 for n in counts.values()), out  # once: for the new model only


def test_rerun_from_scratch_gives_identical_tables_from_the_cache(run, tmp_path):
    workdir, cache = run
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(workdir / "config.yaml", fresh / "config.yaml")
    done = snakemake(fresh, "--cores", "1", *TABLES, cache=cache)  # the tables, no figures
    assert done.returncode == 0, done.stderr[-3000:]
    for name in TABLES:
        assert digest(fresh / name) == digest(workdir / name), name
    stats = json.loads((fresh / "results/minilm/embedding.json").read_text())
    assert stats["n_encoded"] == 0 and stats["n_cached"] == stats["n_unique"]


def test_bad_corpus_fails_before_any_job_naming_the_file(tmp_path):
    corpus = copy_seeds(tmp_path)
    (corpus / "extra.txt").write_text("An article nobody listed.")
    write_config(tmp_path, corpus)
    failed = snakemake(tmp_path, "--cores", "1", cache=tmp_path / "cache")
    assert failed.returncode != 0
    assert "extra.txt: not listed in metadata.csv" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (tmp_path / "results").exists()


def test_empty_article_fails_in_ingest_naming_the_file(tmp_path):
    corpus = copy_seeds(tmp_path)
    (corpus / "000_86995b2f66f469b6.txt").write_text("   \n")
    write_config(tmp_path, corpus)
    failed = snakemake(tmp_path, "--cores", "1", cache=tmp_path / "cache")
    assert failed.returncode != 0
    log = (tmp_path / "results/logs/ingest.log").read_text()
    assert "000_86995b2f66f469b6.txt: empty or whitespace-only article" in log
    assert "Traceback" not in log
    assert not (tmp_path / "results/corpus/documents.parquet").exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (["random_state=abc"], "config key random_state"),
        (["device=tpu"], "config key device"),
    ],
)
def test_bad_config_value_fails_naming_the_key(tmp_path, override, message):
    write_config(tmp_path)
    failed = snakemake(tmp_path, "--cores", "1", "--config", *override, cache=tmp_path / "c")
    assert failed.returncode != 0
    assert message in failed.stderr


def test_unknown_model_fails_listing_what_is_available(tmp_path):
    models = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["models"]
    models["mpnet"] = {"kind": "package", "name": "all-mpnet-base-v2"}
    write_config(tmp_path, models=models)
    failed = snakemake(tmp_path, "--cores", "1", cache=tmp_path / "c")
    assert failed.returncode != 0
    assert "models.mpnet.name: 'all-mpnet-base-v2' is not a known packaged model" in failed.stderr
    assert "Available offline here" in failed.stderr
