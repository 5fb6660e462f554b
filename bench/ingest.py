"""Ingest throughput per corpus format: articles/s, MB/s and peak memory, same articles.

Usage: python -m bench.ingest [--sizes 10000 100000] [--web-sizes 2000 10000]
                              [--formats folder csv ...] [--repeats 1] [--seed 42] [--fresh]
       python -m bench.ingest --profile csv --sizes 10000

For each size N the synthetic corpus of ``bench/synthetic.py`` (N articles from ECB+
sentences) is generated once as a folder, in ``$TMPDIR/framelens-ingest/n<N>-s<seed>/``,
with a headline and a URL added to its ``metadata.csv``. The same articles, in the same
order, are then written as:

- ``csv``, ``csv.gz``, ``jsonl``, ``jsonl.zst``, ``parquet``: one row per article under
  column names framelens does not know (:data:`COLUMNS`, read through the ``columns:``
  mapping), plus two columns ingest ignores; ``story_key`` carries the folder's document
  id, so every table's sentences table can equal the folder's row for row;
- ``html``: a folder of pages, each the article inside a realistic news page (cookie
  banner, navigation, byline, share bar, related-articles aside, footer, scripts;
  ``og:site_name``, ``article:published_time``, canonical link; one ``<p>`` per paragraph);
- ``warc``: the same pages in one ``.warc.gz`` written with warcio's ``WARCWriter``
  (a ``warcinfo`` record, then a ``request`` and a ``response`` record with HTTP headers
  per page).

HTML and WARC are extracted with trafilatura, about 100x slower per article than text, so
they run only at the ``--web-sizes`` (default 2,000 and 10,000 pages); the folder format
runs at every size, since every ratio is to the folder format of the same run.

Each format is ingested in a fresh subprocess (``ingest_to_files`` with the default
``IngestSettings``, as the workflow's ``ingest`` rule calls it): wall and CPU time of that
call alone (the format's reader is imported before the clock starts), the child's own
peak RSS (:func:`peak_rss_kib`, so each figure is that format's alone) and its RSS after
imports, the input's size on disk and the sizes of the two output tables. ``--repeats R``
runs the text formats R times, interleaved, and keeps the median time (web formats run
once). Reported per format and size: articles/s, MB/s of input, peak RSS (MiB), ``ratio``
(the format's articles/s over the folder format's at the same N in the same run; the
issue's floor for tables: at least 1) and ``cpu_ratio``, the same by CPU time, which
other jobs on a shared machine disturb less.

Checks: documents counts equal across formats; the sentences tables' ``text`` columns of
every text format equal the folder's (same articles, same segmentation; and whether the
whole tables are identical); for HTML/WARC,
the share of the folder's sentences found again (recall) and of their content sentences
that are the folder's (precision). Memory: per format, peak RSS at the largest size over
the smallest, beside the growth in articles (streaming formats should stay well under it).

Writes ``results/bench/ingest.json`` (rows merged with earlier runs by size and format,
each with the folder rate of its own run; ``--fresh`` starts over). ``--profile FORMAT``
runs that format once under cProfile at the first size and prints the top functions.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import importlib
import io
import json
import math
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench" / "ingest.json"
WORK = Path(tempfile.gettempdir()) / "framelens-ingest"
DEFAULT_ECBPLUS = ROOT.parent / "shared" / "data" / "ecbplus"
INPUT_VERSION = 1  # bumped when the written inputs change
TABLE_FORMATS = ("csv", "csv.gz", "jsonl", "jsonl.zst", "parquet")
TEXT_FORMATS = ("folder", *TABLE_FORMATS)
WEB_FORMATS = ("html", "warc")
FORMATS = (*TEXT_FORMATS, *WEB_FORMATS)
#: framelens field -> the tables' column name (none of them guessable).
COLUMNS = {
    "id": "story_key",
    "text": "article_body",
    "outlet": "publisher_name",
    "date": "pub_day",
    "title": "headline_text",
    "url": "permalink",
}
MIB = 1024 * 1024


class Article(NamedTuple):
    """One article as the folder holds it."""

    doc_id: str
    file: str
    outlet: str
    date: str
    title: str
    url: str
    text: str


# --------------------------------------------------------------------------- inputs


def slug(text: str, limit: int = 60) -> str:
    """Lower-case words joined by hyphens, at most ``limit`` characters."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-")


