"""Rule doc_pairs: sentence vectors + events -> similarity of document pairs within events."""

from framelens.settings import DocMethod, StorySettings
from framelens.steps import run_logged
from framelens.steps.similarity import doc_pairs

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        doc_pairs,
        sentences=snakemake.input.sentences,
        vectors=snakemake.input.vectors,
        events=snakemake.input.events,
        method=DocMethod.parse(snakemake.params.similarity["doc_method"]),
        story=StorySettings.from_config(snakemake.params.similarity),
        table=snakemake.output.table,
    )
