"""Real corpus formats against the folder format, on real news with gold events (ECB+).

Usage: python -m bench.formats [--articles 300] [--model minilm] [--ecbplus DIR] [--seed 42]

The same ECB+ articles (a seeded sample of whole topics, about ``--articles`` of them,
spread over three made-up outlets, each with its own page template) are given as:

- ``folder``: the ECB+ text files with a ``metadata.csv``, as today;
- ``folder_1p`` and ``csv_1p``: every article run into one paragraph (as scrapers give
  them), as a folder and as a ``.csv.gz`` export under column names framelens does not
  know (``story_id, body, publisher, published_at, headline, link``), read through
  ``corpus.columns``;
- ``html`` and ``warc``: each article in a news page of its outlet (navigation, cookie
  banner, share bar, related-article block, footer, scripts, ``og:site_name`` and
  ``article:published_time``), with three *planted* lines inside the article body that a
  text extractor keeps (a newsletter sign-up, a follow-us line and a "Read more" link:
  the same in every article of one outlet), as a folder of pages and as one ``.warc.gz``;
  no ``metadata.csv``.

For each it reports: articles, articles left without a content sentence, planted lines
that are content sentences (web formats), outlets and dates equal to the pages' metadata,
and event ARI against ECB+'s gold events under ``--model`` (clustered as the workflow
does, with the model's configured ``event_threshold``). Beside them: the largest and mean
difference of the ``story`` article similarity between ``csv_1p`` and ``folder_1p``
(the same articles as a table and as a folder), and between ``html`` and ``folder``.
Writes ``results/bench/formats.json``. Nothing here is tuned: every setting is the
config's.
"""

from __future__ import annotations

import argparse
import gzip
import html
import io
import json
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import adjusted_rand_score

from framelens.basics.linkage import sparse_average_linkage
from framelens.basics.tables import content_mask
from framelens.config import validate_config
from framelens.corpus import IngestResult, ingest_corpus
from framelens.embed import EmbeddingCache, embed_texts, fingerprint
from framelens.events import EventSettings, similarity_edges
from framelens.models import ModelSpec, load_encoder
from framelens.similarity import StorySettings, story_matrix, story_profiles

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = (
    ("Balkan Daily", "balkandaily.example"),
    ("The Evening Herald", "herald.example"),
    ("Wire Times", "wiretimes.example"),
)
COLUMNS = {
    "id": "story_id",
    "text": "body",
    "outlet": "publisher",
    "date": "published_at",
    "title": "headline",
    "url": "link",
}


@dataclass(frozen=True)
class Article:
    """One ECB+ article as the bench gives it out."""

    file: str
    stem: str
    outlet: str
    domain: str
    date: str
    clock: str
    title: str
    text: str
    event: str

    @property
    def url(self) -> str:
        return f"https://www.{self.domain}/news/{self.date.replace('-', '/')}/{self.stem}"


def planted_lines(outlet: str) -> list[str]:
    """The lines an outlet's template puts inside every article body."""
    return [
        f"Sign up for the {outlet} morning briefing, delivered to your inbox every day.",
        f"Follow {outlet} on Facebook, Instagram and X for the latest updates.",
        f"Read more: the stories {outlet} readers are following today",
    ]


def choose_articles(ecbplus: Path, n_articles: int, seed: int) -> list[Article]:
    """Whole ECB+ topics, seeded, until about ``n_articles``; outlets in turn within each
    event, dates within three days (so dates do not separate events)."""
    gold = pd.read_csv(ecbplus / "gold_events.csv")
    meta = pd.read_csv(ecbplus / "corpus" / "metadata.csv").set_index("file")
    topics = sorted(gold["topic"].unique())
    random.Random(seed).shuffle(topics)
    chosen: list[Article] = []
    for topic in topics:
        if len(chosen) >= n_articles:
            break
        rows = gold[gold["topic"] == topic].sort_values("file")
        for event, group in rows.groupby("event", sort=True):
            for k, file in enumerate(group["file"]):
                outlet, domain = OUTLETS[k % len(OUTLETS)]
                text = (ecbplus / "corpus" / file).read_text(encoding="utf-8")
                title = str(meta.at[file, "title"]) if file in meta.index else Path(file).stem
                n = len(chosen)
                chosen.append(
                    Article(
                        file,
                        Path(file).stem,
                        outlet,
                        domain,
                        f"2022-08-{16 + n % 3:02d}",
                        f"{6 + n % 14:02d}:{n * 7 % 60:02d}:00",
                        title,
                        text,
                        str(event),
                    )
                )
    return chosen


def one_paragraph(text: str) -> str:
    """The article run into one paragraph, as scraped exports often hold it."""
    return " ".join(text.split())


