"""Rule doc_pairs: sentence vectors + events -> similarity of document pairs within events."""

from framelens.pipeline import doc_pairs_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        doc_pairs_step,
        sentences=snakemake.input.sentences,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        similarity=snakemake.params.similarity,
        table=snakemake.output.table,
    )
