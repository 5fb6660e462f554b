"""Rule plot_doc_similarity: similarity table -> clustered heatmap (PNG)."""

from framelens.pipeline import heatmap_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        heatmap_step,
        table=snakemake.input.table,
        documents=snakemake.input.documents,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        method=snakemake.params.method,
        figure=snakemake.output.figure,
    )
