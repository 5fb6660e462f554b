"""The offline explorer (results/explorer/): its data built from the tables (fast, on small
hand-made tables), and the page itself in headless Chromium through its deep links on the
session's seed and hostile runs (slow; no extra workflow run)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jinja2
import lxml.html
import pandas as pd
import pytest
from docutils.core import publish_parts

from framelens.errors import FramelensError
from framelens.explorer import (
    build_files,
    file_groups,
    findings_rst,
    js_data,
    run_findings,
    write_explorer,
    write_groups,
)
from framelens.explorer import data as explorer_data
from framelens.explorer.data import fold, shard_of, words
from framelens.explorer.findings import fragment, rst_text
from framelens.explorer.tables import ModelTables, RunTables, read_table
from framelens.explorer.write import safe_json

from .runs import HOSTILE_IMG, HOSTILE_SCRIPT, assert_no_markup_ran, chromium, dump_dom

AP, UK = "002_a0ebff16809bcad7", "004_b30742ffba48f2e5"
SEED_DOCS = {
    "000_86995b2f66f469b6",
    "001_ca852b7d5ddfff99",
    AP,
    "003_d7abf4cea0ed4c53",
    UK,
}


# ----------------------------------------------------------------------- small tables


def small_model(name: str = "m", *, significant: bool = True) -> ModelTables:
    """Two outlets, one event, three articles: a rewrite and a paraphrase between A1 and B1."""
    alignments = pd.DataFrame(
        {
            "event": ["e1", "e1"],
            "sent_id_a": ["a1:0000", "a1:0001"],
            "sent_id_b": ["b1:0001", "b1:0000"],
            "doc_id_a": ["a1", "a1"],
            "doc_id_b": ["b1", "b1"],
            "semantic": [0.95, 0.7],
            "lexical": [0.8, 0.1],
            "sequence": [0.9, 0.2],
            "relation": ["rewrite", "paraphrase"],
            "matched_from": ["both", "a"],
            "source_doc_id": ["a1", None],
        }
    )
    p = 0.01 if significant else 0.5
    overlap = pd.DataFrame(
        {
            "outlet_a": ["A <b>", "Bee"],
            "outlet_b": ["Bee", "A <b>"],
            "share_a_in_b": [1.0, 0.5],
            "reuse_share": [0.5, 0.25],
            "ci_low": [0.2, 0.1],
            "ci_high": [0.8, 0.4],
            "share_ci_low": [0.9, 0.3],
            "share_ci_high": [1.0, 0.7],
            "p_adjusted": [p, 0.9],
        }
    )
    events = pd.DataFrame({"doc_id": ["a1", "b1", "b2"], "event_id": ["e1", "e1", "e1"]})
    claims = pd.DataFrame(
        {
            "sent_id": ["a1:0000", "b1:0001", "a1:0001", "b1:0000", "b2:0000"],
            "doc_id": ["a1", "b1", "a1", "b1", "b2"],
            "event_id": ["e1"] * 5,
            "claim_id": ["e1-c001", "e1-c001", "e1-c002", "e1-c002", "e1-c003"],
        }
    )
    summary = pd.DataFrame(
        {
            "claim_id": ["e1-c001", "e1-c002", "e1-c003"],
            "event_id": ["e1"] * 3,
            "label": ["troops", "talks", "weather"],
            "representative": ["About 3,800 troops.", "Talks failed.", "It rained."],
            "n_outlets": [2, 2, 1],
        }
    )
    coverage = pd.DataFrame(
        {
            "event_id": ["e1"] * 6,
            "claim_id": ["e1-c001", "e1-c001", "e1-c002", "e1-c002", "e1-c003", "e1-c003"],
            "outlet": ["A <b>", "Bee"] * 3,
            "present": [True, True, True, True, False, True],
            "lead": [True, False, False, False, False, False],
            "core": [True, True, True, True, False, False],
            "own": [False, False, False, False, False, True],
        }
    )
    outlet_coverage = pd.DataFrame(
        {
            "outlet": ["A <b>", "Bee"],
            "n_core_omitted": [0, 0],
            "n_own_claims": [0, 1],
            "n_core_claims": [2, 2],
        }
    )
    quotes = pd.DataFrame(
        {
            "doc_id": ["b1"],
            "sent_ids": ["b1:0000"],
            "quote": ["Talks failed"],
            "kind": ["direct"],
            "speaker": ["Aleksandar Vucic"],
        }
    )
    disputed = pd.DataFrame(
        {
            "group": ["e1-c001"],
            "kind": ["quantity"],
            "unit": ["troops"],
            "values": ["3800;4000"],
            "spread": [0.05],
            "sent_ids": ["a1:0000;b1:0001"],
            "texts": ["about 3,800;Nearly 4,000"],
        }
    )
    return ModelTables(
        name=name,
        alignments=alignments,
        overlap=overlap,
        events=events,
        claims=claims,
        summary=summary,
        coverage=coverage,
        outlet_coverage=outlet_coverage,
        quotes=quotes,
        disputed=disputed,
    )


def small_run(**models: ModelTables) -> RunTables:
    documents = pd.DataFrame(
        {
            "doc_id": ["b2", "a1", "b1"],
            "outlet": ["Bee", "A <b>", "Bee"],
            "outlet_label": ["Bee (b2)", "A <b>", "Bee (b1)"],
            "title": [None, "</script><script>alert(1)</script>", "B one"],
            "date": ["2022-08-20", "2022-08-18", None],
        }
    )
    texts = {
        "a1": ["About 3,800 troops stay, said Vučić.", "Talks failed \u2028 again."],
        "b1": ["“Talks failed,” Vucic said.", "Nearly 4,000 troops stay."],
        "b2": ["It rained.", "© 2022 Bee. All rights reserved."],
    }
    rows = [
        {
            "sent_id": f"{doc}:{k:04d}",
            "doc_id": doc,
            "position": k,
            "paragraph": k,
            "text": text,
            "heading": False,
            "duplicate_of": None,
            "boilerplate": doc == "b2" and k == 1,
            "boilerplate_reason": "copyright" if doc == "b2" and k == 1 else None,
        }
        for doc, sents in texts.items()
        for k, text in enumerate(sents)
    ]
    return RunTables(
        documents=documents,
        sentences=pd.DataFrame(rows),
        models=models or {"m": small_model("m")},
    )


# ----------------------------------------------------------------------- data (fast)


def test_data_files_are_safe_javascript_that_round_trips():
    value = {"t": "</script><img src=x onerror=alert(1)> & \u2028\u2029 Vučić"}
    text = js_data("docs/0", value)
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert text.startswith('FL.put("docs/0",') and text.endswith(");\n")
    assert json.loads(text[len('FL.put("docs/0",') : -3]) == value
    with pytest.raises(ValueError):
        safe_json(float("nan"))  # never NaN, which JSON.parse and scripts read differently


def test_search_words_fold_accents_case_and_digit_separators():
    assert fold("Vučić ÉTÉ") == "vucic ete"
    assert words("Vučić said 3,800 troops — and 1.5%") == ["vucic", "3800", "troops", "15"]
    assert words("the a of") == []
    # 32-bit FNV-1a over code points (the page's shardOf computes the same)
    assert shard_of("a", 2**32) == 0xE40C292C
    assert {shard_of(w, 7) for w in ("vucic", "kosovo", "3800")} <= set(range(7))


def test_every_file_of_a_view_is_built_with_indexes_not_names():
    files = build_files(small_run())
    index = files["index"]
    assert [d[0] for d in index["docs"]] == ["a1", "b1", "b2"]  # sorted by doc_id
    assert index["outlets"] == ["A <b>", "Bee"]
    assert set(files) == {
        "index",
        "docs/0",
        "docs/1",
        "docs/2",
        "m/pairs/0-1",
        "m/events/0",
        "m/outlets/0-1",
        *(f"search/{n}" for n in range(index["search"]["shards"])),
    }
    pair = files["m/pairs/0-1"]["links"]
    assert [row[:3] for row in pair] == [
        ["a1:0000", "b1:0001", "rewrite"],
        ["a1:0001", "b1:0000", "paraphrase"],
    ]
    doc = files["docs/0"]
    assert doc["models"]["m"]["claims"] == ["e1-c001", "e1-c002"]
    assert doc["models"]["m"]["top"] == [["b1:0001", "rewrite"], ["b1:0000", "paraphrase"]]
    assert files["docs/2"]["sentences"][1][4] == "copyright"  # greyed, with its reason


def test_event_file_holds_coverage_lead_claims_quotes_and_disputes():
    event = build_files(small_run())["m/events/0"]
    assert event["event_id"] == "e1" and event["docs"] == [0, 1, 2]
    assert event["outlets"] == ["A <b>", "Bee"]
    first, _, own = event["claims"]
    assert first["cells"] == [2, 1] and first["core"] and first["sents"] == ["a1:0000", "b1:0001"]
    assert own["own"] == "Bee" and own["cells"] == [0, 1]
    assert event["quotes"]["b1:0000"] == [["direct", "Aleksandar Vucic", "Talks failed"]]
    assert event["disputed"]["b1:0001"] == [["quantity", "troops", "3800 vs 4000", "Nearly 4,000"]]
    assert event["pairs"] == [[0, 1, 0, 1, 1]]


def test_files_do_not_depend_on_how_many_articles_are_built_at_once(monkeypatch):
    whole = build_files(small_run())
    monkeypatch.setattr(explorer_data, "DOCS_AT_ONCE", 1)
    monkeypatch.setattr(explorer_data, "PAIR_ROWS_AT_ONCE", 1)
    assert build_files(small_run()) == whole


def test_a_counterpart_outside_the_corpus_still_shows_and_sorts_by_id():
    model = small_model("m")
    extra = model.alignments.iloc[[0]].assign(sent_id_b="zz:0009", semantic=0.99)
    model = dataclasses.replace(
        model, alignments=pd.concat([model.alignments, extra], ignore_index=True)
    )
    doc = build_files(small_run(m=model))["docs/0"]["models"]["m"]
    relation = model.alignments["relation"].iloc[0]
    assert doc["top"][0] == ["zz:0009", relation]  # same relation, higher score


def test_sentences_of_an_article_missing_from_documents_are_refused_by_id():
    run = small_run()
    run = dataclasses.replace(run, documents=run.documents[run.documents["doc_id"] != "b2"])
    with pytest.raises(FramelensError, match="'b2'"):
        build_files(run)


def test_search_index_finds_names_without_accents_and_numbers_as_written():
    files = build_files(small_run())
    shards = files["index"]["search"]["shards"]

    def postings(word: str) -> list[int]:
        return files[f"search/{shard_of(word, shards)}"].get(word, [])

    assert postings("vucic") == [0, 0, 1, 0]  # Vučić in a1, Vucic in b1: [doc, sentence]...
    assert postings("3800") == [0, 0]


def test_search_shards_hold_every_posting_once_in_sentence_order(monkeypatch):
    monkeypatch.setattr(explorer_data, "POSTINGS_PER_SHARD", 3)  # many shards, some empty
    corpus = explorer_data.Corpus(small_run())
    index = explorer_data.SearchIndex(corpus)
    assert index.shards > 3
    expected: dict[str, list[int]] = {}
    for i, rows in corpus.article_rows():
        for k, row in enumerate(rows):
            for word in words(row[2]):
                expected.setdefault(word, []).extend((i, k))
    shards = dict(index.files())
    assert sorted(shards) == sorted(f"search/{n}" for n in range(index.shards))
    found = {w: p for shard in shards.values() for w, p in shard.items()}
    assert found == expected
    assert all(
        shards[f"search/{shard_of(w, index.shards)}"].get(w) == p for w, p in expected.items()
    )


def test_a_data_file_built_twice_is_refused_and_nothing_is_left(tmp_path):
    with pytest.raises(ValueError, match="docs/0"):
        write_explorer(iter([("docs/0", {}), ("docs/0", {})]), tmp_path / "explorer")
    assert list(tmp_path.iterdir()) == []


def test_findings_state_reuse_with_interval_and_p_and_link_the_article_pair():
    findings = run_findings(small_run())
    reuse = findings["models"]["m"][0]
    first = reuse["items"][0]
    assert first["text"].startswith("50% of A <b>'s sentences")
    assert "95% interval 20%–80%" in first["text"] and "adjusted p = 0.01" in first["text"]
    assert first["links"][0] == ["articles side by side", "pair=a1,b1&model=m"]
    assert first["links"][1] == ["outlet pair", "outlets=A%20%3Cb%3E,Bee&model=m"]
    titles = [section["title"] for section in findings["models"]["m"]]
    assert titles == [
        "Strongest reuse between outlets",
        "1 event(s) and their outlets",
        "What each outlet leaves out and adds",
        "Largest disputed figures",
    ]
    disputed = findings["models"]["m"][3]["items"][0]
    assert disputed["text"].startswith("troops (quantity): 3800 vs 4000")
    assert disputed["links"] == [["the claim", "claim=e1-c001&model=m"]]


def test_findings_say_which_hold_under_every_model():
    run = small_run(m=small_model("m"), n=small_model("n", significant=False))
    robust = run_findings(run)["robust"]
    texts = [item["text"] for item in robust["items"]]
    assert (
        "Reuse of A <b>'s sentences in Bee: depends on the model: significant under m, not under n"
        in texts
    )
    assert texts[0] == (
        "Significant reuse: 0 ordered outlet pair(s) under every model, 1 under some models only."
    )
    both = run_findings(small_run(m=small_model("m"), n=small_model("n")))["robust"]
    assert both["items"][1]["text"].endswith("holds under every model")
    (alone,) = run_findings(small_run())["robust"]["items"]
    assert alone["text"].startswith("Only one model is configured (m)")


def test_findings_on_the_report_page_are_inert_text():
    hostile = small_model("m")
    name = "x\n\n.. raw:: html\n\n   <script>alert(1)</script> {{ 7*7 }} {% if 1 %}"
    hostile.overlap.loc[0, "outlet_a"] = name
    text = findings_rst(run_findings(small_run(m=hostile)))
    rendered = jinja2.Environment().from_string(text).render()  # as Snakemake renders it
    html = publish_parts(rendered, writer="html")["html_body"]
    assert "<script" not in html and "49" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert 'href="explorer/index.html#pair=a1,b1&amp;model=m"' in html
    assert rst_text("a *b* `c`_") == "a \\*b\\* \\`c\\`\\_"


def test_fragments_percent_encode_each_value():
    assert fragment("pair", ["a,b", "c"], "m") == "pair=a%2Cb,c&model=m"
    assert fragment("events", None, "m") == "events&model=m"


def test_explorer_folder_is_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "explorer"
    write_explorer({"index": {"models": []}}, target)
    assert (target / "index.html").is_file() and (target / "data" / "index.js").is_file()
    with pytest.raises(ValueError):
        write_explorer({"index": {"x": float("nan")}}, target)
    assert (target / "data" / "index.js").read_text().startswith('FL.put("index"')  # old kept
    assert [p.name for p in tmp_path.iterdir()] == ["explorer"]  # no half-written folder


def test_the_explorer_is_byte_identical_from_the_same_tables(tmp_path):
    run = small_run(m=small_model("m"), n=small_model("n", significant=False))
    write_explorer(build_files(run), tmp_path / "one")
    write_explorer(build_files(small_run(**dict(reversed(run.models.items())))), tmp_path / "two")
    one = {
        p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*.js")
    }
    two = {
        p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*.js")
    }
    assert one == two and len(one) > 5


def test_a_missing_column_names_the_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("doc_id\na\n")
    with pytest.raises(FramelensError, match=r"events\.csv: missing column\(s\) event_id"):
        read_table("events", path)
    with pytest.raises(FramelensError, match=r"nothing\.csv: not found"):
        read_table("events", tmp_path / "nothing.csv")


def test_the_page_builds_its_dom_from_text_only():
    js = (Path(__file__).parents[1] / "src/framelens/explorer/assets/explorer.js").read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", js)
    html = (Path(__file__).parents[1] / "src/framelens/explorer/assets/index.html").read_text()
    assert "http" not in html.replace("http-equiv", "")  # no CDN, nothing online


# ----------------------------------------------------------------------- in Chromium (slow)


def page(run: Path, browser: str, tmp_path: Path, frag: str) -> lxml.html.HtmlElement:
    """The explorer's DOM at ``#frag`` after its scripts ran, parsed."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    dom = dump_dom(browser, run / "results/explorer/index.html", profile, frag)
    return lxml.html.fromstring(dom)


