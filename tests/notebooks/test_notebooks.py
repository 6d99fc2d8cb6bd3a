"""The notebooks run top to bottom, import only the public API, and draw Chinese without missing glyphs.

Each notebook is executed with nbclient in a fresh kernel (the interpreter running the tests, via a
kernelspec written for the test) with a per-cell timeout. Their shared first cell turns
matplotlib's "Glyph … missing from font" warning into an error, so a chart label the CJK font
cannot draw shows up as an error output, which fails the test. The glyph test below also proves it
directly: every character of every Chinese label in the notebooks and of the library's category
names has a glyph (not .notdef) in the font, a figure drawing them all renders without a
missing-glyph warning, and its PNG is written (to ``BUCHANG_NOTEBOOK_PNG_DIR`` when set, for a
human to look at).
"""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import shutil
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ("01_upfront_funds.ipynb", "02_auditor_reconcile.ipynb", "03_batch_mode.ipynb")
CELL_TIMEOUT_S = 300
MISSING_GLYPH = re.compile(r"missing from (current )?font|findfont: Font family .* not found")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2460-\u2473]")

#: What a notebook may import: the public API of buchang, pandas, matplotlib and the standard library.
ALLOWED_BUCHANG = {
    "buchang.api",
    "buchang.rules.estimate",
    "buchang.funds.reconcile",
    "buchang.funds.synth",
    "buchang.batch",
    "buchang.batch.parity",
}
ALLOWED_OTHER = {"pandas", "matplotlib", "time", "warnings", "importlib", "pathlib", "datetime"}


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernelspec running this interpreter (the installed ``python3`` spec may name another ``python``)."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "buchang-tests"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "buchang tests", "language": "python"}), encoding="utf-8"
    )
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(root), old) if p)
    yield "buchang-tests"
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def test_outputs_are_committed_cleared() -> None:
    for name in NAMES:
        for cell in _read(name).cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, (
                    f"{name}: clear outputs before committing"
                )


def test_imports_only_the_public_api() -> None:
    for name in NAMES:
        for source in _code(_read(name)):
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    modules = [node.module or ""]
                else:
                    continue
                for module in modules:
                    if module.startswith("buchang"):
                        assert module in ALLOWED_BUCHANG, f"{name} imports {module}"
                    else:
                        assert module.split(".")[0] in ALLOWED_OTHER, f"{name} imports {module}"


def test_one_plotting_setup() -> None:
    firsts = {_read(name).cells[0].source for name in NAMES}
    assert len(firsts) == 1, "the first cell (plotting set-up) must be the same in every notebook"
    assert "addfont" in next(iter(firsts))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name: str, kernel_name: str, tmp_path: Path) -> None:
    nb = _read(name)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    elapsed = time.perf_counter() - started
    pngs: list[bytes] = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            where = f"{name} cell {i}"
            assert out.output_type != "error", f"{where}: {out.get('ename')}: {out.get('evalue')}"
            text = out.get("text", "") if out.output_type == "stream" else ""
            assert not MISSING_GLYPH.search(text), f"{where}: {text}"
            if "image/png" in out.get("data", {}):
                pngs.append(base64.b64decode(out["data"]["image/png"]))
    assert pngs, f"{name} drew no chart"
    keep = os.environ.get("BUCHANG_NOTEBOOK_PNG_DIR")
    for k, png in enumerate(pngs):
        assert png.startswith(b"\x89PNG")
        (tmp_path / f"{k}.png").write_bytes(png)
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / f"{k}.png", Path(keep) / f"{name.split('_')[0]}_{k}.png")
    print(f"{name}: {elapsed:.1f} s, {len(pngs)} charts")


def _labels() -> list[str]:
    """Every Chinese string literal of the notebooks' code, and the library's category names."""
    from buchang.rules.estimate import FundCategory
    from buchang.rules.lines import Category

    texts: set[str] = {f.value for f in FundCategory} | {c.value for c in Category}
    for name in NAMES:
        for source in _code(_read(name)):
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
                    texts.add(node.value)
    return sorted(texts)


def test_chinese_labels_have_glyphs(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ft2font import FT2Font

    labels = _labels()
    setup = _read(NAMES[0]).cells[0].source
    namespace: dict[str, object] = {}
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context():
        warnings.simplefilter("always")
        exec(compile(setup, "<notebook set-up cell>", "exec"), namespace)  # the notebooks' own font set-up
        warnings.simplefilter("always")  # the set-up turns the glyph warning into an error; record it instead
        font = FT2Font(str(namespace["CJK_FONT"]))
        chars = sorted({ch for text in labels for ch in text if not ch.isspace() and ord(ch) > 0x7F})
        lacking = [ch for ch in chars if font.get_char_index(ord(ch)) == 0]
        assert not lacking, f"characters without a glyph in {namespace['CJK_FONT']}: {''.join(lacking)}"

        columns, rows = 3, -(-len(labels) // 3)
        fig, ax = plt.subplots(figsize=(15, 0.3 * rows + 1))
        ax.axis("off")
        for k, text in enumerate(labels):
            x, y = (k // rows) / columns, 1 - (k % rows + 0.5) / rows
            ax.text(x, y, text.replace("$", r"\$").replace("\n", " ")[:40], fontsize=10, va="center")
        ax.set_title("notebook labels: 前置资金 · 对账 · 批量")
        out = tmp_path / "labels.png"
        fig.savefig(out, dpi=80)
        plt.close(fig)
        glyph = [str(w.message) for w in caught if MISSING_GLYPH.search(str(w.message))]

        # negative control: both detectors do see a character neither font has (Tibetan ༀ)
        assert font.get_char_index(0x0F00) == 0
        before = len(caught)
        fig, ax = plt.subplots()
        ax.set_title("ༀ")
        fig.savefig(tmp_path / "control.png")
        plt.close(fig)
        assert any(MISSING_GLYPH.search(str(w.message)) for w in caught[before:])
    assert not glyph, glyph
    assert out.read_bytes().startswith(b"\x89PNG")
    keep = os.environ.get("BUCHANG_NOTEBOOK_PNG_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(out, Path(keep) / "labels.png")
