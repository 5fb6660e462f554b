"""The explorer at scale: its size and how fast it opens, on synthetic corpora.

    python -m bench.explorer [--sizes 1000 10000] [--model static] [--cores 2]

For each size, the synthetic corpus of ``bench.synthetic`` (ECB+ sentences planted into
events, made once and kept in the temporary folder, as ``bench.scale`` does) goes through
the workflow up to the explorer with one cheap model, in ``results/bench/explorer/n<N>/``.
Then it reports:

- **size**: the whole explorer folder, its number of files, the index (what the first view
  loads) and, per kind of data file (articles, article pairs, events, outlet pairs, search
  shards), the total and the largest file: the most one view loads;
- **speed**: in headless Chromium from ``file://``, the time from navigation to the first
  view drawn (``data-first-view-ms``, set by the page; median of 3 fresh browsers), for the
  findings page and for deep links to an article pair, a claim and a search; and the wall
  time of the whole browser run (start-up included) beside it.

Floor (issue 17): the first view under 3 s at 10,000 articles. Results:
``results/bench/explorer.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scale import OUT
from bench.scale.corpus import synthetic_corpus, write_config
from bench.scale.run import snakemake_command, workflow_env

FLOOR_MS = 3000
REPEATS = 3
KINDS = {
    "docs": "articles",
    "pairs": "article pairs",
    "events": "events",
    "outlets": "outlet pairs",
    "search": "search shards",
}


def build(n: int, model: str, corpus: Path, cores: int) -> tuple[Path, float]:
    """Run the workflow up to the explorer for ``corpus``; its folder and wall seconds."""
    work = OUT / "explorer" / f"n{n}-{model}"
    shutil.rmtree(work / "results", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    config = write_config(corpus, [model], work)
    command = [*snakemake_command(work, config, cores), "results/explorer", "results/findings.rst"]
    started = time.perf_counter()
    with (work / "snakemake.log").open("w", encoding="utf-8") as log:
        done = subprocess.run(
            command,
            cwd=work,
            env=workflow_env(work),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the workflow failed at n={n}; see {work / 'snakemake.log'}")
    return work / "results" / "explorer", seconds


def sizes(folder: Path) -> dict[str, Any]:
    """Bytes of the explorer: total, files, the index, and per kind total and largest."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    per_kind: dict[str, dict[str, Any]] = {}
    for path in files:
        parts = path.relative_to(folder).parts
        kind = next((k for k in KINDS if k in parts), None)
        if kind is None:
            continue
        entry = per_kind.setdefault(kind, {"files": 0, "bytes": 0, "largest_bytes": 0})
        entry["files"] += 1
        entry["bytes"] += path.stat().st_size
        entry["largest_bytes"] = max(entry["largest_bytes"], path.stat().st_size)
    return {
        "total_bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "index_bytes": (folder / "data" / "index.js").stat().st_size,
        "per_kind": dict(sorted(per_kind.items())),
    }


def deep_links(folder: Path) -> dict[str, str]:
    """The fragments timed: the first view, the top article pair, a claim and a search."""
    text = (folder / "data" / "index.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index(",") + 1 : text.rindex(")")])
    model = index["models"][0]
    links = [
        frag
        for section in index["model"][model]["findings"]
        for item in section["items"]
        for _, frag in item["links"]
    ]
    pair = next((f for f in links if f.startswith("pair=")), "")
    claim = next((f for f in links if f.startswith("claim=")), "")
    return {
        "first view (findings)": "",
        "article pair": pair,
        "claim": claim,
        "search": "search=police",
    }


def first_view_ms(browser: str, page: Path, fragment: str) -> dict[str, float]:
    """Median over fresh browsers of the page's own time to its first view, and of the
    browser's wall time (start-up included)."""
    page_ms, wall_ms = [], []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory(prefix="framelens-bench-chromium-") as profile:
            url = page.as_uri() + (f"#{fragment}" if fragment else "")
            command = [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--dump-dom", url,
            ]  # fmt: skip
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
            wall_ms.append((time.perf_counter() - started) * 1000)
        found = re.search(r'data-first-view-ms="(\d+)"', done.stdout)
        if found is None or 'class="error"' in done.stdout:
            raise SystemExit(f"{page}#{fragment}: the view did not render ({done.stderr[-500:]})")
        page_ms.append(float(found.group(1)))
    return {
        "page_ms": statistics.median(page_ms),
        "browser_wall_ms": round(statistics.median(wall_ms)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--model", default="static", help="a cheap model of config/config.yaml")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--ecbplus", default=str(Path(__file__).resolve().parents[2] / "shared/data/ecbplus")
    )
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is needed (Debian: apt-get install chromium)")
    results = []
    for n in args.sizes:
        corpus = synthetic_corpus(n, args.seed, args.ecbplus)
        folder, seconds = build(n, args.model, corpus, args.cores)
        timings = {
            name: first_view_ms(browser, folder / "index.html", frag)
            for name, frag in deep_links(folder).items()
        }
        size = sizes(folder)
        results.append(
            {
                "n": n,
                "model": args.model,
                "workflow_seconds": round(seconds, 1),
                **size,
                "views": timings,
            }
        )
        first = timings["first view (findings)"]["page_ms"]
        print(
            f"n={n:>6}: explorer {size['total_bytes'] / 1e6:.1f} MB in {size['files']} files "
            f"(index {size['index_bytes'] / 1e6:.2f} MB); first view {first:.0f} ms "
            f"({'under' if first < FLOOR_MS else 'OVER'} the {FLOOR_MS} ms floor)",
            flush=True,
        )
        for name, timing in timings.items():
            print(
                f"          {name:<22} {timing['page_ms']:>6.0f} ms in the page, "
                f"{timing['browser_wall_ms']:>6} ms browser run"
            )
        for kind, entry in size["per_kind"].items():
            print(
                f"          {KINDS[kind]:<22} {entry['files']:>6} files, "
                f"{entry['bytes'] / 1e6:7.2f} MB, largest {entry['largest_bytes'] / 1e3:.0f} kB"
            )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "explorer.json").write_text(
        json.dumps({"floor_ms": FLOOR_MS, "runs": results}, indent=2) + "\n", encoding="utf-8"
    )
    print(f"written: {OUT / 'explorer.json'}")


if __name__ == "__main__":
    main()
