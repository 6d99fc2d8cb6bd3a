"""Both xlsx readers give the same project; formula-error cells are never read as blank."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.io.io_kit import base, write_survey

from buchang.io.reader import has_error_cells, read_xlsx
from buchang.io.survey import import_survey
from buchang.io.synth import make_survey


def test_calamine_and_openpyxl_agree(tmp_path: Path) -> None:
    path = make_survey(tmp_path / "s.xlsx", 200)
    a, issues_a = import_survey(path, engine="calamine")
    b, issues_b = import_survey(path, engine="openpyxl")
    assert issues_a == issues_b == ()
    assert a is not None and a == b
    assert len(a.households) == 200


def _with_error_cell(path: Path) -> Path:
    write_survey(path, base())
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    name = "xl/worksheets/sheet6.xml"  # 房屋
    parts[name] = parts[name].replace(b'<c r="H2"><v>120.50</v></c>', b'<c r="H2" t="e"><v>#DIV/0!</v></c>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return path


def test_formula_error_cell_is_reported_not_blank(tmp_path: Path) -> None:
    path = _with_error_cell(tmp_path / "err.xlsx")
    assert has_error_cells(path)
    assert not has_error_cells(write_survey(tmp_path / "ok.xlsx", base()))
    rows = next(s for s in read_xlsx(path).sheets if s.name == "房屋").rows
    assert rows[1][7] == "#DIV/0!"
    project, issues = import_survey(path)
    assert project is None
    assert [(i.code, i.location.cell) for i in issues] == [("WRONG_TYPE", "H2")]
