"""Models built once from local weights and cached on disk (a distilled static model, an
ONNX export): the one mechanism that keeps a half-built folder from ever looking done."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def build_once(
    target: Path, is_built: Callable[[Path], bool], build: Callable[[Path], None]
) -> None:
    """Make sure ``target`` holds a finished build: unless ``is_built(target)``, run
    ``build(work)`` into a temporary folder beside it and rename that into place.

    A lock keeps two jobs from building at once (the one that waited finds it built);
    leftovers of a killed build and a damaged ``target`` are removed, never trusted; a
    failed build leaves nothing behind.
    """
    from filelock import FileLock

    if is_built(target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if is_built(target):  # another job built it while this one waited
            return
        for leftover in target.parent.glob(f".{target.name}.*.part"):
            shutil.rmtree(leftover, ignore_errors=True)  # from a killed build (lock held)
        if target.exists():  # unfinished or damaged: never trusted
            shutil.rmtree(target)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
        try:
            build(work)
            os.rename(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
