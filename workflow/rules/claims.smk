# Claims: the claims of each event, which outlet carries which, and their figures.
# Steps: framelens/steps/claims.py, one function per rule, named after it.


rule claims_shard:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        vectors=rules.embed.output.vectors,
        events=rules.events.output.events,
        alignments=rules.align_shard.output.alignments,
    output:
        claims="results/{model}/event_shards/{shard}/claims.parquet",
        summary="results/{model}/event_shards/{shard}/claims_summary.parquet",
        coverage="results/{model}/event_shards/{shard}/coverage.parquet",
    log:
        "results/logs/claims_shard/{model}-{shard}.log",
    benchmark:
        "results/benchmarks/claims_shard/{model}-{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../envs/framelens.yaml"
    threads: 2  # worker processes over its events (framelens/workers.py)
    resources:
        mem_mb=shard_mem_mb(4000, 1000),
    params:
        claim_threshold=claim_threshold,
        evidence_link=config["alignment"]["evidence"]["link"],
        coverage=config["coverage"],
        shards=EVENT_SHARDS,
    script:
        "../scripts/claims_shard.py"


rule claims:
    input:
        claims=event_parts("claims_shard", "claims"),
        summary=event_parts("claims_shard", "summary"),
        coverage=event_parts("claims_shard", "coverage"),
    output:
        claims="results/{model}/claims.parquet",
        summary="results/{model}/claims_summary.csv",
        coverage="results/{model}/coverage.csv",
        outlets="results/{model}/outlet_coverage.csv",
    log:
        "results/logs/claims/{model}.log",
    benchmark:
        "results/benchmarks/claims/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/claims.py"


rule plot_coverage:
    input:
        coverage=rules.claims.output.coverage,
        summary=rules.claims.output.summary,
        embedding=rules.embed.output.stats,
    output:
        matrices=[
            report(
                f"results/{{model}}/figures/coverage_{rank}.png",
                caption="../report/coverage_matrix.rst",
                category="Claims and coverage",
                subcategory="{model}",
                labels={"model": "{model}", "figure": f"coverage, event {rank}"},
            )
            for rank in COVERAGE_EVENT_RANKS
        ],
        intersections=[
            report(
                f"results/{{model}}/figures/claim_sets_{rank}.png",
                caption="../report/claim_intersections.rst",
                category="Claims and coverage",
                subcategory="{model}",
                labels={"model": "{model}", "figure": f"shared claims, event {rank}"},
            )
            for rank in COVERAGE_EVENT_RANKS
        ],
    log:
        "results/logs/plot_coverage/{model}.log",
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/plot_coverage.py"
