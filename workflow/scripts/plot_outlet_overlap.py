"""Rule plot_outlet_overlap: outlet overlap table -> directional heatmap (PNG)."""

from framelens.steps import run_logged
from framelens.steps.align import plot_outlet_overlap

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_outlet_overlap,
        overlap=snakemake.input.overlap,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        figure=snakemake.output.figure,
    )
