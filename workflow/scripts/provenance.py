"""Rule provenance: config, model identities, package versions, corpus hash."""

from framelens.pipeline import provenance_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        provenance_step,
        config=snakemake.params.config,
        embeddings=list(snakemake.input.embeddings),
        provenance=snakemake.output.provenance,
    )
