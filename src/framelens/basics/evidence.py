"""Evidence that two sentences of one event state the same fact, beyond their cosine.

A single cosine cannot tell "the same fact in other words" from "another claim
about the same event": both are on one topic. A careful reader also looks at

- the *anchors* the two sentences share: rare names, numbers and dates, weighted
  by their inverse frequency among the event's sentences
  (:func:`framelens.basics.tokens.anchors`, :func:`anchor_idf`, :func:`anchor_overlap`);
- numbers that *contradict*: the same unit with different numbers ("5 people" and
  "7 people", "40%" and "25%", "in 2008" and "in 2011": :func:`contradicts` of two
  sentences' :func:`framelens.basics.tokens.quantities`);
- whether each sentence is the other's best candidate in the other article
  (*mutual best match*: the pair's cosine beats each sentence's runner-up in the
  other article). Only the fact enters the score, not the margin by which it
  holds: margins depend on how many rivals an article holds, which the
  calibration cannot make realistic, while ranks do not.

:func:`evidence_score` combines them in one small logistic model::

    p = sigmoid(b + w_cos * (cos - paraphrase_threshold) + w_mutual * mutual_best
                + w_anchor * anchor_overlap - w_contra * contradiction)

The cosine enters relative to the model's own ``paraphrase_threshold`` (each
model has its own cosine scale), so one set of weights serves every model. The
weights (:data:`DEFAULT_WEIGHTS`, config ``alignment.evidence``) were fitted by
``bench/paraphrase.py`` on STS-B news pairs planted into real ECB+ article pairs
of one event; see that module for what the planting can and cannot make
realistic (position in the article and the neighbours' alignment cannot, so
they are not in the score).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from framelens.errors import ConfigError
from framelens.schema import defaults

# --------------------------------------------------------------------- shared anchors, numbers


def anchor_overlap(a: set[str], b: set[str], idf: dict[str, float]) -> float:
    """IDF-weighted containment of the smaller anchor set in the other (0 if none).

    Names every sentence of the event carries (Kosovo, NATO) weigh little; a
    shared rare date or name weighs much.
    """
    return shared_anchor_weight(a, b, anchor_weight(a, idf), anchor_weight(b, idf), idf)


def anchor_weight(anchors_of: set[str], idf: dict[str, float]) -> float:
    """The summed IDF of one sentence's anchors."""
    # fsum: exact whatever the order, and set order changes with each process's hash seed
    return math.fsum(idf[t] for t in anchors_of)


def shared_anchor_weight(
    a: set[str], b: set[str], weight_a: float, weight_b: float, idf: dict[str, float]
) -> float:
    """:func:`anchor_overlap` of two anchor sets whose :func:`anchor_weight` is known
    (alignment weighs each sentence once, however many candidates it has); 0 when either
    has none (its weight is 0, or nothing is shared)."""
    smaller = min(weight_a, weight_b)
    return math.fsum(idf[t] for t in a & b) / smaller if smaller > 0 else 0.0


class EventAnchors:
    """The anchors and numbers of one event's sentences, with the anchor IDF over them and
    each sentence's :func:`anchor_weight`, for comparing pair after pair (alignment's
    candidates, claims' neighbour edges). Each distinct text is analysed once."""

    def __init__(self, texts: list[str]) -> None:
        # here, not at the top: framelens.settings reads the weights, and the tokens module
        # imports scikit-learn's stop words (the job graph imports nothing heavy)
        from framelens.basics.tokens import anchors, per_text, quantities

        self.sets = list(map(per_text(anchors), texts))
        self.idf = anchor_idf(self.sets)
        self.weights = [anchor_weight(a, self.idf) for a in self.sets]  # once per sentence
        self.amounts = list(map(per_text(quantities), texts))

    def overlap(self, i: int, j: int) -> float:
        """:func:`anchor_overlap` of sentences ``i`` and ``j``."""
        a, b = self.sets, self.weights
        return shared_anchor_weight(a[i], a[j], b[i], b[j], self.idf)

    def contradiction(self, i: int, j: int) -> bool:
        """:func:`contradicts` of sentences ``i`` and ``j``."""
        return contradicts(self.amounts[i], self.amounts[j])


def anchor_idf(anchor_sets: list[set[str]]) -> dict[str, float]:
    """Inverse document frequency of each anchor over the sentences of one event."""
    counts: dict[str, int] = {}
    for anchors_of in anchor_sets:
        for t in anchors_of:
            counts[t] = counts.get(t, 0) + 1
    n = len(anchor_sets)
    return {t: math.log(n / c) for t, c in counts.items()}


def contradicts(a: dict[str, set[float]], b: dict[str, set[float]]) -> bool:
    """Whether two sentences give different numbers for one unit (and no common one):
    "5 people were killed" against "7 people died"."""
    return any(unit in b and not (values & b[unit]) for unit, values in a.items())


# --------------------------------------------------------------------------- the score


class EvidenceWeights(NamedTuple):
    """Weights of :func:`evidence_score` (config ``alignment.evidence``).

    ``cut`` is the probability from which an aligned candidate without shared
    wording is a paraphrase; ``link`` the probability from which such a paraphrase
    is a strong link of claims (even odds: the same claim is likelier than not);
    ``floor`` how far below the model's ``paraphrase_threshold`` a candidate's
    cosine may be and still be scored. (A named tuple: immutable, and it travels
    in JSON reports as a plain list.)
    """

    intercept: float
    cosine: float
    mutual: float
    anchor: float
    contradiction: float
    cut: float
    floor: float
    link: float = 0.5

    def check(self) -> EvidenceWeights:
        """The weights, after raising ConfigError on a value out of range."""
        if not 0.0 < self.cut < 1.0:
            raise ConfigError(f"alignment.evidence.cut: {self.cut} is outside (0, 1)")
        if not self.cut <= self.link < 1.0:
            raise ConfigError(f"alignment.evidence.link: {self.link} is outside [cut, 1)")
        if not 0.0 <= self.floor <= 1.0:
            raise ConfigError(f"alignment.evidence.floor: {self.floor} is outside [0, 1]")
        return self


# Fitted by bench/paraphrase.py (see README "Alignment"); the values are the schema's
# defaults of config alignment.evidence.
DEFAULT_WEIGHTS = EvidenceWeights(**defaults("alignment")["evidence"])


def evidence_logit(
    cosine: float,
    mutual: bool,
    anchor: float,
    contradiction: bool,
    paraphrase: float,
    weights: EvidenceWeights,
) -> float:
    """The linear part of :func:`evidence_score`."""
    return (
        weights.intercept
        + weights.cosine * (cosine - paraphrase)
        + weights.mutual * float(mutual)
        + weights.anchor * anchor
        - weights.contradiction * float(contradiction)
    )


def evidence_score(
    cosine: float,
    mutual: bool,
    anchor: float,
    contradiction: bool,
    paraphrase: float,
    weights: EvidenceWeights = DEFAULT_WEIGHTS,
) -> float:
    """Probability that a candidate pair states the same fact (module docstring).

    ``mutual``: each sentence is the other's best candidate in the other article.
    """
    z = evidence_logit(cosine, mutual, anchor, contradiction, paraphrase, weights)
    return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))