def write_folder(articles: list[Article], folder: Path, *, flatten: bool) -> None:
    """A corpus folder with ``metadata.csv`` (file, outlet, date, title, url)."""
    folder.mkdir(parents=True)
    rows = []
    for a in articles:
        (folder / a.file).write_text(one_paragraph(a.text) if flatten else a.text, encoding="utf-8")
        rows.append(
            {"file": a.file, "outlet": a.outlet, "date": a.date, "title": a.title, "url": a.url}
        )
    pd.DataFrame(rows).to_csv(folder / "metadata.csv", index=False)


def write_csv(articles: list[Article], path: Path) -> None:
    """The one-paragraph articles as a gzipped CSV export under :data:`COLUMNS`."""
    rows = [
        {
            COLUMNS["id"]: a.stem,
            COLUMNS["text"]: one_paragraph(a.text),
            COLUMNS["outlet"]: a.outlet,
            COLUMNS["date"]: f"{a.date}T{a.clock}Z",
            COLUMNS["title"]: a.title,
            COLUMNS["url"]: a.url,
            "section": "world",
        }
        for a in articles
    ]
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        pd.DataFrame(rows).to_csv(handle, index=False)


def page(article: Article, related: list[Article]) -> bytes:
    """The article inside its outlet's news page, planted lines in the body."""
    esc = html.escape
    paragraphs = [f"<p>{esc(p.strip())}</p>" for p in article.text.split("\n") if p.strip()]
    signup, follow, more = (
        f'<p class="promo">{esc(line)}</p>' for line in planted_lines(article.outlet)
    )
    body = [*paragraphs[:2], signup, *paragraphs[2:], follow, more]
    links = "".join(f'<li><a href="{esc(r.url)}">{esc(r.title)}</a></li>' for r in related)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(article.title)} | {esc(article.outlet)}</title>
<meta property="og:site_name" content="{esc(article.outlet)}">
<meta property="og:title" content="{esc(article.title)}">
<meta property="article:published_time" content="{article.date}T{article.clock}+02:00">
<link rel="canonical" href="{esc(article.url)}">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{page: "article"}});</script>
</head><body>
<div class="cookie-banner">We use cookies to give you the best experience on
{esc(article.outlet)}. Accept all cookies or manage your preferences.</div>
<header><a href="/">{esc(article.outlet)}</a><nav><ul><li><a href="/">Home</a></li>
<li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
</header>
<main><article><h1>{esc(article.title)}</h1>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a>
<a href="#">Email</a></div>
<div class="article-body">
{chr(10).join(body)}
</div></article>
<aside class="related"><h2>More from {esc(article.outlet)}</h2><ul>{links}</ul></aside>
</main>
<footer><p>&copy; 2022 {esc(article.outlet)}. All rights reserved.</p>
<p><a href="/about">About us</a> <a href="/privacy">Privacy policy</a>
<a href="/terms">Terms of use</a></p></footer>
<script src="/static/app.js"></script>
</body></html>
""".encode()


def write_pages(articles: list[Article], folder: Path) -> None:
    """A folder of pages, one per article (no metadata.csv)."""
    folder.mkdir(parents=True)
    for k, a in enumerate(articles):
        related = [articles[(k + j) % len(articles)] for j in (5, 11, 17)]
        (folder / f"{a.stem}.html").write_bytes(page(a, related))


def write_warc(articles: list[Article], path: Path) -> None:
    """The same pages as HTTP responses in one ``.warc.gz``."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for k, a in enumerate(articles):
            related = [articles[(k + j) % len(articles)] for j in (5, 11, 17)]
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    a.url,
                    "response",
                    payload=io.BytesIO(page(a, related)),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": f"{a.date}T12:00:00Z"},
                )
            )


def write_variants(articles: list[Article], base: Path) -> dict[str, Any]:
    """Every variant's ``corpus`` config value, its inputs written under ``base``."""
    write_folder(articles, base / "folder", flatten=False)
    write_folder(articles, base / "folder_1p", flatten=True)
    write_csv(articles, base / "stories.csv.gz")
    write_pages(articles, base / "pages")
    write_warc(articles, base / "crawl.warc.gz")
    return {
        "folder": str(base / "folder"),
        "folder_1p": str(base / "folder_1p"),
        "csv_1p": {"path": str(base / "stories.csv.gz"), "columns": COLUMNS},
        "html": str(base / "pages"),
        "warc": str(base / "crawl.warc.gz"),
    }


def article_of(result: IngestResult, articles: list[Article]) -> pd.Series:
    """Which ECB+ article (stem) each document is, by doc_id (ids differ by format)."""
    by_url = {a.url: a.stem for a in articles}
    stems = {a.stem for a in articles}
    docs = result.documents
    keys = [
        d if d in stems else by_url.get(u, d.rsplit("__", 1)[-1])
        for d, u in zip(docs["doc_id"], docs["url"].fillna(""), strict=True)
    ]
    return pd.Series(keys, index=docs["doc_id"])


