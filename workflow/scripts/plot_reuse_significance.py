"""Rule plot_reuse_significance: p-values of the top reuse pairs -> chart with verdict."""

from framelens.steps import run_logged
from framelens.steps.compare import plot_reuse_significance

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_reuse_significance,
        significance=snakemake.input.significance,
        figure=snakemake.output.figure,
    )
