"""``buchang estimate INPUT [-o ESTIMATE.xlsx] [--json OUT]``: console, report workbook, JSON,
workbook input, exit codes."""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from buchang.cli import estimate_cmd
from buchang.io.reports.estimate_report import BANNER_HEAD
from buchang.rules.estimate import FundCategory, estimate_from_json

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "estimate_banan.yaml"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    estimate_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["estimate", *argv])
    code: int = args.func(args)
    return code


def test_example_console_xlsx_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    xlsx, out_json = tmp_path / "estimate.xlsx", tmp_path / "estimate.json"
    assert run(str(EXAMPLE), "-o", str(xlsx), "--json", str(out_json)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"!!! {BANNER_HEAD}:")  # the banner comes first, in the workbook's words
    assert "banan.estimate.working_costs@2015-illustrative（illustrative 示例）" in out
    # the example is the test project without the rewards table: high = 28,419,143.72 − rewards
    # 512,000 and the working costs on them (see tests/rules/test_estimate.py for the method)
    est = estimate_from_json(out_json.read_text(encoding="utf-8"))
    high = est.high.total_fen
    assert f"required upfront (high): {high // 100:,}.{high % 100:02d} 元" in out
    assert "社会保障费用（单独列支）" in out and "不可预见费" in out
    envelope = json.loads(out_json.read_text(encoding="utf-8"))
    assert envelope["required_upfront_fen"]["high"] == high
    assert envelope["totals_fen"]["expected"]["total"] == est.expected.total_fen
    assert any("(illustrative)" in t for t in envelope["non_official_tables"])

    # -o writes the one estimate workbook (the writer of `buchang report estimate`)
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["汇总", "明细", "异常", "参数"]
    for ws in wb.worksheets:  # row 1 of every sheet: the red non-official banner
        assert str(ws["A1"].value).startswith(BANNER_HEAD) and ws["A1"].fill.fgColor.rgb.endswith("C00000")
    summary = wb["汇总"]
    rows = {r[0].value: r for r in summary.iter_rows() if r[0].value}
    total = rows["合计 / total"]
    assert [c.number_format for c in total[2:5]] == ["0.00"] * 3
    assert Decimal(str(total[4].value)) == Decimal(high) / 100  # numeric, exact to the fen
    ss = rows[FundCategory.SOCIAL_SECURITY.value]
    assert ss[1].value == "social security (separate fund)"
    assert Decimal(str(ss[3].value)) == Decimal(est.expected.social_security_fen) / 100
    used = rows["高 / high（采用 / used）"]
    assert Decimal(str(used[1].value)) == Decimal(high) / 100 and str(used[2].value).endswith(
        ("分", "角", "整")
    )
    detail = wb["明细"]
    header = [c.value for c in detail[2]]
    assert header[11] == "金额（元） / amount" and header[12] == "标准表 / table@version[row]"
    assert header[13] == "文号 / document" and header[14] == "条款 / article"
    rows_e = [r for r in detail.iter_rows(min_row=3) if r[0].value == "预期 / expected"]
    land = next(r for r in rows_e if r[2].value == FundCategory.LAND_FEES.value)
    assert land[11].number_format == "0.00" and isinstance(land[11].value, int | float)
    assert "chongqing.land.fees@2020-B" in str(land[12].value) and "第四十八条" in str(land[14].value)
    amounts = [r[11].value for r in rows_e]
    assert sum(Decimal(str(a)) for a in amounts) == Decimal(est.expected.total_fen) / 100
    params = [r for r in wb["参数"].iter_rows(min_row=3, values_only=True)]
    assert any(r[0] == "banan.estimate.flat_costs" for r in params)
    assert ("应预存取用情景 / scenario of the required deposit", "高 / high") in [r[:2] for r in params]
    assert any(r[2] == "TABLE_NOT_OFFICIAL" for r in wb["异常"].iter_rows(min_row=3, values_only=True))


def test_expected_scenario_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(EXAMPLE), "--scenario", "expected") == 0
    assert "应存入前置资金（预期情景）" in capsys.readouterr().out


def test_invalid_input_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"0.4"', "0.4"), encoding="utf-8")
    assert run(str(bad)) == 1
    err = capsys.readouterr().err
    assert "FLOAT_VALUE" in err and "bad.yaml:" in err


