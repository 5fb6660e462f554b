"""The sentence-transformers encoder (hub, local and packaged transformers models)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from framelens.models.resolve import locate_model, weights_sha256
from framelens.models.spec import ModelSpec


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
        return count_over_limit(self.model.tokenizer, int(self.model.max_seq_length), texts)


def count_over_limit(tokenizer: Any, limit: int, texts: list[str]) -> int:
    """How many ``texts`` are longer (in word pieces, with special tokens) than ``limit``.

    Only texts that could be are tokenized: a pure-ASCII text has at most one token
    per character plus a word-start marker (WordPiece, BPE and SentencePiece alike),
    so one that short cannot be cut (most news sentences: tokenizing them all costs
    about as much as a GPU takes to encode them).
    """
    room = limit - 1 - tokenizer.num_special_tokens_to_add(pair=False)
    texts = [t for t in texts if len(t) > room or not t.isascii()]
    if not texts:
        return 0
    lengths = tokenizer(texts, add_special_tokens=True, truncation=False, return_length=True)[
        "length"
    ]
    return int(sum(n > limit for n in lengths))
