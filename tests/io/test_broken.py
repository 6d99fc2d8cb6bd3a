"""One broken survey workbook per error code: each must report its code at its cell.

The cases (and how each workbook is broken) are in ``io_kit.CASES``;
``tests/io/broken/make_broken.py`` writes them out for inspection.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.io.io_kit import CASES

from buchang.core.errors import Issue, Severity
from buchang.io.survey import import_survey


def where(issue: Issue) -> str | None:
    loc = issue.location
    if loc.sheet is None:
        return None
    return f"{loc.sheet}!{loc.cell}" if loc.cell else loc.sheet


@pytest.mark.parametrize("code", sorted(CASES))
@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_broken_workbook_reports_code_at_cell(tmp_path: Path, code: str, engine: str) -> None:
    case = CASES[code]
    path = case.make(tmp_path / f"{code}.xlsx")
    project, issues = import_survey(path, engine=engine)  # type: ignore[arg-type]
    found = [(i.code, where(i)) for i in issues]
    assert (case.code, case.where) in found, found
    hit = next(i for i in issues if i.code == case.code and where(i) == case.where)
    assert hit.severity.value == case.severity
    assert str(hit).startswith(f"{path}:")
    assert f"[{case.code}]" in str(hit)
    if case.severity == "error":
        assert project is None
    else:
        assert project is not None, [str(i) for i in issues]
        assert all(i.severity is not Severity.ERROR for i in issues)


def test_every_error_is_located_in_the_canonical_form(tmp_path: Path) -> None:
    path = CASES["WRONG_TYPE"].make(tmp_path / "w.xlsx")
    _, issues = import_survey(path)
    assert [str(i) for i in issues] == [
        f"{path}:房屋!H2: [WRONG_TYPE] 应为数值 a number，实为'一百二十' / expected 数值 a number"
    ]


def test_all_problems_are_collected_in_one_pass(tmp_path: Path) -> None:
    """Several broken cells in several sheets: every one reported, nothing returned."""
    from tests.io.io_kit import base, write_survey

    s = base()
    s["buildings"][0]["legal_area_m2"] = "abc"
    s["members"][0]["id_number"] = "110105194912310021"
    s["parcels"][0]["land_class"] = "沙漠"
    s["households"][1]["head_name"] = None
    project, issues = import_survey(write_survey(tmp_path / "many.xlsx", s))
    assert project is None
    assert {(i.code, where(i)) for i in issues} >= {
        ("WRONG_TYPE", "房屋!H2"),
        ("ID_CHECK_DIGIT", "成员!D2"),
        ("UNKNOWN_CATEGORY", "地块!B2"),
        ("MISSING_VALUE", "户!B3"),
    }


def test_id_numbers_are_masked_in_messages(tmp_path: Path) -> None:
    path = CASES["ID_CHECK_DIGIT"].make(tmp_path / "id.xlsx")
    _, issues = import_survey(path)
    text = "\n".join(str(i) for i in issues)
    assert "110105194912310021" not in text
    assert "1101**********0021" in text


#: Codes without a broken *survey workbook*, and where they are tested instead.
ELSEWHERE = {
    "CSV_ENCODING": "test_csv.py (a GBK CSV)",
    "MODEL_INVALID": "a safety net behind the column checks; no input reaches it today",
}


def test_every_code_has_a_broken_workbook() -> None:
    from buchang.io.codes import CODES

    missing = set(CODES) - set(CASES) - set(ELSEWHERE)
    assert not missing, f"codes without a broken-workbook case: {sorted(missing)}"
    assert all(CODES[code][0] == case.severity for code, case in CASES.items())
