"""Rule ingest: corpus folder -> documents, sentences, ingest report."""

from framelens.pipeline import ingest_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        ingest_step,
        corpus=snakemake.params.corpus,
        on_decode_error=snakemake.params.on_decode_error,
        documents=snakemake.output.documents,
        sentences=snakemake.output.sentences,
        report=snakemake.output.report,
    )
