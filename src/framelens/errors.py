"""User-facing errors: each names the file, row or config key at fault."""

from __future__ import annotations

from dataclasses import dataclass


class FramelensError(Exception):
    """An error a user can act on; its message is the whole story (no traceback needed)."""


class ConfigError(FramelensError):
    """A config key has a wrong value; the message names the key."""


class ModelError(FramelensError):
    """A configured model cannot be resolved or loaded."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is and what is wrong."""

    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        location = self.where if self.line is None else f"{self.where}, line {self.line}"
        return f"{location}: {self.message}"


class CorpusError(FramelensError):
    """The corpus cannot be ingested; carries one :class:`Problem` per fault found."""

    def __init__(self, folder: str, problems: list[Problem]) -> None:
        self.folder = folder
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"corpus {folder!r} has {len(problems)} {noun}:\n{lines}")
