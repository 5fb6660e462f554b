"""Rule plot_framing: framing tables -> lead claims, speakers, vocabulary figures."""

from framelens.steps import run_logged
from framelens.steps.framing import plot_framing

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        plot_framing,
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
