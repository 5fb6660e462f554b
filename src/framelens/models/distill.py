"""model2vec distillation: the fixed settings, the cache folder and key, and
:func:`distilled_model`, which builds a static model once, atomically, and reuses it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from framelens.errors import ModelError
from framelens.models.built import build_once
from framelens.models.resolve import sha256_file

CACHE_ENV = "FRAMELENS_CACHE_DIR"
MODEL_DIR_ENV = "FRAMELENS_MODEL_DIR"  # distilled models only; default: the cache folder
DEFAULT_CACHE_DIR = ".cache/framelens"

log = logging.getLogger("framelens.models")  # the logger name of the single-module layout

#: How framelens distils (fixed, so a cached model is what these settings give). A
#: change here, in the source model's files, in the model2vec version or in pca_dims
#: gives another cache folder. One CPU thread for torch and BLAS: the PCA's sums,
#: and so the float16 weights, otherwise change with the thread count.
DISTILL_SETTINGS: dict[str, Any] = {
    "sif_coefficient": 1e-4,
    "token_remove_pattern": r"\[unused\d+\]",
    "quantize_to": "float16",
    "pooling": "mean",
    "device": "cpu",
    "threads": 1,
    "format": 1,
}
DISTILL_MANIFEST = "framelens-distill.json"
#: Files of a source transformers model that decide what distillation gives.
SOURCE_FILES = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "special_tokens_map.json",
)
#: Where a model2vec folder keeps its vectors and tokenizer (model2vec's layouts).
STATIC_FILES = (
    ("model.safetensors", "tokenizer.json"),
    ("0_StaticEmbedding/model.safetensors", "0_StaticEmbedding/tokenizer.json"),
)


def model_cache_dir() -> Path:
    """Where distilled models are kept: ``$FRAMELENS_MODEL_DIR`` when set (to share them
    between runs that keep separate embedding caches), else the embedding cache folder,
    ``$FRAMELENS_CACHE_DIR`` or ``.cache/framelens`` (the workflow's default, relative to
    the working directory)."""
    return Path(os.environ.get(MODEL_DIR_ENV) or os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def model2vec_version() -> str:
    """The installed model2vec version."""
    import importlib.metadata as md

    return md.version("model2vec")


def static_model_files(folder: Path) -> dict[str, Path]:
    """The vectors and tokenizer files of a model2vec folder (either layout), or ``{}``."""
    for weights, tokenizer in STATIC_FILES:
        if (folder / weights).is_file() and (folder / tokenizer).is_file():
            return {"model.safetensors": folder / weights, "tokenizer.json": folder / tokenizer}
    return {}


def source_files_sha256(folder: Path) -> dict[str, str]:
    """SHA-256 of the files of a transformers model that distillation reads."""
    return {name: sha256_file(folder / name) for name in SOURCE_FILES if (folder / name).is_file()}


def distill_key(source_sha256: dict[str, str], pca_dims: int) -> str:
    """Cache key of a distilled model: its source's files, model2vec version, pca_dims and
    :data:`DISTILL_SETTINGS` (hex, 16 characters)."""
    blob = json.dumps(
        {
            "source_files_sha256": source_sha256,
            "model2vec": model2vec_version(),
            "pca_dims": pca_dims,
            "settings": DISTILL_SETTINGS,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def is_distilled(folder: Path) -> bool:
    """True when ``folder`` is a finished distilled model: the manifest is there and the
    vectors and tokenizer have the hashes it records."""
    manifest = folder / DISTILL_MANIFEST
    if not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))["files_sha256"]
    except (ValueError, KeyError, TypeError):
        return False
    files = static_model_files(folder)
    return bool(files) and all(
        name in files and sha256_file(files[name]) == digest for name, digest in recorded.items()
    )


def run_distillation(source: Path, pca_dims: int) -> Any:
    """Distil the transformers model in ``source`` into a model2vec ``StaticModel``.

    ``model2vec.distill.distill`` with the weights read from safetensors only (never a
    pickle), no remote code, on the CPU with one thread (so the result is the same run
    after run). About 30 s for MiniLM.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from model2vec.distill import distill_from_model
    from threadpoolctl import threadpool_limits
    from transformers import AutoModel, AutoTokenizer, PreTrainedTokenizerFast

    settings = {
        k: DISTILL_SETTINGS[k]
        for k in ("sif_coefficient", "token_remove_pattern", "quantize_to", "pooling", "device")
    }
    threads = torch.get_num_threads()
    torch.set_num_threads(DISTILL_SETTINGS["threads"])
    try:
        with threadpool_limits(limits=DISTILL_SETTINGS["threads"]):
            model = AutoModel.from_pretrained(
                str(source), trust_remote_code=False, use_safetensors=True
            )
            tokenizer = AutoTokenizer.from_pretrained(
                str(source), trust_remote_code=False, use_fast=True
            )
            # model2vec reads the tokenizers backend (tokenizer.json); a slow one has none
            if not isinstance(tokenizer, PreTrainedTokenizerFast):
                raise ModelError(
                    f"{source}: no fast (tokenizers) tokenizer, which model2vec distillation needs"
                )
            return distill_from_model(
                model=model, tokenizer=tokenizer, pca_dims=pca_dims, **settings
            )
    finally:
        torch.set_num_threads(threads)


def distilled_model(
    source: Path,
    source_origin: dict[str, Any],
    pca_dims: int,
    cache_dir: Path,
    *,
    where: str,
    label: str = "model",
    source_sha256: dict[str, str] | None = None,
) -> Path:
    """The folder of the model2vec model distilled from ``source``, built on first use.

    It lives in ``cache_dir/model2vec/<label>-pca<pca_dims>-<key>`` (key:
    :func:`distill_key`). It is built in a temporary folder beside it and renamed into
    place only when complete, manifest last, so an interrupted distillation never
    leaves a folder that looks finished; a lock keeps two jobs from building it at once.
    ``where`` names the config key in errors; ``source_sha256`` (from
    :func:`source_files_sha256`) saves hashing the source again.
    """
    if not (source / "model.safetensors").is_file():
        raise ModelError(
            f"{where}: {source} has no model.safetensors; framelens distils only "
            "from safetensors weights (no pickle)"
        )
    source_sha256 = source_sha256 or source_files_sha256(source)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "model"
    key = distill_key(source_sha256, pca_dims)
    target = cache_dir / "model2vec" / f"{slug}-pca{pca_dims}-{key}"

    def distil(work: Path) -> None:
        log.info(
            "%s: distilling a static model from %s (pca_dims %d; once, about 30 s) into %s",
            where,
            source,
            pca_dims,
            target,
        )
        model = run_distillation(source, pca_dims)
        model.save_pretrained(work, model_name=target.name)
        files = static_model_files(work)
        manifest = {
            "source": source_origin,
            "source_files_sha256": source_sha256,
            "model2vec": model2vec_version(),
            "pca_dims": pca_dims,
            "settings": DISTILL_SETTINGS,
            "files_sha256": {name: sha256_file(path) for name, path in files.items()},
        }
        (work / DISTILL_MANIFEST).write_text(
            json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
        )

    build_once(target, is_distilled, distil)
    return target
