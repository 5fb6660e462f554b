"""bench.ingest on a tiny corpus: every format ingests the same articles alike, and the
report has its keys. Reads ECB+ from ../shared/data/ecbplus (the synthetic corpus); skipped
where it is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import ingest

from .conftest import SHARED

ECBPLUS = SHARED / "data" / "ecbplus"
pytestmark = pytest.mark.skipif(
    not (ECBPLUS / "gold_events.csv").is_file(), reason="ECB+ is not in ../shared/data/ecbplus"
)
N = 30


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[dict, Path]:
    work = tmp_path_factory.mktemp("ingest-bench")
    out = work / "ingest.json"
    ingest.run(
        [N],
        [N],
        ["folder", "csv", "jsonl", "html"],
        ecbplus=ECBPLUS,
        out=out,
        work=work,
        fresh=True,
    )
    return json.loads(out.read_text()), work


def test_every_format_ingests_the_same_articles(report):
    data, _ = report
    check = data["agreement"][str(N)]
    assert check["folder_documents"] == N
    formats = check["formats"]
    assert set(formats) == {"csv", "jsonl", "html"}
    assert all(entry["documents_equal"] for entry in formats.values())
    assert formats["csv"]["sentence_text_equal"] and formats["jsonl"]["sentence_text_equal"]
    assert formats["csv"]["sentences_identical"]  # story_key carries the folder's doc ids
    # the page around the article (menu, cookie banner, share bar, aside, footer) is left out
    assert formats["html"]["recall"] >= 0.95 and formats["html"]["precision"] >= 0.95


def test_report_has_a_row_per_format_with_rates_memory_and_ratio(report):
    data, _ = report
    assert {"rows", "agreement", "memory_growth", "web_sizes", "machine"} <= set(data)
    rows = {row["format"]: row for row in data["rows"]}
    assert set(rows) == {"folder", "csv", "jsonl", "html"}
    for row in rows.values():
        assert row["n"] == N and row["documents"] == N
        assert {
            "articles_per_s",
            "mb_per_s",
            "peak_rss_mib",
            "import_rss_mib",
            "input_bytes",
            "ratio",
            "cpu_ratio",
            "folder_articles_per_s",
            "sentences_mib",
            "wall_s",
        } <= set(row)
        assert row["peak_rss_mib"] >= row["import_rss_mib"] > 0
    assert rows["folder"]["ratio"] == rows["folder"]["cpu_ratio"] == 1.0


def test_tables_use_unknown_column_names_read_through_the_mapping(report):
    _, work = report
    header = (work / f"n{N}-s42" / "articles.csv").read_text(encoding="utf-8").split("\n")[0]
    assert set(ingest.COLUMNS.values()) <= set(header.split(","))
    assert not {"text", "outlet", "date", "title", "url"} & set(header.split(","))
    config = ingest.corpus_config("csv", work / "articles.csv")
    assert config["columns"] == ingest.COLUMNS


def test_pages_carry_site_metadata_and_the_article_as_paragraphs():
    article = ingest.Article(
        "a__1",
        "a/1.txt",
        "Daily Courier",
        "2023-02-03",
        "Rain & wind",
        "https://www.daily-courier.example/news/1",
        "One.\n\nTwo.\n",
    )
    page = ingest.html_page(article, [article], 0)
    for piece in (
        'property="og:site_name" content="Daily Courier"',
        'property="article:published_time" content="2023-02-03T',
        'rel="canonical" href="https://www.daily-courier.example/news/1"',
        "<p>One.</p>\n<p>Two.</p>",
        "Rain &amp; wind",
        "cookie",
        "<nav",
        "<aside",
        "<footer",
        "<script",
    ):
        assert piece in page


def test_memory_growth_compares_the_largest_size_with_the_smallest():
    rows = [
        {"n": 10, "format": "csv", "peak_rss_mib": 150.0, "import_rss_mib": 100.0},
        {"n": 100, "format": "csv", "peak_rss_mib": 200.0, "import_rss_mib": 100.0},
        {"n": 10, "format": "folder", "peak_rss_mib": 150.0, "import_rss_mib": 100.0},
    ]
    growth = ingest.memory_growth(rows)
    assert set(growth) == {"csv"}
    assert growth["csv"]["peak_growth"] == pytest.approx(1.33)
    assert growth["csv"]["ingest_growth"] == 2.0 and growth["csv"]["flat"]
