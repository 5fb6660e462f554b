"""The onnxruntime backend (``backend: onnx``): a transformers model exported once to ONNX
(optionally int8), cached like a distilled model, and :class:`OnnxEncoder`, which runs it.

The export wraps the whole sentence-transformers pipeline (transformer, pooling and, when
the model has one, normalisation), so the ONNX graph returns sentence vectors and any
pooling the model's folder asks for is kept. It is traced by torch's own exporter
(``torch.onnx.export``, TorchScript tracing, fixed opset and inputs), and int8 is
onnxruntime's dynamic quantisation of the matrix products' weights, per channel: both give
the same bytes run after run (``tests/test_onnx.py`` checks), so an export is built once,
offline, and reused. No ``sentence-transformers[onnx]``/optimum: that extra downgrades
sentence-transformers and transformers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from framelens.errors import ModelError
from framelens.models.built import build_once
from framelens.models.distill import SOURCE_FILES, model_cache_dir
from framelens.models.resolve import locate_model, sha256_file
from framelens.models.spec import ModelSpec, Quantization

log = logging.getLogger("framelens.models")

#: How framelens exports (fixed, so a cached export is what these settings give). A change
#: here, in the source model's files, in the library versions (:func:`onnx_versions`) or
#: in the quantization gives another cache folder.
EXPORT_SETTINGS: dict[str, Any] = {
    "exporter": "torch.onnx.export (TorchScript tracing)",
    "opset": 17,
    "trace_texts": ["framelens exports this model.", "A second, longer sentence to trace with."],
    "int8": {
        "method": "onnxruntime.quantization.quantize_dynamic",
        "weight_type": "QInt8",
        "per_channel": True,
        "reduce_range": False,
        "op_types_to_quantize": ["MatMul"],
    },
    "format": 1,
}
EXPORT_MANIFEST = "framelens-onnx.json"
MODEL_FILE = "model.onnx"
#: Files of a sentence-transformers folder that decide what the export computes.
EXPORT_SOURCE_FILES = (
    *SOURCE_FILES,
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "2_Dense/config.json",
    "2_Dense/model.safetensors",
)
#: Libraries whose versions can change an export (and so are in its cache key).
VERSIONED = ("torch", "onnxruntime", "onnx", "transformers", "sentence-transformers")


def onnx_versions() -> dict[str, str]:
    """Installed versions of the libraries that export and run the model."""
    import importlib.metadata as md

    return {name: md.version(name) for name in VERSIONED}


def export_source_sha256(folder: Path) -> dict[str, str]:
    """SHA-256 of the files of a sentence-transformers folder that the export reads."""
    return {
        name: sha256_file(folder / name)
        for name in EXPORT_SOURCE_FILES
        if (folder / name).is_file()
    }


def export_key(source_sha256: dict[str, str], quantization: Quantization) -> str:
    """Cache key of an export: its source's files, :func:`onnx_versions`, the quantization
    and :data:`EXPORT_SETTINGS` (hex, 16 characters)."""
    blob = json.dumps(
        {
            "source_files_sha256": source_sha256,
            "versions": onnx_versions(),
            "quantization": quantization.value,
            "settings": EXPORT_SETTINGS,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a finished export (the model file has the hash it records), else
    None."""
    manifest = folder / EXPORT_MANIFEST
    if not manifest.is_file() or not (folder / MODEL_FILE).is_file():
        return None
    try:
        recorded: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
        digest = recorded["onnx_sha256"]
    except (ValueError, KeyError, TypeError):
        return None
    return recorded if sha256_file(folder / MODEL_FILE) == digest else None


