# framelens: how do news outlets frame the same events?
# Wiring only: the logic lives in the framelens package (src/framelens/). Each rule runs
# workflow/scripts/<rule>.py, which calls the step framelens.steps.<stage>.<rule>. One rules
# file per stage, each included after the stages it reads (a rule names rules.<name>).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


# The report's landing page (workflow/report/workflow.rst, with the run's findings once the
# explorer rule wrote them) is set in workflow/rules/explorer.smk.


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/embed.smk"
include: "workflow/rules/events.smk"
include: "workflow/rules/similarity.smk"
include: "workflow/rules/align.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/framing.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/explorer.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
