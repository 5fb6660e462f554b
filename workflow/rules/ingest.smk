# Ingest: the corpus, in any format, into results/corpus/ (documents, sentences, report).
# Steps: framelens/steps/ingest.py, one function per rule, named after it.


rule ingest:
    input:
        unpack(corpus_inputs),
    output:
        documents="results/corpus/documents.parquet",
        sentences="results/corpus/sentences.parquet",
        report=report(
            "results/corpus/ingest_report.json",
            caption="../report/ingest_report.rst",
            category="Corpus",
        ),
    log:
        "results/logs/ingest.log",
    benchmark:
        "results/benchmarks/ingest.tsv"
    conda:
        "../envs/framelens.yaml"
    threads: 2  # worker processes over its articles (framelens/workers.py)
    params:
        corpus=config["corpus"],
        ingest=config["ingest"],
    script:
        "../scripts/ingest.py"
