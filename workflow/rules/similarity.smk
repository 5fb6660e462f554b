rule doc_similarity:
    input:
        sentences=rules.ingest.output.sentences,
        vectors=rules.embed.output.vectors,
    output:
        table="results/{model}/doc_similarity.csv",
    params:
        similarity=config["similarity"],
    conda:
        "../envs/framelens.yaml"
    log:
        "results/logs/doc_similarity/{model}.log",
    benchmark:
        "results/benchmarks/doc_similarity/{model}.tsv"
    script:
        "../scripts/doc_similarity.py"


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
    params:
        method=config["similarity"]["doc_method"],
    conda:
        "../envs/framelens.yaml"
    log:
        "results/logs/plot_doc_similarity/{model}.log",
    script:
        "../scripts/plot_doc_similarity.py"
