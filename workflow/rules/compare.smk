# Comparing models: per-model threshold sensitivity and model cards, then cross-model
# agreement and the significance of the top reuse finding (results/models/).
# Steps: framelens/steps/compare.py, one function per rule, named after it.


rule sensitivity:
    input:
        sentences=rules.ingest.output.sentences,
        documents=rules.ingest.output.documents,
        vectors=rules.embed.output.vectors,
        events=rules.events.output.events,
    output:
        table="results/{model}/sensitivity.csv",
    log:
        "results/logs/sensitivity/{model}.log",
    benchmark:
        "results/benchmarks/sensitivity/{model}.tsv"
    conda:
        "../envs/framelens.yaml"
    params:
        alignment=config["alignment"],
        paraphrase_threshold=paraphrase_threshold,
        claim_threshold=claim_threshold,
        offsets=config["compare"]["sensitivity_offsets"],
        max_sentences=config["compare"]["sensitivity_max_sentences"],
        random_state=config["random_state"],
    script:
        "../scripts/sensitivity.py"


rule plot_sensitivity:
    input:
        table=rules.sensitivity.output.table,
        embedding=rules.embed.output.stats,
    output:
        figure=report(
            "results/{model}/figures/sensitivity.png",
            caption="../report/sensitivity.rst",
            category="Threshold sensitivity",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "threshold sensitivity"},
        ),
    log:
        "results/logs/plot_sensitivity/{model}.log",
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/plot_sensitivity.py"


rule model_card:
    input:
        unpack(stsb_input),
        embedding=rules.embed.output.stats,
        benchmarks=model_card_benchmarks,
    output:
        card=report(
            "results/{model}/model_card.json",
            caption="../report/model_card.rst",
            category="Model cards",
            subcategory="{model}",
            labels={"model": "{model}", "figure": "model card"},
        ),
    log:
        "results/logs/model_card/{model}.log",
    conda:
        "../envs/framelens.yaml"
    params:
        model=model_entry,
        stsb=config["compare"]["stsb"],
        device=config["device"],
        cache_dir=CACHE_DIR,
    script:
        "../scripts/model_card.py"


rule model_agreement:
    input:
        embeddings=expand(rules.embed.output.stats, model=MODELS),
        doc_similarity=doc_similarity_tables,
        claims=expand(rules.claims.output.claims, model=MODELS),
        alignments=expand(rules.align.output.alignments, model=MODELS),
        overlaps=expand(rules.outlet_overlap.output.overlap, model=MODELS),
    output:
        agreement="results/models/agreement.csv",
        significance="results/models/reuse_significance.csv",
    log:
        "results/logs/model_agreement.log",
    benchmark:
        "results/benchmarks/model_agreement.tsv"
    conda:
        "../envs/framelens.yaml"
    params:
        models=MODELS,
    script:
        "../scripts/model_agreement.py"


rule plot_model_agreement:
    input:
        agreement=rules.model_agreement.output.agreement,
    output:
        figure=report(
            "results/models/figures/agreement.png",
            caption="../report/agreement.rst",
            category="Model comparison",
            labels={"figure": "agreement between models"},
        ),
    log:
        "results/logs/plot_model_agreement.log",
    conda:
        "../envs/framelens.yaml"
    params:
        models=MODELS,
    script:
        "../scripts/plot_model_agreement.py"


rule plot_reuse_significance:
    input:
        significance=rules.model_agreement.output.significance,
    output:
        figure=report(
            "results/models/figures/reuse_significance.png",
            caption="../report/reuse_significance.rst",
            category="Outlet overlap",
            subcategory="all models",
            labels={
                "model": "all models",
                "figure": "significance of the top reuse pair",
            },
        ),
    log:
        "results/logs/plot_reuse_significance.log",
    conda:
        "../envs/framelens.yaml"
    script:
        "../scripts/plot_reuse_significance.py"