@pytest.fixture(scope="module")
def seeds(seed_run) -> Path:
    return seed_run[0]


@pytest.mark.slow
def test_seed_explorer_is_small_and_linked_from_the_report(seeds):
    files = [p for p in (seeds / "results/explorer").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 5_000_000
    landing = (seeds / "results/findings.rst").read_text()
    assert "Findings" in landing and "explorer/index.html#pair=" in landing
    assert "explorer/index.html" in (seeds / "results/report.html").read_text()


@pytest.mark.slow
def test_pair_view_shows_the_ap_uk_rewrites_with_their_counterparts(seeds, tmp_path):
    dom = page(seeds, chromium(), tmp_path, f"pair={AP},{UK}&model=minilm")
    table = pd.read_parquet(seeds / "results/minilm/alignments.parquet")
    pair = table[(table["doc_id_a"] == AP) & (table["doc_id_b"] == UK)]
    expected = {
        (a, b) for a, b, r in pair[["sent_id_a", "sent_id_b", "relation"]].values if r == "rewrite"
    }
    assert len(expected) == 9
    shown = set()
    for span in dom.xpath('//*[@id="col-left"]//*[@data-relations]'):
        for other, relation in zip(
            span.get("data-counterparts").split(), span.get("data-relations").split(), strict=True
        ):
            if relation == "rewrite":
                shown.add((span.get("data-sent-id"), other))
    assert shown == expected
    # both articles in full, every aligned sentence with a relation and a counterpart on the page
    ids = set(dom.xpath("//@data-sent-id"))
    sentences = pd.read_parquet(seeds / "results/corpus/sentences.parquet")
    assert set(sentences.loc[sentences["doc_id"].isin([AP, UK]), "sent_id"]) == ids
    aligned = dom.xpath("//*[@data-relation]")
    assert len(aligned) == len(set(pair["sent_id_a"]) | set(pair["sent_id_b"]))
    for span in aligned:
        assert span.get("data-relation") in {"verbatim", "rewrite", "paraphrase"}
        assert span.get("data-counterpart") in ids
    assert dom.findtext(".//title") == "framelens explorer"


@pytest.mark.slow
def test_claim_view_lists_the_claims_sentences_outlet_by_outlet(seeds, tmp_path):
    summary = pd.read_csv(seeds / "results/minilm/claims_summary.csv")
    claim = summary.sort_values(["n_outlets", "claim_id"], ascending=[False, True]).iloc[0]
    dom = page(seeds, chromium(), tmp_path, f"claim={claim['claim_id']}&model=minilm")
    (section,) = dom.xpath(f'//section[@data-claim-id="{claim["claim_id"]}"]')
    claims = pd.read_parquet(seeds / "results/minilm/claims.parquet")
    members = set(claims.loc[claims["claim_id"] == claim["claim_id"], "sent_id"])
    assert set(section.xpath(".//@data-sent-id")) == members
    assert len(section.xpath('.//div[@class="outlet"]')) == claim["n_outlets"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "docs"), [("Stoltenberg", None), ("Vucic", SEED_DOCS), ("3,800", None)]
)
def test_search_finds_names_and_numbers(seeds, tmp_path, query, docs):
    dom = page(seeds, chromium(), tmp_path, f"search={query}&model=minilm")
    found = set(dom.xpath('//div[@class="result"]/@data-doc-id'))
    assert found, dom.findtext('.//*[@id="search-summary"]')
    if docs is not None:
        assert found == docs
    hits = dom.xpath('//div[@class="hit"]//*[@data-sent-id]')
    assert all(fold(query) in fold(h.text_content()).replace(",", "") for h in hits)
    assert dom.xpath(
        '//div[@class="hit"]//a[starts-with(@href, "#pair=") or starts-with(@href, "#claim=")]'
    )


