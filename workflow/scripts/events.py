"""Rule events: articles -> events (from metadata, or clustered under one model)."""

from framelens.settings import EventSettings
from framelens.steps import run_logged
from framelens.steps.events import events

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        events,
        sentences=snakemake.input.sentences,
        documents=snakemake.input.documents,
        vectors=snakemake.input.vectors,
        settings=EventSettings.from_config(
            snakemake.params.settings, snakemake.params.event_threshold
        ),
        events=snakemake.output.events,
    )
