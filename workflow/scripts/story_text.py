"""Rule story_text: the corpus -> the story measure's TF-IDF profiles of every document."""

from framelens.steps import run_logged
from framelens.steps.similarity import story_text

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        story_text,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        profiles=snakemake.output.profiles,
        workers=snakemake.threads,
    )
