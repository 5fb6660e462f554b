"""Rule embed: the shards' vectors -> sentence vectors of one model (TF-IDF: fitted here)."""

from framelens.steps import run_logged
from framelens.steps.embed import embed

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        embed,
        sentences=snakemake.input.sentences,
        model_key=snakemake.wildcards.model,
        model_entry=snakemake.params.model,
        device=snakemake.params.device,
        dtype=snakemake.params.dtype,
        shard_vectors=list(snakemake.input.shard_vectors),
        shard_stats=list(snakemake.input.shard_stats),
        vectors=snakemake.output.vectors,
        stats=snakemake.output.stats,
    )