@pytest.mark.slow
def test_model_switch_and_views_render_under_every_model(seeds, tmp_path):
    browser = chromium()
    for frag, needle in [
        ("outlets=AP,unattributed%20(004)&model=tfidf", f"#pair={AP},{UK}&model=tfidf"),
        ("event=e0001&model=static", "#claim=e0001-c001&model=static"),
        ("", f"#pair={AP},{UK}&model=minilm"),
    ]:
        dom = page(seeds, browser, tmp_path, frag)
        assert needle in dom.xpath("//a/@href"), frag


@pytest.mark.slow
def test_hostile_article_changes_nothing_on_the_page(hostile_run, tmp_path):
    browser = chromium()
    explorer = hostile_run / "results/explorer"
    for path in (explorer / "data").rglob("*.js"):
        assert "<" not in path.read_text(encoding="utf-8"), path
    docs = pd.read_parquet(hostile_run / "results/corpus/documents.parquet")
    hostile = docs.loc[docs["doc_id"] == "901_untrusted"].iloc[0]
    assert HOSTILE_IMG in hostile["outlet"] and HOSTILE_SCRIPT in hostile["title"]
    events = pd.read_csv(hostile_run / "results/minilm/events.csv")
    event = events.loc[events["doc_id"] == "901_untrusted", "event_id"].iloc[0]
    claims = pd.read_parquet(hostile_run / "results/minilm/claims.parquet")
    claim = claims.loc[claims["doc_id"] == "901_untrusted", "claim_id"].iloc[0]
    other = events.loc[
        (events["event_id"] == event) & (events["doc_id"] != "901_untrusted"), "doc_id"
    ]
    fragments = [
        "",
        "outlets&model=minilm",
        f"event={event}&model=minilm",
        f"claim={claim}&model=minilm",
        "search=Brussels",
        "search=javascript",
        *([f"pair=901_untrusted,{other.iloc[0]}&model=minilm"] if len(other) else []),
    ]
    for number, frag in enumerate(fragments):
        dom = dump_dom(browser, explorer / "index.html", tmp_path / f"profile-{number}", frag)
        assert_no_markup_ran(dom)
        tree = lxml.html.fromstring(dom)
        assert tree.findtext(".//title") == "framelens explorer", frag
        assert tree.xpath('//*[@id="main"]/*') and not tree.xpath('//*[@class="error"]'), frag
        assert not tree.xpath("//main//script | //main//img | //main//iframe"), frag
    search = lxml.html.fromstring(
        dump_dom(browser, explorer / "index.html", tmp_path / "p", "search=javascript")
    )
    assert "javascript:window.__pwned=1" in search.text_content()  # shown, as text


