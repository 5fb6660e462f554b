"""Rule embed_shard: sentences -> vectors of one shard of a model's unique texts (cached)."""

from framelens.steps import run_logged
from framelens.steps.embed import embed_shard

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        embed_shard,
        sentences=snakemake.input.sentences,
        model_key=snakemake.wildcards.model,
        model_entry=snakemake.params.model,
        device=snakemake.params.device,
        cache_dir=snakemake.params.cache_dir,
        shard=int(snakemake.wildcards.shard),
        n_shards=snakemake.params.shards,
        threads=snakemake.threads,
        vectors=snakemake.output.vectors,
        stats=snakemake.output.stats,
    )
