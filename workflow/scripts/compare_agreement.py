"""Rule model_agreement: every model's outputs -> agreement per model pair, significance."""

from framelens.compare import agreement_step
from framelens.pipeline import run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        agreement_step,
        models=list(snakemake.params.models),
        embeddings=list(snakemake.input.embeddings),
        doc_similarity=list(snakemake.input.doc_similarity),
        claims=list(snakemake.input.claims),
        alignments=list(snakemake.input.alignments),
        overlaps=list(snakemake.input.overlaps),
        agreement=snakemake.output.agreement,
        significance=snakemake.output.significance,
    )