def headline(text: str) -> str:
    """A headline from an article's first sentence: its first nine words."""
    words = re.sub(r"[`']{2}", "", text.split("\n\n", 1)[0]).split()[:9]
    line = " ".join(words).rstrip(",;:.")
    return line[:1].upper() + line[1:]


def prepare_folder(n: int, base: Path, *, seed: int, ecbplus: Path) -> Path:
    """The synthetic corpus of ``n`` articles in ``base/folder`` (generated unless there),
    with ``title`` and ``url`` columns added to its ``metadata.csv``."""
    folder = base / "folder"
    stamp = base / "inputs.json"
    wanted = {"n": n, "seed": seed, "version": INPUT_VERSION}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return folder
    started = time.perf_counter()
    from bench.synthetic import generate  # not at the top: kept out of the children's RSS

    generate(n, folder, seed=seed, ecbplus=ecbplus)
    from framelens.sources.folder import doc_id_for

    with (folder / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        title = headline((folder / row["file"]).read_text(encoding="utf-8"))
        stem = Path(row["file"]).stem
        row["title"] = title
        row["url"] = (
            f"https://www.{slug(row['outlet'])}.example/news/"
            f"{row['date'].replace('-', '/')}/{slug(title)}-{stem}"
        )
        row["doc_id"] = doc_id_for(row["file"])
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        ["file", "outlet", "date", "title", "url"],
        extrasaction="ignore",
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerows(rows)
    (folder / "metadata.csv").write_text(buffer.getvalue(), encoding="utf-8")
    for old in base.iterdir():  # inputs of an earlier corpus
        if old.name not in ("folder", "runs"):
            remove(old)
    stamp.write_text(json.dumps(wanted))
    print(f"  N={n}: generated {folder} in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def remove(path: Path) -> None:
    """Remove a file or a folder tree."""
    if path.is_dir():
        import shutil

        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def read_articles(folder: Path) -> Iterator[Article]:
    """The folder's articles in ``metadata.csv`` order (sorted by file)."""
    from framelens.sources.folder import doc_id_for

    with (folder / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (folder / row["file"]).read_text(encoding="utf-8")
            yield Article(
                doc_id_for(row["file"]),
                row["file"],
                row["outlet"],
                row["date"],
                row["title"],
                row["url"],
                text,
            )


def table_row(article: Article) -> dict[str, str]:
    """An article as a table row under :data:`COLUMNS`, plus two columns ingest ignores."""
    return {
        COLUMNS["id"]: article.doc_id,
        COLUMNS["text"]: article.text,
        COLUMNS["outlet"]: article.outlet,
        COLUMNS["date"]: article.date,
        COLUMNS["title"]: article.title,
        COLUMNS["url"]: article.url,
        "section": "world",
        "word_count": str(len(article.text.split())),
    }


def write_table(articles: list[Article], path: Path, fmt: str) -> None:
    """Write the articles as one table file in ``fmt`` (see :data:`TABLE_FORMATS`)."""
    rows = [table_row(a) for a in articles]
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=5000)
        return
    if fmt.startswith("csv"):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8")
    else:
        data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    if fmt.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    elif fmt.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdCompressor(level=3).compress(data)
    path.write_bytes(data)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {outlet}</title>
<meta name="description" content="{title}">
<meta property="og:site_name" content="{outlet}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{date}T{clock}:00+00:00">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/css/site.min.css">
<script>window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}} gtag('js', new Date()); gtag('config', 'G-X1');
</script>
</head>
<body class="article-page">
<div id="cookie-banner" class="cookie-consent" role="dialog">
<p>We use cookies to improve your experience, to analyse traffic and to show you
personalised advertising. By continuing to browse this site you agree to our use of
cookies.</p>
<button class="accept">Accept all</button> <button class="manage">Manage settings</button>
</div>
<header class="site-header">
<a class="logo" href="/">{outlet}</a>
<nav class="main-nav"><ul>
<li><a href="/news/">News</a></li><li><a href="/world/">World</a></li>
<li><a href="/politics/">Politics</a></li><li><a href="/business/">Business</a></li>
<li><a href="/sport/">Sport</a></li><li><a href="/culture/">Culture</a></li>
<li><a href="/opinion/">Opinion</a></li><li><a href="/subscribe/">Subscribe</a></li>
</ul></nav>
</header>
<main id="content">
<article class="story">
<h1 class="headline">{title}</h1>
<p class="byline">By {outlet} staff | <time datetime="{date}T{clock}:00+00:00">{day}</time></p>
<div class="share-bar"><span>Share this article</span>
<a href="https://www.facebook.com/sharer?u={url}">Facebook</a>
<a href="https://twitter.com/intent/tweet?url={url}">Twitter</a>
<a href="mailto:?subject={title}">Email</a></div>
<div class="article-body">
{paragraphs}
</div>
</article>
<aside class="related"><h2>Related articles</h2><ul>
{related}
</ul></aside>
</main>
<footer class="site-footer">
<p>&copy; 2023 {outlet}. All rights reserved.</p>
<ul><li><a href="/about/">About us</a></li><li><a href="/contact/">Contact</a></li>
<li><a href="/privacy/">Privacy policy</a></li><li><a href="/terms/">Terms of use</a></li></ul>
</footer>
<script src="/static/js/app.min.js" async></script>
<script>document.querySelectorAll('.share-bar a').forEach(function (a) {{
  a.addEventListener('click', function () {{ gtag('event', 'share'); }}); }});</script>
