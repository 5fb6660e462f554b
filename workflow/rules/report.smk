# The report: what `snakemake --report` shows beside the results. The figures and tables
# register themselves in it from their own stage (report(...) outputs); this stage adds the
# record of the run itself: config, model identities, package versions, corpus hash.
# Steps: framelens/steps/report.py, one function per rule, named after it.


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
    log:
        "results/logs/provenance.log",
    conda:
        "../envs/framelens.yaml"
    params:
        config=config,
    script:
        "../scripts/provenance.py"
