"""Rule align: the event shards' aligned pairs -> one alignments table."""

from framelens.steps import run_logged
from framelens.steps.align import align

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        align,
        parts=list(snakemake.input.parts),
        alignments=snakemake.output.alignments,
    )
