"""Rule outlet_overlap: alignments -> outlet overlap with intervals and p-values, sources."""

from framelens.steps import run_logged
from framelens.steps.align import outlet_overlap

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        outlet_overlap,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        events=snakemake.input.events,
        alignments=snakemake.input.alignments,
        bootstrap=snakemake.params.bootstrap,
        confidence=snakemake.params.confidence,
        permutations=snakemake.params.permutations,
        random_state=snakemake.params.random_state,
        syndication=snakemake.params.syndication,
        overlap=snakemake.output.overlap,
        sources=snakemake.output.sources,
        workers=snakemake.threads,
    )
