# Events: the articles of each model grouped into events (from metadata, or clustered).
# Steps: framelens/steps/events.py, one function per rule, named after it.


rule events:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        vectors=rules.embed.output.vectors,
    output:
        events="results/{model}/events.csv",
    log:
        "results/logs/events/{model}.log",
    benchmark:
        "results/benchmarks/events/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    params:
        settings=config["events"],
        event_threshold=event_threshold,
    script:
        "../scripts/events.py"
