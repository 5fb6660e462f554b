"""The step layer's contract (framelens.steps): every rule runs workflow/scripts/<rule>.py,
which calls the one step named after it in the module of its stage, with keywords only;
the module the Snakefile imports to build the job graph loads no numerical library."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import subprocess
import sys

import pytest

from .conftest import ROOT

RULES_DIR = ROOT / "workflow" / "rules"
SCRIPTS_DIR = ROOT / "workflow" / "scripts"
HEAVY = ("pandas", "numpy", "scipy", "sklearn", "torch", "matplotlib", "pyarrow")


def workflow_rules() -> dict[str, tuple[str, str | None]]:
    """rule -> (its stage: the rules file it is in, the script it runs) for every rule."""
    rules: dict[str, tuple[str, str | None]] = {}
    for path in sorted(RULES_DIR.glob("*.smk")):
        parts = re.split(r"(?m)^rule (\w+):", path.read_text(encoding="utf-8"))
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            script = re.search(r'(?m)^\s+script:\s*\n\s+"\.\./scripts/([\w.]+)\.py"', body)
            rules[name] = (path.stem, script.group(1) if script else None)
    return rules


RULES = workflow_rules()


def script_call(rule: str) -> tuple[str, str, set[str]]:
    """The module and function a script imports its step from, and the keywords it passes."""
    tree = ast.parse((SCRIPTS_DIR / f"{rule}.py").read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "run_logged"
    ]
    assert len(calls) == 1, f"{rule}.py: one run_logged call expected"
    (call,) = calls
    step = call.args[1]
    assert isinstance(step, ast.Name), f"{rule}.py: the step is passed by name"
    assert imported.get("run_logged") == "framelens.steps"
    return imported[step.id], step.id, {k.arg for k in call.keywords}


def test_the_rules_are_where_expected():
    assert len(RULES) > 20 and "all" not in RULES  # `all` is in the Snakefile
    assert RULES["doc_pairs"][0] == RULES["doc_similarity"][0] == "similarity"
    assert RULES["outlet_overlap"][0] == RULES["plot_outlet_overlap"][0] == "align"
    assert RULES["provenance"][0] == "report"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_runs_the_step_named_after_it_with_keywords_only(rule):
    stage, script = RULES[rule]
    assert script == rule, f"rule {rule} runs scripts/{script}.py"
    module, function, keywords = script_call(rule)
    assert (module, function) == (f"framelens.steps.{stage}", rule)
    step = getattr(importlib.import_module(module), function)
    parameters = inspect.signature(step).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), rule
    assert inspect.signature(step).return_annotation in (None, "None")
    names = {p.name for p in parameters}
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
    assert required <= keywords <= names, (rule, keywords ^ names)


def test_every_script_is_a_rules_and_every_step_a_rules():
    assert {p.stem for p in SCRIPTS_DIR.glob("*.py")} == set(RULES)
    stages = {stage for stage, _ in RULES.values()}
    modules = {p.stem for p in (ROOT / "src/framelens/steps").glob("*.py")}
    assert modules - stages == {"__init__", "_common", "dag"}
    for stage in stages:
        module = importlib.import_module(f"framelens.steps.{stage}")
        public = {
            name
            for name, value in vars(module).items()
            if inspect.isfunction(value)
            and value.__module__ == module.__name__
            and not name.startswith("_")
        }
        assert public == {r for r, (s, _) in RULES.items() if s == stage}, stage


@pytest.mark.parametrize("module", ["framelens.steps.dag", "framelens.settings"])
def test_the_job_graph_and_settings_modules_import_nothing_heavy(module):
    code = (
        f"import sys, {module}; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.stdout.strip() == "[]"
