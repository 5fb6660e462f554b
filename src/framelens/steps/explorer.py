"""Stage explorer (``workflow/rules/explorer.smk``): the offline explorer of the run's
articles, alignments and claims (``results/explorer/``), and the report's landing page
with the run's findings (``results/findings.rst``)."""

from __future__ import annotations

import logging

from framelens.errors import FramelensError
from framelens.explorer import file_groups, findings_rst, read_run, run_findings, write_groups
from framelens.explorer.tables import MODEL_FILES
from framelens.io import write_text

log = logging.getLogger("framelens")


def explorer(
    *,
    documents: str,
    sentences: str,
    models: list[str],
    alignments: list[str],
    overlap: list[str],
    events: list[str],
    claims: list[str],
    summary: list[str],
    coverage: list[str],
    outlet_coverage: list[str],
    quotes: list[str],
    disputed: list[str],
    description: str,
    explorer: str,
    landing: str,
    workers: int = 1,
) -> None:
    """Write the explorer folder and the landing page (``models``: the model names, in the
    order of every per-model input list; ``description``: the report's description of the
    workflow, which the landing page starts with), its groups of files built by
    ``workers`` processes (the rule's threads)."""
    inputs = {
        "alignments": alignments,
        "overlap": overlap,
        "events": events,
        "claims": claims,
        "summary": summary,
        "coverage": coverage,
        "outlet_coverage": outlet_coverage,
        "quotes": quotes,
        "disputed": disputed,
    }
    assert set(inputs) == set(MODEL_FILES)
    for kind, paths in inputs.items():
        if len(paths) != len(models):
            raise FramelensError(
                f"explorer: {len(paths)} {kind} table(s) for {len(models)} model(s)"
            )
    per_model = {
        name: {kind: paths[n] for kind, paths in inputs.items()} for n, name in enumerate(models)
    }
    run = read_run(documents=documents, sentences=sentences, models=per_model)
    findings = run_findings(run)
    count, size = write_groups(file_groups(run, findings), explorer, workers=workers)
    write_text(description.rstrip("\n") + "\n\n" + findings_rst(findings), landing)
    log.info("explorer: %d data files, %.1f MB, in %s", count, size / 1e6, explorer)
