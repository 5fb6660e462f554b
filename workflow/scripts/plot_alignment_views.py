"""Rule plot_alignment_views: alignments -> side-by-side views of the top article pairs."""

from framelens.pipeline import alignment_views_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        alignment_views_step,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        alignments=snakemake.input.alignments,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        figures=list(snakemake.output.figures),
    )
