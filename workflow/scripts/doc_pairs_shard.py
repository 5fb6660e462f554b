"""Rule doc_pairs_shard: one event shard's vectors -> similarity of document pairs within
its events."""

from framelens.settings import DocMethod, StorySettings
from framelens.steps import run_logged
from framelens.steps.similarity import doc_pairs_shard

if __name__ == "__main__":
    run_logged(
        snakemake.log[0],
        doc_pairs_shard,
        sentences=snakemake.input.sentences,
        vectors=snakemake.input.vectors,
        story_profiles=snakemake.input.get("story_profiles") or None,
        events=snakemake.input.events,
        method=DocMethod.parse(snakemake.params.similarity["doc_method"]),
        story=StorySettings.from_config(snakemake.params.similarity),
        shard=int(snakemake.wildcards.shard),
        shards=snakemake.params.shards,
        table=snakemake.output.table,
    )
