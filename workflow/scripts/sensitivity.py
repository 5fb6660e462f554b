"""Rule sensitivity: one model's vectors -> headline numbers as the thresholds move."""

from framelens.settings import Thresholds
from framelens.steps import run_logged
from framelens.steps.compare import sensitivity

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        sensitivity,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        thresholds=Thresholds.from_config(
            snakemake.params.alignment, snakemake.params.paraphrase_threshold
        ),
        candidates=snakemake.params.alignment["candidates"],
        claim_threshold=snakemake.params.claim_threshold,
        offsets=snakemake.params.offsets,
        max_sentences=snakemake.params.max_sentences,
        random_state=snakemake.params.random_state,
        table=snakemake.output.table,
    )
