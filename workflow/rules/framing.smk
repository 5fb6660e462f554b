# Framing: leads, quotes and speakers, distinctive vocabulary, disputed figures; figures.
# Steps: framelens/steps/framing.py, one function per rule, named after it.


rule framing_shard:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        events=rules.events.output.events,
        claims=rules.claims_shard.output.claims,
        summary=rules.claims_shard.output.summary,
    output:
        salience="results/{model}/event_shards/{shard}/salience.parquet",
        quotes="results/{model}/event_shards/{shard}/quotes.parquet",
        counts="results/{model}/event_shards/{shard}/term_counts.npz",
        disputed="results/{model}/event_shards/{shard}/disputed_facts.parquet",
    log:
        "results/logs/framing_shard/{model}-{shard}.log",
    benchmark:
        "results/benchmarks/framing_shard/{model}-{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../envs/framelens.yaml"
    threads: 2  # worker processes over its events (framelens/workers.py)
    resources:
        mem_mb=shard_mem_mb(3000, 1000),
    params:
        lead_sentences=config["coverage"]["lead_sentences"],
        shards=EVENT_SHARDS,
    script:
        "../scripts/framing_shard.py"


rule framing:
    input:
        documents=rules.ingest.output.documents,
        salience=event_parts("framing_shard", "salience"),
        quotes=event_parts("framing_shard", "quotes"),
        counts=event_parts("framing_shard", "counts"),
        disputed=event_parts("framing_shard", "disputed"),
    output:
        salience="results/{model}/salience.csv",
        quotes="results/{model}/quotes.csv",
        speakers="results/{model}/speakers.csv",
        vocabulary="results/{model}/vocabulary.csv",
        disputed=report(
            "results/{model}/disputed_facts.csv",
            caption="../report/disputed_facts.rst",
            category="Framing",
            subcategory="{model}",
            labels={"model": "{model}", "table": "disputed facts"},
        ),
    log:
        "results/logs/framing/{model}.log",
    benchmark:
        "results/benchmarks/framing/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    params:
        vocabulary_top=config["framing"]["vocabulary_top"],
    script:
        "../scripts/framing.py"


rule plot_framing:
    input:
        salience=rules.framing.output.salience,
        summary=rules.claims.output.summary,
        speakers=rules.framing.output.speakers,
        vocabulary=rules.framing.output.vocabulary,
        embedding=rules.embed.output.stats,
    output:
        leads=report(
            "results/{model}/figures/leads.png",
            caption="../report/leads.rst",
            category="Framing",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "what each outlet puts first"},
        ),
        speakers=report(
            "results/{model}/figures/speakers.png",
            caption="../report/speakers.rst",
            category="Framing",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "who is quoted"},
        ),
        vocabulary=report(
            "results/{model}/figures/vocabulary.png",
            caption="../report/vocabulary.rst",
            category="Framing",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "distinctive words"},
        ),
    log:
        "results/logs/plot_framing/{model}.log",
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/plot_framing.py"
