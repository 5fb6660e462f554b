"""Key lookups without Python objects: the same answers as pandas' map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framelens.lookup import index_in, map_values


@pytest.mark.parametrize("dtype", ["str", object])
def test_map_values_equals_pandas_map(dtype):
    rng = np.random.default_rng(0)
    keys = pd.Index([f"doc{i:03d}:{j}" for i in range(40) for j in range(3)], dtype=dtype)
    mapping = pd.Series(rng.integers(0, 9, size=len(keys)), index=keys)
    labels = pd.Series(rng.choice(["A", "B", None], size=len(keys)), index=keys, dtype=dtype)
    values = pd.Series(
        np.r_[rng.choice(keys.to_numpy(), size=200), ["absent", None]],
        index=range(5, 207),
        dtype=dtype,
    )
    for table in (mapping, labels):
        expected = values.map(table)
        result = map_values(values, table)
        pd.testing.assert_series_equal(result, expected)
    assert map_values(values.iloc[:3], mapping).dtype == np.int64  # nothing missing


def test_index_in_gives_positions_and_minus_one():
    keys = pd.Series(["b", "a", "c", "a"], dtype="str")
    assert index_in(pd.Series(["a", "z", "c"], dtype="str"), keys).tolist() == [1, -1, 2]
    assert index_in(np.array([3, 1, 7]), pd.Index([1, 2, 3])).tolist() == [2, 0, -1]
    assert index_in(pd.Series([], dtype="str"), keys).tolist() == []
