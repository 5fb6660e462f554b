"""Rule doc_similarity: sentence vectors -> document x document similarity."""

from framelens.pipeline import doc_similarity_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        doc_similarity_step,
        sentences=snakemake.input.sentences,
        vectors=snakemake.input.vectors,
        similarity=snakemake.params.similarity,
        table=snakemake.output.table,
    )
