"""Rule plot_sensitivity: sensitivity table -> line charts per threshold (PNG)."""

from framelens.compare import sensitivity_figure_step
from framelens.pipeline import run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        sensitivity_figure_step,
        table=snakemake.input.table,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        figure=snakemake.output.figure,
    )
