"""Rule ingest: corpus (folder, table, HTML pages or WARC) -> documents, sentences, report."""

from framelens.pipeline import ingest_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        ingest_step,
        corpus=snakemake.params.corpus,
        ingest=snakemake.params.ingest,
        documents=snakemake.output.documents,
        sentences=snakemake.output.sentences,
        report=snakemake.output.report,
    )
