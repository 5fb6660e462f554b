"""Shared basics: the one layer that the stages of the analysis have in common.

The rule: **basics import nothing from stages; stages import basics, never each other.**

Stages are the modules of ``framelens/`` that compute one part of the analysis: ``corpus``
(ingest), ``embed``, ``events``, ``align``, ``claims``, ``coverage``, ``salience``,
``overlap``, ``similarity``, ``vocabulary`` and ``facts``. Each imports only

- infrastructure: ``errors``, ``io``, ``lookup``, ``schema``, ``config``, ``models``,
  ``sources``, ``text``, ``quotes`` and ``repeats`` (ingest's helper for site boilerplate
  and syndication), none of which needs a stage (``quotes.tables`` still reaches
  ``outlet_keys`` through ``framelens.overlap`` until its import moves here), and
- ``framelens.basics``.

What two stages both need lives here, once:

:mod:`framelens.basics.similarity`
    Vectors and how alike they are: the ``Matrix`` type, zero-safe L2 normalisation,
    ``cos_sim`` / ``pairwise_cos_sim`` (sentence-transformers' meanings), ``rowwise_dot``,
    document vectors, and ``blocked_topk``: the one blocked top-k nearest-neighbour
    search of alignment (every other document), claims (every other sentence of the
    event) and events (articles in the date window).
:mod:`framelens.basics.tokens`
    Tokenisers and word lists: ``WORD``/``word_tokens``, ``TOKEN``, ``fold``, ``word_set``,
    the stop-word lists (named variants, each with the reason it differs), and the
    names-and-numbers (``anchors``) and numbers-by-unit (``quantities``) of a sentence.
:mod:`framelens.basics.tables`
    Facts about the workflow's tables: ``content_mask``, ``outlet_keys``,
    ``UNATTRIBUTED``, the alignment relations (``Relation``, ``REUSE``),
    ``event_of_documents`` and ``sentence_positions``.
:mod:`framelens.basics.evidence`
    The evidence that two sentences state the same fact (anchor overlap, contradicting
    numbers, the fitted score and its weights), read by alignment and by claims.
:mod:`framelens.basics.linkage`
    Average linkage on sparse similarities, by which events and claims are both clustered.

Basics import only infrastructure (``errors``, ``schema``, ``sources.folder``) and each
other. Above the stages sit ``steps`` (one function per workflow rule) and ``compare``
(model comparison), which run stages and so may import them; plots draw stage outputs.

Exceptions to the rule: none. One stage keeps names it no longer owns, solely so that
callers above the stages (``steps/``, ``compare/``, ``plots/alignment_view.py``) keep
working until they import them from here: ``framelens.embed`` re-exports ``content_mask``
and ``l2_normalise`` (marked there). A stage still *uses* the basics it imports
(``framelens.align.REUSE``, ``framelens.overlap.outlet_keys``), so those names stay
reachable there as well; new code imports them from ``framelens.basics``.
"""
