"""Rule plot_outlet_overlap: outlet overlap table -> directional heatmap (PNG)."""

from framelens.pipeline import overlap_heatmap_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        overlap_heatmap_step,
        overlap=snakemake.input.overlap,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        figure=snakemake.output.figure,
    )
