"""Rule plot_coverage: coverage -> coverage matrix and claim intersections (PNG)."""

from framelens.steps import run_logged
from framelens.steps.claims import plot_coverage

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_coverage,
        coverage=snakemake.input.coverage,
        summary=snakemake.input.summary,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        matrices=list(snakemake.output.matrices),
        intersections=list(snakemake.output.intersections),
    )
