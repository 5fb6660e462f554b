"""Rule embed: sentences -> sentence vectors of one model (cached by text)."""

from framelens.pipeline import embed_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        embed_step,
        sentences=snakemake.input.sentences,
        model_key=snakemake.wildcards.model,
        model_entry=snakemake.params.model,
        device=snakemake.params.device,
        cache_dir=snakemake.params.cache_dir,
        vectors=snakemake.output.vectors,
        stats=snakemake.output.stats,
    )
