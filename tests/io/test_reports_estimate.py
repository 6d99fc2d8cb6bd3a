"""The upfront-funds estimate workbook (资金前置测算) of the bundled 巴南 example:
fund categories under low / expected / high, the amount to deposit with its 大写,
every line with its arithmetic, banner, no formulas."""

from __future__ import annotations

import argparse
from functools import cache
from pathlib import Path

import pytest
from tests.io.reports_kit import all_cells, load, sheet_xml, shipped_store

from buchang.cli import report_cmd
from buchang.core.money import from_fen, uppercase
from buchang.io.reports import estimate_report as er
from buchang.io.reports.xlsx import Engine
from buchang.rules.estimate.compute import estimate
from buchang.rules.estimate.io import read_estimate_inputs
from buchang.rules.estimate.model import Estimate, FundCategory

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "estimate_banan.yaml"


@cache
def example() -> Estimate:
    inputs, issues = read_estimate_inputs(EXAMPLE)
    assert inputs is not None, issues
    return estimate(inputs, shipped_store())


@pytest.mark.parametrize("engine", ["openpyxl", "fast"])
def test_estimate_workbook(tmp_path: Path, engine: Engine) -> None:
    est = example()
    path = er.write_estimate_report(est, tmp_path / "est.xlsx", engine=engine)
    wb = load(path)
    assert wb.sheetnames == ["汇总", "明细", "异常", "参数"]
    s = wb["汇总"]
    rows = {r[0].value: [c.value for c in r] for r in s.iter_rows(min_row=4) if r[0].value}
    # every fund category, low / expected / high, read back to the fen
    for fund in FundCategory:
        got = rows[fund.value][1:4]
        want = [sc.fund_fen(fund) for sc in est.scenarios]
        assert [round(v * 100) for v in got] == want, fund
    totals = rows["合计 / total"][1:4]
    assert [round(v * 100) for v in totals] == [sc.total_fen for sc in est.scenarios]
    high = est.high.total_fen
    assert rows["高 / high"][1] * 100 == pytest.approx(high) and rows["高 / high"][2] == uppercase(
        from_fen(high)
    )
    assert f"<v>{from_fen(high)}</v>" in sheet_xml(path)  # stored exactly
    # 明细: all lines of the three scenarios; the first (land[0]) derived by hand:
    # 20000 m² × 3/2000 亩/m² = 30 亩 × 46000 元/亩 × 0.3 (土地补偿费比例) = 414,000.00
    d = wb["明细"]
    assert d.max_row == 2 + sum(len(sc.lines) for sc in est.scenarios)
    first = [c.value for c in d[3]]
    assert first[:7] == [
        "低 / low",
        1,
        "土地补偿费和安置补助费",
        "土地补偿费",
        "land[0]",
        "南泉街道示例村一社",
        20000,
    ]
    assert first[11] == 414000 and d.cell(3, 12).number_format == "0.00"
    assert first[10] == "平方米折亩=0.0015; 土地补偿费比例=0.3"
    # illustrative tables: the red banner on every sheet
    for ws in wb.worksheets:
        assert ws["A1"].fill.fgColor.rgb.endswith("C00000") and "NOT OFFICIAL" in ws["A1"].value
    for cell in all_cells(wb):
        assert cell.data_type != "f"


def test_cli_report_estimate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="buchang")
    report_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["report", "estimate", str(EXAMPLE), "-o", str(tmp_path / "e.xlsx")])
    assert args.func(args) == 0
    assert "to deposit (high)" in capsys.readouterr().out
    assert (tmp_path / "e.xlsx").is_file()
