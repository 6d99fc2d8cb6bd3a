"""Templates: headers, 说明 sheet, drop-downs, text formats, and a clean round trip."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from buchang.io.dispatch import import_kind
from buchang.io.schema import KINDS, TEXT_FORMATTED, ColType
from buchang.io.templates import write_template


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    out = {}
    for kind in KINDS:
        path = folder / f"{kind}.xlsx"
        write_template(kind, path)
        out[kind] = path
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_template_round_trip_imports_cleanly(templates: dict[str, Path], kind: str, engine: str) -> None:
    value, issues = import_kind(kind, [templates[kind]], engine=engine)  # type: ignore[arg-type]
    assert issues == ()
    assert value is not None


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_layout(templates: dict[str, Path], kind: str) -> None:
    spec = KINDS[kind]
    wb = openpyxl.load_workbook(templates[kind])
    assert wb.sheetnames == ["说明", *(s.title for s in spec.sheets)]
    info = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value is not None)
    for sheet in spec.sheets:
        ws = wb[sheet.title]
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert ws.freeze_panes == "A2"
        lists = {str(r): dv.formula1 for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
        for j, col in enumerate(sheet.columns, 1):
            letter = openpyxl.utils.get_column_letter(j)
            assert col.key in info  # every English alias documented
            if col.type in TEXT_FORMATTED:
                assert ws.cell(2, j).number_format == "@", (sheet.title, col.header)
                assert ws.cell(50, j).number_format == "@"
                assert ws.column_dimensions[letter].number_format == "@"
            if col.type is ColType.CHOICE:
                formula = lists[f"{letter}2:{letter}1048576"]
                assert all(ch.label in formula for ch in col.choices)
            if col.type is ColType.BOOL:
                assert lists[f"{letter}2:{letter}1048576"] == '"是,否"'
            if col.required:
                assert col.example, f"required column {col.key} needs an example"


def test_survey_template_has_the_domain_drop_downs(templates: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(templates["survey"])
    formulas = [dv.formula1 for dv in wb["房屋"].data_validations.dataValidation]
    assert any("违法" in f and "未登记非居住" in f for f in formulas)  # legality
    formulas = [dv.formula1 for dv in wb["地块"].data_validations.dataValidation]
    assert any("水田" in f and "未利用地" in f for f in formulas)  # land classes
    formulas = [dv.formula1 for dv in wb["户"].data_validations.dataValidation]
    assert any("货币补偿" in f and "产权调换" in f for f in formulas)  # options
    ids = wb["成员"]["D2"]
    assert ids.value == "11010519491231002X" and ids.data_type == "s"


def test_filled_template_with_errors_reports_cells(tmp_path: Path, templates: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(templates["survey"])
    wb["房屋"]["H2"] = -3  # 合法面积
    wb["成员"]["D2"] = 110105194912310021  # ID typed into a number cell
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    value, issues = import_kind("survey", [path])
    assert value is None
    assert {(i.code, f"{i.location.sheet}!{i.location.cell}") for i in issues} == {
        ("NEGATIVE_AREA", "房屋!H2"),
        ("ID_STORED_AS_NUMBER", "成员!D2"),
    }


def test_write_template_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template("reviews", path)
    assert path.exists() and not list(tmp_path.glob(".*tmp"))
