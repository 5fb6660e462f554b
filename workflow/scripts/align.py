"""Rule align: sentence vectors -> cross-document sentence pairs with their relation."""

from framelens.pipeline import align_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        align_step,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        alignment=snakemake.params.alignment,
        paraphrase_threshold=snakemake.params.paraphrase_threshold,
        alignments=snakemake.output.alignments,
    )
