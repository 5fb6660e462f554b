"""Rule plot_doc_similarity: similarity table -> clustered heatmap (PNG)."""

from framelens.steps import run_logged
from framelens.steps.similarity import plot_doc_similarity

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_doc_similarity,
        table=snakemake.input.table,
        documents=snakemake.input.documents,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        method=snakemake.params.method,
        figure=snakemake.output.figure,
    )
