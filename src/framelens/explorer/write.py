"""Writing the explorer: data as safe JavaScript, the whole folder at once.

Chromium refuses ``fetch`` on ``file://``, so data files are scripts that hand one JSON
value to the page (``FL.put(key, value)``). The JSON is escaped so that no article text can
end the script or start markup: ``<``, ``>``, ``&`` and U+2028/U+2029 become ``\\uXXXX``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from framelens.io import current_umask
from framelens.workers import ordered_map

#: The page and its code, copied beside the data (package data of framelens.explorer).
ASSETS = ("index.html", "explorer.js", "explorer.css")
_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def safe_json(value: Any) -> str:
    """``value`` as compact, key-sorted JSON that is also safe inside a ``<script>``.

    >>> safe_json({"t": "</script><b>"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return (
        "".join(_ESCAPES.get(ch, ch) for ch in text) if any(c in text for c in _ESCAPES) else text
    )


def js_data(key: str, value: Any) -> str:
    """The text of one data file: a call handing ``value`` to the page under ``key``.

    >>> js_data("docs/0", [1])
    'FL.put("docs/0",[1]);\\n'
    """
    return f"FL.put({safe_json(key)},{safe_json(value)});\n"


def asset_text(name: str) -> str:
    """One of the page's own files (:data:`ASSETS`)."""
    return (
        resources.files("framelens.explorer").joinpath("assets", name).read_text(encoding="utf-8")
    )


def write_explorer(
    files: Mapping[str, Any] | Iterable[tuple[str, Any]], target: str | os.PathLike[str]
) -> tuple[int, int]:
    """Write the explorer folder ``target``: the page (:data:`ASSETS`) and one data file
    per entry of ``files`` (key -> value, or (key, value) pairs as they are built; written
    to ``data/<key>.js``, each as it comes). Returns the number of data files and the
    total bytes written (:func:`write_groups` with one group)."""
    items = sorted(files.items()) if isinstance(files, Mapping) else files
    return write_groups([lambda: items], target)


def write_groups(
    groups: Sequence[Callable[[], Iterable[tuple[str, Any]]]],
    target: str | os.PathLike[str],
    *,
    workers: int = 1,
) -> tuple[int, int]:
    """Write the explorer folder ``target`` from groups of data files, functions that each
    yield (key, value) pairs (:func:`framelens.explorer.data.file_groups`), built and
    written side by side by ``workers`` processes (:func:`framelens.workers.ordered_map`;
    the same files for any count). A key built twice is refused. Returns the number of
    data files and the total bytes written.

    The folder is built beside ``target`` and renamed into place, so a killed job leaves no
    half-written explorer that looks finished.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    mode = 0o777 & ~current_umask()

    def write_group(number: int) -> tuple[int, list[str]]:
        total, keys = 0, []
        for key, value in groups[number]():
            total += _write(build / "data" / f"{key}.js", js_data(key, value))
            keys.append(key)
        return total, keys

    try:
        total, count, seen = 0, 0, set()
        for name in ASSETS:
            total += _write(build / name, asset_text(name))
        for written, keys in ordered_map(write_group, len(groups), workers):
            for key in keys:
                if key in seen:
                    raise ValueError(f"explorer data file {key!r} built twice")
                seen.add(key)
            total += written
            count += len(keys)
        for folder in [build, *sorted(p for p in build.rglob("*") if p.is_dir())]:
            os.chmod(folder, mode)
        if target.exists():
            shutil.rmtree(target)
        os.replace(build, target)
    finally:
        if build.exists():
            shutil.rmtree(build)
    return count, total


def _write(path: Path, text: str) -> int:
    """Write ``text`` as UTF-8 (making parent folders); returns the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)
