"""One broken estimate workbook per error code of the estimate's own sheets and columns (测算参数
ranges and flats, 集体, 附着物, land-lost persons by age, 评估均价, 被征收户数): each must report
its code at its cell, in the form ``file:sheet!C12: [CODE] message``, with both readers.

The cases (and how each workbook is broken) are in ``estimate_kit.CASES``;
``tests/io/broken/make_broken_estimate.py`` writes them out for inspection.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from tests.io.estimate_kit import CASES, banan_rows, where, write_estimate

from buchang.core.errors import Issue, Severity
from buchang.io.codes import CODES
from buchang.io.estimate import import_estimate


def located(issue: Issue) -> str | None:
    loc = issue.location
    if loc.sheet is None:
        return None
    return f"{loc.sheet}!{loc.cell}" if loc.cell else loc.sheet


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_broken_estimate_workbook_reports_code_at_cell(tmp_path: Path, name: str, engine: str) -> None:
    case = CASES[name]
    path = case.make(tmp_path / "broken.xlsx")
    inputs, issues = import_estimate(path, engine=engine)  # type: ignore[arg-type]
    assert [(i.code, located(i)) for i in issues] == [(case.code, case.where)]  # that one, nothing else
    hit = issues[0]
    assert hit.severity.value == case.severity == CODES[case.code][0]
    assert str(hit).startswith(f"{path}:{case.where}: [{case.code}] ")
    if case.severity == "error":
        assert inputs is None  # nothing partial: no inputs from a workbook with an error
    else:
        assert inputs is not None


def test_every_new_code_has_a_case() -> None:
    codes = {c.code for c in CASES.values()}
    assert codes >= {
        "INCONSISTENT_VALUE",
        "MISSING_VALUE",
        "OUT_OF_RANGE",
        "TOO_MANY_DECIMALS",
        "WRONG_TYPE",
        "NEGATIVE_VALUE",
        "NEGATIVE_AREA",
        "NEGATIVE_AMOUNT",
        "TOO_MANY_ROWS",
        "UNKNOWN_CATEGORY",
        "DUPLICATE_ID",
        "UNKNOWN_REFERENCE",
        "MISSING_COLUMN",
        "USCC_CHECK_DIGIT",
        "BANK_LUHN",
        "UNKNOWN_SHEET",
    }


def test_all_problems_are_collected_in_one_pass(tmp_path: Path) -> None:
    book = banan_rows(ranges=True)
    book["assumptions"][0].update(exchange_share_high=Decimal("0.45"), flat_source="自建")
    book["collectives"].append({"collective_id": "C1", "name": "重复"})
    book["attachments"][0]["quantity"] = Decimal("-1")
    book["population"][0].update(land_lost_under_16=None)
    book["buildings"][1]["unit_value"] = "很贵"
    book["households"][0]["households"] = None
    inputs, issues = import_estimate(write_estimate(tmp_path / "many.xlsx", book))
    assert inputs is None
    assert {(i.code, located(i)) for i in issues} == {
        ("INCONSISTENT_VALUE", where("assumptions", "exchange_share_high")),
        ("UNKNOWN_CATEGORY", where("assumptions", "flat_source")),
        ("DUPLICATE_ID", where("collectives", "collective_id", 1)),
        ("NEGATIVE_VALUE", where("attachments", "quantity")),
        ("INCONSISTENT_VALUE", where("population", "land_lost_under_16")),
        ("WRONG_TYPE", where("buildings", "unit_value", 1)),
        ("MISSING_VALUE", where("households", "households")),
    }


def test_old_layout_sheet_says_where_its_figures_go(tmp_path: Path) -> None:
    path = CASES["old 安置方式 sheet"].make(tmp_path / "old.xlsx")
    _, issues = import_estimate(path)
    assert "测算参数" in issues[0].message and issues[0].severity is Severity.WARNING
