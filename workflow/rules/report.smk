rule provenance:
    input:
        unpack(corpus_inputs),
        embeddings=all_embedding_stats,
    output:
        provenance=report(
            "results/provenance.json",
            caption="../report/provenance.rst",
            category="Provenance",
        ),
    params:
        config=config,
    conda:
        "../envs/framelens.yaml"
    log:
        "results/logs/provenance.log",
    script:
        "../scripts/provenance.py"
