"""The run's headline findings in words and numbers, computed from the tables, each with
the explorer's deep link to its evidence; also as reStructuredText for the report.

A finding is ``{"text": str, "links": [[label, fragment], ...]}``; a section is
``{"title": str, "items": [finding, ...]}``. Fragments are the explorer's URL fragments
without ``#`` (``pair=<doc_a>,<doc_b>&model=minilm``), see :func:`fragment`.
"""

from __future__ import annotations

import math
import string
from typing import Any
from urllib.parse import quote

import pandas as pd

from framelens.basics.tables import outlet_keys
from framelens.explorer.tables import ModelTables, RunTables

Finding = dict[str, Any]
Section = dict[str, Any]
#: A pair of outlets is "significant" below this Benjamini-Hochberg adjusted p-value.
ALPHA = 0.05
TOP_REUSE = 5
TOP_EVENTS = 10
TOP_DISPUTED = 5
TOP_CLAIM_LINKS = 5


def fragment(view: str, values: list[str] | None = None, model: str | None = None) -> str:
    """An explorer URL fragment (without ``#``): each value percent-encoded, joined by ``,``.

    >>> fragment("pair", ["a", "b c"], "minilm")
    'pair=a,b%20c&model=minilm'
    """
    text = view if values is None else f"{view}={','.join(quote(v, safe='') for v in values)}"
    return text if model is None else f"{text}&model={quote(model, safe='')}"


def percent(value: float) -> str:
    """A share as a whole percentage (``0.375`` -> ``'38%'``); ``'n/a'`` for NaN."""
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.0f}%"


def outlet_of(run: RunTables) -> dict[str, str]:
    """doc_id -> the outlet it counts under in the tables (its name; an unattributed
    article is its own outlet, under its label), as :func:`outlet_keys` gives it."""
    keys = outlet_keys(run.documents.astype({"outlet": str, "outlet_label": str}))
    return {str(doc_id): str(key) for doc_id, key in keys.items()}


def pair_table(model: ModelTables) -> pd.DataFrame:
    """Aligned article pairs of one model: ``doc_id_a``, ``doc_id_b`` (a before b) and
    ``n_verbatim``, ``n_rewrite``, ``n_paraphrase``, ``n_reused`` (verbatim + rewrite),
    most reused first (ties by doc ids)."""
    aligned = model.alignments
    counts = (
        aligned.groupby(["doc_id_a", "doc_id_b", "relation"], sort=True)
        .size()
        .unstack(fill_value=0)
        if len(aligned)
        else pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["doc_id_a", "doc_id_b"]))
    )
    for relation in ("verbatim", "rewrite", "paraphrase"):
        if relation not in counts.columns:
            counts[relation] = 0
    counts = counts[["verbatim", "rewrite", "paraphrase"]].astype(int)
    counts.columns = ["n_verbatim", "n_rewrite", "n_paraphrase"]
    table = counts.reset_index()
    table["n_reused"] = table["n_verbatim"] + table["n_rewrite"]
    return table.sort_values(
        ["n_reused", "n_paraphrase", "doc_id_a", "doc_id_b"],
        ascending=[False, False, True, True],
        kind="mergesort",
    ).reset_index(drop=True)


def best_pair(
    pairs: pd.DataFrame, outlets: dict[str, str], a: str, b: str
) -> tuple[str, str] | None:
    """The article pair of outlets ``a`` and ``b`` with the most reused sentences."""
    out_a = pairs["doc_id_a"].map(outlets)
    out_b = pairs["doc_id_b"].map(outlets)
    hit = pairs[((out_a == a) & (out_b == b)) | ((out_a == b) & (out_b == a))]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return str(row["doc_id_a"]), str(row["doc_id_b"])


def reuse_section(run: RunTables, model: ModelTables) -> Section:
    """The strongest reuse between outlets: share, interval, adjusted p, the article pair."""
    overlap = model.overlap[model.overlap["reuse_share"] > 0].copy()
    overlap["significant"] = overlap["p_adjusted"] < ALPHA
    overlap = overlap.sort_values(
        ["significant", "reuse_share", "outlet_a", "outlet_b"],
        ascending=[False, False, True, True],
        kind="mergesort",
    ).head(TOP_REUSE)
    pairs, outlets = pair_table(model), outlet_of(run)
    items: list[Finding] = []
    for row in overlap.itertuples(index=False):
        a, b = str(row.outlet_a), str(row.outlet_b)
        verdict = "" if row.significant else "; not significant"
        text = (
            f"{percent(row.reuse_share)} of {a}'s sentences have a verbatim or rewritten "
            f"counterpart in {b} (95% interval {percent(row.ci_low)}–{percent(row.ci_high)}, "
            f"adjusted p = {row.p_adjusted:.2g}{verdict})"
        )
        links = [["outlet pair", fragment("outlets", [a, b], model.name)]]
        found = best_pair(pairs, outlets, a, b)
        if found is not None:
            links.insert(0, ["articles side by side", fragment("pair", list(found), model.name)])
        items.append({"text": text, "links": links})
    if not items:
        items.append(
            {"text": "No two outlets share a verbatim or rewritten sentence.", "links": []}
        )
    return {"title": "Strongest reuse between outlets", "items": items}


