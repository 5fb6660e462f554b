"""Rule model_agreement: every model's outputs -> agreement per model pair, significance."""

from framelens.steps import run_logged
from framelens.steps.compare import model_agreement

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        model_agreement,
        models=list(snakemake.params.models),
        embeddings=list(snakemake.input.embeddings),
        doc_similarity=list(snakemake.input.doc_similarity),
        claims=list(snakemake.input.claims),
        alignments=list(snakemake.input.alignments),
        overlaps=list(snakemake.input.overlaps),
        agreement=snakemake.output.agreement,
        significance=snakemake.output.significance,
    )
