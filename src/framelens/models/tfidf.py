"""The TF-IDF encoder: a lexical baseline fitted on the corpus sentences."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from framelens.errors import ConfigError, ModelError
from framelens.models.spec import ModelSpec


class TfidfEncoder:
    """TF-IDF (sublinear tf, L2-normalised) fitted on the texts it encodes.

    Lexical: it depends on the corpus, not on a trained model, so its vectors
    are not cached (fitting is fast) and they are sparse.
    """

    cacheable = False

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.params = {
            "sublinear_tf": True,
            "lowercase": True,
            "strip_accents": "unicode",
            "min_df": 1,
            **spec.options,
        }

    def identity(self) -> dict[str, Any]:
        """The vectoriser and its parameters."""
        import sklearn

        return {
            "key": self.spec.key,
            "kind": "tfidf",
            "name": "sklearn TfidfVectorizer",
            "source": "scikit-learn",
            "version": sklearn.__version__,
            "params": self.params,
            "max_seq_length": None,
        }

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
