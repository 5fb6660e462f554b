rule events:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        vectors=rules.embed.output.vectors,
    output:
        events="results/{model}/events.csv",
    params:
        settings=config["events"],
        event_threshold=event_threshold,
    conda:
        "../envs/framelens.yaml"
    log:
        "results/logs/events/{model}.log",
    benchmark:
        "results/benchmarks/events/{model}.tsv"
    script:
        "../scripts/events.py"


# Document similarity within events: the scalable counterpart of doc_similarity.csv.
rule doc_pairs:
    input:
        sentences=rules.ingest.output.sentences,
        vectors=rules.embed.output.vectors,
        events=rules.events.output.events,
    output:
        table="results/{model}/doc_pairs.parquet",
    params:
        similarity=config["similarity"],
    conda:
        "../envs/framelens.yaml"
    log:
        "results/logs/doc_pairs/{model}.log",
    benchmark:
        "results/benchmarks/doc_pairs/{model}.tsv"
    script:
        "../scripts/doc_pairs.py"
