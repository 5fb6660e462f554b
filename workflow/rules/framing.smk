# Framing: leads, quotes and speakers, distinctive vocabulary, disputed figures; figures.
# Steps: framelens/steps/framing.py, one function per rule, named after it.


rule framing:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        events=rules.events.output.events,
        claims=rules.claims.output.claims,
        summary=rules.claims.output.summary,
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
        lead_sentences=config["coverage"]["lead_sentences"],
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
