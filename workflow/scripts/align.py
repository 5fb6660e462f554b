"""Rule align: sentence vectors -> cross-document sentence pairs with their relation."""

from framelens.steps import run_logged
from framelens.steps.align import align

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        align,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        alignment=snakemake.params.alignment,
        paraphrase_threshold=snakemake.params.paraphrase_threshold,
        alignments=snakemake.output.alignments,
    )
