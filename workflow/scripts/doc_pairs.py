"""Rule doc_pairs: the event shards' parts -> similarity of document pairs within events."""

from framelens.steps import run_logged
from framelens.steps.similarity import doc_pairs

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        doc_pairs,
        parts=list(snakemake.input.parts),
        table=snakemake.output.table,
    )
