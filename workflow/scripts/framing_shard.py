"""Rule framing_shard: one event shard's claims and sentences -> salience, quotes, term
counts, disputed figures."""

from framelens.steps import run_logged
from framelens.steps.framing import framing_shard

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        framing_shard,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        events=snakemake.input.events,
        claims=snakemake.input.claims,
        summary=snakemake.input.summary,
        lead_sentences=snakemake.params.lead_sentences,
        shard=int(snakemake.wildcards.shard),
        shards=snakemake.params.shards,
        salience=snakemake.output.salience,
        quotes=snakemake.output.quotes,
        counts=snakemake.output.counts,
        disputed=snakemake.output.disputed,
        workers=snakemake.threads,
    )
