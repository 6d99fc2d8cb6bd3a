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
from buchang.rules.estimate.model import FUND_EN, Estimate, FundCategory, Scenario

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
    # every fund category (Chinese, English), low / expected / high, read back to the fen
    for fund in FundCategory:
        assert rows[fund.value][1] == FUND_EN[fund]
        got = rows[fund.value][2:5]
        want = [sc.fund_fen(fund) for sc in est.scenarios]
        assert [round(v * 100) for v in got] == want, fund
    totals = rows["合计 / total"][2:5]
    assert [round(v * 100) for v in totals] == [sc.total_fen for sc in est.scenarios]
    high = est.high.total_fen
    used = rows["高 / high（采用 / used）"]  # the deposit the high scenario needs, marked as used
    assert used[1] * 100 == pytest.approx(high) and used[2] == uppercase(from_fen(high))
    # 三、what each scenario took from the input ranges (exchange share, months)
    assert rows["低 / low"][1:3] == [0.4, 18] and rows["高 / high"][1:3] == [0.6, 30]
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
    # illustrative tables: the red banner on every sheet, the one wording of the estimate
    for ws in wb.worksheets:
        assert ws["A1"].fill.fgColor.rgb.endswith("C00000") and ws["A1"].value == er.banner_text(est)
        assert ws["A1"].value.startswith(er.BANNER_HEAD)
    for cell in all_cells(wb):
        assert cell.data_type != "f"


def test_cli_report_estimate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="buchang")
    report_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["report", "estimate", str(EXAMPLE), "-o", str(tmp_path / "e.xlsx")])
    assert args.func(args) == 0
    assert "to deposit (high)" in capsys.readouterr().out
    assert (tmp_path / "e.xlsx").is_file()


def test_expected_scenario_marked_as_used(tmp_path: Path) -> None:
    est = example()
    path = er.write_estimate_report(est, tmp_path / "e.xlsx", scenario=Scenario.EXPECTED)
    s = load(path)["汇总"]
    labels = [r[0].value for r in s.iter_rows(min_row=3) if r[0].value]
    assert "预期 / expected（采用 / used）" in labels and "高 / high（采用 / used）" not in labels


def test_official_tables_have_no_banner() -> None:
    est = example()
    official = est.model_copy(update={"tables": tuple(t for t in est.tables if t.status.value == "official")})
    assert er.banner_text(official) == "" and er.banner_lines(official) == []


def test_a_figure_from_the_input_says_so(tmp_path: Path) -> None:
    from decimal import Decimal

    from buchang.rules.estimate.model import FlatPlan

    inputs, _ = read_estimate_inputs(EXAMPLE)
    assert inputs is not None
    est = estimate(inputs.model_copy(update={"flats": FlatPlan(unit_cost=Decimal(2000))}), shipped_store())
    d = load(er.write_estimate_report(est, tmp_path / "e.xlsx"))["明细"]
    flats = [r for r in d.iter_rows(min_row=3, values_only=True) if r[2] == FundCategory.FLATS.value]
    assert flats and all(r[12] == er.FROM_INPUT for r in flats)
