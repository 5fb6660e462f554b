"""The sentence-vector file (framelens/vectorfile.py): float16 storage, reading rows
without the whole matrix, and the events stage taking rows from the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from framelens import vectorfile
from framelens.basics.similarity import l2_normalise
from framelens.errors import FramelensError
from framelens.events import cluster_events
from framelens.vectorfile import (
    VectorFile,
    load_vectors,
    read_rows,
    row_runs,
    save_vectors,
    take_rows,
)


def _vectors(n: int = 50, dim: int = 8) -> np.ndarray:
    rng = np.random.default_rng(3)
    return l2_normalise(rng.normal(size=(n, dim))).astype(np.float32)


def test_rows_come_back_in_the_order_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(vectorfile, "_READ_ROWS", 4)  # long runs are read in pieces
    matrix = _vectors()
    path = tmp_path / "v.npz"
    save_vectors(path, [f"s{i}" for i in range(50)], matrix)
    for rows in (
        np.arange(50),
        np.array([7, 8, 9, 3, 4, 40, 41, 42, 43, 44, 45, 46, 0]),
        np.array([5, 5, 4]),
        np.array([], dtype=np.int64),
    ):
        np.testing.assert_array_equal(read_rows(path, "vectors", rows), matrix[rows])
        assert read_rows(path, "ids", rows).tolist() == [f"s{i}" for i in rows]
    assert row_runs(np.array([1, 2, 3, 9, 10, 2])) == [(0, 3), (3, 5), (5, 6)]


def test_rows_outside_the_file_name_it(tmp_path):
    path = tmp_path / "v.npz"
    save_vectors(path, ["a", "b"], _vectors(2))
    with pytest.raises(FramelensError, match=r"v\.npz"):
        read_rows(path, "vectors", np.array([0, 2]))


def test_float16_halves_the_file_and_reads_back_as_float32(tmp_path):
    matrix = _vectors(400, 64)
    ids = [f"s{i}" for i in range(400)]
    save_vectors(tmp_path / "32.npz", ids, matrix)
    save_vectors(tmp_path / "16.npz", ids, matrix, "float16")
    size32, size16 = ((tmp_path / f"{b}.npz").stat().st_size for b in (32, 16))
    assert size16 < 0.6 * size32
    back_ids, back = load_vectors(tmp_path / "16.npz")
    assert back_ids == ids and back.dtype == np.float32
    np.testing.assert_array_equal(back, matrix.astype(np.float16).astype(np.float32))
    assert np.abs(back - matrix).max() < 1e-3
    taken = VectorFile(str(tmp_path / "16.npz")).take(np.array([3, 1]))
    assert taken.dtype == np.float16  # rows stay narrow until the arithmetic
    with pytest.raises(ValueError, match="float64"):
        save_vectors(tmp_path / "x.npz", ids, matrix, "float64")


def test_sparse_vectors_are_taken_from_the_whole_file(tmp_path):
    matrix = sp.csr_matrix(_vectors(10))
    path = tmp_path / "s.npz"
    save_vectors(path, [f"s{i}" for i in range(10)], matrix, "float16")  # sparse: as it is
    assert read_rows(path, "vectors", np.array([1])) is None
    got = take_rows(VectorFile(str(path)), np.array([4, 2]))
    np.testing.assert_array_equal(got.toarray(), matrix[[4, 2]].toarray())
    assert got.dtype == matrix.dtype


def _two_stories(n_per_story: int = 6) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Two stories told by several articles each (3 sentences an article, one of them
    boilerplate), vectors near each story's own direction."""
    rng = np.random.default_rng(0)
    centres = l2_normalise(rng.normal(size=(2, 16)))
    texts = [
        "Kosovo postponed the licence plate rule after talks with Serbia in Brussels.",
        "The central bank raised interest rates by half a point in Frankfurt on Thursday.",
    ]
    rows, vectors, docs = [], [], []
    for story in (0, 1):
        for k in range(n_per_story):
            doc = f"d{story}{k:02d}"
            docs.append({"doc_id": doc, "event": None, "date": "2022-08-01"})
            for i in range(3):
                rows.append(
                    {
                        "doc_id": doc,
                        "text": texts[story],
                        "boilerplate": i == 2,
                        "duplicate_of": None,
                    }
                )
                vectors.append(centres[story] + 0.3 * rng.normal(size=16))
    return (
        l2_normalise(np.array(vectors)).astype(np.float32),
        pd.DataFrame(rows),
        pd.DataFrame(docs),
    )


def test_events_from_the_file_equal_events_from_memory(tmp_path):
    vectors, sentences, documents = _two_stories()
    ids = [f"s{i}" for i in range(len(sentences))]
    expected = cluster_events(vectors, sentences, documents)
    assert expected["event_id"].nunique() == 2
    save_vectors(tmp_path / "32.npz", ids, vectors)
    save_vectors(tmp_path / "16.npz", ids, vectors, "float16")
    from_file = cluster_events(VectorFile(str(tmp_path / "32.npz")), sentences, documents)
    pd.testing.assert_frame_equal(from_file, expected)
    narrow = cluster_events(VectorFile(str(tmp_path / "16.npz")), sentences, documents)
    pd.testing.assert_frame_equal(narrow, expected)


def test_csr_rows_are_read_alone_and_in_the_order_asked(tmp_path):
    from framelens.io import write_arrays
    from framelens.vectorfile import csr_arrays, read_csr_rows

    rng = np.random.default_rng(2)
    dense = rng.random((9, 7)) * (rng.random((9, 7)) > 0.6)
    dense[4] = 0  # an empty row
    write_arrays(csr_arrays("m", sp.csr_matrix(dense)), tmp_path / "m.npz")
    for rows in ([8, 0, 4, 3], [4], []):
        got = read_csr_rows(tmp_path / "m.npz", "m", np.array(rows, dtype=np.int64))
        assert got.shape == (len(rows), 7)
        np.testing.assert_array_equal(got.toarray(), dense[rows])
