"""Rule ingest: corpus (folder, table, HTML pages or WARC) -> documents, sentences, report."""

from framelens.corpus import IngestSettings
from framelens.steps import run_logged
from framelens.steps.ingest import ingest

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        ingest,
        corpus=snakemake.params.corpus,
        settings=IngestSettings.from_config(snakemake.params.ingest),
        documents=snakemake.output.documents,
        sentences=snakemake.output.sentences,
        report=snakemake.output.report,
        workers=snakemake.threads,
    )
