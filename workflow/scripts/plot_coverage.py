"""Rule plot_coverage: coverage -> coverage matrix and claim intersections (PNG)."""

from framelens.pipeline import coverage_figures_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        coverage_figures_step,
        coverage=snakemake.input.coverage,
        summary=snakemake.input.summary,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        matrices=list(snakemake.output.matrices),
        intersections=list(snakemake.output.intersections),
    )