def run_export(
    source: Path, target: Path, quantization: Quantization, *, trust_remote_code: bool = False
) -> dict[str, Any]:
    """Export the sentence-transformers model in ``source`` to ``target/model.onnx``.

    The model is loaded from safetensors only (no pickle) with eager attention (the
    pattern onnxruntime fuses), traced on :data:`EXPORT_SETTINGS` ``trace_texts`` with
    batch and sequence axes left free, and for ``int8`` quantised. Returns what the
    manifest records about the model: input names, dimension, ``max_seq_length``.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        str(source),
        device="cpu",
        trust_remote_code=trust_remote_code,
        model_kwargs={"attn_implementation": "eager", "use_safetensors": True},
    ).eval()
    tokenizer = model.tokenizer
    names = [n for n in tokenizer.model_input_names if n != "position_ids"]
    sample = tokenizer(EXPORT_SETTINGS["trace_texts"], padding=True, return_tensors="pt")
    inputs = tuple(sample[n] for n in names)

    class SentenceVectors(torch.nn.Module):
        """The whole sentence-transformers pipeline as positional tensors in, vectors out."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            features = dict(zip(names, tensors, strict=True))
            return self.model(features)["sentence_embedding"]

    plain = target / ("float32.onnx" if quantization is Quantization.INT8 else MODEL_FILE)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    with torch.no_grad(), quiet_export():
        torch.onnx.export(
            SentenceVectors().eval(),
            inputs,
            str(plain),
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=EXPORT_SETTINGS["opset"],
            do_constant_folding=True,
            dynamo=False,
        )
    if quantization is Quantization.INT8:
        quantize_int8(plain, target / MODEL_FILE)
        plain.unlink()
    dimension, limit = model.get_embedding_dimension(), model.max_seq_length
    if not dimension or not limit:
        raise ModelError(f"{source}: the model states no embedding dimension or max_seq_length")
    return {"input_names": names, "dimension": int(dimension), "max_seq_length": int(limit)}


@contextmanager
def quiet_export() -> Iterator[None]:
    """Silence the tracer's warnings and onnxruntime's quantisation advice while exporting
    (they describe the tracing, which the tests check against torch's vectors)."""
    import warnings

    root = logging.getLogger()
    level = root.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root.setLevel(logging.ERROR)
        try:
            yield
        finally:
            root.setLevel(level)


def quantize_int8(plain: Path, out: Path) -> None:
    """Dynamic int8 quantisation (:data:`EXPORT_SETTINGS` ``int8``) of ``plain`` into ``out``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    settings = EXPORT_SETTINGS["int8"]
    with quiet_export():
        quantize_dynamic(
            str(plain),
            str(out),
            weight_type=getattr(QuantType, settings["weight_type"]),
            per_channel=settings["per_channel"],
            reduce_range=settings["reduce_range"],
            op_types_to_quantize=list(settings["op_types_to_quantize"]),
        )


def exported_model(
    source: Path,
    source_origin: dict[str, Any],
    quantization: Quantization,
    cache_dir: Path,
    *,
    where: str,
    label: str = "model",
    source_sha256: dict[str, str] | None = None,
    trust_remote_code: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """The folder of the ONNX export of ``source`` and its manifest, exported on first use.

    It lives in ``cache_dir/onnx/<label>-<quantization>-<key>`` (key: :func:`export_key`),
    built in a temporary folder beside it and renamed into place only when complete, so an
    interrupted export never looks finished; a lock keeps two jobs from exporting at once.
    ``where`` names the config key in errors.
    """
    if not (source / "model.safetensors").is_file():
        raise ModelError(
            f"{where}: {source} has no model.safetensors; framelens exports only "
            "from safetensors weights (no pickle)"
        )
    source_sha256 = source_sha256 or export_source_sha256(source)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or "model"
    key = export_key(source_sha256, quantization)
    target = cache_dir / "onnx" / f"{slug}-{quantization.value}-{key}"

    def export(work: Path) -> None:
        log.info(
            "%s: exporting %s to ONNX (%s; once, seconds) into %s",
            where,
            source,
            quantization.value,
            target,
        )
        described = run_export(source, work, quantization, trust_remote_code=trust_remote_code)
        manifest = {
            "source": source_origin,
            "source_files_sha256": source_sha256,
            "versions": onnx_versions(),
            "quantization": quantization.value,
            "settings": EXPORT_SETTINGS,
            **described,
            "onnx_sha256": sha256_file(work / MODEL_FILE),
        }
        (work / EXPORT_MANIFEST).write_text(
            json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
        )

    build_once(target, lambda path: read_manifest(path) is not None, export)
    manifest = read_manifest(target)
    if manifest is None:  # build_once leaves a finished export or raises
        raise ModelError(f"{where}: the ONNX export in {target} is unreadable")
    return target, manifest


def session_threads() -> int:
    """onnxruntime intra-op threads: as many as torch is set to use (the rule's
    ``threads``, set by :func:`framelens.embed.limit_threads`), else every core."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return int(torch.get_num_threads())
    return os.cpu_count() or 1


