"""Rule plot_model_agreement: agreement table -> model x model heatmaps (PNG)."""

from framelens.compare import agreement_figure_step
from framelens.pipeline import run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        agreement_figure_step,
        agreement=snakemake.input.agreement,
        models=list(snakemake.params.models),
        figure=snakemake.output.figure,
    )
