"""Rule plot_model_agreement: agreement table -> model x model heatmaps (PNG)."""

from framelens.steps import run_logged
from framelens.steps.compare import plot_model_agreement

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_model_agreement,
        agreement=snakemake.input.agreement,
        models=list(snakemake.params.models),
        figure=snakemake.output.figure,
    )