def events_section(run: RunTables, model: ModelTables) -> Section:
    """The events, largest first, and the outlets covering each."""
    outlets = outlet_of(run)
    events = model.events.assign(outlet=model.events["doc_id"].astype(str).map(outlets))
    grouped = sorted(
        ((str(e), group) for e, group in events.groupby("event_id", sort=True)),
        key=lambda item: (-len(item[1]), item[0]),
    )
    items: list[Finding] = []
    for event_id, group in grouped[:TOP_EVENTS]:
        names = sorted(set(group["outlet"].dropna()))
        items.append(
            {
                "text": f"Event {event_id}: {len(group)} article(s) from {len(names)} "
                f"outlet(s): {', '.join(names)}",
                "links": [["coverage matrix", fragment("event", [event_id], model.name)]],
            }
        )
    if len(grouped) > TOP_EVENTS:
        items.append(
            {
                "text": f"… and {len(grouped) - TOP_EVENTS} more events",
                "links": [["all events", fragment("events", None, model.name)]],
            }
        )
    return {"title": f"{len(grouped)} event(s) and their outlets", "items": items}


def coverage_section(model: ModelTables) -> Section:
    """Per outlet: the core claims of its events it omits, and the claims only it carries."""
    coverage = model.coverage
    labels = dict(
        zip(model.summary["claim_id"].astype(str), model.summary["label"].astype(str), strict=True)
    )
    items: list[Finding] = []
    for row in model.outlet_coverage.sort_values("outlet", kind="mergesort").itertuples(
        index=False
    ):
        outlet = str(row.outlet)
        mine = coverage[coverage["outlet"].astype(str) == outlet]
        omitted = sorted(
            mine.loc[mine["core"].astype(bool) & ~mine["present"].astype(bool), "claim_id"].astype(
                str
            )
        )
        own = sorted(
            mine.loc[mine["own"].astype(bool) & mine["present"].astype(bool), "claim_id"].astype(
                str
            )
        )
        core = (
            f"omits {int(row.n_core_omitted)} of {int(row.n_core_claims)} core claims of its events"
            if int(row.n_core_claims)
            else "covers no event with a core claim to omit"
        )
        text = f"{outlet} {core} and carries {int(row.n_own_claims)} claim(s) no other outlet has"
        links = [
            [f"omits: {labels.get(c, c)}", fragment("claim", [c], model.name)]
            for c in omitted[:TOP_CLAIM_LINKS]
        ] + [
            [f"own: {labels.get(c, c)}", fragment("claim", [c], model.name)]
            for c in own[:TOP_CLAIM_LINKS]
        ]
        items.append({"text": text, "links": links})
    return {"title": "What each outlet leaves out and adds", "items": items}


def disputed_section(model: ModelTables) -> Section:
    """The figures outlets disagree on most."""
    disputed = model.disputed.sort_values(
        ["spread", "group", "kind", "unit"], ascending=[False, True, True, True], kind="mergesort"
    ).head(TOP_DISPUTED)
    claims = set(model.summary["claim_id"].astype(str))
    items: list[Finding] = []
    for row in disputed.itertuples(index=False):
        values = " vs ".join(str(row.values).split(";"))
        written = " / ".join(str(row.texts).split(";"))
        text = (
            f"{row.unit} ({row.kind}): {values}, written {written} (spread {percent(row.spread)})"
        )
        group = str(row.group)
        links = [["the claim", fragment("claim", [group], model.name)]] if group in claims else []
        items.append({"text": text, "links": links})
    if not items:
        items.append(
            {"text": "No figure differs between outlets reporting one claim.", "links": []}
        )
    return {"title": "Largest disputed figures", "items": items}


def model_findings(run: RunTables, model: ModelTables) -> list[Section]:
    """The findings of one model, section by section."""
    return [
        reuse_section(run, model),
        events_section(run, model),
        coverage_section(model),
        disputed_section(model),
    ]


#: At most this many outlet pairs (or outlets) listed per verdict; the rest are counted.
TOP_ROBUST = 10


