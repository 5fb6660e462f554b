"""The config schema as the one source of defaults.

``workflow/schemas/config.schema.yaml`` holds every config key's type, default and
description. Settings dataclasses take their field defaults from here
(:func:`defaults`, :func:`model_defaults`), so no default is written twice: change it in
the schema and code, config validation and ``config/README.md`` follow. Reading it needs
only PyYAML, so the workflow's job graph and light modules can use it.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def load_schema(path: str | Path = SCHEMA_PATH) -> dict[str, Any]:
    """The schema (read once per process and path; a fresh copy each call)."""
    return copy.deepcopy(_read_schema(str(path)))


@cache
def _read_schema(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def fill_defaults(config: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with every missing key set to its schema default (recursively)."""
    result = copy.deepcopy(config)
    for name, sub in schema.get("properties", {}).items():
        if name not in result and "default" in sub:
            result[name] = copy.deepcopy(sub["default"])
        if isinstance(result.get(name), dict):
            if sub.get("type") == "object" and "properties" in sub:
                result[name] = fill_defaults(result[name], sub)
            elif isinstance(sub.get("additionalProperties"), dict):
                result[name] = {
                    k: fill_defaults(v, sub["additionalProperties"]) if isinstance(v, dict) else v
                    for k, v in result[name].items()
                }
    return result


def defaults(section: str) -> dict[str, Any]:
    """The default values of one top-level config section (``"alignment"``, ``"events"``),
    nested sections filled too; a fresh copy each call."""
    return copy.deepcopy(_all_defaults()[section])


def default_value(key: str) -> Any:
    """The default of one top-level config value that is not a section
    (``"random_state"``, ``"device"``)."""
    return copy.deepcopy(_all_defaults()[key])


def model_defaults() -> dict[str, Any]:
    """The defaults of one entry under ``models:`` (thresholds, batch size, …)."""
    entry_schema = load_schema()["properties"]["models"]["additionalProperties"]
    return fill_defaults({}, entry_schema)


@cache
def _all_defaults() -> dict[str, Any]:
    return fill_defaults({}, load_schema())
