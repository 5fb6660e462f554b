"""Rule doc_similarity: sentence vectors -> document x document similarity."""

from framelens.settings import DocMethod, StorySettings
from framelens.steps import run_logged
from framelens.steps.similarity import doc_similarity

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        doc_similarity,
        sentences=snakemake.input.sentences,
        vectors=snakemake.input.vectors,
        documents=snakemake.input.documents,
        method=DocMethod.parse(snakemake.params.similarity["doc_method"]),
        story=StorySettings.from_config(snakemake.params.similarity),
        table=snakemake.output.table,
    )
