"""The package is the data flow (docs/architecture.md): every import of every module under
src/gk_extract, function-local and TYPE_CHECKING ones included, goes down the stages, never
up or sideways between fetch and parse; the product never imports its test tools."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "gk_extract"

# Stage of each top-level module or package (``pipeline`` is either): a module may import
# its own stage and those below it, never one above. A stage that does not exist yet costs
# nothing; a new top-level module must be placed here before the test passes.
STAGES: dict[str, int] = {
    **dict.fromkeys(("models", "errors", "formats", "cms", "normalize"), 0),  # foundation
    "store": 1,
    "fetch": 2, "parse": 2,
    "template": 3,
    "panel": 4,
    "export": 5,
    "pipeline": 6,
    "display": 7, "review": 7, "demo": 7,
    "cli": 8,
}
# The package's own __init__ (``__version__``) is foundation.
ROOT_STAGE = 0
# Test tools: they may import anything; the product must not import them.
TESTING = "testing"

# (importer prefix, imported prefix) pairs forbidden on top of the order, as dotted names
# under gk_extract: siblings that stay apart, and the layers inside parse/.
FORBIDDEN: tuple[tuple[str, str], ...] = (
    ("fetch", "parse"), ("parse", "fetch"),
    ("fetch", "pipeline"), ("fetch", "cli"),
    ("parse", "template"), ("parse", "store"),
    ("parse.layout", "parse.pdf"), ("parse.layout", "parse.ocr"),
    ("parse.pdf", "parse.ocr"), ("parse.ocr", "parse.pdf"),
)

# Known violations waiting for their fix, each naming it: (importer, imported) module names.
# Empty: the rules hold today. An entry that no longer occurs fails the test, so the list
# only shrinks.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Edge:
    path: Path
    line: int
    importer: str
    imported: str


@dataclass(frozen=True, slots=True)
class Violation:
    edge: Edge
    rule: str

    def __str__(self) -> str:
        e = self.edge
        return f"{e.path}:{e.line}: {e.importer} -> {e.imported} ({self.rule})"


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(src: Path) -> dict[str, Path]:
    return {module_name(p, src): p for p in sorted((src / PACKAGE).rglob("*.py"))}


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base[:len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: Path, importer: str, known: set[str]) -> Iterator[Edge]:
    """Every gk_extract module ``path`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, importer, path.name == "__init__.py")
            # ``from pkg import sub`` imports the submodule when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):  # once per statement
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                yield Edge(path, node.lineno, importer, target)


def _under(name: str, prefix: str) -> bool:
    full = f"{PACKAGE}.{prefix}"
    return name == full or name.startswith(full + ".")


def _component(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def _stage(name: str) -> int | None:
    component = _component(name)
    return ROOT_STAGE if component is None else STAGES.get(component)


def check(edge: Edge) -> str | None:
    """The rule ``edge`` breaks, or None."""
    source, target = _component(edge.importer), _component(edge.imported)
    if source == TESTING:
        return None
    if target == TESTING:
        return "the product imports its test tools"
    for importer, imported in FORBIDDEN:
        if _under(edge.importer, importer) and _under(edge.imported, imported):
            return f"{importer} must not import {imported}"
    low, high = _stage(edge.imported), _stage(edge.importer)
    if low is None or high is None:
        return f"{source if high is None else target} has no stage in STAGES"
    return f"stage {high} imports stage {low}, against the data flow" if low > high else None


def edges(src: Path) -> list[Edge]:
    found = modules(src)
    return [edge for name, path in found.items() for edge in imports(path, name, set(found))]


def violations(src: Path) -> list[Violation]:
    return [Violation(edge, rule) for edge in edges(src) if (rule := check(edge))]


def test_every_import_follows_the_data_flow() -> None:
    found = violations(SRC)
    unexpected = [str(v) for v in found if (v.edge.importer, v.edge.imported) not in ALLOWED]
    assert not unexpected, "imports against the data flow:\n" + "\n".join(unexpected)
    stale = ALLOWED - {(v.edge.importer, v.edge.imported) for v in found}
    assert not stale, f"allowed violations that no longer occur (remove them): {sorted(stale)}"


def test_every_top_level_module_has_a_stage() -> None:
    components = {c for name in modules(SRC) if (c := _component(name))}
    assert components - set(STAGES) - {TESTING} == set()


def test_the_walk_reads_the_real_package() -> None:
    # the stages import one another hundreds of times; an empty walk would pass vacuously
    found = {(_component(e.importer), _component(e.imported)) for e in edges(SRC)}
    assert {("cli", "pipeline"), ("pipeline", "parse"), ("parse", "models")} <= found


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in {p.parent for p in (tmp_path / PACKAGE).rglob("*.py")}:
        (folder / "__init__.py").touch()
    return tmp_path


def test_an_upward_import_is_caught_with_its_file_line_and_edge(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "models.py": '"""Foundation."""\n\n\ndef late() -> None:\n    from gk_extract.cli import main\n',
        "cli.py": "from gk_extract import models\nfrom gk_extract.testing.synth import render\n",
        "testing/synth.py": "from gk_extract.cli import main\n",
        "parse/layout/lines.py": "from ..pdf import page\n",
        "parse/pdf/page.py": "from gk_extract.parse.layout import lines\n",
        "parse/ocr/__init__.py": "from gk_extract.parse import pdf\n",
        "fetch/spider.py": "if True:\n    from gk_extract.parse.html import parse\n",
        "parse/html.py": "", "review.py": "import gk_extract.display\n", "display.py": "",
    })
    found = {str(v.edge.path.relative_to(src)): v for v in violations(src)}
    assert str(found["gk_extract/models.py"]) == (
        f"{src / 'gk_extract/models.py'}:5: gk_extract.models -> gk_extract.cli "
        "(stage 0 imports stage 8, against the data flow)")
    assert found["gk_extract/cli.py"].edge.line == 2
    assert found["gk_extract/cli.py"].rule == "the product imports its test tools"
    assert found["gk_extract/parse/layout/lines.py"].edge.imported == "gk_extract.parse.pdf.page"
    assert found["gk_extract/parse/ocr/__init__.py"].rule == "parse.ocr must not import parse.pdf"
    assert found["gk_extract/fetch/spider.py"].rule == "fetch must not import parse"
    assert set(found) == {"gk_extract/models.py", "gk_extract/cli.py", "gk_extract/fetch/spider.py",
                          "gk_extract/parse/layout/lines.py", "gk_extract/parse/ocr/__init__.py"}


@pytest.mark.parametrize(("importer", "imported", "broken"), [
    ("gk_extract.pipeline.batch", "gk_extract.export.parquet", False),
    ("gk_extract.pipeline", "gk_extract.display", True),
    ("gk_extract.export.parquet", "gk_extract.pipeline", True),
    ("gk_extract.demo", "gk_extract.pipeline", False),
    ("gk_extract.demo", "gk_extract.testing.loopback", True),
    ("gk_extract.testing.loopback", "gk_extract.cli", False),
    ("gk_extract.parse.pdf.page", "gk_extract.parse.layout.lines", False),
    ("gk_extract.store.files", "gk_extract.fetch", True),
    ("gk_extract.export.parquet", "gk_extract", False),
    ("gk_extract.newstage", "gk_extract.models", True),
])
def test_each_rule(importer: str, imported: str, broken: bool) -> None:
    assert (check(Edge(Path("x.py"), 1, importer, imported)) is not None) == broken
