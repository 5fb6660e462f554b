"""Atomic writers: an output either appears whole or not at all.

A killed job must never leave a file that looks finished. Every writer here
writes to a temporary file in the target folder and renames it into place
(``os.replace`` is atomic on POSIX within one file system).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` on success.

    >>> with atomic_path("out.txt") as tmp:  # doctest: +SKIP
    ...     tmp.write_text("done")
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; outputs are shared
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_with(target: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
    with atomic_path(target) as tmp:
        write(tmp)


def write_json(obj: Any, target: str | os.PathLike[str]) -> None:
    """Write ``obj`` as indented, key-sorted UTF-8 JSON (stable across runs)."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    _write_with(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_text(text: str, target: str | os.PathLike[str]) -> None:
    """Write ``text`` as UTF-8."""
    _write_with(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet(df: pd.DataFrame, target: str | os.PathLike[str]) -> None:
    """Write a table as Parquet without the pandas index."""
    _write_with(target, lambda p: df.to_parquet(p, index=False))


def write_csv(df: pd.DataFrame, target: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write a table as UTF-8 CSV with fixed float formatting (identical bytes on reruns)."""
    _write_with(
        target, lambda p: df.to_csv(p, index=index, float_format="%.6f", lineterminator="\n")
    )


def write_arrays(arrays: dict[str, np.ndarray], target: str | os.PathLike[str]) -> None:
    """Write named arrays to an ``.npz`` file. Object arrays are refused (no pickle)."""
    for name, arr in arrays.items():
        if arr.dtype == object:
            raise TypeError(f"array {name!r} has dtype object; refusing to pickle it")

    def write(p: Path) -> None:
        with open(p, "wb") as fh:
            # allow_pickle given, so that ``**arrays`` can only be arrays (to the type
            # checker too); nothing was pickled before either: object arrays are refused above
            np.savez(fh, allow_pickle=False, **arrays)

    _write_with(target, write)


def read_arrays(source: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read an ``.npz`` written by :func:`write_arrays` (``allow_pickle=False``)."""
    with np.load(source, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}
