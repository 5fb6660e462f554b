"""Rule model_card: embedding summary + benchmark files (+ STS-B) -> model_card.json."""

from framelens.steps import run_logged
from framelens.steps.compare import model_card

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        model_card,
        model_key=snakemake.wildcards.model,
        model_entry=snakemake.params.model,
        embedding=snakemake.input.embedding,
        benchmarks=list(snakemake.input.benchmarks),
        stsb=snakemake.input.get("stsb"),
        device=snakemake.params.device,
        cache_dir=snakemake.params.cache_dir,
        card=snakemake.output.card,
    )
