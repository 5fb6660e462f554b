"""Configuration: validate against the JSON schema, fill defaults, check models and corpus.

The schema (``workflow/schemas/config.schema.yaml``, read by :mod:`framelens.schema`) is
the single source of types, defaults and descriptions; ``config/README.md`` documents the same keys
and a test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from framelens.errors import ConfigError
from framelens.models import ModelSpec, check_spec_resolvable
from framelens.schema import fill_defaults, load_schema
from framelens.settings import check_settings


def key_path(parts: Any) -> str:
    """Dotted config key from a jsonschema error path (``models.minilm.batch_size``)."""
    return ".".join(str(p) for p in parts) or "<top level>"


def schema_errors(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """One readable line per schema violation, each naming the config key."""
    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        where = key_path(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            extra = (
                sorted(set(error.instance) - set(allowed))
                if isinstance(error.instance, dict)
                else []
            )
            lines.append(f"config key {where}: unknown key(s) {extra}; allowed: {allowed}")
        elif "propertyNames" in error.schema_path and error.validator == "not":
            lines.append(
                f"config key {where}: {error.instance!r} is reserved for a results "
                "folder; choose another name"
            )
        elif "propertyNames" in error.schema_path:
            lines.append(
                f"config key {where}: name {error.instance!r} may only use letters, "
                "digits, '_', '-' and '.'"
            )
        else:
            lines.append(f"config key {where}: {error.message}")
    return lines


def validate_config(config: dict[str, Any], schema_path: str | Path) -> dict[str, Any]:
    """Check ``config`` and return it with defaults filled in.

    Raises :class:`ConfigError` listing every wrong key and value, and
    :class:`~framelens.errors.ModelError` for a model that cannot be found
    offline (the message lists what is available).
    """
    schema = load_schema(schema_path)
    errors = schema_errors(config, schema)
    if errors:
        raise ConfigError("invalid configuration:\n" + "\n".join(f"  - {e}" for e in errors))
    config = fill_defaults(config, schema)
    check_settings(config)
    for key, entry in config["models"].items():
        check_spec_resolvable(ModelSpec.from_config(key, entry))
    return config


def model_specs(config: dict[str, Any]) -> dict[str, ModelSpec]:
    """Validated specs of all configured models, by key."""
    return {key: ModelSpec.from_config(key, entry) for key, entry in config["models"].items()}
