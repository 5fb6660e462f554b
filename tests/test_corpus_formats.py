"""Real corpora in: the seeds and scraped articles as tables, pages and a WARC, end to end
through ingest and the workflow's ingest rule. Test ids name each case."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from framelens.corpus import ingest_corpus
from framelens.errors import CorpusError
from tests.conftest import SEEDS, run_workflow
from tests.test_corpus import SCRAPED

COLUMNS = {
    "text": "content",
    "outlet": "publisher",
    "date": "published_at",
    "title": "headline",
    "id": "story_id",
}
# Columns a table ingest fills differently from the folder by design (where it came from).
PROVENANCE = ["file", "record", "sha256", "n_chars", "title_source"]


def seed_rows() -> list[dict[str, str]]:
    """The seed articles as export rows under non-framelens column names."""
    meta = pd.read_csv(SEEDS / "metadata.csv", dtype=str, keep_default_na=False)
    return [
        {
            "story_id": row["file"][:-4],
            "content": (SEEDS / row["file"]).read_text(),
            "publisher": row["outlet"],
            "published_at": row["date"],
            "headline": row["title"],
            "lang": row["language"],
        }
        for row in meta.to_dict("records")
    ]


@pytest.fixture(scope="module")
def seeds_folder():
    return ingest_corpus(SEEDS)


@pytest.mark.parametrize(
    "name",
    ["seeds.csv", "seeds.csv.gz", "seeds.tsv", "seeds.jsonl.zst", "seeds.json", "seeds.parquet"],
)
def test_seeds_as_a_table_give_the_folders_tables(tmp_path, seeds_folder, name):
    table = pd.DataFrame(seed_rows())
    path = tmp_path / name
    if ".csv" in name or ".tsv" in name:
        table.to_csv(path, index=False, sep="\t" if ".tsv" in name else ",")
    elif name.endswith(".parquet"):
        table.to_parquet(path, index=False)
    elif name.endswith(".json"):
        path.write_text(table.to_json(orient="records"))
    else:
        import zstandard

        lines = table.to_json(orient="records", lines=True).encode()
        path.write_bytes(zstandard.ZstdCompressor().compress(lines))
    result = ingest_corpus({"path": str(path), "columns": COLUMNS})
    keep = [c for c in seeds_folder.documents.columns if c not in PROVENANCE]
    pd.testing.assert_frame_equal(result.documents[keep], seeds_folder.documents[keep])
    assert result.sentences["text"].tolist() == seeds_folder.sentences["text"].tolist()
    unit = "line" if ".jsonl" in name else "row"  # JSON lines count physical lines
    assert result.documents["record"].tolist() == [f"{unit} {i}" for i in range(1, 6)]


def test_column_names_are_guessed_when_unambiguous(tmp_path, seeds_folder):
    path = tmp_path / "export.jsonl"
    pd.DataFrame(seed_rows()).to_json(path, orient="records", lines=True)
    result = ingest_corpus(str(path))
    mapping = result.report["columns"]["mapping"]
    assert {field: m["column"] for field, m in mapping.items()} == {
        "id": "story_id",
        "text": "content",
        "outlet": "publisher",
        "date": "published_at",
        "title": "headline",
        "language": "lang",
    }
    assert {m["how"] for m in mapping.values()} == {"guessed"}
    assert result.sentences["text"].tolist() == seeds_folder.sentences["text"].tolist()


@pytest.mark.parametrize("case", ["one-paragraph-embed-keeps-prose"])
def test_one_paragraph_row_with_an_embedded_post_keeps_its_prose(tmp_path, case):
    path = tmp_path / "scraped.csv"
    pd.DataFrame([{"body": SCRAPED, "source": "Daily", "url": "https://daily.example/a"}]).to_csv(
        path, index=False
    )
    result = ingest_corpus({"path": str(path), "columns": {"text": "body"}})
    content = result.sentences.loc[~result.sentences["boilerplate"], "text"].tolist()
    assert "Meanwhile, NATO called for calm from all sides." in content
    assert len(content) == 4 and result.report["n_no_content"] == 0


def test_table_problems_stop_with_one_line_each_naming_the_row(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"content,publisher\nGood text here. It has two sentences.,A\n"
        b"   ,B\nMore text. Fine.,\ncaf\xe9 au lait is served.,C\n"
    )
    with pytest.raises(CorpusError) as excinfo:
        ingest_corpus({"path": str(path), "columns": {"text": "content", "outlet": "publisher"}})
    lines = str(excinfo.value).splitlines()[1:]
    assert any("export.csv, row 2: empty text" in line for line in lines)
    assert any("export.csv, row 3: no outlet" in line for line in lines)
    assert any("export.csv, row 4: invalid UTF-8" in line for line in lines)
    assert len(lines) == 3


@pytest.mark.parametrize(
    "columns, message",
    [
        (
            {"text": "content", "outlet": "source"},
            "corpus.columns.outlet: 'source' is not a column",
        ),
        ({"text": "body"}, "corpus.columns.text: 'body' is not a column"),
    ],
    ids=["unknown-columns-name", "missing-required-column"],
)
def test_unknown_or_missing_column_is_named(tmp_path, columns, message):
    path = tmp_path / "export.csv"
    pd.DataFrame([{"content": "Some text. More.", "publisher": "A"}]).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=message):
        ingest_corpus({"path": str(path), "columns": columns})


def test_two_rows_with_one_id_are_reported_never_merged(tmp_path):
    path = tmp_path / "export.jsonl"
    rows = [
        {
            "id": "17",
            "text": "First version of the story. It has facts.",
            "outlet": "A",
            "url": "https://a.example/s",
        },
        {
            "id": "17",
            "text": "First version of the story. It has facts.",
            "outlet": "A",
            "url": "https://a.example/s",
        },
        {"id": "17", "text": "A different story under the same id. Oops.", "outlet": "A"},
        {
            "id": "18",
            "text": "The same page fetched again. Now updated.",
            "outlet": "A",
            "url": "https://a.example/s",
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = ingest_corpus(str(path))
    assert result.documents["doc_id"].tolist() == ["17", "17~2", "18"]
    (skipped,) = result.report["duplicate_records"]
    assert (skipped["kept"], skipped["skipped"]) == (f"{path}, line 1", f"{path}, line 2")
    flags = {e["doc_id"]: [f["code"] for f in e["flags"]] for e in result.report["files"]}
    assert flags["17~2"] == ["duplicate_id"] and flags["18"] == ["duplicate_url"]


def test_outlet_falls_back_to_the_urls_domain(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame(
        [
            {
                "text": "Kosovo delayed the rule. Serbs blocked roads.",
                "url": "https://www.b92.example/en/news/1",
            }
        ]
    ).to_csv(path, index=False)
    doc = ingest_corpus(str(path)).documents.iloc[0]
    assert (doc["outlet"], doc["outlet_source"], doc["doc_id"]) == (
        "b92.example",
        "url_domain",
        "www.b92.example/en/news/1",
    )


def run_ingest_rule(tmp_path: Path, corpus: object) -> subprocess.CompletedProcess[str]:
    """The workflow's ingest rule alone, on ``corpus``, in ``tmp_path``."""
    override = tmp_path / "corpus.yaml"
    override.write_text(yaml.safe_dump({"corpus": corpus}))
    return run_workflow(tmp_path, str(override), "--cores", "1",
                        "results/corpus/documents.parquet")  # fmt: skip