def measure(
    name: str,
    corpus: Any,
    articles: list[Article],
    encoder: Any,
    cache: Any,
    settings: EventSettings,
    story: StorySettings,
) -> dict[str, Any]:
    """Ingest one variant; its checks, event ARI and story similarity matrix."""
    started = time.perf_counter()
    result = ingest_corpus(corpus)
    ingest_seconds = time.perf_counter() - started
    docs = result.documents.sort_values("doc_id").reset_index(drop=True)
    sents = result.sentences
    stem_of = article_of(result, articles)
    by_stem = {a.stem: a for a in articles}
    truth = [by_stem[stem_of[d]] for d in docs["doc_id"]]
    planted = {line for a in articles for line in planted_lines(a.outlet)}
    content = sents[content_mask(sents)]
    vectors, _ = embed_texts(sents["text"].tolist(), encoder, cache)
    edges = similarity_edges(vectors, sents, docs, settings)
    labels = sparse_average_linkage(len(docs), edges, settings.min_similarity)
    profiles = story_profiles(vectors, sents, docs["doc_id"].tolist(), story)
    matrix = pd.DataFrame(
        story_matrix(profiles, story),
        index=[a.stem for a in truth],
        columns=[a.stem for a in truth],
    )
    row = {
        "articles": len(docs),
        "no_content": int((docs["n_content_sentences"] == 0).sum()),
        "planted_as_content": int(content["text"].isin(planted).sum()),
        "outlet_from_metadata": int(
            sum(d == a.outlet for d, a in zip(docs["outlet"], truth, strict=True))
        ),
        "date_from_metadata": int(
            sum(d == a.date for d, a in zip(docs["date"], truth, strict=True))
        ),
        "event_ari": float(adjusted_rand_score([a.event for a in truth], labels)),
        "n_events": len(set(labels)),
        "site_boilerplate_lines": sum(len(v) for v in result.report["site_boilerplate"].values()),
        "ingest_seconds": round(ingest_seconds, 2),
    }
    print(
        f"{name:<10} {row['articles']:>8} {row['no_content']:>10} "
        f"{row['planted_as_content']:>8} {row['outlet_from_metadata']:>7} "
        f"{row['date_from_metadata']:>6} {row['event_ari']:>6.3f} {row['n_events']:>7} "
        f"{row['ingest_seconds']:>8.1f}",
        flush=True,
    )
    return {"row": row, "matrix": matrix}


def matrix_difference(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, float]:
    """Largest and mean absolute difference of two similarity matrices (same articles)."""
    b = b.loc[a.index, a.columns]
    diff = np.abs(a.to_numpy() - b.to_numpy())
    off = ~np.eye(len(a), dtype=bool)
    return {"max_abs": float(np.nanmax(diff[off])), "mean_abs": float(np.nanmean(diff[off]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--config", default=str(ROOT / "config/config.yaml"))
    parser.add_argument("--ecbplus", default=str(ROOT.parent / "shared/data/ecbplus"))
    parser.add_argument("--out", default=str(ROOT / "results/bench/formats.json"))
    args = parser.parse_args()
    config = validate_config(
        yaml.safe_load(Path(args.config).read_text()), ROOT / "workflow/schemas/config.schema.yaml"
    )
    entry = config["models"][args.model]
    articles = choose_articles(Path(args.ecbplus), args.articles, args.seed)
    encoder = load_encoder(ModelSpec.from_config(args.model, entry), device=config["device"])
    cache = EmbeddingCache(
        os.environ.get("FRAMELENS_CACHE_DIR", str(ROOT / ".cache/framelens")),
        fingerprint(encoder.identity()),
    )
    settings = EventSettings.from_config(config["events"], entry["event_threshold"])
    story = StorySettings.from_config(config["similarity"])
    print(
        f"{len(articles)} ECB+ articles, {len({a.event for a in articles})} gold events, "
        f"3 outlets; model {args.model}"
    )
    print(
        f"{'variant':<10} {'articles':>8} {'no_content':>10} {'planted':>8} {'outlet':>7} "
        f"{'date':>6} {'ARI':>6} {'events':>7} {'ingest s':>8}"
    )
    base = Path(tempfile.mkdtemp(prefix="framelens-formats-"))
    try:
        runs = {
            name: measure(name, corpus, articles, encoder, cache, settings, story)
            for name, corpus in write_variants(articles, base).items()
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)
    differences = {
        "csv_1p_vs_folder_1p": matrix_difference(
            runs["folder_1p"]["matrix"], runs["csv_1p"]["matrix"]
        ),
        "html_vs_folder": matrix_difference(runs["folder"]["matrix"], runs["html"]["matrix"]),
        "warc_vs_html": matrix_difference(runs["html"]["matrix"], runs["warc"]["matrix"]),
    }
    for name, diff in differences.items():
        print(
            f"story similarity, {name}: max |diff| {diff['max_abs']:.4f}, "
            f"mean {diff['mean_abs']:.4f}"
        )
    report = {
        "articles": len(articles),
        "model": args.model,
        "seed": args.seed,
        "variants": {name: run["row"] for name, run in runs.items()},
        "similarity_differences": differences,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