</body>
</html>
"""


def html_page(article: Article, related: list[Article], index: int) -> str:
    """The article inside a realistic news page (see :data:`PAGE`)."""
    esc = html.escape
    paragraphs = "\n".join(
        f"<p>{esc(p.strip())}</p>" for p in article.text.split("\n\n") if p.strip()
    )
    links = "\n".join(f'<li><a href="{esc(r.url)}">{esc(r.title)}</a></li>' for r in related)
    day = datetime.strptime(article.date, "%Y-%m-%d").strftime("%B %-d, %Y")
    return PAGE.format(
        title=esc(article.title),
        outlet=esc(article.outlet),
        url=esc(article.url),
        date=article.date,
        clock=f"{6 + index % 14:02d}:{index * 7 % 60:02d}",
        day=day,
        paragraphs=paragraphs,
        related=links,
    )


def pages(articles: list[Article]) -> Iterator[tuple[Article, bytes]]:
    """Each article with its page's bytes; related articles are the next three."""
    for k, article in enumerate(articles):
        related = [articles[(k + j) % len(articles)] for j in (1, 2, 3)]
        yield article, html_page(article, related, k).encode("utf-8")


def write_html(articles: list[Article], folder: Path) -> None:
    """A folder of pages, ``<stem>.html`` per article."""
    folder.mkdir(parents=True)
    for article, page in pages(articles):
        (folder / f"{Path(article.file).stem}.html").write_bytes(page)


def write_warc(articles: list[Article], path: Path) -> None:
    """The pages in one ``.warc.gz``: warcinfo, then request + response per page."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                path.name, {"software": "framelens bench/ingest.py", "format": "WARC 1.1"}
            )
        )
        for article, page in pages(articles):
            stamp = f"{article.date}T12:00:00Z"
            request = StatusAndHeaders(
                f"GET {article.url} HTTP/1.1",
                [
                    ("Host", article.url.split("/")[2]),
                    ("User-Agent", "framelens-bench/1.0"),
                    ("Accept", "text/html"),
                ],
                is_http_request=True,
            )
            writer.write_record(
                writer.create_warc_record(
                    article.url,
                    "request",
                    http_headers=request,
                    warc_headers_dict={"WARC-Date": stamp},
                )
            )
            response = StatusAndHeaders(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(page))),
                    ("Server", "nginx"),
                    ("Cache-Control", "max-age=300"),
                ],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    article.url,
                    "response",
                    payload=io.BytesIO(page),
                    http_headers=response,
                    warc_headers_dict={"WARC-Date": stamp},
                )
            )


INPUT_NAMES = {
    "folder": "folder",
    "csv": "articles.csv",
    "csv.gz": "articles.csv.gz",
    "jsonl": "articles.jsonl",
    "jsonl.zst": "articles.jsonl.zst",
    "parquet": "articles.parquet",
    "html": "pages",
    "warc": "pages.warc.gz",
}


def write_inputs(folder: Path, formats: list[str]) -> dict[str, Path]:
    """Each format's input beside ``folder`` (written unless already there), by format."""
    base = folder.parent
    missing = [f for f in formats if not (base / INPUT_NAMES[f]).exists()]
    articles = list(read_articles(folder)) if missing else []
    for fmt in missing:
        started = time.perf_counter()
        target = base / INPUT_NAMES[fmt]
        partial = target.with_name(".partial-" + target.name)
        remove(partial)
        if fmt in TABLE_FORMATS:
            write_table(articles, partial, fmt)
        elif fmt == "html":
            write_html(articles, partial)
        else:
            write_warc(articles, partial)
        partial.rename(target)
        print(f"  wrote {target} in {time.perf_counter() - started:.1f} s", flush=True)
    return {fmt: base / INPUT_NAMES[fmt] for fmt in formats}


