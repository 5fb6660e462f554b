"""Rule align_shard: one event shard's sentence vectors -> its aligned sentence pairs."""

from framelens.settings import Thresholds
from framelens.steps import run_logged
from framelens.steps.align import align_shard

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        align_shard,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        thresholds=Thresholds.from_config(
            snakemake.params.alignment, snakemake.params.paraphrase_threshold
        ),
        candidates=snakemake.params.alignment["candidates"],
        shard=int(snakemake.wildcards.shard),
        shards=snakemake.params.shards,
        alignments=snakemake.output.alignments,
        workers=snakemake.threads,
    )
