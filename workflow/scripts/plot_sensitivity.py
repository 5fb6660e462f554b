"""Rule plot_sensitivity: sensitivity table -> line charts per threshold (PNG)."""

from framelens.steps import run_logged
from framelens.steps.compare import plot_sensitivity

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_sensitivity,
        table=snakemake.input.table,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        figure=snakemake.output.figure,
    )
