"""HTML pages and WARC archives as corpus sources (framelens.sources.web, .warc).

Every page and archive is built here: realistic news pages with a menu, cookie banner,
share bar, related articles, footer and scripts around a five-paragraph article; WARC
files written with warcio's WARCWriter (gzip and plain).
"""

from __future__ import annotations

import gzip as gzip_module
import json
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from framelens.sources import web
from framelens.sources.records import SourceRecord
from framelens.sources.spec import CorpusSource
from framelens.sources.warc import (
    WarcSummary,
    count_warc_responses,
    read_warc,
    warc_files,
)
from framelens.sources.web import (
    NO_TEXT,
    decode_html,
    extract_page,
    list_html_pages,
    read_html_folder,
)

HEADLINE = "Serbia and Kosovo strike deal on licence plates"
PARAGRAPHS = [
    "Serbia and Kosovo reached a last-minute agreement on Thursday to end a months-long "
    "dispute over vehicle licence plates, the European Union's foreign policy chief said "
    "after talks in Brussels.",
    "Under the deal, Kosovo will stop requiring ethnic Serb drivers in the north to replace "
    "Serbian-issued plates with Kosovo ones, while Belgrade will stop issuing new plates "
    "with Kosovo town designations.",
    "Tensions flared in recent weeks as Serbs in northern Kosovo put up roadblocks and "
    "several hundred police officers resigned in protest at the plan to phase out the "
    "Serbian plates.",
    "\u201cWe have a deal,\u201d the EU envoy Miroslav Lajčák wrote on social media late on "
    "Wednesday, adding that both sides had agreed to focus on the normalisation of "
    "relations in the coming weeks.",
    "Kosovo's prime minister Albin Kurti said the agreement respected the country's "
    "sovereignty, while Serbian president Aleksandar Vučić described it as a victory for "
    "common sense and for peace in the region.",
]
BOILERPLATE = [
    "We use cookies to improve your experience",
    "Accept all cookies",
    "Home",
    "Politics",
    "Business",
    "Sport",
    "Share on Facebook",
    "Tweet",
    "Email this article",
    "Related articles",
    "EU warns of escalation in northern Kosovo",
    "Belgrade recalls envoy after border incident",
    "Sign up for our newsletter",
    "All rights reserved",
    "Privacy policy",
    "dataLayer",
]
METADATA = """
<meta property="og:title" content="Serbia and Kosovo strike deal on licence plates">
<meta property="og:site_name" content="Balkan Daily">
<meta property="og:url" content="https://www.balkandaily.example/news/plates-deal">
<meta property="article:published_time" content="2022-08-18T16:03:00+02:00">
<link rel="canonical" href="https://www.balkandaily.example/news/2022/08/18/plates-deal">
"""


def news_page(
    paragraphs: list[str] = PARAGRAPHS,
    *,
    metadata: str = METADATA,
    lang: str = "en",
    charset: str = "utf-8",
    headline: str = HEADLINE,
) -> str:
    """A news page: boilerplate all around an <article> of ``paragraphs``."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}">
<title>{headline} | Balkan Daily</title>{metadata}
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}
</script>
<style>body {{ font-family: sans-serif; }}</style>
</head><body>
<div id="cookie-banner" class="cookie-consent">
  <p>We use cookies to improve your experience.</p><button>Accept all cookies</button></div>
<header><nav><ul>
  <li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li>
  <li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>
</ul></nav></header>
<main><article>
<h1>{headline}</h1>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet</a>
  <a href="#">Email this article</a></div>
{body}
</article>
<aside class="related"><h3>Related articles</h3><ul>
  <li><a href="/a">EU warns of escalation in northern Kosovo</a></li>
  <li><a href="/b">Belgrade recalls envoy after border incident</a></li>
</ul></aside>
</main>
<footer><p>Sign up for our newsletter</p>
  <p>© 2022 Balkan Daily Media Ltd. All rights reserved.</p>
  <a href="/privacy">Privacy policy</a></footer>
<script>document.querySelectorAll('.share-bar a').forEach(function(a){{a.onclick=track;}});
</script>
</body></html>"""


def no_article_page() -> str:
    """A page with all the boilerplate and no article (an index or error page)."""
    page = news_page([])
    start, end = page.index("<main>"), page.index("</main>") + len("</main>")
    return page[:start] + page[end:]