def corpus_config(fmt: str, path: Path) -> str | dict[str, Any]:
    """The ``corpus`` config value for an input: a path, or a table with its mapping."""
    if fmt in TABLE_FORMATS:
        return {"path": str(path), "columns": dict(COLUMNS)}
    return str(path)


def size_on_disk(fmt: str, path: Path) -> int:
    """Bytes of the files ingest reads for an input (a folder's gold files not counted)."""
    from framelens.sources import CorpusSource, source_inputs

    files = source_inputs(CorpusSource.from_config(corpus_config(fmt, path)))
    return sum(Path(f).stat().st_size for f in files)


# --------------------------------------------------------------------------- measuring


def peak_rss_kib() -> int:
    """This process's peak RSS in KiB: ``VmHWM`` of /proc/self/status (Linux), else
    ``ru_maxrss``. Not ``ru_maxrss`` where /proc exists: Linux carries it across ``execve``
    from the forked copy of the parent, so a child would report at least the parent's RSS."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(fmt: str, config: str, out: str, profile: str | None) -> None:
    """In the subprocess: ingest one corpus, print one JSON line with time and memory."""
    from framelens.corpus import IngestSettings, ingest_to_files

    reader = {"html": "web", "warc": "warc"}.get(fmt, "tables" if fmt in TABLE_FORMATS else "")
    if reader:
        importlib.import_module(f"framelens.sources.{reader}")
    imported_kib = peak_rss_kib()
    folder = Path(out)
    kwargs = {"documents": folder / "documents.parquet", "sentences": folder / "sentences.parquet"}
    corpus = json.loads(config)
    wall, cpu = time.perf_counter(), time.process_time()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(ingest_to_files, corpus, IngestSettings(), **kwargs)
        profiler.dump_stats(profile)
    else:
        ingest_to_files(corpus, IngestSettings(), **kwargs)
    print(
        json.dumps(
            {
                "wall_s": time.perf_counter() - wall,
                "cpu_s": time.process_time() - cpu,
                "peak_rss_kib": peak_rss_kib(),
                "import_rss_kib": imported_kib,
            }
        )
    )


def run_child(fmt: str, path: Path, out: Path, profile: Path | None = None) -> dict[str, Any]:
    """Ingest ``path`` as ``fmt`` in a fresh interpreter; its timing and memory."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()
    command = [
        sys.executable,
        "-m",
        "bench.ingest",
        "--child",
        fmt,
        json.dumps(corpus_config(fmt, path.absolute())),
        str(out.absolute()),
        str(profile.absolute() if profile else ""),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TQDM_DISABLE": "1"}
    )
    if done.returncode:
        raise RuntimeError(f"ingest of {fmt} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(fmt: str, runs: list[dict[str, Any]], path: Path, out: Path) -> dict[str, Any]:
    """One format's row from its runs (median time, largest peak) and its outputs."""
    import pyarrow.parquet as pq

    return {
        "wall_s": round(statistics.median(r["wall_s"] for r in runs), 3),
        "wall_runs_s": [round(r["wall_s"], 3) for r in runs],
        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
        "peak_rss_mib": round(max(r["peak_rss_kib"] for r in runs) / 1024, 1),
        "import_rss_mib": round(max(r["import_rss_kib"] for r in runs) / 1024, 1),
        "input_bytes": size_on_disk(fmt, path),
        "documents": pq.ParquetFile(out / "documents.parquet").metadata.num_rows,
        "sentences": pq.ParquetFile(out / "sentences.parquet").metadata.num_rows,
        "documents_mib": round((out / "documents.parquet").stat().st_size / MIB, 2),
        "sentences_mib": round((out / "sentences.parquet").stat().st_size / MIB, 2),
    }


def agreement(outs: dict[str, Path]) -> dict[str, Any]:
    """Outputs against the folder format's: documents counts; sentence texts equal (text
    formats); recall and precision of the folder's sentences (web formats)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    base = pq.read_table(outs["folder"] / "sentences.parquet")
    texts = set(base["text"].to_pylist())
    n_docs = pq.ParquetFile(outs["folder"] / "documents.parquet").metadata.num_rows
    found: dict[str, Any] = {}
    for fmt, out in outs.items():
        if fmt == "folder":
            continue
        docs = pq.ParquetFile(out / "documents.parquet").metadata.num_rows
        entry: dict[str, Any] = {"documents": docs, "documents_equal": docs == n_docs}
        table = pq.read_table(out / "sentences.parquet")
        if fmt in TEXT_FORMATS:
            entry["sentence_text_equal"] = table["text"].equals(base["text"])
            entry["sentences_identical"] = table.equals(base)
        else:
            content = table.filter(
                pc.and_(pc.invert(table["boilerplate"]), pc.is_null(table["duplicate_of"]))
            )
            mine = content["text"].to_pylist()
            entry["recall"] = round(
                len(texts & set(table["text"].to_pylist())) / max(1, len(texts)), 4
            )
            entry["precision"] = round(sum(t in texts for t in mine) / max(1, len(mine)), 4)
        found[fmt] = entry
    return {"folder_documents": n_docs, "formats": found}


def bench_size(
    n: int, formats: list[str], *, seed: int, ecbplus: Path, repeats: int, base: Path | None = None
) -> dict[str, Any]:
    """Measure every format at size ``n``; rows (with ratios to folder) and agreement."""
    base = base or WORK / f"n{n}-s{seed}"
    folder = prepare_folder(n, base, seed=seed, ecbplus=ecbplus)
    inputs = write_inputs(folder, formats)
    outs = {fmt: base / "runs" / fmt.replace(".", "_") for fmt in formats}
    load = os.getloadavg()[0]
    runs: dict[str, list[dict[str, Any]]] = {fmt: [] for fmt in formats}
    text = [f for f in formats if f not in WEB_FORMATS]
    for k in range(repeats):  # interleaved, so a change in load hits every format alike
        print(f"  N={n}: ingesting {', '.join(text)} (run {k + 1}/{repeats}) ...", flush=True)
        for fmt in text:
            runs[fmt].append(run_child(fmt, inputs[fmt], outs[fmt]))
    for fmt in formats:
        if fmt in WEB_FORMATS:
            print(f"  N={n}: ingesting {fmt} ...", flush=True)
            runs[fmt].append(run_child(fmt, inputs[fmt], outs[fmt]))
    measured = {fmt: summarise(fmt, runs[fmt], inputs[fmt], outs[fmt]) for fmt in formats}
    recorded = datetime.now().isoformat(timespec="seconds")
    folder_row = measured["folder"]
    rows = [
        {
            "n": n,
            "format": fmt,
            "recorded": recorded,
            "load_1min": round(load, 2),
            **measured[fmt],
            "folder_wall_s": folder_row["wall_s"],
            "folder_cpu_s": folder_row["cpu_s"],
        }
        for fmt in formats
    ]
    return {"n": n, "rows": with_rates(rows), "agreement": agreement(outs)}


def with_rates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill in each row's rates and its ratios to the folder format of its own run at the
    same N (``folder_wall_s``, ``folder_cpu_s``): ``ratio`` by wall time, ``cpu_ratio`` by
    CPU time (steadier on a shared machine)."""
    for row in rows:
        row.update(
            articles_per_s=round(row["n"] / row["wall_s"], 1),
            articles_per_cpu_s=round(row["n"] / row["cpu_s"], 1),
            mb_per_s=round(row["input_bytes"] / 1e6 / row["wall_s"], 2),
            folder_articles_per_s=round(row["n"] / row["folder_wall_s"], 1),
            ratio=round(row["folder_wall_s"] / row["wall_s"], 3),
            cpu_ratio=round(row["folder_cpu_s"] / row["cpu_s"], 3),
        )
    return rows


def memory_growth(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per format with two sizes or more: peak RSS at the largest size over the next
    largest, beside the growth in articles (``ingest_growth``: the same for RSS above
    imports; ``exponent``: log peak growth / log size growth, 1 when memory is linear in N;
    ``flat``: the peak grew by less than a third of the articles' growth)."""
    found = {}
    for fmt in FORMATS:
        mine = sorted((r for r in rows if r["format"] == fmt), key=lambda r: r["n"])
        if len(mine) < 2:
            continue
        small, large = mine[-2], mine[-1]
        own = [max(1.0, r["peak_rss_mib"] - r["import_rss_mib"]) for r in (small, large)]
        growth = large["peak_rss_mib"] / small["peak_rss_mib"]
        found[fmt] = {
            "sizes": [r["n"] for r in mine],
            "peak_rss_mib": [r["peak_rss_mib"] for r in mine],
            "size_growth": round(large["n"] / small["n"], 2),
            "peak_growth": round(growth, 2),
            "ingest_growth": round(own[1] / own[0], 2),
            "exponent": round(math.log(growth) / math.log(large["n"] / small["n"]), 2),
            "flat": growth < large["n"] / small["n"] / 3,
        }
    return found


# --------------------------------------------------------------------------- report


def print_report(report: dict[str, Any]) -> None:
    """The results as readable tables."""
    print(
        f"\n{'N':>7} {'format':<10} {'art/s':>8} {'MB/s':>7} {'ratio':>6} {'art/cpu-s':>9} "
        f"{'cpu ratio':>9} {'peak MiB':>9} {'imports':>8} {'input MiB':>10} {'docs MiB':>9} "
        f"{'sents MiB':>10} {'wall s':>8} {'load':>5}  run"
    )
    for r in sorted(report["rows"], key=lambda r: (r["n"], FORMATS.index(r["format"]))):
        print(
            f"{r['n']:>7} {r['format']:<10} {r['articles_per_s']:>8.1f} {r['mb_per_s']:>7.2f} "
            f"{r['ratio']:>6.2f} {r['articles_per_cpu_s']:>9.1f} {r['cpu_ratio']:>9.2f} "
            f"{r['peak_rss_mib']:>9.1f} {r['import_rss_mib']:>8.1f} "
            f"{r['input_bytes'] / MIB:>10.1f} {r['documents_mib']:>9.2f} "
            f"{r['sentences_mib']:>10.2f} {r['wall_s']:>8.2f} {r['load_1min']:>5.1f}  "
            f"{r['recorded'][5:16].replace('T', ' ')}"
        )
    web = [r["ratio"] for r in report["rows"] if r["format"] in WEB_FORMATS]
    print(
        "(ratio, cpu ratio: articles per second, per CPU second, over the folder format's at "
        "the same N in the same run (column run; load: 1-minute load average at its start). "
        "HTML and WARC "
        f"run only at --web-sizes {report['web_sizes']}: trafilatura extraction"
        + (f", here {1 / max(web):.1f}-{1 / min(web):.1f}x slower per article)" if web else ")")
    )
    for n, check in sorted(report["agreement"].items(), key=lambda kv: int(kv[0])):
        parts = []
        for fmt, e in check["formats"].items():
            same = "docs ok" if e["documents_equal"] else f"DOCS {e['documents']}"
            if "sentence_text_equal" in e:
                same += (
                    ", sentences identical"
                    if e["sentences_identical"]
                    else ", text ok"
                    if e["sentence_text_equal"]
                    else ", TEXT DIFFERS"
                )
            else:
                same += f", recall {e['recall']:.3f}, precision {e['precision']:.3f}"
            parts.append(f"{fmt}: {same}")
        print(f"N={n} against folder ({check['folder_documents']} documents): " + "; ".join(parts))
    for fmt, g in report["memory_growth"].items():
        print(
            f"memory {fmt}: peak {' -> '.join(f'{m:.0f}' for m in g['peak_rss_mib'])} MiB "
            f"at N={g['sizes']}: x{g['peak_growth']} for x{g['size_growth']} articles over "
            f"the last step (N^{g['exponent']}; above imports x{g['ingest_growth']})"
            + ("" if g["flat"] else "  NOT FLAT")
        )


def profile(fmt: str, n: int, *, seed: int, ecbplus: Path, top: int) -> None:
    """Ingest one format at size ``n`` under cProfile; print the top functions."""
    base = WORK / f"n{n}-s{seed}"
    inputs = write_inputs(prepare_folder(n, base, seed=seed, ecbplus=ecbplus), [fmt])
    dump = OUT.with_name(f"profile-ingest-{fmt.replace('.', '_')}-n{n}.prof")
    dump.parent.mkdir(parents=True, exist_ok=True)
    row = run_child(fmt, inputs[fmt], base / "runs" / "profile", dump)
    print(f"{fmt}, N={n}: {row['wall_s']:.1f} s under cProfile ({dump})")
    out = io.StringIO()
    stats = pstats.Stats(str(dump), stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def run(
    sizes: list[int],
    web_sizes: list[int],
    formats: list[str],
    *,
    seed: int = 42,
    ecbplus: Path = DEFAULT_ECBPLUS,
    repeats: int = 1,
    fresh: bool = False,
    out: Path = OUT,
    work: Path | None = None,
) -> dict[str, Any]:
    """Measure every size (text formats at ``sizes``, web formats at ``web_sizes``, folder
    at both), merge with ``out`` unless ``fresh``, write it and return the report."""
    report: dict[str, Any] = (
        {"rows": [], "agreement": {}} if fresh or not out.is_file() else json.loads(out.read_text())
    )
    for n in sorted(set(sizes) | set(web_sizes)):
        wanted = [
            "folder",
            *[f for f in formats if f in TABLE_FORMATS and n in sizes],
            *[f for f in formats if f in WEB_FORMATS and n in web_sizes],
        ]
        base = work / f"n{n}-s{seed}" if work else None
        done = bench_size(n, wanted, seed=seed, ecbplus=ecbplus, repeats=repeats, base=base)
        keys = {(r["n"], r["format"]) for r in done["rows"]}
        report["rows"] = [r for r in report["rows"] if (r["n"], r["format"]) not in keys]
        report["rows"] += done["rows"]
        earlier = report["agreement"].get(str(n), {}).get("formats", {})
        done["agreement"]["formats"] = {
            **{
                f: e
                for f, e in earlier.items()
                if f in {r["format"] for r in report["rows"] if r["n"] == n}
            },
            **done["agreement"]["formats"],
        }
        report["agreement"][str(n)] = done["agreement"]
    report["rows"] = with_rates(report["rows"])
    web = {r["n"] for r in report["rows"] if r["format"] in WEB_FORMATS}
    report.update(
        web_sizes=sorted(web),
        memory_growth=memory_growth(report["rows"]),
        machine={
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        fmt, config, out, dump = sys.argv[2:6]
        child(fmt, config, out, dump or None)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument(
        "--web-sizes",
        type=int,
        nargs="*",
        default=[2000, 10000],
        help="sizes for html and warc (trafilatura: ~100x slower per page)",
    )
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs of each text format per size (median time)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ecbplus", type=Path, default=DEFAULT_ECBPLUS)
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs")
    parser.add_argument(
        "--profile",
        choices=FORMATS,
        metavar="FORMAT",
        help="profile one format at the first size instead of measuring",
    )
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, args.sizes[0], seed=args.seed, ecbplus=args.ecbplus, top=args.top)
        return
    web = args.web_sizes if set(args.formats) & set(WEB_FORMATS) else []
    report = run(
        args.sizes,
        web,
        args.formats,
        seed=args.seed,
        ecbplus=args.ecbplus,
        repeats=args.repeats,
        fresh=args.fresh,
    )
    print_report(report)
    print(f"written: {OUT}")


if __name__ == "__main__":
    main()
