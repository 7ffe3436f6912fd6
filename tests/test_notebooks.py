"""The analyst notebooks run top to bottom against a real dataset: three agencies in three
provinces over three years, synthetic DOCX reports read by the real pipeline, each notebook
executed by a real kernel of this Python. A cell that raises fails the test; so does a plot
whose Chinese labels fall back to a font without their glyphs."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from matplotlib import font_manager
from nbclient import NotebookClient

from gk_extract.pipeline import Settings, extract_paths
from gk_extract.testing.synth import random_report, render_docx

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
AGENCIES = ("宜昌市夷陵区人民政府", "南京市玄武区人民政府", "杭州市西湖区人民政府")
PROVINCES = {"湖北省", "江苏省", "浙江省"}
YEARS = (2022, 2023, 2024)
KERNEL = "gk-extract-tests"
CELL_TIMEOUT_S = 120
# Where fonts-noto-cjk is installed (scripts/install-system-deps.sh), matplotlib finds these.
NOTO_CJK = ("Noto Sans CJK SC", "Noto Serif CJK SC")
GLYPH_MISSING = "missing from font"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine reports: each agency's 2022-2024; one report's own tables do not add up."""
    root = tmp_path_factory.mktemp("notebooks")
    folder = root / "in"
    folder.mkdir()
    for i, agency in enumerate(AGENCIES):
        for year in YEARS:
            report = random_report(random.Random(100 * i + year), template="2021", year=year,
                                   agency=agency, consistent=(i, year) != (1, 2023))
            (folder / f"{i}-{year}.docx").write_bytes(render_docx(report))
    extract_paths([folder], Settings(out_dir=root / "out"))
    return root / "out"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernelspec running this very interpreter, so the kernel imports what the tests do,
    whatever kernels the machine has installed."""
    kernels = tmp_path_factory.mktemp("kernels")
    spec = kernels / KERNEL
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"}), encoding="utf-8")
    return kernels


def execute(path: Path, dataset: Path, kernel_dir: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` executed in its folder with ``GK_DATA`` set to ``dataset``;
    nbclient raises CellExecutionError on the first cell that raises."""
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name=KERNEL,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GK_DATA", str(dataset))
        env.delenv("GK_AGENCY", raising=False)
        env.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the PNGs
        NotebookClient(nb, km=km, timeout=CELL_TIMEOUT_S,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


@pytest.fixture(scope="module")
def executed(dataset: Path, kernel_dir: Path) -> dict[str, nbformat.NotebookNode]:
    """Both notebooks, each run once."""
    return {name: execute(NOTEBOOKS / name, dataset, kernel_dir)
            for name in ("explore.ipynb", "panel.ipynb")}


def outputs(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]


def printed(nb: nbformat.NotebookNode) -> str:
    """Everything the cells wrote to stdout and stderr (warnings included) and displayed as
    text."""
    texts = [o.get("text", "") for o in outputs(nb)]
    texts += [o.get("data", {}).get("text/plain", "") for o in outputs(nb)]
    return "\n".join(texts)


def images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs(nb))


def noto_cjk_installed() -> bool:
    """Asked of fontconfig where it is there, so that a font matplotlib fails to see (a font
    cache older than the font) fails the test instead of skipping its assertions."""
    if shutil.which("fc-list"):
        families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                                  text=True, check=True).stdout
        return any(name in families for name in NOTO_CJK)
    return bool({f.name for f in font_manager.fontManager.ttflist} & set(NOTO_CJK))


def assert_chinese_labels_render(nb: nbformat.NotebookNode) -> None:
    """With Noto CJK on the machine, the notebook picked a CJK font and matplotlib drew every
    glyph of the labels (it warns "Glyph … missing from font(s)" for each one it cannot)."""
    if not noto_cjk_installed():
        return
    text = printed(nb)
    font_line = next(line for line in text.splitlines() if line.startswith("CJK font:"))
    assert font_line.removeprefix("CJK font:").strip() in NOTO_CJK
    assert GLYPH_MISSING not in text


@pytest.mark.parametrize("name", ["explore.ipynb", "panel.ipynb"])
def test_notebook_runs_against_a_dataset_and_plots_with_chinese_labels(
        name: str, dataset: Path, executed: dict[str, nbformat.NotebookNode]) -> None:
    nb = executed[name]
    assert images(nb) >= 1
    assert_chinese_labels_render(nb)
    assert str(dataset.resolve()) in printed(nb)  # it read the dataset it was pointed at


def test_panel_notebook_covers_every_province_and_the_report_that_does_not_add_up(
        executed: dict[str, nbformat.NotebookNode]) -> None:
    text = printed(executed["panel.ipynb"])
    assert all(province in text for province in PROVINCES)
    assert "本报告内" in text  # the within-report failures of one agency's 2023 report
    assert images(executed["panel.ipynb"]) >= 4


def test_a_font_without_chinese_glyphs_is_caught(
        dataset: Path, kernel_dir: Path, tmp_path: Path) -> None:
    """The glyph check can fail: the panel notebook forced onto DejaVu Sans (no CJK glyphs)
    prints matplotlib's missing-glyph warnings."""
    nb = nbformat.read(NOTEBOOKS / "panel.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('plt.rcParams["font.family"] = "DejaVu Sans"'))
    forced = tmp_path / "panel.ipynb"
    nbformat.write(nb, forced)
    assert GLYPH_MISSING in printed(execute(forced, dataset, kernel_dir))
