# Alignment: sentence pairs across articles with their relation, the outlet overlap they add
# up to, and their figures. outlet_overlap is here, not in a file of its own: it is a
# summary of the alignments alone (which outlet's sentences have a reuse counterpart where),
# and this file and framelens/steps/align.py hold the same rules.
# Steps: framelens/steps/align.py, one function per rule, named after it.


# One align_shard job per event shard (config event_shards, common.smk): whole events,
# planned from the data (framelens/shards.py); align gathers their parts in the order one
# job gives.
rule align_shard:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        vectors=rules.embed.output.vectors,
        events=rules.events.output.events,
    output:
        alignments="results/{model}/event_shards/{shard}/alignments.parquet",
    log:
        "results/logs/align_shard/{model}-{shard}.log",
    benchmark:
        "results/benchmarks/align_shard/{model}-{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../envs/framelens.yaml"
    threads: 2  # worker processes over its events (framelens/workers.py)
    resources:
        mem_mb=shard_mem_mb(4000, 1000),
    params:
        alignment=config["alignment"],
        paraphrase_threshold=paraphrase_threshold,
        shards=EVENT_SHARDS,
    script:
        "../scripts/align_shard.py"


rule align:
    input:
        parts=event_parts("align_shard", "alignments"),
    output:
        alignments="results/{model}/alignments.parquet",
    log:
        "results/logs/align/{model}.log",
    benchmark:
        "results/benchmarks/align/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/align.py"


rule outlet_overlap:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        events=rules.events.output.events,
        alignments=rules.align.output.alignments,
    output:
        overlap="results/{model}/outlet_overlap.csv",
        sources="results/{model}/reuse_sources.csv",
    log:
        "results/logs/outlet_overlap/{model}.log",
    benchmark:
        "results/benchmarks/outlet_overlap/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    threads: 2  # worker processes over its outlets (framelens/workers.py)
    params:
        bootstrap=config["overlap"]["bootstrap"],
        confidence=config["overlap"]["confidence"],
        permutations=config["overlap"]["permutations"],
        syndication=config["overlap"]["syndication"],
        random_state=config["random_state"],
    script:
        "../scripts/outlet_overlap.py"


rule plot_outlet_overlap:
    input:
        overlap=rules.outlet_overlap.output.overlap,
        embedding=rules.embed.output.stats,
    output:
        figure=report(
            "results/{model}/figures/outlet_overlap.png",
            caption="../report/outlet_overlap.rst",
            category="Outlet overlap",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "outlet overlap"},
        ),
    log:
        "results/logs/plot_outlet_overlap/{model}.log",
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/plot_outlet_overlap.py"


rule plot_alignment_views:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        alignments=rules.align.output.alignments,
        embedding=rules.embed.output.stats,
    output:
        figures=[
            report(
                f"results/{{model}}/figures/alignment_{rank}.png",
                caption="../report/alignment_view.rst",
                category="Sentence alignment",
                subcategory="{model}",
                labels={"model": "{model}", "figure": f"article pair {rank}"},
            )
            for rank in ALIGNMENT_VIEW_RANKS
        ],
    log:
        "results/logs/plot_alignment_views/{model}.log",
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/plot_alignment_views.py"
