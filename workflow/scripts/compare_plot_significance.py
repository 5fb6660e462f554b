"""Rule plot_reuse_significance: p-values of the top reuse pairs -> chart with verdict."""

from framelens.compare import significance_figure_step
from framelens.pipeline import run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        significance_figure_step,
        significance=snakemake.input.significance,
        figure=snakemake.output.figure,
    )
