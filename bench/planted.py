"""A planted alignment set built from STS Benchmark sentences, with known relations.

Built at bench time from ``../shared/data/stsb`` (never copied into the project):

- ``verbatim``: a sentence and its exact copy (half with spacing or final
  punctuation changed, which the lexical score ignores);
- ``rewrite``: a sentence and a trimmed copy (20-40% of its words cut from
  the start or the end) or a reordered copy (clauses swapped at a comma or
  conjunction near the middle, else at a word near the middle);
- ``paraphrase``: STS-B pairs that annotators scored >= 4 (same meaning);
- ``none``: STS-B pairs scored <= 2: unrelated, or on one topic but saying
  different things, as two sentences about one news event often are.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

NONE_MAX = 2.0  # "not equivalent": same topic at most, as in one news event
CLAUSE = re.compile(r",\s+|\s+(?:and|but|while|as|after|before|because)\s+")


@dataclass(frozen=True)
class StsPair:
    """One STS Benchmark row."""

    genre: str
    score: float
    a: str
    b: str


@dataclass(frozen=True)
class PlantedPair:
    """A sentence pair and the relation it was built to have."""

    a: str
    b: str
    relation: str  # verbatim | rewrite | paraphrase | none
    how: str


def read_stsb(path: Path) -> list[StsPair]:
    """Read an STS-B split: tab-separated, no quoting (sentences hold stray quotes)."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 7:
            pairs.append(StsPair(fields[0], float(fields[4]), fields[5].strip(), fields[6].strip()))
    return pairs


def verbatim_copy(sentence: str, rng: random.Random) -> str:
    """The same words; half the time with spacing or final punctuation changed."""
    if rng.random() < 0.5:
        return sentence
    return sentence.rstrip(".!?") if sentence[-1:] in ".!?" else sentence.replace(" ", "  ", 1)


def trimmed_copy(sentence: str, rng: random.Random) -> str:
    """Cut 20-40% of the words from the start or the end."""
    words = sentence.split()
    cut = max(1, round(len(words) * rng.uniform(0.2, 0.4)))
    kept = words[cut:] if rng.random() < 0.5 else words[:-cut]
    return " ".join(kept)


def reordered_copy(sentence: str, rng: random.Random) -> str:
    """Swap the two halves at the clause boundary nearest the middle (else a word)."""
    middle = len(sentence) / 2
    splits = [m for m in CLAUSE.finditer(sentence) if 0.2 < m.start() / len(sentence) < 0.8]
    if splits:
        m = min(splits, key=lambda m: abs(m.start() - middle))
        first, second = sentence[: m.start()], sentence[m.end() :]
    else:
        words = sentence.split()
        cut = rng.randint(len(words) // 3, 2 * len(words) // 3)
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
    return f"{second.rstrip('.!?')}, {first[0].lower()}{first[1:]}."


def planted_set(stsb: list[StsPair], *, per_class: int, seed: int) -> list[PlantedPair]:
    """A balanced planted set: ``per_class`` pairs of each relation (fewer if STS-B lacks them)."""
    rng = random.Random(seed)
    sources = sorted({s for p in stsb for s in (p.a, p.b) if len(s.split()) >= 8})
    rng.shuffle(sources)
    derived = [
        PlantedPair(s, verbatim_copy(s, rng), "verbatim", "copy") for s in sources[:per_class]
    ]
    for i, s in enumerate(sources[per_class : 3 * per_class]):
        how = "trimmed" if i % 2 == 0 else "reordered"
        copy = trimmed_copy(s, rng) if how == "trimmed" else reordered_copy(s, rng)
        derived.append(PlantedPair(s, copy, "rewrite", how))
    derived = [p for p in derived if p.relation != "rewrite" or len(p.b.split()) >= 4]
    same = [p for p in stsb if p.score >= 4.0]
    other = [p for p in stsb if p.score <= NONE_MAX]
    rng.shuffle(same)
    rng.shuffle(other)
    rewrites = [p for p in derived if p.relation == "rewrite"][:per_class]
    return (
        [p for p in derived if p.relation == "verbatim"]
        + rewrites
        + [PlantedPair(p.a, p.b, "paraphrase", f"stsb {p.score:.1f}") for p in same[:per_class]]
        + [PlantedPair(p.a, p.b, "none", f"stsb {p.score:.1f}") for p in other[:per_class]]
    )
