"""The device an encoder runs on (:func:`resolve_device`)."""

from __future__ import annotations

from framelens.errors import ConfigError


def resolve_device(requested: str = "auto") -> str:
    """``auto`` picks CUDA, then Apple MPS, then CPU; an explicit device must exist."""
    import torch

    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()),
    }
    if requested == "auto":
        return next(d for d in ("cuda", "mps", "cpu") if available[d])
    if not available.get(requested.split(":")[0], False):
        usable = [d for d, ok in available.items() if ok]
        raise ConfigError(
            f"device: {requested!r} is not available here; usable: {usable} (or 'auto')"
        )
    return requested
