"""The SLURM profile (profiles/slurm/config.yaml) against the workflow and the packaging.

Fast checks only. The end-to-end proof (a single-node SLURM cluster on this machine, the seed
workflow through ``--executor slurm``, its tables compared byte for byte with a local run) is
``make bench-slurm`` (bench/slurm_local.sh): it needs root and apt-get and takes over ten
minutes on 2 cores, so it is a bench command, not part of the test suite or CI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest
import yaml

from .conftest import ROOT

PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
SCRIPT = ROOT / "bench" / "slurm_local.sh"
# bench/slurm_local.sh reads the first number of mem_mb (the first attempt's request)
MEM_MB = re.compile(r"^\s*(\d+)\s*\*\s*attempt\s*$")


def workflow_rules() -> dict[str, int]:
    """Every rule of the workflow, with its ``threads:`` (1 when not a plain number)."""
    rules: dict[str, int] = {}
    for path in [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]:
        parts = re.split(r"(?m)^rule (\w+):", path.read_text(encoding="utf-8"))
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            threads = re.search(r"(?m)^\s+threads:\s*(\d+)\s*(#.*)?$", body)
            rules[name] = int(threads.group(1)) if threads else 1
    return rules


def shard_mem_rules() -> set[str]:
    """Rules whose memory request the rule itself sets, from event_shards
    (``mem_mb=shard_mem_mb(...)``, workflow/rules/common.smk)."""
    found = set()
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        parts = re.split(r"(?m)^rule (\w+):", path.read_text(encoding="utf-8"))
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if re.search(r"(?m)^\s+mem_mb=shard_mem_mb\(", body):
                found.add(name)
    return found


def test_event_shard_jobs_ask_for_less_memory_with_more_shards():
    from framelens.steps.dag import event_shard_mem_mb

    assert shard_mem_rules() == {"align_shard", "claims_shard", "framing_shard", "doc_pairs_shard"}
    sizes = [event_shard_mem_mb(9000, 1000, n) for n in (1, 2, 4, 8)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 10000 and sizes[-1] == 2125
    assert event_shard_mem_mb(9000, 1000, 4, attempt=2) == 2 * event_shard_mem_mb(9000, 1000, 4)


@pytest.fixture(scope="module")
def profile() -> dict:
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))


def test_profile_names_exactly_the_workflows_rules(profile):
    rules = set(workflow_rules()) - {"all"}  # `all` runs on the submitting host
    listed = set(profile["set-resources"])
    assert not listed - rules, (
        f"profiles/slurm/config.yaml sets resources for rules the workflow does not have: "
        f"{sorted(listed - rules)} (renamed or removed?)"
    )
    assert not rules - listed, (
        f"rules without an entry in profiles/slurm/config.yaml set-resources: "
        f"{sorted(rules - listed)}; add mem_mb, runtime and cpus_per_task for them "
        f"(and their line in README 'Running on a cluster (SLURM)')"
    )


def test_resources_are_well_formed(profile):
    assert profile["executor"] == "slurm"
    threads = workflow_rules()
    rule_mem = shard_mem_rules()
    entries = {"default-resources": profile["default-resources"], **profile["set-resources"]}
    for rule, resources in entries.items():
        if rule in rule_mem:  # the rule's own mem_mb, which a profile value would override
            assert "mem_mb" not in resources, (
                f"{rule}: its rule sets mem_mb from event_shards; leave it out of the profile"
            )
            assert {"runtime", "cpus_per_task"} <= set(resources), rule
        else:
            assert {"mem_mb", "runtime", "cpus_per_task"} <= set(resources), rule
            assert MEM_MB.match(str(resources["mem_mb"])), (
                f"{rule}: mem_mb should read 'N * attempt', not {resources['mem_mb']!r}"
            )
        assert isinstance(resources["runtime"], int) and resources["runtime"] > 0, rule
        cpus = resources["cpus_per_task"]
        assert isinstance(cpus, int) and cpus >= threads.get(rule, 1), (
            f"{rule}: cpus_per_task {cpus} is below the rule's threads {threads.get(rule)}"
        )


def test_slurm_extra_is_declared_and_pinned():
    with (ROOT / "pyproject.toml").open("rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    pins = {
        re.split(r"[=<>!~ ]", line, maxsplit=1)[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert "slurm" in extras
    names = {re.split(r"[=<>!~ \[]", req, maxsplit=1)[0].lower() for req in extras["slurm"]}
    assert "snakemake-executor-plugin-slurm" in names
    # the plugin and what it pulls in beyond the project's own dependencies
    for name in [*names, "snakemake-executor-plugin-slurm-jobstep", "throttler"]:
        assert name in pins, f"{name} is not pinned in constraints.txt"


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash to parse the script with")
def test_bench_script_parses():
    result = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
