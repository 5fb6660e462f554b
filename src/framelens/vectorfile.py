"""The sentence-vector file (``results/<model>/sentence_vectors.npz``): written whole,
read whole or by rows.

:func:`save_vectors` writes row ids and a dense or sparse (CSR) matrix to one
uncompressed ``.npz``; dense vectors are stored as float32, or float16 when
``embedding.dtype`` asks for it (half the disk and half the memory of every stage that
keeps them). :func:`load_vectors` reads the whole file back.

:func:`read_rows` reads only some rows of a dense file, with plain file reads in runs of
consecutive rows. Unlike a memory map, the rows read are held once, in the array
returned: the pages read stay in the operating system's cache, outside the process, so
a job that reads its rows of a 2 GB file holds its rows and nothing more.
"""

from __future__ import annotations

import itertools
import os
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from framelens.basics.similarity import Matrix
from framelens.errors import FramelensError
from framelens.io import read_arrays, write_arrays

__all__ = [
    "VECTOR_DTYPES",
    "VectorFile",
    "csr_arrays",
    "load_vectors",
    "read_csr_rows",
    "read_rows",
    "save_vectors",
    "stored_array",
    "take_rows",
]

VECTOR_DTYPES = ("float32", "float16")

# At most this many rows are read in one call (bounds the temporary buffer).
_READ_ROWS = 1 << 15


def save_vectors(path: str | Path, ids: list[str], matrix: Matrix, dtype: str = "float32") -> None:
    """Write row ids and a dense or sparse matrix to one ``.npz`` (no pickle). Dense
    vectors are stored as ``dtype`` (float32 or float16); a sparse matrix as it is."""
    if dtype not in VECTOR_DTYPES:
        raise ValueError(f"vector dtype must be one of {VECTOR_DTYPES}, got {dtype!r}")
    ids_array = np.asarray(ids, dtype=str)
    if sp.issparse(matrix):
        csr = sp.csr_matrix(matrix)
        write_arrays(
            {
                "ids": ids_array,
                "format": np.asarray("csr"),
                "data": csr.data,
                "indices": csr.indices,
                "indptr": csr.indptr,
                "shape": np.asarray(csr.shape),
            },
            path,
        )
    else:
        write_arrays(
            {
                "ids": ids_array,
                "format": np.asarray("dense"),
                "vectors": np.asarray(matrix, dtype=dtype),
            },
            path,
        )


def load_vectors(path: str | Path) -> tuple[list[str], Matrix]:
    """Read what :func:`save_vectors` wrote: ids and the (dense or CSR) matrix. Dense
    vectors come back as float32 whatever their stored type."""
    arrays = read_arrays(path)
    ids = [str(i) for i in arrays["ids"]]
    if str(arrays["format"]) == "csr":
        shape = tuple(int(n) for n in arrays["shape"])
        return ids, sp.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
        )
    return ids, np.asarray(arrays["vectors"], dtype=np.float32)


def stored_array(path: str | Path, name: str) -> tuple[int, np.dtype, tuple[int, ...]] | None:
    """Byte offset, dtype and shape of array ``name`` in an ``.npz`` when it is stored
    uncompressed in C order (so its rows can be read in place), else None."""
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo(f"{name}.npy")
        except KeyError:
            return None
        if info.compress_type != zipfile.ZIP_STORED:
            return None
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(member)
            header = member.tell()
    if fortran or dtype.hasobject:
        return None
    with open(path, "rb") as raw:  # the local file header: 30 bytes, name, extra field
        raw.seek(info.header_offset + 26)
        lengths = np.frombuffer(raw.read(4), dtype="<u2")
    start = info.header_offset + 30 + int(lengths[0]) + int(lengths[1])
    return start + header, dtype, tuple(shape)


def row_runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """``(lo, hi)`` positions in ``rows`` of each run of consecutive row numbers
    (``rows[lo:hi]`` is ``rows[lo], rows[lo] + 1, ...``), each at most ``_READ_ROWS``."""
    if not len(rows):
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    edges = np.concatenate([[0], breaks, [len(rows)]]).tolist()
    runs: list[tuple[int, int]] = []
    for lo, hi in itertools.pairwise(edges):
        runs.extend((at, min(at + _READ_ROWS, hi)) for at in range(lo, hi, _READ_ROWS))
    return runs


