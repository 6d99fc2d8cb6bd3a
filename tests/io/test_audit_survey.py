"""End to end from a survey workbook: ``buchang report compute SURVEY.xlsx -o
RESULT.xlsx`` then ``buchang audit RESULT.xlsx`` (the survey found beside the
report by the name recorded in 参数), with the survey re-saved or edited."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from tests.io.io_kit import VALID_ID, base, write_survey
from tests.io.reports_kit import sheet_xml

from buchang.cli import audit_cmd, report_cmd
from buchang.io.reports import compute_report as cr


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    sub = parser.add_subparsers()
    report_cmd.register(sub)
    audit_cmd.register(sub)
    args = parser.parse_args(list(argv))
    code: int = args.func(args)
    return code


def survey(folder: Path, quantity: int = 1) -> Path:
    s = base()
    s["project"][0].update(
        jurisdiction="310117",
        notice_date=date(2020, 3, 16),
        signing_start=date(2020, 5, 15),
        signing_end=date(2020, 6, 15),
    )
    s["parcels"][0]["zone"] = "songjiang-I"
    s["attachments"][0]["quantity"] = quantity
    return write_survey(folder / "survey.xlsx", s)


@pytest.fixture
def result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    src = survey(tmp_path)
    out = tmp_path / "RESULT.xlsx"
    code = cli("report", "compute", str(src), "-o", str(out), "--csv", str(tmp_path / "detail.csv"))
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "项目合计" in printed and str(out) in printed
    return out


def test_report_from_survey_records_the_input(result: Path, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(result)["参数"]
    params = {r[0].value: r[1].value for r in ws.iter_rows(min_row=3)}
    assert params[cr.P_INPUT_NAME] == "survey.xlsx"
    assert params[cr.P_INPUT_SHA] == cr.sha256_file(tmp_path / "survey.xlsx")
    assert (tmp_path / "detail.csv").is_file()


def test_audit_finds_the_survey_and_passes(result: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("audit", str(result)) == 0
    assert "re-computed and compared" in capsys.readouterr().out


def test_resaved_survey_is_noted_edited_survey_fails(result: Path, tmp_path: Path) -> None:
    src = tmp_path / "survey.xlsx"
    wb = openpyxl.load_workbook(src)
    wb.save(src)  # same data, new bytes
    assert cli("audit", str(result)) == 0
    survey(tmp_path, quantity=2)  # the well counted twice now
    assert cli("audit", str(result)) == 1


def test_invalid_survey_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = base()
    s["members"][0]["id_number"] = VALID_ID[:-1] + "1"  # wrong check character
    src = write_survey(tmp_path / "bad.xlsx", s)
    assert cli("report", "compute", str(src), "-o", str(tmp_path / "R.xlsx")) == 1
    assert "ID_CHECK_DIGIT" in capsys.readouterr().err
    assert not (tmp_path / "R.xlsx").exists()


def test_masked_report_from_survey(tmp_path: Path) -> None:
    src = survey(tmp_path)
    out = tmp_path / "PUBLIC.xlsx"
    assert cli("report", "compute", str(src), "-o", str(out), "--mask", "--json") == 0
    xml = sheet_xml(out)
    assert "6222020200112233446" not in xml and VALID_ID not in xml
    assert cli("audit", str(out)) == 0
