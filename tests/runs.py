"""Helpers the slow workflow tests share: running Snakemake on a corpus in a temporary
folder, the hostile article, and headless Chromium (test_reliability, test_explorer).
The session-scoped runs themselves (``hostile_run``, ``seed_run``) are fixtures in
conftest.py, so every test module reuses one run."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SHARED_MODEL_DIR, write_metadata

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
CORPUS_TABLES = [
    "results/corpus/documents.parquet",
    "results/corpus/sentences.parquet",
    "results/corpus/ingest_report.json",
]
HOSTILE_SCRIPT = "<script>document.title='pwned';window.__pwned=1</script>"
HOSTILE_IMG = "<img src=x onerror=\"document.title='pwned'\">"
HOSTILE_LINK = (
    "<a href=\"javascript:document.title='pwned'\">read more</a> javascript:window.__pwned=1"
)
HOSTILE_ARTICLE = (
    f"Leaders met in Brussels on Thursday. {HOSTILE_SCRIPT} The talks were hard. {HOSTILE_IMG}\n"
    f"\nThe EU envoy said a deal was close. {HOSTILE_LINK} Both sides will meet again next week.\n"
)


def snakemake_command(workdir: Path, *args: str) -> list[str]:
    return [
        SNAKEMAKE,
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        *args,
    ]


def snakemake_env(cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "FRAMELENS_CACHE_DIR": str(cache),
        "FRAMELENS_MODEL_DIR": str(SHARED_MODEL_DIR),
    }


def snakemake(
    workdir: Path, *args: str, cache: Path | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run Snakemake in ``workdir`` (with its config.yaml) and wait for it (at most
    ``timeout`` seconds: a whole run on a loaded 2-core machine takes minutes); the
    embedding cache is ``cache``, else ``workdir/cache``."""
    return subprocess.run(
        snakemake_command(workdir, *args),
        capture_output=True,
        text=True,
        env=snakemake_env(cache or workdir / "cache"),
        timeout=timeout,
    )


def write_config(workdir: Path, corpus: Path, models: list[str] | None = None) -> None:
    """The default config pointed at ``corpus``, optionally with only some ``models``."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["corpus"] = str(corpus)
    if models is not None:
        config["models"] = {key: config["models"][key] for key in models}
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))


def table_bytes(workdir: Path, names: list[str] | None = None) -> dict[str, bytes]:
    """The bytes of the tables ``names``; by default of every table the run wrote (each
    ``.parquet`` and ``.csv`` under results/ and the ingest report) and of the explorer
    (every file under results/explorer/, and results/findings.rst)."""
    if names is None:
        results = workdir / "results"
        explorer = [p for p in (results / "explorer").rglob("*") if p.is_file()]
        found = [*results.rglob("*.parquet"), *results.rglob("*.csv"), *explorer]
        if (results / "findings.rst").is_file():
            found.append(results / "findings.rst")
        names = sorted({*CORPUS_TABLES, *(p.relative_to(workdir).as_posix() for p in found)})
    return {name: (workdir / name).read_bytes() for name in names}


def copy_corpus_subset(source: Path, target: Path, keep: Callable[[int, dict[str, str]], bool]):
    """Copy the rows of ``source``'s metadata that ``keep`` accepts, and their files."""
    with open(source / "metadata.csv", newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    rows = [row for number, row in enumerate(rows) if keep(number, row)]
    target.mkdir(parents=True)
    for row in rows:
        shutil.copy(source / row["file"], target / row["file"])
    write_metadata(target, rows)
    return target


def chromium() -> str | None:
    """Path of a chromium binary; in CI (``CI=true``) a missing one fails the test."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
    if found is None:
        pytest.skip("chromium is not installed")
    return found


def dump_dom(browser: str, page: Path, profile: Path, fragment: str = "") -> str:
    """The DOM of ``page`` (opened at ``#fragment`` if given) after its scripts ran (5 s of
    virtual time), via headless chromium."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.as_uri() + (f"#{fragment}" if fragment else ""),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def assert_no_markup_ran(dom: str) -> None:
    """No title set by article script, no element made from article markup."""
    title = re.search(r"<title>(.*?)</title>", dom, flags=re.S)
    assert title is None or "pwned" not in title.group(1)
    assert not re.search(r"<img[^>]*onerror", dom, flags=re.I)
    assert not re.search(r"<script[^>]*>[^<]*__pwned", dom, flags=re.I)
    assert not re.search(r"""<a[^>]*href\s*=\s*["']?\s*javascript:""", dom, flags=re.I)
