"""Key lookups on large string columns without Python objects.

``series.map(other)`` and ``Index.get_indexer`` on Arrow-backed string columns turn
every value into a Python string and cache a hash table of them on the index: at a
million sentence ids that is hundreds of MB that stay with the index. Arrow's
``index_in`` hashes the strings where they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["arrow_strings", "index_in", "map_values", "run_bounds"]


def _strings(values: object) -> pa.Array | None:
    """``values`` as one Arrow large_string array, or None when they are not strings."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array  # an Arrow-backed column converts without copying
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    return array.cast(pa.large_string())


def arrow_strings(column: pd.Series) -> pa.Array:
    """A text column as one Arrow ``large_string`` array, made without Python strings."""
    found = _strings(column)
    if found is None:
        raise TypeError(f"column {column.name!r} does not hold text")
    return found


def index_in(values: pd.Series | np.ndarray, keys: pd.Index | pd.Series | np.ndarray) -> np.ndarray:
    """Position of each of ``values`` in ``keys`` (the first, when a key repeats), -1 where
    it is absent; missing values match a missing key.

    >>> index_in(pd.Series(["b", "x", "a"]), pd.Index(["a", "b"])).tolist()
    [1, -1, 0]
    """
    found, within = _strings(values), _strings(keys)
    if found is None or within is None:  # not strings: pandas' hashing is fine
        return pd.Index(keys).get_indexer(pd.Index(values)).astype(np.intp)
    positions = pc.index_in(found, value_set=within).fill_null(-1)
    return positions.to_numpy(zero_copy_only=False).astype(np.intp)


def map_values(values: pd.Series, mapping: pd.Series) -> pd.Series:
    """``values.map(mapping)`` for a ``mapping`` with a unique index, looked up by
    :func:`index_in`: the same values and dtype (NaN where a key is absent), on
    ``values``' index; strings stay in Arrow."""
    if not len(mapping):
        return values.map(mapping)
    at = index_in(values, mapping.index)
    found = at >= 0
    taken = mapping.iloc[np.where(found, at, 0)]
    if not found.all():
        taken = taken.where(found)
    return pd.Series(taken.array, index=values.index, name=values.name)


def run_bounds(codes: np.ndarray) -> np.ndarray:
    """Where each run of equal values in ``codes`` (sorted or grouped) starts, then
    ``len(codes)``: run ``r`` is ``codes[bounds[r]:bounds[r + 1]]``; ``[0]`` when empty.

    >>> run_bounds(np.array(["a", "a", "b", "c", "c"])).tolist()
    [0, 2, 3, 5]
    """
    codes = np.asarray(codes)
    if len(codes) == 0:
        return np.zeros(1, dtype=np.intp)
    return np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
