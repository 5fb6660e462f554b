"""Config: schema validation names the key; defaults; the docs cover every key."""

from __future__ import annotations

import re

import pytest
import yaml

from framelens.config import load_schema, validate_config
from framelens.errors import ConfigError, ModelError

from .conftest import ROOT

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


def default_config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def schema_keys(schema: dict, prefix: str = "") -> list[str]:
    keys = []
    for name, sub in schema.get("properties", {}).items():
        keys.append(prefix + name)
        keys += schema_keys(sub, prefix + name + ".")
        if isinstance(sub.get("additionalProperties"), dict):
            keys += schema_keys(sub["additionalProperties"], prefix + name + ".<key>.")
    return keys


def test_default_config_is_valid_and_defaults_are_filled():
    config = default_config()
    del config["similarity"]
    checked = validate_config(config, SCHEMA)
    assert checked["similarity"]["doc_method"] == "story"
    assert checked["similarity"]["story"] == {"lead_decay": 1.0, "names": 0.3, "words": 0.2}
    assert checked["models"]["minilm"]["trust_remote_code"] is False
    assert checked["models"]["tfidf"]["batch_size"] == 64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"random_state": "forty-two"},
            "config key random_state: 'forty-two' is not of type 'integer'",
        ),
        ({"device": "tpu"}, "config key device: 'tpu' is not one of"),
        ({"similarity": {"doc_method": "jaccard"}}, "config key similarity.doc_method"),
        ({"modles": {}}, "unknown key(s) ['modles']"),
        (
            {"models": {"minilm": {"kind": "package", "name": "x", "batch_size": 0}}},
            "config key models.minilm.batch_size: 0 is less than the minimum of 1",
        ),
        ({"models": {"results/../x": {"kind": "tfidf"}}}, "may only use letters"),
        ({"models": {"corpus": {"kind": "tfidf"}}}, "'corpus' is reserved"),
        ({"ingest": {"on_decode_error": "ignore"}}, "config key ingest.on_decode_error"),
    ],
)
def test_wrong_values_name_the_key(change, message):
    config = {**default_config(), **change}
    with pytest.raises(ConfigError) as excinfo:
        validate_config(config, SCHEMA)
    assert message in str(excinfo.value)


def test_unknown_model_fails_at_validation_with_alternatives():
    config = {**default_config(), "models": {"mini": {"kind": "package", "name": "minilm-x"}}}
    with pytest.raises(ModelError, match=r"models\.mini\.name: 'minilm-x'.*Available offline"):
        validate_config(config, SCHEMA)


def test_every_schema_key_has_a_default_or_is_required_and_a_description():
    schema = load_schema(SCHEMA)

    def walk(node: dict, path: str) -> None:
        for name, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{path}{name} has no description"
            walk(sub, f"{path}{name}.")
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], f"{path}<key>.")

    walk(schema, "")


def test_config_readme_documents_every_key():
    readme = (ROOT / "config" / "README.md").read_text()
    documented = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))
    assert set(schema_keys(load_schema(SCHEMA))) <= documented


def test_config_yaml_holds_the_schema_defaults():
    """config/config.yaml is the commented defaults: every value it sets outside models:
    is the schema's default (the one source the settings classes read)."""
    from framelens.schema import fill_defaults, load_schema

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    schema_defaults = fill_defaults({}, load_schema())

    def differences(given, default, path=""):
        for key, value in given.items():
            if path == "" and key == "models":
                continue
            if isinstance(value, dict) and isinstance(default.get(key), dict):
                yield from differences(value, default[key], f"{path}{key}.")
            elif default.get(key) != value:
                yield f"{path}{key}: config {value!r}, schema {default.get(key)!r}"

    assert list(differences(config, schema_defaults)) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"similarity": {"story": {"names": 0.6, "words": 0.6}}}, "similarity.story"),
        (
            {"alignment": {"rewrite": 0.9, "rewrite_alone": 0.5}},
            "expected rewrite <= rewrite_alone",
        ),
        ({"alignment": {"evidence": {"cut": 0.7, "link": 0.6}}}, "alignment.evidence.link"),
    ],
    ids=["story-weights-over-1", "rewrite-above-rewrite-alone", "link-below-cut"],
)
def test_settings_a_schema_cannot_check_fail_at_validation_naming_the_key(change, named):
    """Cross-key constraints are checked when the config is validated, before any job."""
    config = default_config()
    for section, values in change.items():
        for key, value in values.items():
            if isinstance(value, dict):
                config[section].setdefault(key, {}).update(value)
            else:
                config[section][key] = value
    with pytest.raises(ConfigError, match=re.escape(named)):
        validate_config(config, SCHEMA)
