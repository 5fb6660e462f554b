"""The step layer: what each rule of the workflow runs.

A rule goes ``workflow/rules/<stage>.smk`` -> ``workflow/scripts/<rule>.py`` -> the step
``framelens.steps.<stage>.<rule>`` -> the package's logic. The contract of a step:

- **One function per rule, named after the rule** (``ingest``, ``embed_shard``,
  ``doc_pairs``, ``plot_outlet_overlap``, ...), in the module of the rule's stage; the
  modules mirror the rule files one to one (``steps/align.py`` <-> ``align.smk``).
  A figure rule's step sits with the stage whose tables it draws, as the rule itself does
  (``plot_coverage`` in ``claims``), not in a ``figures`` module: a change to a stage's
  tables and to how they are drawn is then made in one module, and the rule file, the
  steps module and the figure's caption tell one story.
- **Keyword-only arguments**: the rule's inputs, its outputs (file paths, named as in the
  rule) and its settings, typed: a dataclass of :mod:`framelens.settings` (built by the
  script with ``from_config`` from the rule's ``params``) or a scalar. Two exceptions take
  config as it is: a model's entry (``model_entry``, which the step turns into a
  :class:`~framelens.models.ModelSpec`) and provenance, which records the whole config.
  Nothing positional, so a caller cannot swap an input for an output. Steps return
  ``None``: what they produce is files.
- **Read, call, write**: a step reads its input files, calls the logic of the package
  (:mod:`framelens.align`, :mod:`framelens.compare`, :mod:`framelens.plots`, ...) and
  writes every output atomically (:mod:`framelens.io`, :func:`_common.save_figure`), and
  logs a line of what it did. It has no logic of its own: what a figure shows, its title
  included, is decided in :mod:`framelens.plots`; what a table holds, in the logic.
- Heavy libraries a step needs only sometimes (matplotlib for a figure, a model for
  STS-B) are imported inside it, so the table steps of the same module do not load them.

``tests/test_steps.py`` checks the first two points for every rule.

Every script runs its step through :func:`run_logged`, which gives all steps the same
logging and error handling: a :class:`~framelens.errors.FramelensError` becomes one clear
message and exit status 1. The read helpers the steps share are in :mod:`._common`; what
the Snakefile needs to build the job graph is in :mod:`.dag`, which imports nothing heavy.

This module imports nothing but the standard library and :mod:`framelens.errors`, so that
importing :mod:`framelens.steps.dag` stays light.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from framelens.errors import FramelensError

log = logging.getLogger("framelens")


def run_logged(log_path: str | None, step: Callable[..., Any], **kwargs: Any) -> None:
    """Run ``step(**kwargs)`` with logging to ``log_path`` and stderr.

    A FramelensError is logged as one message (no traceback) and exits with 1.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        handlers=handlers,
        force=True,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        step(**kwargs)
    except FramelensError as error:
        log.error("%s", error)
        sys.exit(1)
