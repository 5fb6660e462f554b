rule embed:
    input:
        sentences=rules.ingest.output.sentences,
    output:
        vectors="results/{model}/sentence_vectors.npz",
        stats="results/{model}/embedding.json",
    params:
        model=model_entry,
        device=config["device"],
        cache_dir=CACHE_DIR,
    conda:
        "../envs/framelens.yaml"
    log:
        "results/logs/embed/{model}.log",
    benchmark:
        "results/benchmarks/embed/{model}.tsv"
    threads: 2
    script:
        "../scripts/embed.py"