def test_groups_written_by_two_workers_give_the_same_folder(tmp_path):
    run = small_run(m=small_model("m"), n=small_model("n", significant=False))
    count, size = write_explorer(build_files(run), tmp_path / "one")
    assert write_groups(file_groups(run), tmp_path / "two", workers=2) == (count, size)
    one, two = (
        {p.relative_to(tmp_path / d): p.read_bytes() for p in (tmp_path / d).rglob("*.js")}
        for d in ("one", "two")
    )
    assert one == two and len(one) > 5


def test_a_file_built_by_two_groups_is_refused_and_nothing_is_left(tmp_path):
    groups = [lambda: iter([("docs/0", {})]), lambda: iter([("docs/0", {"x": 1})])]
    with pytest.raises(ValueError, match="docs/0"):
        write_groups(groups, tmp_path / "explorer", workers=2)
    assert list(tmp_path.iterdir()) == []


def test_an_aligned_article_missing_from_documents_is_refused_by_id():
    model = small_model("m")
    stray = model.alignments.iloc[[0]].assign(doc_id_b="zz", sent_id_b="zz:0000")
    model = dataclasses.replace(
        model, alignments=pd.concat([model.alignments, stray], ignore_index=True)
    )
    with pytest.raises(FramelensError, match="aligned article 'zz' is not in documents"):
        build_files(small_run(m=model))
