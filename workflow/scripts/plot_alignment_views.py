"""Rule plot_alignment_views: alignments -> side-by-side views of the top article pairs."""

from framelens.steps import run_logged
from framelens.steps.align import plot_alignment_views

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_alignment_views,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        alignments=snakemake.input.alignments,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        figures=list(snakemake.output.figures),
    )
