"""The settings of the analysis stages: dataclasses built from the validated config
(``from_config``) and changed with :func:`dataclasses.replace`, their defaults read from the
schema (:mod:`framelens.schema`), never written here.

Each checks the constraints that a JSON schema cannot express (``rewrite <= rewrite_alone``,
``names + words <= 1``) and raises :class:`~framelens.errors.ConfigError` naming the key.
:func:`check_settings` builds every one of them from a config, so that
:func:`framelens.config.validate_config` stops a bad value before any job runs.

This module imports no numerical library (like :mod:`framelens.steps.dag`): the job graph
and the workflow scripts build settings without loading the stages' logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from framelens.basics.evidence import DEFAULT_WEIGHTS, EvidenceWeights
from framelens.errors import ConfigError
from framelens.schema import defaults, model_defaults

# ------------------------------------------------------------------ document similarity


class DocMethod(StrEnum):
    """Document similarity measures."""

    STORY = "story"
    BEST_MATCH = "best_match"
    MEAN_VECTOR = "mean_vector"

    @classmethod
    def parse(cls, value: str) -> DocMethod:
        """Parse a config value; a bad one raises ConfigError listing the valid values."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ConfigError(f"similarity.doc_method: {value!r} is not one of: {valid}") from None


@dataclass(frozen=True)
class StorySettings:
    """Weights of the ``story`` measure (config ``similarity.story``).

    ``names`` and ``words`` weigh the two lexical cosines; the model's cosine weighs
    the rest, ``1 - names - words``. ``lead_decay`` sets how fast sentence weights fall
    with position: sentence ``i`` weighs ``1 / (1 + i / lead_decay)``.
    """

    lead_decay: float = defaults("similarity")["story"]["lead_decay"]
    names: float = defaults("similarity")["story"]["names"]
    words: float = defaults("similarity")["story"]["words"]

    def __post_init__(self) -> None:
        if self.lead_decay <= 0:
            raise ConfigError(f"similarity.story.lead_decay: {self.lead_decay} is not > 0")
        for name in ("names", "words"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(
                    f"similarity.story.{name}: {getattr(self, name)} is outside [0, 1]"
                )
        if self.names + self.words > 1.0:
            raise ConfigError(
                f"similarity.story: names + words is {self.names + self.words:g}, above 1"
            )

    @property
    def model(self) -> float:
        """Weight of the model's cosine."""
        return 1.0 - self.names - self.words

    @classmethod
    def from_config(cls, similarity: dict[str, Any]) -> StorySettings:
        """From the config's ``similarity`` section (defaults for missing keys)."""
        return cls(**similarity.get("story", {}))


# --------------------------------------------------------------------------- alignment


@dataclass(frozen=True)
class Thresholds:
    """Where the relations of :mod:`framelens.align` begin (see its docstring).

    ``paraphrase`` is a cosine under the model, so it is set per model; the
    others are lexical and hold for every model.
    """

    verbatim: float = defaults("alignment")["verbatim"]
    rewrite_alone: float = defaults("alignment")["rewrite_alone"]
    rewrite: float = defaults("alignment")["rewrite"]
    min_shared: int = defaults("alignment")["min_shared"]
    paraphrase: float = model_defaults()["paraphrase_threshold"]
    evidence: EvidenceWeights = DEFAULT_WEIGHTS

    @classmethod
    def from_config(cls, alignment: dict, paraphrase: float) -> Thresholds:
        """The thresholds of config ``alignment`` with one model's ``paraphrase_threshold``
        (``alignment.evidence`` when given, else :data:`DEFAULT_WEIGHTS`)."""
        weights = alignment.get("evidence")
        return cls(
            verbatim=alignment["verbatim"],
            rewrite_alone=alignment["rewrite_alone"],
            rewrite=alignment["rewrite"],
            min_shared=alignment["min_shared"],
            paraphrase=paraphrase,
            evidence=EvidenceWeights(**weights) if weights else DEFAULT_WEIGHTS,
        )

    def __post_init__(self) -> None:
        if not isinstance(self.evidence, EvidenceWeights):  # e.g. a list from a JSON report
            object.__setattr__(self, "evidence", EvidenceWeights(*self.evidence))
        self.evidence.check()
        for name in ("verbatim", "rewrite_alone", "rewrite", "paraphrase"):
            value = getattr(self, name)
            if not -1.0 <= value <= 1.0:
                raise ConfigError(f"alignment.{name}: {value} is outside [-1, 1]")
        if not self.rewrite <= self.rewrite_alone <= self.verbatim:
            raise ConfigError(
                "alignment: expected rewrite <= rewrite_alone <= verbatim, got "
                f"{self.rewrite}, {self.rewrite_alone}, {self.verbatim}"
            )
        if self.min_shared < 1:
            raise ConfigError(f"alignment.min_shared: {self.min_shared} is below 1")


# ------------------------------------------------------------------------------ events


@dataclass(frozen=True)
class EventSettings:
    """How :mod:`framelens.events` clusters articles into events (see its docstring)."""

    min_similarity: float = model_defaults()["event_threshold"]
    max_days_apart: int = defaults("events")["max_days_apart"]
    neighbours: int = defaults("events")["neighbours"]
    lead_sentences: int = defaults("events")["lead_sentences"]

    @classmethod
    def from_config(cls, events: dict[str, Any], event_threshold: float) -> EventSettings:
        """From the config's ``events`` section and one model's ``event_threshold``."""
        return cls(
            min_similarity=event_threshold,
            max_days_apart=events["max_days_apart"],
            neighbours=events["neighbours"],
            lead_sentences=events["lead_sentences"],
        )


# ---------------------------------------------------------------------------- checking


def check_settings(config: dict[str, Any]) -> None:
    """Build every stage's settings from a validated ``config`` (defaults filled), for
    every configured model; a value they refuse raises ConfigError naming its key."""
    DocMethod.parse(config["similarity"]["doc_method"])
    StorySettings.from_config(config["similarity"])
    for key, entry in config["models"].items():
        try:
            Thresholds.from_config(config["alignment"], entry["paraphrase_threshold"])
            EventSettings.from_config(config["events"], entry["event_threshold"])
        except ConfigError as error:
            raise ConfigError(f"{error} (with models.{key})") from None
