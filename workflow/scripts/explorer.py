"""Rule explorer: every model's tables -> results/explorer/ and the report's landing page."""

from framelens.steps import run_logged
from framelens.steps.explorer import explorer

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        explorer,
        documents=snakemake.input.documents,
        sentences=snakemake.input.sentences,
        models=list(snakemake.params.models),
        alignments=list(snakemake.input.alignments),
        overlap=list(snakemake.input.overlap),
        events=list(snakemake.input.events),
        claims=list(snakemake.input.claims),
        summary=list(snakemake.input.summary),
        coverage=list(snakemake.input.coverage),
        outlet_coverage=list(snakemake.input.outlet_coverage),
        quotes=list(snakemake.input.quotes),
        disputed=list(snakemake.input.disputed),
        description=snakemake.params.description,
        explorer=snakemake.output.explorer,
        landing=snakemake.output.landing,
        workers=snakemake.threads,
    )
