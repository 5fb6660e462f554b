# The explorer: results/explorer/index.html, the run's articles, alignments and claims read
# offline in a browser (README "The explorer"), and the findings it opens on, also written as
# the report's landing page (results/findings.rst). A stage of its own, after all others:
# like compare it reads every stage's tables under every model, and no stage reads it.
# Steps: framelens/steps/explorer.py, one function per rule, named after it.


rule explorer:
    input:
        documents=rules.ingest.output.documents,
        sentences=rules.ingest.output.sentences,
        alignments=expand(rules.align.output.alignments, model=MODELS),
        overlap=expand(rules.outlet_overlap.output.overlap, model=MODELS),
        events=expand(rules.events.output.events, model=MODELS),
        claims=expand(rules.claims.output.claims, model=MODELS),
        summary=expand(rules.claims.output.summary, model=MODELS),
        coverage=expand(rules.claims.output.coverage, model=MODELS),
        outlet_coverage=expand(rules.claims.output.outlets, model=MODELS),
        quotes=expand(rules.framing.output.quotes, model=MODELS),
        disputed=expand(rules.framing.output.disputed, model=MODELS),
    output:
        explorer=directory("results/explorer"),
        landing="results/findings.rst",
    log:
        "results/logs/explorer.log",
    benchmark:
        "results/benchmarks/explorer.tsv"
    conda:
        "../envs/framelens.yaml"
    threads: 2  # worker processes over its groups of files (framelens/workers.py)
    params:
        models=MODELS,
        description=report_description,
    script:
        "../scripts/explorer.py"


report: landing_page()