def robustness_section(run: RunTables) -> Section:
    """Which findings hold under every configured model and which depend on the model:
    significant reuse between outlet pairs (the strongest first, at most :data:`TOP_ROBUST`
    per verdict, the rest counted), and each outlet's omitted core claims."""
    names = sorted(run.models)
    title = f"Under every model? ({', '.join(names)})"
    if len(names) == 1:
        text = (
            f"Only one model is configured ({names[0]}): every finding here is under it alone. "
            "Configure more models to see which findings depend on the model."
        )
        return {"title": title, "items": [{"text": text, "links": []}]}
    significant: dict[tuple[str, str], list[str]] = {}
    strongest: dict[tuple[str, str], float] = {}
    for name in names:
        table = run.models[name].overlap
        hit = table[(table["reuse_share"] > 0) & (table["p_adjusted"] < ALPHA)]
        for a, b, share in zip(
            hit["outlet_a"].astype(str),
            hit["outlet_b"].astype(str),
            hit["reuse_share"],
            strict=True,
        ):
            significant.setdefault((a, b), []).append(name)
            strongest[(a, b)] = max(strongest.get((a, b), 0.0), float(share))
    ranked = sorted(significant, key=lambda pair: (-strongest[pair], pair))
    holds = [pair for pair in ranked if len(significant[pair]) == len(names)]
    depends = [pair for pair in ranked if len(significant[pair]) < len(names)]
    items: list[Finding] = [
        {
            "text": f"Significant reuse: {len(holds)} ordered outlet pair(s) under every model, "
            f"{len(depends)} under some models only.",
            "links": [],
        }
    ]
    for group in (holds, depends):
        for a, b in group[:TOP_ROBUST]:
            under = significant[(a, b)]
            if len(under) == len(names):
                verdict = "holds under every model"
            else:
                missing = [n for n in names if n not in under]
                verdict = (
                    f"depends on the model: significant under {', '.join(under)}, "
                    f"not under {', '.join(missing)}"
                )
            items.append(
                {
                    "text": f"Reuse of {a}'s sentences in {b}: {verdict}",
                    "links": [[n, fragment("outlets", [a, b], n)] for n in under],
                }
            )
        if len(group) > TOP_ROBUST:
            items.append({"text": f"… and {len(group) - TOP_ROBUST} more", "links": []})
    omitted: dict[str, dict[str, int]] = {}
    for name in names:
        for row in run.models[name].outlet_coverage.itertuples(index=False):
            omitted.setdefault(str(row.outlet), {})[name] = int(row.n_core_omitted)
    varying = [
        o
        for o, counts in sorted(omitted.items())
        if len(set(counts.values())) > 1 or len(counts) < len(names)
    ]
    items.append(
        {
            "text": f"Omitted core claims: the count is the same under every model for "
            f"{len(omitted) - len(varying)} outlet(s) and depends on the model for {len(varying)}.",
            "links": [],
        }
    )
    for outlet in varying[:TOP_ROBUST]:
        counts = ", ".join(f"{omitted[outlet].get(n, 0)} under {n}" for n in names)
        items.append(
            {
                "text": f"{outlet} omits core claims: {counts} (depends on the model)",
                "links": [[n, fragment("findings", None, n)] for n in names],
            }
        )
    if len(varying) > TOP_ROBUST:
        items.append({"text": f"… and {len(varying) - TOP_ROBUST} more outlets", "links": []})
    return {"title": title, "items": items}


def run_findings(run: RunTables) -> dict[str, Any]:
    """All findings: ``{"robust": section, "models": {model: [section, ...]}}``."""
    return {
        "robust": robustness_section(run),
        "models": {name: model_findings(run, run.models[name]) for name in sorted(run.models)},
    }


def rst_text(text: str) -> str:
    """Untrusted text as inert reStructuredText (and inert Jinja): whitespace collapsed,
    every ASCII punctuation character backslash-escaped.

    >>> rst_text(".. raw:: html")
    '\\\\.\\\\. raw\\\\:\\\\: html'
    """
    return "".join(f"\\{ch}" if ch in string.punctuation else ch for ch in " ".join(text.split()))


def rst_link(label: str, href: str) -> str:
    """An anonymous RST hyperlink; ``href`` is ours (percent-encoded values only)."""
    return f"`{rst_text(label)} <{href}>`__"


def findings_rst(findings: dict[str, Any], explorer_href: str = "explorer/index.html") -> str:
    """The findings as reStructuredText for the report's landing page, every link opening
    the explorer (``explorer_href``, relative to the report) at the evidence."""
    lines = [
        "Findings",
        "--------",
        "",
        "What this run found, computed from its tables. Each link opens the "
        f"`explorer <{explorer_href}>`__ (``results/explorer/index.html``, offline) at the "
        "evidence: the articles side by side, the claim, the outlet pair.",
        "",
    ]

    def section(title: str, items: list[Finding]) -> None:
        lines.extend([f"**{rst_text(title)}**", ""])
        for item in items:
            links = " ".join(
                rst_link(label, f"{explorer_href}#{frag}") for label, frag in item["links"]
            )
            lines.append(f"- {rst_text(item['text'])}" + (f" ({links})" if links else ""))
        lines.append("")

    robust = findings["robust"]
    section(robust["title"], robust["items"])
    for name, sections in findings["models"].items():
        for part in sections:
            section(f"{part['title']} (model {name})", part["items"])
    return "\n".join(lines) + "\n"
