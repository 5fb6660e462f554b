"""The package's layering: stages import the shared basics and infrastructure, never each
other; the step layer, compare/ and explorer/ sit above the stages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "framelens"
#: Stage modules (or packages): the logic of one stage of the workflow each.
STAGES = {
    "align",
    "claims",
    "corpus",
    "coverage",
    "embed",
    "events",
    "facts",
    "overlap",
    "quotes",
    "salience",
    "similarity",
    "vocabulary",
}
#: What a stage may import from framelens: shared basics and infrastructure.
BELOW_STAGES = {
    "basics",
    "errors",
    "io",
    "lookup",
    "schema",
    "config",
    "models",
    "text",
    "sources",
    "repeats",
    "settings",
    "vectorfile",
    "workers",
}


def framelens_imports(path: Path) -> set[str]:
    """The top-level framelens modules a file imports (``framelens.x.y`` -> ``x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("framelens.")
        ):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("framelens.")}
    return found


def stage_files(stage: str) -> list[Path]:
    folder = PACKAGE / stage
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{stage}.py"]


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_imports_only_basics_and_infrastructure(stage):
    imported = set().union(*(framelens_imports(p) for p in stage_files(stage))) - {stage}
    assert imported <= BELOW_STAGES, f"{stage} imports {sorted(imported - BELOW_STAGES)}"


@pytest.mark.parametrize("package", ["basics", "sources", "text", "models"])
def test_shared_packages_import_no_stage(package):
    imported = set().union(*(framelens_imports(p) for p in (PACKAGE / package).rglob("*.py")))
    assert not imported & STAGES, f"{package} imports {sorted(imported & STAGES)}"


def test_the_explorer_reads_tables_and_imports_no_stage():
    """explorer/ sits above the stages like compare/, but reads their tables only: it
    imports the shared basics and infrastructure, never a stage's logic, and nothing but
    the step layer imports it."""
    folder = PACKAGE / "explorer"
    imported = set().union(*(framelens_imports(p) for p in folder.rglob("*.py"))) - {"explorer"}
    assert imported <= {"basics", "errors", "io", "lookup", "workers"}, sorted(imported)
    users = {
        p.relative_to(PACKAGE).parts[0]
        for p in PACKAGE.rglob("*.py")
        if "explorer" in framelens_imports(p) and p.parent != folder
    }
    assert users <= {"steps"}, sorted(users)
