"""The encoder for a spec (:func:`load_encoder`)."""

from __future__ import annotations

from pathlib import Path

from framelens.models.device import resolve_device
from framelens.models.onnx import OnnxEncoder
from framelens.models.resolve import check_spec_resolvable
from framelens.models.spec import (
    PACKAGED_MODELS,
    Adapter,
    Backend,
    Encoder,
    ModelKind,
    ModelSpec,
)
from framelens.models.static import StaticModelEncoder
from framelens.models.tfidf import TfidfEncoder
from framelens.models.transformer import SentenceTransformerEncoder
from framelens.models.universal import UniversalSentenceEncoder


def load_encoder(
    spec: ModelSpec, *, device: str = "auto", cache_dir: str | Path | None = None
) -> Encoder:
    """The encoder for a spec, on the resolved device. ``cache_dir`` is where a distilled
    model2vec model or an ONNX export is kept (default: :func:`model_cache_dir`); a model
    with ``backend: onnx`` runs on the CPU whatever the device."""
    if spec.kind is ModelKind.TFIDF:
        return TfidfEncoder(spec)
    if spec.kind is ModelKind.MODEL2VEC:
        return StaticModelEncoder(spec, cache_dir=cache_dir)
    if spec.kind is ModelKind.PACKAGE:
        check_spec_resolvable(spec)
        if PACKAGED_MODELS[str(spec.name)].adapter is Adapter.USE:
            return UniversalSentenceEncoder(spec)
    if spec.backend is Backend.ONNX:
        return OnnxEncoder(spec, cache_dir=cache_dir)
    return SentenceTransformerEncoder(spec, device=resolve_device(device))
