"""A stray far-away cell must not make the fast reader allocate the whole grid."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.io.io_kit import base, write_survey

from buchang.io.reader import calamine_unsafe, read_xlsx
from buchang.io.safety import Limits
from buchang.io.survey import import_survey


def _add_cell(path: Path, part: str, xml: bytes) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[part] = parts[part].replace(b"</sheetData>", xml + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return path


def test_stray_cell_at_the_last_cell_of_the_sheet(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "s.xlsx", base())
    _add_cell(path, "xl/worksheets/sheet4.xml", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert calamine_unsafe(path) == "used range too large"
    # read with the streaming reader instead: the note is ignored, the survey imports
    project, issues = import_survey(path)
    assert project is not None, [str(i) for i in issues]


def test_stray_cell_without_leading_reference_attribute(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "s.xlsx", base())
    _add_cell(path, "xl/worksheets/sheet4.xml", b'<row r="900000"><c s="0" r="ZZZ900000"><v>1</v></c></row>')
    assert calamine_unsafe(path) == "used range too large"


def test_sheet_cell_cap_is_enforced_by_the_streaming_reader(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "s.xlsx", base())
    got = read_xlsx(path, engine="openpyxl", limits=Limits(max_sheet_cells=10))
    assert [i.code for i in got.issues] == ["FILE_UNSAFE"]
    got = read_xlsx(path, engine="calamine", limits=Limits(max_sheet_cells=10))
    assert [i.code for i in got.issues] == ["FILE_UNSAFE"]


def test_ordinary_workbook_is_read_by_calamine(tmp_path: Path) -> None:
    assert calamine_unsafe(write_survey(tmp_path / "s.xlsx", base())) is None
