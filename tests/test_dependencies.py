"""Every runtime dependency in pyproject.toml is there because the product imports it; what
only the tests, the test tools or a notebook need belongs in an extra."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ROOT / "src" / "gk_extract"

def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return match.group(0).lower().replace("_", "-")


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_name(r) for r in project["dependencies"]}


def imported_by_product() -> set[str]:
    """Distributions whose modules some product module imports (the test tools excluded)."""
    tops: set[str] = set()
    for path in PRODUCT.rglob("*.py"):
        if path.relative_to(PRODUCT).parts[0] == "testing":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                tops.add(node.module.split(".")[0])
    owners = packages_distributions()
    return {_name(dist) for top in tops for dist in owners.get(top, [])}


def test_every_runtime_dependency_is_imported_by_the_product() -> None:
    unused = declared() - imported_by_product()
    assert not unused, f"declared in [project] dependencies but not imported by the product: {unused}"


def test_what_only_the_test_tools_use_is_an_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]
    assert "python-docx" in {_name(r) for r in extras["dev"]}  # the fixture generator's writer