def read_rows(
    path: str | Path,
    name: str,
    rows: np.ndarray,
    dtype: np.dtype | type | None = None,
    layout: tuple[int, np.dtype, tuple[int, ...]] | None = None,
) -> np.ndarray | None:
    """Rows ``rows`` (in that order) of array ``name`` of an uncompressed ``.npz``, read
    in runs of consecutive rows and cast to ``dtype`` (default: as stored); None when the
    array is not stored so (compressed, or absent). ``layout``: the array's
    :func:`stored_array`, when the caller has it already (many small reads)."""
    stored = layout or stored_array(path, name)
    if stored is None:
        return None
    offset, stored_dtype, shape = stored
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) and (rows.min() < 0 or rows.max() >= shape[0]):
        raise FramelensError(f"{path}: rows outside 0..{shape[0] - 1} of {name!r}")
    width = int(np.prod(shape[1:], dtype=np.int64))
    row_bytes = width * stored_dtype.itemsize
    out = np.empty((len(rows), *shape[1:]), dtype=dtype or stored_dtype)
    with open(path, "rb") as handle:
        for lo, hi in row_runs(rows):
            handle.seek(offset + int(rows[lo]) * row_bytes, os.SEEK_SET)
            chunk = np.fromfile(handle, dtype=stored_dtype, count=(hi - lo) * width)
            if chunk.size != (hi - lo) * width:
                raise FramelensError(f"{path}: array {name!r} is cut short; rerun the embed rule")
            out[lo:hi] = chunk.reshape(hi - lo, *shape[1:])
    return out


@dataclass(frozen=True, eq=False)
class VectorFile:
    """A :func:`save_vectors` file whose rows a stage takes as it needs them (an event,
    a claim at a time) instead of holding the whole matrix. ``subset`` makes it a view:
    row ``i`` of the view is row ``subset[i]`` of the file (an event shard's rows)."""

    path: str
    subset: np.ndarray | None = None

    @cached_property
    def layout(self) -> tuple[int, np.dtype, tuple[int, ...]] | None:
        """Where the dense vectors lie in the file (:func:`stored_array`); None for a
        sparse or compressed file, which is read whole."""
        return stored_array(self.path, "vectors")

    @cached_property
    def _whole(self) -> Matrix:
        return load_vectors(self.path)[1]

    def view(self, rows: np.ndarray) -> VectorFile:
        """The rows ``rows`` of this file (or view), as a view."""
        return VectorFile(self.path, self.file_rows(np.asarray(rows, dtype=np.int64)))

    def file_rows(self, rows: np.ndarray) -> np.ndarray:
        """The file's row numbers of this view's rows ``rows``."""
        return rows if self.subset is None else self.subset[rows]

    def ids(self) -> list[str]:
        """The row ids (sentence ids) of this view's rows, in order."""
        if self.subset is not None:
            picked = read_rows(self.path, "ids", self.subset)
            if picked is not None:
                return [str(i) for i in picked]
        with np.load(self.path, allow_pickle=False) as data:  # reads this array only
            ids = data["ids"]
        return [str(i) for i in (ids if self.subset is None else ids[self.subset])]

    def take(self, rows: np.ndarray) -> Matrix:
        """Rows ``rows`` of this view: dense ones in their stored type (float16 stays
        float16), read from the file; a sparse matrix read whole once and sliced."""
        at = self.file_rows(np.asarray(rows, dtype=np.int64))
        if self.layout is None:
            return self._whole[at]
        return read_rows(self.path, "vectors", at, layout=self.layout)


def take_rows(vectors: Matrix | VectorFile, rows: np.ndarray) -> Matrix:
    """Rows ``rows`` of a matrix in memory or of a :class:`VectorFile`."""
    return vectors.take(rows) if isinstance(vectors, VectorFile) else vectors[rows]


def csr_arrays(name: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    """The arrays of a CSR matrix, named ``<name>_data`` ... ``<name>_shape``, to be
    written with others in one ``.npz`` (:func:`framelens.io.write_arrays`) and read by
    rows with :func:`read_csr_rows`."""
    csr = sp.csr_matrix(matrix)
    return {
        f"{name}_data": csr.data,
        f"{name}_indices": csr.indices,
        f"{name}_indptr": csr.indptr,
        f"{name}_shape": np.asarray(csr.shape),
    }


def read_csr_rows(path: str | Path, name: str, rows: np.ndarray) -> sp.csr_matrix:
    """Rows ``rows`` (in that order) of the CSR matrix :func:`csr_arrays` wrote as
    ``name``: only their values are read from the file."""
    with np.load(path, allow_pickle=False) as data:
        indptr = data[f"{name}_indptr"]
        width = int(data[f"{name}_shape"][1])
    rows = np.asarray(rows, dtype=np.int64)
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = (ends - starts).astype(np.int64)
    at = (
        np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        if int(lengths.sum())
        else np.zeros(0, dtype=np.int64)
    )
    values = read_rows(path, f"{name}_data", at)
    columns = read_rows(path, f"{name}_indices", at)
    if values is None or columns is None:
        raise FramelensError(f"{path}: {name!r} is not stored uncompressed; rerun its rule")
    pointers = np.concatenate([[0], np.cumsum(lengths)])
    return sp.csr_matrix((values, columns, pointers), shape=(len(rows), width))
