"""Rule framing: claims and sentences -> salience, quotes, speakers, vocabulary, disputes."""

from framelens.steps import run_logged
from framelens.steps.framing import framing

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        framing,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        events=snakemake.input.events,
        claims=snakemake.input.claims,
        summary=snakemake.input.summary,
        lead_sentences=snakemake.params.lead_sentences,
        vocabulary_top=snakemake.params.vocabulary_top,
        salience=snakemake.output.salience,
        quotes=snakemake.output.quotes,
        speakers=snakemake.output.speakers,
        vocabulary=snakemake.output.vocabulary,
        disputed=snakemake.output.disputed,
    )
