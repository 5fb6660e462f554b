# Embedding in shards: each model's unique sentence texts are split into
# config["embedding"]["shards"] shards (framelens.embed.EmbeddingPlan: batches of the
# model's batch_size, dealt round robin), each embedded by one `embed_shard` job, and
# `embed` puts them together into results/{model}/sentence_vectors.npz and embedding.json.
# A model fitted on the corpus (kind tfidf) has no shard jobs: `embed` fits it.
# Steps: framelens/steps/embed.py, one function per rule, named after it.


rule embed_shard:
    input:
        sentences=rules.ingest.output.sentences,
    output:
        vectors="results/{model}/shards/{shard}.npz",
        stats="results/{model}/shards/{shard}.json",
    log:
        "results/logs/embed_shard/{model}-{shard}.log",
    benchmark:
        "results/benchmarks/embed_shard/{model}-{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../envs/framelens.yaml"
    threads: 2
    params:
        model=model_entry,
        device=config["device"],
        cache_dir=CACHE_DIR,
        shards=embedding_shards,
    script:
        "../scripts/embed_shard.py"


rule embed:
    input:
        sentences=rules.ingest.output.sentences,
        shard_vectors=shard_outputs("vectors"),
        shard_stats=shard_outputs("stats"),
    output:
        vectors="results/{model}/sentence_vectors.npz",
        stats="results/{model}/embedding.json",
    log:
        "results/logs/embed/{model}.log",
    benchmark:
        "results/benchmarks/embed/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    threads: 1
    params:
        model=model_entry,
        device=config["device"],
        shards=embedding_shards,
        dtype=config["embedding"]["dtype"],
    script:
        "../scripts/embed.py"