@pytest.fixture(scope="module")
def article() -> SourceRecord:
    """The standard news page, extracted once for the tests that only read it."""
    page = extract_page(news_page().encode("utf-8"), "page.html")
    return SourceRecord("page.html", None, page.fields, b"", page.extraction, page.problems)


# ---------------------------------------------------------------------------- pages


def test_article_text_keeps_every_paragraph(article: SourceRecord) -> None:
    assert article.problems == []
    text = article.fields["text"]
    assert text is not None
    for paragraph in PARAGRAPHS:
        assert paragraph in text.split("\n\n")


def test_article_text_drops_menu_cookie_banner_share_bar_related_footer_scripts(
    article: SourceRecord,
) -> None:
    text = article.fields["text"] or ""
    for line in BOILERPLATE:
        assert line not in text, line


def test_article_paragraphs_separated_by_blank_lines_headline_first(article: SourceRecord) -> None:
    paragraphs = (article.fields["text"] or "").split("\n\n")
    assert paragraphs == [HEADLINE, *PARAGRAPHS]
    assert article.fields["title"] == HEADLINE


def test_metadata_from_site_name_published_time_with_zone_and_canonical_link(
    article: SourceRecord,
) -> None:
    fields = article.fields
    assert fields["outlet"] == "Balkan Daily"
    assert fields["outlet_source"] == "site_name"
    assert (fields["date"], fields["time"]) == ("2022-08-18", "16:03:00+02:00")
    assert fields["date_source"] == "page_metadata"
    assert fields["url"] == "https://www.balkandaily.example/news/2022/08/18/plates-deal"
    assert fields["url_source"] == "canonical"
    assert fields["language"] == "en"
    assert fields["id"] is None


def test_outlet_falls_back_to_url_domain_without_www() -> None:
    metadata = '<link rel="canonical" href="https://www.b92.example/vesti/tablice">'
    fields = extract_page(news_page(metadata=metadata).encode(), "p.html").fields
    assert (fields["outlet"], fields["outlet_source"]) == ("b92.example", "url_domain")
    assert fields["url"] == "https://www.b92.example/vesti/tablice"


def test_no_page_metadata_date_from_page_text_without_time_and_no_outlet() -> None:
    paragraphs = ["Published 18 August 2022", *PARAGRAPHS]
    fields = extract_page(news_page(paragraphs, metadata="").encode(), "p.html").fields
    assert fields["date"] == "2022-08-18"
    assert fields["time"] is None
    assert fields["date_source"] == "htmldate"
    assert fields["outlet"] is None and fields["url"] is None
    assert fields["title"] == HEADLINE


def test_copyright_year_is_not_taken_for_a_date() -> None:
    fields = extract_page(news_page(metadata="").encode(), "p.html").fields
    assert (fields["date"], fields["time"], fields["date_source"]) == (None, None, None)


def test_published_time_from_json_ld() -> None:
    metadata = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "datePublished": "2022-08-18T00:30:00+02:00"}'
        "</script>"
    )
    fields = extract_page(news_page(metadata=metadata).encode(), "p.html").fields
    assert (fields["date"], fields["time"], fields["date_source"]) == (
        "2022-08-18",
        "00:30:00+02:00",
        "json_ld",
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("sr-Latn", "sr-Latn"), ("en_GB", "en-GB"), ("{{ lang }}", None), ("", None)],
)
def test_language_from_html_lang_when_plausible(lang: str, expected: str | None) -> None:
    fields = extract_page(news_page(lang=lang).encode(), "p.html").fields
    assert fields["language"] == expected


def test_one_paragraph_brief_keeps_no_share_bar() -> None:
    brief = [PARAGRAPHS[0] + " " + PARAGRAPHS[1]]
    page = extract_page(news_page(brief).encode(), "brief.html")
    assert page.problems == []
    assert page.fields["text"] == f"{HEADLINE}\n\n{brief[0]}"


def test_page_without_article_text_is_a_problem_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(no_article_page(), encoding="utf-8")
    (record,) = read_html_folder(CorpusSource(paths=(tmp_path,), format="html"))
    assert [(p.where, p.message) for p in record.problems] == [("index.html", NO_TEXT)]
    assert record.fields["text"] is None
    assert record.extraction is not None and record.extraction["dropped_lines"] > 0


