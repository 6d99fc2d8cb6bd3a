"""Header tolerance: full-width characters, spaces, line breaks, aliases, merged cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.io.io_kit import base, sheet_rows, write_survey

from buchang.io.headers import find_header, normalize
from buchang.io.rawxlsx import RawNumber, RawSheet, write_xlsx
from buchang.io.schema import SURVEY
from buchang.io.survey import import_survey

BUILDINGS = SURVEY.sheet("buildings")


@pytest.mark.parametrize(
    "header",
    [
        "合法面积(m²)",
        "合法面积（ｍ²）",
        "合法面积\n(m²)",
        " 合法 面积 ( m2 ) ",
        "合法面积\u3000（m2）",
        "合法面积",
        "合法建筑面积",
        "legal_area_m2",
        "LEGAL AREA M2",
        "*合法面积(m²)",
    ],
)
def test_tolerant_header_spellings(header: str) -> None:
    rows = [["户编号", "房屋编号", "结构", header], ["H1", "B1", "砖混", "1"]]
    match = find_header(rows, BUILDINGS)
    assert match is not None
    assert match.columns.get("legal_area_m2") == 3


def test_normalize() -> None:
    assert normalize("合法面积\n（ｍ²）") == "合法面积(m2)"
    assert normalize("【面积】") == "(面积)"
    assert normalize(None) == ""
    assert normalize(12) == "12"


def test_header_below_a_title_row() -> None:
    rows = [["某某村调查登记表"], [], ["户编号", "房屋编号", "结构", "合法面积"], ["H1", "B1", "砖混", 1]]
    match = find_header(rows, BUILDINGS)
    assert match is not None and match.row == 2 and match.rows == 1


def test_two_row_header_with_a_merged_group_cell() -> None:
    # 面积 merged over 合法 | 实测 (text only in the first cell); 户编号 etc. merged downward.
    rows = [
        ["户编号", "房屋编号", "结构", "面积", None],
        [None, None, None, "合法", "实测"],
        ["H1", "B1", "砖混", 100, 110],
    ]
    for merged in ((), ((0, 3, 0, 4), (0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2))):
        match = find_header(rows, BUILDINGS, merged=merged)
        assert match is not None
        assert match.row == 1 and match.rows == 2
        assert match.columns == {
            "household_id": 0,
            "building_id": 1,
            "structure": 2,
            "legal_area_m2": 3,
            "area_m2": 4,
        }


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_merged_header_workbook_imports(tmp_path: Path, engine: str) -> None:
    s = base()
    path = write_survey(tmp_path / "s.xlsx", s, drop=("buildings",))
    # rebuild with a two-row merged header on 房屋
    sheets = []
    for spec in SURVEY.sheets:
        if spec.key == "buildings":
            rows: list[list[object]] = [
                ["户编号", "房屋编号", "结构", "面积", None, "成新率"],
                [None, None, None, "合法", "实测", None],
                ["H1", "B1", "砖混二等", RawNumber("120.50"), RawNumber("130"), RawNumber("0.8")],
            ]
            sheets.append(RawSheet("房屋", rows, merges=("D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2")))
        else:
            sheets.append(RawSheet(spec.title, sheet_rows(SURVEY, spec.key, s[spec.key])))
    write_xlsx(path, sheets)
    project, issues = import_survey(path, engine=engine)  # type: ignore[arg-type]
    assert project is not None, [str(i) for i in issues]
    b = project.households[0].buildings[0]
    assert (b.legal_area_m2, b.area_m2) == (Decimal("120.50"), Decimal("130"))


def test_unknown_headers_are_warnings_and_ignored(tmp_path: Path) -> None:
    s = base()
    sheets = []
    for spec in SURVEY.sheets:
        heads = [c.header for c in spec.columns]
        if spec.key == "households":
            heads = [*heads, "备注"]
        sheets.append(RawSheet(spec.title, sheet_rows(SURVEY, spec.key, s[spec.key], heads)))
    path = tmp_path / "s.xlsx"
    write_xlsx(path, sheets)
    project, issues = import_survey(path)
    assert project is not None
    assert [(i.code, i.severity.value, i.location.cell) for i in issues] == [
        ("UNKNOWN_COLUMN", "warning", "L1")
    ]


HEADER_CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from([c.header for c in BUILDINGS.columns] + [c.key for c in BUILDINGS.columns]),
    st.integers(),
    st.floats(),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(HEADER_CELLS, max_size=14), max_size=12),
    merged=st.lists(st.tuples(*(st.integers(-2, 14),) * 4), max_size=4),
)
def test_fuzz_header_matcher_never_raises(
    rows: list[list[object]], merged: list[tuple[int, int, int, int]]
) -> None:
    match = find_header(rows, BUILDINGS, merged=merged)
    if match is not None:
        assert 0 <= match.row < len(rows)
        assert len(set(match.columns.values())) == len(match.columns)


def test_merged_household_id_over_member_rows(tmp_path: Path) -> None:
    """户编号 merged down over a household's member rows (calamine gives the merge list)."""
    s = base()
    s["members"] = [
        {"household_id": "H1", "name": "张三", "id_number": "11010519491231002X"},
        {"household_id": None, "name": "张小三", "sex": "男", "birth_date": "2010-01-01"},
        {"household_id": "H2", "name": "李四", "sex": "男", "birth_date": "1980-05-06"},
    ]
    sheets = []
    for spec in SURVEY.sheets:
        merges = ("A2:A3",) if spec.key == "members" else ()
        sheets.append(RawSheet(spec.title, sheet_rows(SURVEY, spec.key, s[spec.key]), merges=merges))
    path = tmp_path / "m.xlsx"
    write_xlsx(path, sheets)
    project, issues = import_survey(path, engine="calamine")
    assert project is not None, [str(i) for i in issues]
    assert [m.name for m in project.households[0].members] == ["张三", "张小三"]
