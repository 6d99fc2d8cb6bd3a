"""The reconciliation workbook from a real :class:`ReconcileReport` (generated clean
records, one planted unscheduled payment): sheets, findings with amounts, line
states, control totals, buckets, banner, masking, no formulas."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from tests.io.reports_kit import all_cells, load, sheet_xml

from buchang.funds.reconcile import ReconcileReport, reconcile
from buchang.funds.records import Direction, Transaction
from buchang.funds.synth import SynthRecords, clean_records, restate
from buchang.io.reports.reconcile_report import write_reconcile_report

STRANGER = "6222999900001111"


@cache
def records() -> SynthRecords:
    return clean_records(12, projects=1, seed=7)


def run(d: SynthRecords) -> ReconcileReport:
    return reconcile(
        d.projects,
        d.agreements,
        d.lists,
        d.reviews,
        d.transactions,
        d.allocations,
        d.relocations,
        as_of=d.as_of,
    )


def with_unscheduled() -> ReconcileReport:
    # one outflow of 123.45 元 to a stranger, matching no line: PAYMENT_UNSCHEDULED,
    # expected 0, actual 12345 fen, difference 12345 fen
    d = records()
    extra = Transaction(
        "X0000001",
        d.projects[0].account,
        datetime(2024, 6, 3, 10),
        Direction.OUT,
        12345,
        "=cmd|' /C calc'!A0",
        STRANGER,
        "+服务费",
    )
    return run(replace(d, transactions=restate((*d.transactions, extra))))


def test_sheets_findings_and_totals(tmp_path: Path) -> None:
    report = with_unscheduled()
    assert report.counts_by_code() == {"PAYMENT_UNSCHEDULED": 1}
    wb = load(write_reconcile_report(report, tmp_path / "recon.xlsx"))
    assert wb.sheetnames == ["汇总", "发现", "清单行", "流出", "异常", "参数"]
    f = wb["发现"]
    header = [c.value for c in f[2]]
    row = dict(zip(header, [c.value for c in f[3]], strict=True))
    assert row["代码 / code"] == "PAYMENT_UNSCHEDULED"
    assert row["流水 / transactions"] == "X0000001"
    # 0.00 expected, 123.45 found, difference 123.45 — numeric cells formatted 0.00
    assert (row["应为（元） / expected"], row["实为（元） / actual"], row["差额（元） / difference"]) == (
        0,
        123.45,
        123.45,
    )
    assert f.cell(3, header.index("实为（元） / actual") + 1).number_format == "0.00"
    assert "<v>123.45</v>" in sheet_xml(tmp_path / "recon.xlsx")
    # every line and every outflow has its row
    assert wb["清单行"].max_row == 2 + len(report.lines)
    assert wb["流出"].max_row == 2 + len(report.outflows)
    buckets = {r[4].value for r in wb["流出"].iter_rows(min_row=3)}
    assert buckets == {"matched", "PAYMENT_UNSCHEDULED"}
    # control totals: scheduled = paid + unpaid per category, copied exactly
    s = wb["汇总"]
    cats = {c.category: c for c in report.category_totals}
    for r in s.iter_rows(min_row=4, max_row=3 + len(cats)):
        c = cats[r[0].value]
        assert round(r[2].value * 100) == c.scheduled_fen and round(r[4].value * 100) == c.paid_fen
    a = [c.value for c in s["A"]]
    checks = a.index("四、平衡校验 / conservation checks") + 1
    assert all(s.cell(r, 4).value == "是 / yes" for r in range(checks + 2, checks + 2 + len(report.checks)))


def test_banner_red_with_findings_and_plain_without(tmp_path: Path) -> None:
    bad = load(write_reconcile_report(with_unscheduled(), tmp_path / "bad.xlsx"))
    for ws in bad.worksheets:
        assert ws["A1"].fill.fgColor.rgb.endswith("C00000") and "1 findings" in ws["A1"].value
    clean = load(write_reconcile_report(run(records()), tmp_path / "clean.xlsx"))
    for ws in clean.worksheets:
        assert ws["A1"].fill.patternType is None and "reconciliation report" in ws["A1"].value


def test_written_from_json_and_masked(tmp_path: Path) -> None:
    report = with_unscheduled()
    data = json.loads(report.to_json())  # a report saved as JSON and read back
    account = report.account_totals[0].account
    plain = write_reconcile_report(data, tmp_path / "p.xlsx")
    masked = write_reconcile_report(data, tmp_path / "m.xlsx", mask=True)
    assert account in sheet_xml(plain)
    xml = sheet_xml(masked)
    assert account not in xml
    wb = load(masked)
    assert wb["流出"].cell(3, 2).value.count("*") >= 8


def test_no_formulas_in_reconcile_report(tmp_path: Path) -> None:
    wb = load(write_reconcile_report(with_unscheduled(), tmp_path / "r.xlsx"))
    for cell in all_cells(wb):
        assert cell.data_type != "f"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@"))


def test_cli_report_reconcile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from buchang.cli import report_cmd

    parser = argparse.ArgumentParser(prog="buchang")
    report_cmd.register(parser.add_subparsers())

    def cli(*argv: str) -> int:
        args = parser.parse_args(list(argv))
        code: int = args.func(args)
        return code

    (tmp_path / "clean.json").write_text(run(records()).to_json(), encoding="utf-8")
    (tmp_path / "bad.json").write_text(with_unscheduled().to_json(), encoding="utf-8")
    assert cli("report", "reconcile", str(tmp_path / "clean.json"), "-o", str(tmp_path / "c.xlsx")) == 0
    assert cli("report", "reconcile", str(tmp_path / "bad.json"), "-o", str(tmp_path / "b.xlsx")) == 1
    assert "findings: 1" in capsys.readouterr().out
    (tmp_path / "junk.json").write_text("[1, 2]", encoding="utf-8")
    assert cli("report", "reconcile", str(tmp_path / "junk.json"), "-o", str(tmp_path / "j.xlsx")) == 1
    assert not (tmp_path / "j.xlsx").exists()
    assert cli("report") == 2  # no report named: usage
