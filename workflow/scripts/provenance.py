"""Rule provenance: config, model identities, package versions, corpus hash."""

from framelens.steps import run_logged
from framelens.steps.report import provenance

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        provenance,
        config=snakemake.params.config,
        embeddings=list(snakemake.input.embeddings),
        provenance=snakemake.output.provenance,
    )
