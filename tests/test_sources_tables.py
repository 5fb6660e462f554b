"""Table corpora (framelens.sources.tables): every format and compression, column mapping,
row problems, and streaming."""

from __future__ import annotations

import bz2
import csv
import datetime as dt
import gzip
import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from framelens.errors import CorpusError
from framelens.sources.spec import CorpusSource
from framelens.sources.tables import (
    PRESETS,
    WELL_KNOWN,
    ColumnMapping,
    check_table,
    count_rows,
    open_binary,
    read_table,
    resolve_columns,
    table_columns,
)

ARTICLES = [
    {
        "id": 17,
        "content": "Floods hit the valley.\n\nThousands were evacuated overnight.",
        "source": "Daily Planet",
        "date": "2022-08-18",
        "title": "Floods",
        "url": "https://planet.example/floods",
    },
    {
        "id": 18,
        "content": "Officials said the dam held — «barely», one said.",
        "source": "Gazette",
        "date": "2022-08-19",
        "title": "Dam holds",
        "url": "https://gazette.example/dam",
    },
    {
        "id": 19,
        "content": "Rain is forecast again.",
        "source": "Daily Planet",
        "date": "2022-08-20",
        "title": "More rain",
        "url": "https://planet.example/rain",
    },
]
COLUMNS = list(ARTICLES[0])


def compress(data: bytes, compression: str | None) -> bytes:
    """``data`` compressed as ``gz``, ``bz2`` or ``zst`` (or as is)."""
    if compression == "gz":
        return gzip.compress(data)
    if compression == "bz2":
        return bz2.compress(data)
    if compression == "zst":
        return zstandard.ZstdCompressor().compress(data)
    return data