def test_empty_page_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "empty.htm").write_bytes(b"")
    (record,) = read_html_folder(CorpusSource(paths=(tmp_path,), format="html"))
    assert [(p.where, p.message) for p in record.problems] == [("empty.htm", "the page is empty")]


def test_windows_1252_page_with_meta_charset_decodes_correctly() -> None:
    paragraphs = [p.replace("Lajčák", "Lajcak").replace("Vučić", "Vucic") for p in PARAGRAPHS]
    paragraphs[0] += " Café owners in Mitrovica – and others – welcomed the “deal”."
    data = news_page(paragraphs, charset="windows-1252").encode("cp1252")
    page = extract_page(data, "cp1252.html")
    assert page.problems == []
    assert paragraphs[0] in (page.fields["text"] or "")
    assert (page.extraction["encoding"], page.extraction["encoding_source"]) == (
        "cp1252",
        "meta_charset",
    )
    assert "decoding_note" not in page.extraction


@pytest.mark.parametrize("charset", ["utf-8", ""], ids=["declared-utf-8", "undeclared"])
def test_invalid_utf8_bytes_are_replaced_noted_and_flagged(charset: str) -> None:
    page_text = news_page().replace(
        '<meta charset="utf-8">', f'<meta charset="{charset}">' if charset else ""
    )
    data = page_text.encode("utf-8").replace(b"Brussels", b"Br\xfcssels")
    page = extract_page(data, "p.html")
    assert "Br\ufffdssels" in (page.fields["text"] or "")
    assert page.extraction["encoding_source"] == "fallback"
    assert "1 replacement character" in page.extraction["decoding_note"]
    assert [p.message for p in page.problems] == [f"flag: {page.extraction['decoding_note']}"]


def test_binary_page_cannot_be_decoded() -> None:
    data = bytes(range(128, 256)) * 40
    page = extract_page(data, "image.html")
    assert len(page.problems) == 1
    assert page.problems[0].message.startswith("cannot decode the page")


def test_charset_from_http_header_wins_over_missing_meta() -> None:
    decoded = decode_html("Vu\u010di\u0107".encode("cp1250"), "text/html; charset=windows-1250")
    assert (decoded.text, decoded.encoding, decoded.source) == ("Vučić", "cp1250", "http_header")


def test_extraction_summary_counts_dropped_lines(article: SourceRecord) -> None:
    extraction = article.extraction
    assert extraction is not None
    json.dumps(extraction)
    assert extraction["extractor"].startswith("trafilatura ")
    assert extraction["text_chars"] == len(article.fields["text"] or "")
    assert extraction["dropped_lines"] >= 12
    assert 0 < extraction["dropped_chars"] < extraction["page_chars"]
    sample = extraction["dropped_sample"]
    assert 0 < len(sample) <= 5 and all(len(line) <= 120 for line in sample)
    assert "We use cookies to improve your experience." in sample
    assert not any(p in sample for p in PARAGRAPHS)


