"""Comparing models, and how firm the headline findings are.

Four questions, each answered from the per-model outputs of one run, one module each:

- **Do the models agree?** :mod:`framelens.compare.agreement`: for every pair of
  models, the Spearman correlation of their document-similarity matrices, the adjusted
  Rand index of their claim clusterings, the Jaccard index of their aligned sentence
  pairs and Kendall's tau of their outlet-overlap ``reuse_share``
  (:func:`agreement_table`, over :class:`ModelOutputs`).
- **Is the headline reuse finding significant?** :mod:`framelens.compare.significance`:
  each model's permutation p-values for the outlet pairs with the most reuse
  (:func:`significance_table`), and in words whether the top one holds under every
  neural model (:func:`significance_sentence`).
- **How much do the numbers depend on the thresholds?**
  :mod:`framelens.compare.sensitivity`: :func:`sensitivity_table` reruns alignment,
  outlet overlap and claim clustering on a model's vectors with each main threshold
  moved around its configured value, one at a time.
- **What exactly was each model?** :mod:`framelens.compare.cards`: :func:`model_card`
  collects its identity, truncation, speed on this run and, when configured, its STS-B
  Spearman.

Stages composed here. A comparison across models and settings necessarily reruns
stages, so this package calls sibling stages rather than leaving that to the step layer:
:mod:`~framelens.compare.sensitivity` re-aligns
(:func:`framelens.align.align_corpus` with :class:`framelens.align.Thresholds`),
recomputes outlet overlap (:func:`framelens.overlap.outlet_overlap`,
:func:`framelens.overlap.outlet_keys`) and re-clusters claims
(:func:`framelens.claims.cluster_claims`) under each moved threshold, on the content
sentences of :func:`framelens.basics.tables.content_mask`; :mod:`~framelens.compare.cards`
embeds the STS-B pairs (:func:`framelens.embed.embed_texts`,
:func:`framelens.basics.similarity.l2_normalise`). The agreement and significance measures only
read stage constants (:data:`framelens.align.REUSE`,
:data:`framelens.overlap.SIGNIFICANCE_LEVEL`). The workflow's compare rules
(``workflow/rules/compare.smk``) run these through the steps of
:mod:`framelens.steps.compare`.
"""

from framelens.compare.agreement import (
    ModelOutputs,
    agreement_table,
    alignment_jaccard,
    claims_ari,
    doc_similarity_spearman,
    overlap_kendall_tau,
    read_table,
)
from framelens.compare.cards import model_card, read_sts, stsb_spearman
from framelens.compare.sensitivity import sample_events, sensitivity_table
from framelens.compare.significance import (
    headline_pairs,
    significance_sentence,
    significance_table,
)

__all__ = [
    "ModelOutputs",
    "agreement_table",
    "alignment_jaccard",
    "claims_ari",
    "doc_similarity_spearman",
    "headline_pairs",
    "model_card",
    "overlap_kendall_tau",
    "read_sts",
    "read_table",
    "sample_events",
    "sensitivity_table",
    "significance_sentence",
    "significance_table",
    "stsb_spearman",
]
