"""Rule claims: the event shards' parts -> claims, summary, outlet x claim coverage."""

from framelens.steps import run_logged
from framelens.steps.claims import claims

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        claims,
        claim_parts=list(snakemake.input.claims),
        summary_parts=list(snakemake.input.summary),
        coverage_parts=list(snakemake.input.coverage),
        claims=snakemake.output.claims,
        summary=snakemake.output.summary,
        coverage=snakemake.output.coverage,
        outlets=snakemake.output.outlets,
    )