def test_list_html_pages_sorted_relative_posix_recursive(tmp_path: Path) -> None:
    for name in ("b.html", "a/z.htm", "a/b/c.HTML", "notes.txt", "a/img.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    assert list_html_pages(tmp_path) == ["a/b/c.HTML", "a/z.htm", "b.html"]


def test_read_html_folder_records_in_sorted_order_with_raw_bytes(tmp_path: Path) -> None:
    (tmp_path / "2022").mkdir()
    pages = {"2022/plates.html": news_page(), "brief.htm": news_page(PARAGRAPHS[:2])}
    for name, page in pages.items():
        (tmp_path / name).write_text(page, encoding="utf-8")
    records = list(read_html_folder(CorpusSource(paths=(tmp_path,), format="html")))
    assert [r.file for r in records] == ["2022/plates.html", "brief.htm"]
    assert all(r.record is None and r.problems == [] for r in records)
    assert [r.data for r in records] == [p.encode("utf-8") for p in pages.values()]
    again = list(read_html_folder(CorpusSource(paths=(tmp_path,), format="html")))
    assert [r.fields for r in again] == [r.fields for r in records]


# ---------------------------------------------------------------------------- WARC


def _response(
    writer: WARCWriter, uri: str, body: bytes, content_type: str, n: int, status: str = "200 OK"
) -> object:
    """A ``response`` record with a fixed record id (``<urn:uuid:…000n>``)."""
    http = StatusAndHeaders(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        http_headers=http,
        warc_headers_dict={"WARC-Record-ID": _rid(n)},
    )


def _rid(n: int) -> str:
    """The n-th fixed WARC-Record-ID."""
    return f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"


def write_crawl(path: Path, *, gzip: bool, first: int = 1) -> list[str]:
    """A small crawl: warcinfo, then per article a request and an HTML response, a PNG,
    a 404 page and a metadata record. Returns the HTML responses' record ids."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        ids = []
        pages = [
            ("https://www.balkandaily.example/news/plates-deal", news_page()),
            ("https://www.kosovo-online.example/plates", news_page(PARAGRAPHS[::-1], metadata="")),
        ]
        for n, (uri, page) in enumerate(pages, start=first):
            request = f"GET / HTTP/1.1\r\nHost: {uri.split('/')[2]}\r\n\r\n".encode()
            writer.write_record(writer.create_warc_record(uri, "request", payload=BytesIO(request)))
            writer.write_record(
                _response(writer, uri, page.encode(), "text/html; charset=utf-8", n)
            )
            ids.append(_rid(n))
        writer.write_record(
            _response(
                writer,
                "https://www.balkandaily.example/logo.png",
                b"\x89PNG\r\n\x1a\n" + bytes(64),
                "image/png",
                90,
            )
        )
        writer.write_record(
            _response(
                writer,
                "https://www.balkandaily.example/gone",
                b"<html><body>Not found</body></html>",
                "text/html",
                91,
                status="404 Not Found",
            )
        )
        writer.write_record(
            writer.create_warc_record(
                "https://www.balkandaily.example/news/plates-deal",
                "metadata",
                payload=BytesIO(b"outlink: https://www.balkandaily.example/a\r\n"),
                warc_content_type="application/warc-fields",
            )
        )
    return ids


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_warc_reads_html_responses(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    ids = write_crawl(path, gzip=gzip)
    records = list(read_warc(CorpusSource(paths=(path,), format="warc")))
    assert [(r.file, r.record) for r in records] == [(str(path), rid) for rid in ids]
    assert all(r.problems == [] for r in records)
    assert records[0].fields["text"] == "\n\n".join([HEADLINE, *PARAGRAPHS])
    assert records[1].fields["text"] == "\n\n".join([HEADLINE, *PARAGRAPHS[::-1]])
    assert records[0].data == news_page().encode()


def test_warc_skips_and_counts_requests_metadata_and_non_html(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_crawl(path, gzip=True)
    summary = WarcSummary()
    records = list(read_warc(CorpusSource(paths=(path,), format="warc"), summary))
    assert len(records) == 2
    assert summary.as_dict() == {
        "files": [str(path)],
        "records": 8,
        "responses": 4,
        "html": 2,
        "skipped": 6,
        "skipped_records": {"metadata": 1, "request": 2, "warcinfo": 1},
        "skipped_responses": {"HTTP 404": 1, "image/png": 1},
        "problems": [],
    }


def test_read_warc_fills_a_dict_summary(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_crawl(path, gzip=True)
    summary: dict[str, object] = {}
    records = read_warc(CorpusSource(paths=(path,), format="warc"), summary)
    assert len(list(records)) == 2
    assert summary["html"] == 2 and summary["skipped"] == 6


def test_warc_url_falls_back_to_target_uri_and_outlet_to_its_domain(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_crawl(path, gzip=False)
    first, second = read_warc(CorpusSource(paths=(path,), format="warc"))
    assert first.fields["url"] == "https://www.balkandaily.example/news/2022/08/18/plates-deal"
    assert first.fields["outlet"] == "Balkan Daily"
    assert (second.fields["url"], second.fields["url_source"]) == (
        "https://www.kosovo-online.example/plates",
        "given",
    )
    assert (second.fields["outlet"], second.fields["outlet_source"]) == (
        "kosovo-online.example",
        "url_domain",
    )


def test_count_warc_responses_matches_read_warc(tmp_path: Path) -> None:
    write_crawl(tmp_path / "a.warc.gz", gzip=True)
    write_crawl(tmp_path / "b.warc", gzip=False, first=10)
    source = CorpusSource(paths=(tmp_path,), format="warc")
    counted, read = WarcSummary(), WarcSummary()
    assert count_warc_responses(source, counted) == len(list(read_warc(source, read))) == 4
    assert counted.as_dict() == read.as_dict()


def test_warc_folder_read_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a WARC")
    ids_b = write_crawl(tmp_path / "2022-08-19.warc.gz", gzip=True, first=10)
    ids_a = write_crawl(tmp_path / "2022-08-18.warc", gzip=False, first=1)
    source = CorpusSource(paths=(tmp_path,), format="warc")
    assert [p.name for p in warc_files(source)] == ["2022-08-18.warc", "2022-08-19.warc.gz"]
    records = list(read_warc(source))
    assert [r.record for r in records] == ids_a + ids_b
    assert [Path(r.file).name for r in records] == ["2022-08-18.warc"] * 2 + [
        "2022-08-19.warc.gz"
    ] * 2


def test_warc_charset_from_http_header(tmp_path: Path) -> None:
    path = tmp_path / "latin.warc"
    paragraphs = [*PARAGRAPHS[:3], "Café owners in Mitrovica – and others – welcomed it."]
    page = (
        news_page(paragraphs, charset="x-undeclared")
        .replace('<meta charset="x-undeclared">', "")
        .encode("cp1252")
    )
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        writer.write_record(
            _response(
                writer,
                "https://www.balkandaily.example/cafe",
                page,
                "text/html; charset=ISO-8859-1",
                1,
            )
        )
    (record,) = read_warc(CorpusSource(paths=(path,), format="warc"))
    assert paragraphs[-1] in (record.fields["text"] or "")
    assert record.extraction is not None
    assert record.extraction["encoding_source"] == "http_header"


def test_broken_warc_file_is_a_problem_and_reading_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-broken.warc").write_bytes(b"this is not a web archive\n" * 10)
    ids = write_crawl(tmp_path / "b.warc.gz", gzip=True)
    summary = WarcSummary()
    records = list(read_warc(CorpusSource(paths=(tmp_path,), format="warc"), summary))
    broken, *pages = records
    assert broken.file == str(tmp_path / "a-broken.warc") and broken.record is None
    assert broken.problems[0].message.startswith("cannot read the WARC file after 0 record")
    assert summary.problems == broken.problems
    assert [r.record for r in pages] == ids


def test_truncated_warc_record_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc"
    ids = write_crawl(path, gzip=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(PARAGRAPHS[2].encode(), data.index(b"kosovo-online"))])
    first, second = read_warc(CorpusSource(paths=(path,), format="warc"))
    assert (first.record, first.problems) == (ids[0], [])
    assert second.record == ids[1]
    assert second.problems[0].message == "the record is truncated (the WARC file ends inside it)"
    assert second.problems[0].where == f"{path}, {ids[1]}"


def test_warc_payload_gzip_content_encoding_and_chunking_are_undone(tmp_path: Path) -> None:
    path = tmp_path / "encoded.warc.gz"
    body = news_page().encode()
    compressed = gzip_module.compress(body, mtime=0)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, (payload, headers) in enumerate(
            [
                (
                    compressed,
                    [("Content-Encoding", "gzip"), ("Content-Length", str(len(compressed)))],
                ),
                (chunked, [("Transfer-Encoding", "chunked")]),
            ],
            start=1,
        ):
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html"), *headers], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    f"https://www.balkandaily.example/{n}",
                    "response",
                    payload=BytesIO(payload),
                    http_headers=http,
                    warc_headers_dict={"WARC-Record-ID": _rid(n)},
                )
            )
    records = list(read_warc(CorpusSource(paths=(path,), format="warc")))
    assert [r.data for r in records] == [body, body]
    assert all(r.problems == [] for r in records)


def test_oversized_page_is_a_problem_and_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "MAX_PAGE_BYTES", 1000)
    (tmp_path / "big.html").write_text(news_page(), encoding="utf-8")
    (record,) = read_html_folder(CorpusSource(paths=(tmp_path,), format="html"))
    assert [p.message for p in record.problems] == ["the page is larger than the 1,000-byte limit"]