def csv_bytes(rows: list[dict], delimiter: str = ",", columns: list[str] | None = None) -> bytes:
    """Rows as CSV (CRLF line ends, as the csv module writes them)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def jsonl_bytes(rows: list[dict]) -> bytes:
    """Rows as JSON lines."""
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as Parquet bytes."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


WRITERS: dict[str, Callable[[list[dict]], bytes]] = {
    "csv": csv_bytes,
    "tsv": lambda rows: csv_bytes(rows, "\t"),
    "jsonl": jsonl_bytes,
    "ndjson": jsonl_bytes,
    "json": lambda rows: json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8"),
    "parquet": lambda rows: parquet_bytes(pa.Table.from_pylist(rows)),
}


def write_table(folder: Path, name: str, rows: list[dict]) -> Path:
    """Write ``rows`` to ``folder/name`` in the format and compression its suffixes name."""
    parts = name.split(".")
    compression = parts[-1] if parts[-1] in ("gz", "bz2", "zst") else None
    fmt = parts[-2] if compression else parts[-1]
    path = folder / name
    path.write_bytes(compress(WRITERS[fmt](rows), compression))
    return path


def source_for(path: Path, **entry: object) -> CorpusSource:
    """The CorpusSource a ``corpus`` config mapping with this path would give."""
    return CorpusSource.from_config({"path": str(path), **entry})


def read_all(source: CorpusSource) -> list:
    """All records of a table whose header maps without problems."""
    mapping, problems = check_table(source)
    assert problems == [] and mapping is not None
    return list(read_table(source, mapping))


NAMES = [
    "a.csv",
    "a.csv.gz",
    "a.tsv",
    "a.tsv.zst",
    "a.jsonl",
    "a.jsonl.zst",
    "a.ndjson.bz2",
    "a.json",
    "a.json.gz",
    "a.parquet",
    "a.parquet.zst",
]


@pytest.mark.parametrize("name", NAMES)
def test_every_format_and_compression_reads_the_same_articles(tmp_path: Path, name: str) -> None:
    path = write_table(tmp_path, name, ARTICLES)
    source = source_for(path)
    assert table_columns(source) == COLUMNS
    records = read_all(source)
    assert [r.fields for r in records] == [
        {
            "id": str(a["id"]),
            "text": a["content"],
            "outlet": a["source"],
            "date": a["date"],
            "title": a["title"],
            "url": a["url"],
        }
        for a in ARTICLES
    ]
    assert [r.data for r in records] == [a["content"].encode("utf-8") for a in ARTICLES]
    assert all(r.problems == [] and r.file == str(path) for r in records)
    unit = "line" if name.split(".")[1] in ("jsonl", "ndjson") else "row"
    assert [r.record for r in records] == [f"{unit} {n}" for n in (1, 2, 3)]
    assert count_rows(source) == 3


@pytest.mark.parametrize("compression", [".gz", ".bz2", ".zst"])
def test_open_binary_decompresses_by_suffix(tmp_path: Path, compression: str) -> None:
    path = tmp_path / f"x.txt{compression}"
    path.write_bytes(compress(b"one\ntwo\n", compression[1:]))
    with open_binary(path) as fh:
        assert list(fh) == [b"one\n", b"two\n"]


def test_zst_with_several_frames_is_read_to_the_end(tmp_path: Path) -> None:
    frames = [zstandard.ZstdCompressor().compress(jsonl_bytes([a])) for a in ARTICLES]
    path = tmp_path / "a.jsonl.zst"
    path.write_bytes(b"".join(frames))
    assert len(read_all(source_for(path))) == 3


def test_columns_from_config_win_and_are_marked_config(tmp_path: Path) -> None:
    rows = [{"body_html": "x", "story": "The text.", "paper": "Gazette"}]
    path = write_table(tmp_path, "a.csv", rows)
    source = source_for(path, columns={"text": "story", "outlet": "paper"})
    mapping, problems = check_table(source)
    assert problems == []
    assert mapping is not None
    assert mapping.columns == {"text": "story", "outlet": "paper"}
    assert mapping.how == {"text": "config", "outlet": "config"}
    assert [r.fields for r in read_table(source, mapping)] == [
        {"text": "The text.", "outlet": "Gazette"}
    ]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_each_preset_maps_its_exports_columns(tmp_path: Path, preset: str) -> None:
    names = PRESETS[preset]
    row = {names[key][0]: f"value of {key}" for key in names}
    row["unrelated"] = "z"
    path = write_table(tmp_path, "a.jsonl", [row])
    mapping, problems = check_table(source_for(path, preset=preset))
    assert problems == []
    assert mapping is not None
    assert mapping.columns == {key: names[key][0] for key in names}
    assert set(mapping.how.values()) == {"preset"}


def test_preset_takes_its_alternative_name_and_config_overrides_it(tmp_path: Path) -> None:
    rows = [
        {
            "id": 5,
            "text": "T",
            "story_text": "S",
            "media_name": "M",
            "publish_date": "d",
            "title": "t",
            "url": "u",
            "language": "en",
        }
    ]
    path = write_table(tmp_path, "a.csv", rows)
    mapping, problems = check_table(source_for(path, preset="mediacloud"))
    assert problems == []
    assert mapping is not None
    assert mapping.columns["id"] == "id" and mapping.columns["text"] == "text"
    mapping, _ = check_table(source_for(path, preset="mediacloud", columns={"text": "story_text"}))
    assert mapping is not None
    assert (mapping.columns["text"], mapping.how["text"]) == ("story_text", "config")
    assert mapping.how["outlet"] == "preset"


def test_well_known_names_are_guessed_case_insensitively(tmp_path: Path) -> None:
    rows = [
        {
            "Headline": "H",
            "Article_Text": "Body.",
            "Publisher": "P",
            "PubDate": "d",
            "Link": "l",
            "Lang": "en",
            "Event_ID": "e1",
            "GUID": "g",
        }
    ]
    path = write_table(tmp_path, "a.csv", rows)
    mapping, problems = check_table(source_for(path))
    assert problems == []
    assert mapping is not None
    assert mapping.columns == {
        "id": "GUID",
        "text": "Article_Text",
        "outlet": "Publisher",
        "date": "PubDate",
        "title": "Headline",
        "url": "Link",
        "language": "Lang",
        "event": "Event_ID",
    }
    assert set(mapping.how.values()) == {"guessed"}
    assert all(name.lower() in WELL_KNOWN[key] for key, name in mapping.columns.items())


def test_ambiguous_guess_is_left_unmapped_and_noted(tmp_path: Path) -> None:
    rows = [{"text": "T", "url": "u", "source": "a", "publisher": "b"}]
    mapping, problems = resolve_columns(
        source_for(write_table(tmp_path, "a.csv", rows)), list(rows[0])
    )
    assert problems == []  # the outlet comes from the URL
    assert "outlet" not in mapping.columns
    assert any("outlet" in n and "'source'" in n and "'publisher'" in n for n in mapping.notes)


def test_ambiguous_text_column_is_a_problem(tmp_path: Path) -> None:
    rows = [{"text": "T", "body": "B", "outlet": "o"}]
    _, problems = check_table(source_for(write_table(tmp_path, "a.csv", rows)))
    assert [p.where for p in problems] == ["corpus.columns.text"]
    assert "several columns" in problems[0].message and "['text', 'body']" in str(problems[0])


def test_unknown_config_column_names_key_file_and_columns(tmp_path: Path) -> None:
    path = write_table(tmp_path, "a.csv", [{"story": "T", "url": "u"}])
    _, problems = check_table(source_for(path, columns={"text": "content"}))
    assert [str(p) for p in problems] == [
        f"corpus.columns.text: 'content' is not a column of {path}; its columns are "
        "['story', 'url']"
    ]


def test_unknown_config_column_suggests_a_close_name(tmp_path: Path) -> None:
    path = write_table(tmp_path, "a.csv", [{"Content": "T", "url": "u"}])
    _, problems = check_table(source_for(path, columns={"text": "content"}))
    assert "did you mean 'Content'?" in str(problems[0])


def test_unknown_preset_is_reported(tmp_path: Path) -> None:
    path = write_table(tmp_path, "a.csv", ARTICLES)
    _, problems = check_table(source_for(path, preset="gdelt"))
    assert [p.where for p in problems] == ["corpus.preset"]
    assert "'gdelt'" in problems[0].message and "nela" in problems[0].message


def test_missing_text_column_is_reported_with_the_columns(tmp_path: Path) -> None:
    path = write_table(tmp_path, "a.csv", [{"headline": "H", "url": "u"}])
    mapping, problems = check_table(source_for(path))
    assert mapping is not None and "text" not in mapping.columns
    assert [p.where for p in problems] == ["corpus.columns.text"]
    assert str(path) in problems[0].message and "['headline', 'url']" in problems[0].message
    with pytest.raises(ValueError, match="no text column"):
        next(read_table(source_for(path), mapping))


def test_no_outlet_and_no_url_is_reported(tmp_path: Path) -> None:
    path = write_table(tmp_path, "a.csv", [{"text": "T", "title": "t"}])
    _, problems = check_table(source_for(path))
    assert [p.where for p in problems] == ["corpus.columns.outlet"]
    assert "url" in problems[0].message


def test_unreadable_table_gives_no_mapping_and_a_file_problem(tmp_path: Path) -> None:
    bad = tmp_path / "a.csv.gz"
    bad.write_bytes(b"not gzip at all")
    mapping, problems = check_table(source_for(bad))
    assert mapping is None and "cannot be decompressed (gzip)" in str(problems[0])
    empty = tmp_path / "b.csv"
    empty.write_bytes(b"")
    assert "empty file" in str(check_table(source_for(empty))[1][0])
    not_array = tmp_path / "c.json"
    not_array.write_text('{"text": "T"}')
    assert "expected a JSON array" in str(check_table(source_for(not_array))[1][0])
    with pytest.raises(CorpusError, match="not a readable Parquet file"):
        table_columns(
            source_for(write_table(tmp_path, "d.csv", ARTICLES).rename(tmp_path / "d.parquet"))
        )


@pytest.mark.parametrize("name", ["a.csv", "a.jsonl", "a.json", "a.parquet"])
def test_empty_text_row_is_reported_naming_the_row(tmp_path: Path, name: str) -> None:
    rows = [dict(a) for a in ARTICLES]
    rows[1]["content"] = "  \n "
    records = read_all(source_for(write_table(tmp_path, name, rows)))
    assert [len(r.problems) for r in records] == [0, 1, 0]
    unit = "line" if name == "a.jsonl" else "row"
    assert str(records[1].problems[0]) == (
        f"{tmp_path / name}, {unit} 2: empty text in column 'content'"
    )
    assert records[1].fields["text"] is None and records[1].data == b""


def test_invalid_utf8_in_one_csv_row_spoils_only_that_row(tmp_path: Path) -> None:
    data = csv_bytes(ARTICLES).replace("«barely»".encode(), b"\xff\xfebarely")
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    records = read_all(source_for(path))
    assert [r.fields["id"] for r in records] == ["17", "18", "19"]
    assert [len(r.problems) for r in records] == [0, 1, 0]
    offset = data.index(b"\xff")
    assert str(records[1].problems[0]).startswith(
        f"{path}, row 2: invalid UTF-8 at byte {offset} of the file"
    )
    assert "\ufffd" in (records[1].fields["text"] or "")


def test_invalid_utf8_and_bad_json_lines_are_reported_per_line(tmp_path: Path) -> None:
    lines = jsonl_bytes(ARTICLES).splitlines(keepends=True)
    lines[0] = lines[0].replace(b"valley", b"vall\xc3y")
    lines.insert(1, b"\n")
    lines.insert(2, b'{"id": 99, "content": \n')
    lines.append(b'["an", "array"]\n')
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(lines))
    records = read_all(source_for(path))
    assert [r.record for r in records] == ["line 1", "line 3", "line 4", "line 5", "line 6"]
    assert [r.fields["id"] for r in records] == ["17", None, "18", "19", None]
    offset = b"".join(lines).index(b"\xc3y")
    assert str(records[0].problems[0]).startswith(
        f"{path}, line 1: invalid UTF-8 at byte {offset} of the file"
    )
    assert str(records[1].problems[0]).startswith(f"{path}, line 3: not valid JSON: ")
    assert records[2].problems == [] and records[3].problems == []
    assert str(records[4].problems[0]) == (
        f"{path}, line 6: a JSON array, not an object (one article per line)"
    )
    assert count_rows(source_for(path)) == 5


def test_invalid_utf8_in_a_json_array_is_reported_per_column(tmp_path: Path) -> None:
    data = json.dumps(ARTICLES, ensure_ascii=False).encode().replace(b"Gazette", b"Gaz\xffte")
    path = tmp_path / "a.json"
    path.write_bytes(data)
    records = read_all(source_for(path))
    assert [len(r.problems) for r in records] == [0, 1, 0]
    assert str(records[1].problems[0]).startswith(
        f"{path}, row 2: invalid UTF-8 in column 'source'"
    )
    assert records[1].fields["outlet"] == "Gaz\ufffdte"


def test_csv_row_with_wrong_field_count_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    extra = b"20,short row\r\n\r\n, , \r\n21,Last one.,X,d,t,u\r\n"  # a blank row, an empty one
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(ARTICLES) + extra)
    records = read_all(source_for(path))
    assert [r.record for r in records] == ["row 1", "row 2", "row 3", "row 4", "row 7"]
    assert str(records[3].problems[0]) == f"{path}, row 4: has 2 fields, the header has 6"
    assert records[4].fields["text"] == "Last one." and records[4].problems == []
    assert count_rows(source_for(path)) == 5


def test_multiline_quoted_csv_text_keeps_its_paragraphs(tmp_path: Path) -> None:
    text = 'First paragraph,\nstill first.\n\nSecond "quoted" paragraph.\n\nThird.'
    path = tmp_path / "a.csv"
    path.write_bytes(
        b"\xef\xbb\xbf" + csv_bytes([{"text": text, "url": "u"}, {"text": "Next.", "url": "v"}])
    )
    records = read_all(source_for(path))
    assert [r.fields["text"] for r in records] == [text, "Next."]
    assert table_columns(source_for(path)) == ["text", "url"]


def test_integral_ids_read_as_integers_from_parquet_and_json(tmp_path: Path) -> None:
    rows = [
        {"id": 17.0, "text": "a", "url": "u"},
        {"id": None, "text": "b", "url": "u"},
        {"id": 2.5, "text": "c", "url": "u"},
    ]
    parquet = tmp_path / "a.parquet"
    parquet.write_bytes(parquet_bytes(pa.Table.from_pylist(rows)))
    assert pa.types.is_floating(pq.read_schema(parquet).field("id").type)
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps(rows).replace("null", "NaN"))
    for path in (parquet, as_json):
        assert [r.fields["id"] for r in read_all(source_for(path))] == ["17", None, "2.5"]


def test_parquet_timestamp_with_zone_becomes_iso_with_time(tmp_path: Path) -> None:
    moment = dt.datetime(2022, 8, 18, 12, 3, tzinfo=dt.UTC)
    table = pa.table(
        {
            "text": ["a", "b"],
            "url": ["u", "v"],
            "published_at": pa.array([moment, None], pa.timestamp("ns", tz="Europe/Belgrade")),
            "day": pa.array([dt.date(2022, 8, 18), None], pa.date32()),
        }
    )
    path = tmp_path / "a.parquet"
    path.write_bytes(parquet_bytes(table))
    records = read_all(source_for(path))
    assert records[0].fields["date"] == "2022-08-18T14:03:00+02:00"
    assert records[1].fields["date"] is None
    mapping, _ = check_table(source_for(path, columns={"date": "day"}))
    assert mapping is not None
    assert next(read_table(source_for(path), mapping)).fields["date"] == "2022-08-18"


def test_truncated_compressed_table_keeps_earlier_rows_and_reports_the_break(
    tmp_path: Path,
) -> None:
    rows = [{"id": n, "text": f"Article {n}. " * 40, "url": "u"} for n in range(2000)]
    data = gzip.compress(jsonl_bytes(rows))
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    records = read_all(source_for(path))
    last = records[-1]
    assert last.record is None and last.fields == {}
    assert "reading stopped after line" in str(last.problems[0])
    assert "cannot be decompressed (gzip)" in str(last.problems[0])
    assert len(records) > 100 and all(not r.problems for r in records[:-2])


def test_column_mapping_reports_fields_and_how_they_were_chosen() -> None:
    mapping = ColumnMapping(
        {"text": "body", "url": "link"},
        {"text": "config", "url": "guessed"},
        ["outlet: not guessed"],
    )
    assert mapping.report() == {
        "text": {"column": "body", "how": "config"},
        "url": {"column": "link", "how": "guessed"},
    }
    assert mapping.describe() == [
        "text <- 'body' (config)",
        "url <- 'link' (guessed)",
        "outlet: not guessed",
    ]
    assert mapping.column("outlet") is None


def test_jsonl_columns_are_the_union_of_the_first_records_keys(tmp_path: Path) -> None:
    rows = [{"text": "a"}, {"text": "b", "url": "u"}, {"title": "t", "text": "c"}]
    path = write_table(tmp_path, "a.jsonl", rows)
    assert table_columns(source_for(path)) == ["text", "url", "title"]


def test_reading_a_large_jsonl_streams_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        for n in range(20_000):
            fh.write(
                jsonl_bytes(
                    [
                        {
                            "id": n,
                            "text": f"Sentence {n} of the story. " * 20,
                            "url": f"https://x.example/{n}",
                        }
                    ]
                )
            )
    size = path.stat().st_size
    source = source_for(path)
    mapping, _ = check_table(source)
    assert mapping is not None
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_table(source, mapping))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert size > 10_000_000
    assert peak < size / 20, f"peak {peak} bytes for a {size}-byte file"
