"""Rule plot_framing: framing tables -> lead claims, speakers, vocabulary figures."""

from framelens.pipeline import framing_figures_step, run_logged

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        framing_figures_step,
        salience=snakemake.input.salience,
        summary=snakemake.input.summary,
        speakers=snakemake.input.speakers,
        vocabulary=snakemake.input.vocabulary,
        embedding=snakemake.input.embedding,
        model_key=snakemake.wildcards.model,
        leads=snakemake.output.leads,
        speaker_figure=snakemake.output.speakers,
        vocabulary_figure=snakemake.output.vocabulary,
    )
