"""What the Snakefile needs from the package to build the job graph, and nothing heavy.

``workflow/rules/common.smk`` imports from here while Snakemake parses the workflow, on
every run and dry run, so this module imports no numerical library (pandas, NumPy, SciPy,
scikit-learn, torch): ``tests/test_steps.py`` checks it. Keep it that way: a name that
the job graph needs goes here, not into a module of logic.
"""

from __future__ import annotations

# The rules whose benchmark files (time, memory) each model card reports, besides the
# model's embed_shard jobs. doc_similarity stands for doc_pairs where a corpus is too
# large for the square matrix (common.smk, model_card_benchmarks).
CARD_RULES = ("embed", "doc_similarity", "events", "align", "outlet_overlap", "claims")