class OnnxEncoder:
    """A transformers model (kind sentence-transformers, or a packaged one) run by
    onnxruntime on the CPU from its cached export (:func:`exported_model`).

    Texts are tokenized by the model's own tokenizer, cut at its ``max_seq_length`` (as
    sentence-transformers does; :meth:`count_truncated` counts them), sorted by length for
    batching and returned in their order.

    An int8 model runs one text per call: dynamic quantisation scales each matrix
    product's input by its range over the whole batch (padding included), so in a batch a
    text's vector would depend on its neighbours (cosine ~0.99 to itself alone), and a
    text's cached vector on the corpus it was first embedded with. One at a time, a text
    always gets the same vector, at about the speed of batches (no padding to compute).
    """

    cacheable = True

    def __init__(self, spec: ModelSpec, cache_dir: str | Path | None = None) -> None:
        self.spec = spec
        self.device = "cpu"
        self.cache_dir = Path(cache_dir) if cache_dir is not None else model_cache_dir()
        self.path, self._origin = locate_model(spec)
        self._export: tuple[Path, dict[str, Any]] | None = None
        self._tokenizer: Any = None
        self._session: Any = None

    @property
    def export(self) -> tuple[Path, dict[str, Any]]:
        """Folder and manifest of the export (exported on first use, then cached)."""
        if self._export is None:
            self._export = exported_model(
                self.path,
                self._origin,
                self.spec.quantization,
                self.cache_dir,
                where=f"models.{self.spec.key}.backend",
                label=Path(str(self.spec.name)).name,
                trust_remote_code=self.spec.trust_remote_code,
            )
        return self._export

    @property
    def tokenizer(self) -> Any:
        """The model's own (fast) tokenizer, from its folder."""
        if self._tokenizer is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(
                str(self.path), trust_remote_code=self.spec.trust_remote_code
            )
        return self._tokenizer

    @property
    def session(self) -> Any:
        """The onnxruntime session (created on first encode, with :func:`session_threads`
        intra-op threads that sleep rather than spin when idle)."""
        if self._session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = session_threads()
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            # idle threads sleep instead of spinning: jobs side by side on a node (shards,
            # other rules) would otherwise burn each other's cores (5x slower when busy)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3
            folder, _ = self.export
            self._session = ort.InferenceSession(
                str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
        return self._session

    @property
    def max_seq_length(self) -> int:
        """Word pieces (with special tokens) a text is cut at."""
        return int(self.export[1]["max_seq_length"])

    def identity(self) -> dict[str, Any]:
        """Name, origin, source weights hash, backend, quantization, the export's hash and
        library versions, dimension and sequence limit."""
        _, manifest = self.export
        return {
            "key": self.spec.key,
            "kind": self.spec.kind.value,
            "name": self.spec.name,
            **self._origin,
            "weights_sha256": manifest["source_files_sha256"].get("model.safetensors"),
            "backend": self.spec.backend.value,
            "quantization": self.spec.quantization.value,
            "onnx_sha256": manifest["onnx_sha256"],
            "backend_versions": manifest["versions"],
            "dimension": int(manifest["dimension"]),
            "max_seq_length": int(manifest["max_seq_length"]),
            "trust_remote_code": self.spec.trust_remote_code,
        }

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Float32 L2-normalised vectors, shape [len(texts), dimension]."""
        _, manifest = self.export
        dimension, names = int(manifest["dimension"]), list(manifest["input_names"])
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        size = 1 if self.spec.quantization is Quantization.INT8 else self.spec.batch_size
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            batch = self.tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=self.max_seq_length,
                return_tensors="np",
            )
            feed = {n: np.asarray(batch[n], dtype=np.int64) for n in names}
            out[rows] = self.session.run(["sentence_embedding"], feed)[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)

    def count_truncated(self, texts: list[str]) -> int:
        """Texts longer (in word pieces, with special tokens) than ``max_seq_length``."""
        from framelens.models.transformer import count_over_limit

        return count_over_limit(self.tokenizer, self.max_seq_length, texts)
