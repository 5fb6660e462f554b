"""Rule claims_shard: one event shard's sentences -> its claims, summary, coverage."""

from framelens.steps import run_logged
from framelens.steps.claims import claims_shard

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        claims_shard,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        alignments=snakemake.input.alignments,
        claim_threshold=snakemake.params.claim_threshold,
        evidence_link=snakemake.params.evidence_link,
        core_share=snakemake.params.coverage["core_share"],
        lead_sentences=snakemake.params.coverage["lead_sentences"],
        shard=int(snakemake.wildcards.shard),
        shards=snakemake.params.shards,
        claims=snakemake.output.claims,
        summary=snakemake.output.summary,
        coverage=snakemake.output.coverage,
        workers=snakemake.threads,
    )
