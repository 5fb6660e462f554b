"""Rule framing: the event shards' parts -> salience, quotes, speakers, vocabulary,
disputes."""

from framelens.steps import run_logged
from framelens.steps.framing import framing

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        framing,
        documents=snakemake.input.documents,
        salience_parts=list(snakemake.input.salience),
        quote_parts=list(snakemake.input.quotes),
        count_parts=list(snakemake.input.counts),
        disputed_parts=list(snakemake.input.disputed),
        vocabulary_top=snakemake.params.vocabulary_top,
        salience=snakemake.output.salience,
        quotes=snakemake.output.quotes,
        speakers=snakemake.output.speakers,
        vocabulary=snakemake.output.vocabulary,
        disputed=snakemake.output.disputed,
    )