def _workbook(path: Path, land_class: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    ws.append(["项目编号", "项目名称", "行政区划代码", "预公告日期", "征地批准日期"])
    ws.append(["BN-X", "巴南测试", "500113", date(2024, 3, 1), date(2024, 6, 1)])
    ws = wb.create_sheet("测算参数")
    ws.append(
        ["产权调换比例-低", "产权调换比例", "产权调换比例-高", "过渡月数-低", "过渡月数", "过渡月数-高"]
    )
    ws.append(["0.3", "0.4", "0.5", 18, 21, 30])
    ws = wb.create_sheet("地类面积")
    ws.append(["地类", "区片", "面积(m²)", "所属集体"])
    ws.append([land_class, "banan-II", "2000", "示例村"])
    ws = wb.create_sheet("户数人口")
    ws.append(["所属集体", "户数", "在册人口"])
    ws.append(["示例村", 10, 30])
    ws = wb.create_sheet("房屋面积")
    ws.append(["土地性质", "用途", "结构", "合法性", "建筑面积(m²)", "平均成新率"])
    ws.append(["集体土地", "居住", "砖混二等", "合法", "1000", "0.8"])
    wb.save(path)


def test_workbook_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    _workbook(path, "建设用地")
    assert run(str(path), "--json", str(tmp_path / "o.json")) == 0
    capsys.readouterr()
    est = estimate_from_json((tmp_path / "o.json").read_text(encoding="utf-8"))
    # the ranges of 测算参数: (0.3, 18) is the cheapest end, (0.5, 30) the dearest
    assert [(s.exchange_share, s.temporary_months) for s in est.scenarios] == [
        (Decimal("0.3"), 18),
        (Decimal("0.4"), 21),
        (Decimal("0.5"), 30),
    ]
    # 1,000 m² × 0.4 exchanged → 400 m² of flats × 3,000 元/m²
    assert est.expected.fund_fen(FundCategory.FLATS) == 400 * 3000 * 100


def test_workbook_without_social_security_data_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Agricultural land taken, but the workbook has neither the land-lost persons by age nor
    # the collective's data for the quota: the estimate says so and exits 1.
    path = tmp_path / "in.xlsx"
    _workbook(path, "水田")
    assert run(str(path)) == 1
    assert "ESTIMATE_SOCIAL_SECURITY_DATA" in capsys.readouterr().out


def test_workbook_with_social_security_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The same farmland workbook with the land-lost persons by age group (户数人口): the social
    # security fund is estimated — 2 × 20,000 + 6 × 120,000 + 1 × 150,000 = 910,000.00
    # (chongqing.social_security.groups@2020) — and the estimate is complete.
    path = tmp_path / "in.xlsx"
    _workbook(path, "水田")
    wb = load_workbook(path)
    ws = wb["户数人口"]
    for col, value in zip(
        "DEF",
        ("被征地人员-16周岁以下", "被征地人员-16周岁至退休年龄", "被征地人员-退休年龄以上"),
        strict=True,
    ):
        ws[f"{col}1"] = value
    ws["D2"], ws["E2"], ws["F2"] = 2, 6, 1
    wb.save(path)
    assert run(str(path), "--json", str(tmp_path / "o.json")) == 0
    capsys.readouterr()
    est = estimate_from_json((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert est.expected.social_security_fen == 910_000_00


def test_banner_only_for_non_official_tables(tmp_path: Path) -> None:
    est = estimate_from_json(_example_json(tmp_path))
    assert estimate_cmd.banner_text(est).startswith(BANNER_HEAD)
    assert estimate_cmd.banner_lines(est)[0] == f"!!! {BANNER_HEAD}:"
    official = est.model_copy(update={"tables": tuple(t for t in est.tables if t.status.value == "official")})
    assert estimate_cmd.banner_text(official) == "" and estimate_cmd.banner_lines(official) == []


def test_report_into_a_missing_folder_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(str(EXAMPLE), "-o", str(tmp_path / "nope" / "e.xlsx")) == 2  # no such folder: usage
    assert "nope" in capsys.readouterr().err


def _example_json(tmp_path: Path) -> str:
    out = tmp_path / "e.json"
    assert run(str(EXAMPLE), "--json", str(out)) == 0
    return out.read_text(encoding="utf-8")
