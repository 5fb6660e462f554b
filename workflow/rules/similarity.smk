# Document similarity under each model: the square article x article matrix and its
# heatmap for corpora up to similarity.matrix_max_documents (FULL_MATRIX, common.smk), and
# for every corpus the pairs within each event (doc_pairs, after events).
# Steps: framelens/steps/similarity.py, one function per rule, named after it.


rule doc_similarity:
    input:
        sentences=rules.ingest.output.sentences,
        vectors=rules.embed.output.vectors,
        documents=rules.ingest.output.documents,
    output:
        table="results/{model}/doc_similarity.csv",
    log:
        "results/logs/doc_similarity/{model}.log",
    benchmark:
        "results/benchmarks/doc_similarity/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    params:
        similarity=config["similarity"],
    script:
        "../scripts/doc_similarity.py"


# The story measure's TF-IDF profiles (names, words), fitted once on the whole corpus:
# each doc_pairs shard reads only its documents' rows. Model-independent.
rule story_text:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
    output:
        profiles="results/corpus/story_text.npz",
    log:
        "results/logs/story_text.log",
    benchmark:
        "results/benchmarks/story_text.tsv"
    conda:
        "../envs/framelens.yaml"
    threads: 2  # its two TF-IDF views side by side (framelens/workers.py)
    script:
        "../scripts/story_text.py"


# Within events: the scalable counterpart of doc_similarity.csv, one doc_pairs_shard job
# per event shard (config event_shards), gathered by doc_pairs.
rule doc_pairs_shard:
    input:
        sentences=rules.ingest.output.sentences,
        vectors=rules.embed.output.vectors,
        story_profiles=(
            rules.story_text.output.profiles
            if config["similarity"]["doc_method"] == "story"
            else []
        ),
        events=rules.events.output.events,
    output:
        table="results/{model}/event_shards/{shard}/doc_pairs.parquet",
    log:
        "results/logs/doc_pairs_shard/{model}-{shard}.log",
    benchmark:
        "results/benchmarks/doc_pairs_shard/{model}-{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../envs/framelens.yaml"
    resources:
        mem_mb=shard_mem_mb(1500, 1500),
    params:
        similarity=config["similarity"],
        shards=EVENT_SHARDS,
    script:
        "../scripts/doc_pairs_shard.py"


rule doc_pairs:
    input:
        parts=event_parts("doc_pairs_shard", "table"),
    output:
        table="results/{model}/doc_pairs.parquet",
    log:
        "results/logs/doc_pairs/{model}.log",
    benchmark:
        "results/benchmarks/doc_pairs/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/doc_pairs.py"


rule plot_doc_similarity:
    input:
        table=rules.doc_similarity.output.table,
        documents=rules.ingest.output.documents,
        embedding=rules.embed.output.stats,
    output:
        figure=report(
            "results/{model}/figures/doc_similarity.png",
            caption="../report/doc_similarity.rst",
            category="Document similarity",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "clustered heatmap"},
        ),
    log:
        "results/logs/plot_doc_similarity/{model}.log",
    conda:
        "../envs/framelens.yaml"
    params:
        method=config["similarity"]["doc_method"],
    script:
        "../scripts/plot_doc_similarity.py"