def test_ingest_rule_reads_a_table_from_a_config_mapping(tmp_path):
    path = tmp_path / "stories.csv.gz"
    pd.DataFrame(seed_rows()).to_csv(path, index=False)
    run = run_ingest_rule(tmp_path, {"path": str(path), "columns": COLUMNS})
    assert run.returncode == 0, run.stderr[-3000:]
    docs = pd.read_parquet(tmp_path / "results" / "corpus" / "documents.parquet")
    assert len(docs) == 5 and docs["record"].tolist()[0] == "row 1"


def test_ingest_rule_stops_on_a_bad_row_in_the_terminal_and_writes_nothing(tmp_path):
    rows = seed_rows()
    rows[2]["content"] = " "
    path = tmp_path / "stories.jsonl"
    pd.DataFrame(rows).to_json(path, orient="records", lines=True)
    run = run_ingest_rule(tmp_path, str(path))
    assert run.returncode != 0
    assert f"{path}, line 3: empty text" in run.stderr
    assert not (tmp_path / "results" / "corpus" / "documents.parquet").exists()


def test_ingest_rule_reads_html_pages_and_a_warc(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = "".join(
        f"<p>{p}</p>"
        for p in (
            "Kosovo's government agreed on Sunday to delay by one month a rule requiring "
            "Serbian-issued car plates to be replaced, after tensions flared in the north.",
            "Serbs in the north blocked roads with trucks and the NATO peacekeeping mission said "
            "it was ready to intervene if stability was jeopardised in the region.",
            "The European Union welcomed the decision and called on both sides to keep talking.",
        )
    )
    page = (
        f'<html lang="en"><head><meta property="og:site_name" content="Balkan Daily">'
        f'<meta property="article:published_time" content="2022-08-01T09:30:00+02:00">'
        f"<title>Plates delayed</title></head><body><nav><a href='/'>Home</a> "
        f"<a href='/world'>World</a></nav><article><h1>Plates delayed</h1>{body}</article>"
        f"<footer>Copyright 2022 Balkan Daily</footer></body></html>"
    ).encode()
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes(page)
    run = run_ingest_rule(tmp_path, str(pages))
    assert run.returncode == 0, run.stderr[-3000:]
    docs = pd.read_parquet(tmp_path / "results" / "corpus" / "documents.parquet")
    assert docs[["doc_id", "outlet", "date", "time"]].values.tolist() == [
        ["a", "Balkan Daily", "2022-08-01", "09:30:00+02:00"]
    ]
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://www.balkandaily.example/plates",
                "response",
                payload=io.BytesIO(page),
                http_headers=headers,
            )
        )
    run = run_ingest_rule(tmp_path, str(warc))
    assert run.returncode == 0, run.stderr[-3000:]
    docs = pd.read_parquet(tmp_path / "results" / "corpus" / "documents.parquet")
    assert docs["doc_id"].tolist() == ["www.balkandaily.example/plates"]  # the URL, no scheme
    assert docs["record"].str.startswith("<urn:uuid:").all()


@pytest.mark.parametrize("name", ["export.jsonl", "export.csv"])
def test_counting_articles_can_stop_at_a_limit(tmp_path, name):
    from framelens.sources import count_articles
    from framelens.sources.spec import CorpusSource

    path = tmp_path / name
    pd.DataFrame([{"text": f"Story {i}. Done.", "outlet": "A"} for i in range(50)]).pipe(
        lambda t: (
            t.to_json(path, orient="records", lines=True)
            if name.endswith("jsonl")
            else t.to_csv(path, index=False)
        )
    )
    source = CorpusSource.from_config(str(path))
    assert count_articles(source) == 50
    assert count_articles(source, limit=10) == 11
    assert count_articles(source, limit=50) == 50
