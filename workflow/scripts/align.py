"""Rule align: sentence vectors -> cross-document sentence pairs with their relation."""

from framelens.settings import Thresholds
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
        thresholds=Thresholds.from_config(
            snakemake.params.alignment, snakemake.params.paraphrase_threshold
        ),
        candidates=snakemake.params.alignment["candidates"],
        alignments=snakemake.output.alignments,
    )
