"""The estimate from a workbook (资金前置测算, spec 4.6, issue 7 item 1): a 巴南 farmland project
filled into the ``estimate`` template runs end to end through ``buchang estimate X.xlsx -o OUT.xlsx``;
the report's figures are checked against values derived by hand from the cited tables; the
range case keeps low ≤ expected ≤ high; the same inputs as YAML, JSON and xlsx give the same
estimate; the template carries every input the YAML does.

The project is ``scenarios/banan_upfront`` (see ``tests/io/estimate_kit.py``); every table it
uses is illustrative (示例数据，非官方标准), so the report carries the red banner.

Hand derivation (m² × 15/10000 = 亩; one rounding per line, half up). Tables:
``chongqing.land.fees@2020-B[banan-I]`` price 52000, unused_price 26000 元/亩, split 0.3 / 0.7;
``banan.attachments.items@2015`` paddy 1800, dry 1440 元/亩, well 1080 元/口, grave 2700 元/座;
``banan.house.collective_price@2015-illustrative`` 砖混二等 720, 砖木 560 元/m² (× 成新);
``banan.house.fee_rates@2015-illustrative`` moving 1000 元/户·次, temporary 8 元/m²·月, money option 6
months; ``banan.house.transition@2015-illustrative`` moving ×2 for exchange, 24-month period, 3 months
after hand-over, overrun ×1.5; ``banan.estimate.flat_costs@2015-illustrative`` buy-back 4500 元/m²;
``chongqing.social_security.groups@2020`` 20000 / 120000 / 150000 元/人;
``banan.estimate.working_costs@2015-illustrative`` 测绘 0.3% of compensation, 评估 0.5% of houses,
拆除 20 元/m² of all building area, 工作经费 2% of compensation + flats, 不可预见 5% of everything else.

Fixed in every scenario:
  土地 = 30 亩 × 52000 (paddy) + 9 亩 × 52000 (dry) + 2.25 亩 × 26000 (unused) = 1,560,000 + 468,000
         + 58,500 = 2,086,500.00 (each split 0.3 / 0.7 into two lines that add up exactly);
  青苗/附着物 = 30 × 1800 + 9 × 1440 + 2 × 1080 + 3 × 2700 = 54,000 + 12,960 + 2,160 + 8,100
         = 77,220.00 (no crops on the unused land: 青苗品种 “无”);
  社保 = 1 × 20000 + 1 × 120000 + 1 × 150000 = 290,000.00;  拆除 = 255.5 m² × 20 = 5,110.00.

Expected (share 0.5, 24 months) — ``scenarios/banan_upfront/README.md`` E1–E13:
  房屋 = 80 m² × 720 × 0.7 + 47.75 m² × 560 × 0.6 = 40,320 + 16,044 = 56,364.00;
  搬家 = 1 户 × 1000 + 1 户 × 1000 × 2 = 3,000.00;  过渡 = 127.75 × 8 × 6 + 127.75 × 8 × 24
  = 6,132 + 24,528 = 30,660.00;  安置房回购 = 127.75 × 4500 = 574,875.00;
  补偿 = 2,253,744.00; 测绘 = 6,761.232 → 6,761.23; 评估 = 281.82; 工作经费 = 2% × 2,828,619.00
  = 56,572.38; 不可预见 = 5% × 3,187,344.43 = 159,367.2215 → 159,367.22; total 3,346,711.65.

Low (share 0.4, 18 months; the cheapest end of both ranges):
  房屋 = 96 × 720 × 0.7 + 57.3 × 560 × 0.6 = 48,384.00 + 19,252.80 = 67,636.80;
  搬家 = 1.2 户 × 1000 + 0.8 户 × 1000 × 2 = 2,800.00;
  过渡 = 153.3 × 8 × 6 + 102.2 × 8 × 18 = 7,358.40 + 14,716.80 = 22,075.20;
  安置房回购 = 102.2 × 4500 = 459,900.00;  补偿 = 2,256,232.00;
  测绘 = 6,768.696 → 6,768.70; 评估 = 338.184 → 338.18; 工作经费 = 2% × 2,716,132.00 = 54,322.64;
  不可预见 = 5% × 3,072,671.52 = 153,633.576 → 153,633.58; total 3,226,305.10.

High (share 0.6, 30 months: 27 months to hand-over = 24 in the period + 3 over at ×1.5, + 3 after):
  房屋 = 64 × 720 × 0.7 + 38.2 × 560 × 0.6 = 32,256.00 + 12,835.20 = 45,091.20;
  搬家 = 0.8 户 × 1000 + 1.2 户 × 1000 × 2 = 3,200.00;
  过渡 = 102.2 × 8 × 6 + 153.3 × 8 × 27 + 153.3 × 8 × 3 × 1.5 = 4,905.60 + 33,112.80 + 5,518.80
       = 43,537.20;  安置房回购 = 153.3 × 4500 = 689,850.00;  补偿 = 2,255,548.40;
  测绘 = 6,766.6452 → 6,766.65; 评估 = 225.456 → 225.46; 工作经费 = 2% × 2,945,398.40 = 58,907.968
  → 58,907.97; 不可预见 = 5% × 3,306,408.48 = 165,320.424 → 165,320.42; total 3,471,728.90.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.io.estimate_kit import banan_rows, banan_yaml, write_estimate

from buchang.cli import estimate_cmd, import_cmd
from buchang.cli.demo_data import fill_template
from buchang.io.estimate import estimate_records, import_estimate
from buchang.io.reports.estimate_report import BANNER_HEAD
from buchang.io.schema import ESTIMATE
from buchang.io.templates import write_template
from buchang.rules.estimate import (
    EstimateInputs,
    FundCategory,
    estimate,
    estimate_from_json,
    estimate_to_json,
    parse_estimate_inputs,
)
from buchang.rules.inputs import LandClass, LandTenure, Legality, Use
from buchang.tables.store import load_tables

F = FundCategory
#: fund → (low, expected, high), 元, derived by hand above.
HAND: dict[FundCategory, tuple[str, str, str]] = {
    F.LAND_FEES: ("2086500.00", "2086500.00", "2086500.00"),
    F.CROPS_ATTACHMENTS: ("77220.00", "77220.00", "77220.00"),
    F.HOUSES: ("67636.80", "56364.00", "45091.20"),
    F.MOVING: ("2800.00", "3000.00", "3200.00"),
    F.TEMPORARY_HOUSING: ("22075.20", "30660.00", "43537.20"),
    F.REWARDS: ("0.00", "0.00", "0.00"),
    F.FLATS: ("459900.00", "574875.00", "689850.00"),
    F.SOCIAL_SECURITY: ("290000.00", "290000.00", "290000.00"),
    F.SURVEYING: ("6768.70", "6761.23", "6766.65"),
    F.APPRAISAL: ("338.18", "281.82", "225.46"),
    F.DEMOLITION: ("5110.00", "5110.00", "5110.00"),
    F.WORKING_FUNDS: ("54322.64", "56572.38", "58907.97"),
    F.CONTINGENCY: ("153633.58", "159367.22", "165320.42"),
}
TOTALS = ("3226305.10", "3346711.65", "3471728.90")


def run(module: object, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    module.register(parser.add_subparsers())  # type: ignore[attr-defined]
    args = parser.parse_args(list(argv))
    code: int = args.func(args)
    return code


def yuan(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def summary_rows(path: Path) -> dict[str, list[object]]:
    ws = openpyxl.load_workbook(path)["汇总"]
    return {str(r[0].value): [c.value for c in r] for r in ws.iter_rows(min_row=3) if r[0].value}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """The template filled with the project (point estimate, and with ranges)."""
    folder = tmp_path_factory.mktemp("filled")
    return {
        r: fill_template(ESTIMATE, banan_rows(ranges=r), folder / f"banan-{r}.xlsx") for r in (False, True)
    }


def test_farmland_workbook_end_to_end(
    filled: dict[bool, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "estimate.xlsx"
    assert run(estimate_cmd, "estimate", str(filled[False]), "-o", str(out)) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"!!! {BANNER_HEAD}:")  # the console says what the workbook banner says
    # no range in the input: low = expected = high = the scenario's own hand-derived estimate
    rows = summary_rows(out)
    for fund, (_low, expected, _high) in HAND.items():
        assert [yuan(v) for v in rows[fund.value][2:5]] == [Decimal(expected)] * 3, fund
    assert [yuan(v) for v in rows["合计 / total"][2:5]] == [Decimal("3346711.65")] * 3
    # social security is its own fund, with its own line in the deposit block
    high = rows["高 / high（采用 / used）"]
    assert yuan(high[1]) == Decimal("3346711.65") and high[2] == "叁佰叁拾肆万陆仟柒佰壹拾壹元陆角伍分"
    assert yuan(high[3]) == Decimal("290000.00") and yuan(high[4]) == Decimal("3056711.65")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "明细", "异常", "参数"]
    for ws in wb.worksheets:
        assert str(ws["A1"].value).startswith(BANNER_HEAD) and ws["A1"].fill.fgColor.rgb.endswith("C00000")
    # every figure cites its table: the flats line cites the buy-back price, the SS lines the groups
    detail = wb["明细"]
    header = [c.value for c in detail[2]]
    col = {h: j for j, h in enumerate(header)}
    lines = [[c.value for c in r] for r in detail.iter_rows(min_row=3) if r[0].value == "预期 / expected"]
    flats = next(r for r in lines if r[col["资金类别 / fund"]] == F.FLATS.value)
    assert "banan.estimate.flat_costs@2015-illustrative" in flats[col["标准表 / table@version[row]"]]
    assert yuan(flats[col["金额（元） / amount"]]) == Decimal("574875.00")
    ss = [r for r in lines if r[col["资金类别 / fund"]] == F.SOCIAL_SECURITY.value]
    assert sorted(yuan(r[col["金额（元） / amount"]]) for r in ss) == [
        Decimal(20000),
        Decimal(120000),
        Decimal(150000),
    ]
    assert all("chongqing.social_security.groups@2020" in r[col["标准表 / table@version[row]"]] for r in ss)
    assert all(r[col["标准表 / table@version[row]"]] for r in lines)
    params = {r[0].value: r[1].value for r in wb["参数"].iter_rows(min_row=3) if r[0].value}
    assert params["输入文件 / input file"] == filled[False].name


def test_range_workbook_low_expected_high(
    filled: dict[bool, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, js = tmp_path / "estimate.xlsx", tmp_path / "estimate.json"
    assert run(estimate_cmd, "estimate", str(filled[True]), "-o", str(out), "--json", str(js)) == 0
    capsys.readouterr()
    rows = summary_rows(out)
    for fund, hand in HAND.items():
        assert [yuan(v) for v in rows[fund.value][2:5]] == [Decimal(x) for x in hand], fund
    totals = [yuan(v) for v in rows["合计 / total"][2:5]]
    assert totals == [Decimal(x) for x in TOTALS]
    assert totals[0] <= totals[1] <= totals[2]
    # what each scenario took from the ranges
    assert rows["低 / low"][1:3] == [0.4, 18]
    assert rows["预期 / expected"][1:3] == [0.5, 24]
    assert rows["高 / high"][1:3] == [0.6, 30]
    # the deposit the fund-control gate takes is the high total (the JSON says the same)
    assert yuan(rows["高 / high（采用 / used）"][1]) == Decimal("3471728.90")
    envelope = json.loads(js.read_text(encoding="utf-8"))
    assert envelope["required_upfront_fen"] == {"expected": 334671165, "high": 347172890}


@pytest.mark.parametrize("ranges", [False, True])
@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_yaml_json_and_xlsx_give_the_same_estimate(
    filled: dict[bool, Path], tmp_path: Path, ranges: bool, engine: str
) -> None:
    from_yaml, issues = parse_estimate_inputs(banan_yaml(ranges=ranges))
    assert from_yaml is not None, issues
    from_json, issues = parse_estimate_inputs(from_yaml.model_dump_json())
    assert from_json == from_yaml, issues
    from_template, issues = import_estimate(filled[ranges], engine=engine)  # type: ignore[arg-type]
    assert issues == () and from_template == from_yaml
    raw = write_estimate(tmp_path / "raw.xlsx", banan_rows(ranges=ranges))  # typed cells, no template
    from_raw, issues = import_estimate(raw, engine=engine)  # type: ignore[arg-type]
    assert issues == () and from_raw == from_yaml
    store, _ = load_tables()
    assert estimate_to_json(estimate(from_template, store)) == estimate_to_json(estimate(from_yaml, store))


def test_import_estimate_writes_the_yaml_json_input(
    filled: dict[bool, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``buchang import estimate X.xlsx -o X.json`` writes the input ``buchang estimate`` reads."""
    js = tmp_path / "inputs.json"
    assert run(import_cmd, "import", "estimate", str(filled[True]), "-o", str(js)) == 0
    inputs, issues = parse_estimate_inputs(js.read_text(encoding="utf-8"), str(js))
    assert issues == [] and inputs == parse_estimate_inputs(banan_yaml(ranges=True))[0]
    out = tmp_path / "e.json"
    assert run(estimate_cmd, "estimate", str(js), "--json", str(out)) == 0
    capsys.readouterr()
    assert estimate_from_json(out.read_text(encoding="utf-8")).high.total_fen == 347172890


def test_the_template_carries_every_input_field(tmp_path: Path) -> None:
    """Every field of the YAML input model has a place in the workbook."""
    keys = {c.key for s in ESTIMATE.sheets for c in s.columns}
    sheets = {s.key for s in ESTIMATE.sheets}
    nested = {
        "collectives": "collectives",
        "land": "land",
        "attachments": "attachments",
        "population": "population",
        "buildings": "buildings",
        "households": "households",
    }
    ranges = {"exchange_share", "temporary_months"}
    flats = {"flats"}
    for name in EstimateInputs.model_fields:
        if name in nested:
            assert nested[name] in sheets
            sub = EstimateInputs.model_fields[name].annotation.__args__[0]  # type: ignore[union-attr]
            spec = ESTIMATE.sheet(nested[name])
            assert set(sub.model_fields) <= {c.key for c in spec.columns}, name
        elif name in ranges:
            assert {name, f"{name}_low", f"{name}_high"} <= keys
        elif name in flats:
            assert {"flat_source", "flat_unit_cost", "flat_area_ratio", "flat_area_per_person_m2"} <= keys
        else:
            assert name in keys, name
    # the template: 说明 explains ranges and the social security data; drop-downs on the new columns
    path = tmp_path / "t.xlsx"
    write_template("estimate", path)
    wb = openpyxl.load_workbook(path)
    info = "\n".join(str(c.value) for r in wb["说明"].iter_rows() for c in r if c.value)
    assert "低≤预期≤高" in info and "被征地人员三个年龄段" in info and "estimate.working_costs" in info
    formulas = [dv.formula1 for dv in wb["测算参数"].data_validations.dataValidation]
    assert '"建设,回购"' in formulas and '"是,否"' in formulas
    assert any(
        "集体土地" in f for f in (dv.formula1 for dv in wb["被征收户数"].data_validations.dataValidation)
    )
    # the example rows make an estimate of the 西湖区 example project with every table found
    inputs, issues = import_estimate(path)
    assert inputs is not None and issues == ()
    assert inputs.exchange_share.lo < inputs.exchange_share.expected < inputs.exchange_share.hi
    store, _ = load_tables()
    est = estimate(inputs, store)
    assert not est.has_errors, [str(i) for i in est.issues if i.is_error]
    assert est.low.total_fen <= est.expected.total_fen <= est.high.total_fen


def test_broken_workbook_exits_1_with_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = banan_rows(ranges=True)
    book["assumptions"][0]["exchange_share_low"] = Decimal("0.7")  # above expected
    book["population"][0]["land_lost_retired"] = None  # two of three age groups
    book["land"][1]["collective"] = "C7"  # no such collective
    path = write_estimate(tmp_path / "bad.xlsx", book)
    assert run(estimate_cmd, "estimate", str(path), "-o", str(tmp_path / "o.xlsx")) == 1
    err = capsys.readouterr().err
    assert f"{path}:测算参数!A2: [INCONSISTENT_VALUE]" in err
    assert f"{path}:户数人口!H2: [INCONSISTENT_VALUE]" in err
    assert f"{path}:地类面积!E3: [UNKNOWN_REFERENCE]" in err
    assert not (tmp_path / "o.xlsx").exists()  # nothing written from invalid input


def test_report_estimate_writes_the_same_workbook(
    filled: dict[bool, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One writer: ``buchang report estimate X.xlsx -o`` and ``buchang estimate X.xlsx -o`` agree cell by cell."""
    from buchang.cli import report_cmd

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run(estimate_cmd, "estimate", str(filled[True]), "-o", str(a)) == 0
    assert run(report_cmd, "report", "estimate", str(filled[True]), "-o", str(b)) == 0
    capsys.readouterr()
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        assert [[c.value for c in r] for r in wa[name].iter_rows()] == [
            [c.value for c in r] for r in wb[name].iter_rows()
        ], name


# --- any inputs: YAML/JSON model → workbook → the same model ---------------------------------

_TEXT = st.text(alphabet="ABCXYZ示例村组一二三", min_size=1, max_size=8)


def _dec(places: int, top: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, top * 10**places).map(lambda n: Decimal(n) / 10**places)


def _range(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    def ordered(t: list[Any], keep_low: bool, keep_high: bool) -> dict[str, Any]:
        low, exp, high = sorted(t)
        return {"low": low if keep_low else None, "expected": exp, "high": high if keep_high else None}

    return st.builds(ordered, st.lists(values, min_size=3, max_size=3), st.booleans(), st.booleans())


@st.composite
def estimate_inputs(draw: st.DrawFn) -> EstimateInputs:
    ids = draw(st.lists(st.sampled_from(["C1", "C2", "C3"]), unique=True, max_size=3))
    collectives = [
        {
            "collective_id": cid,
            "name": f"{cid}组",
            "pre_agricultural_area_m2": draw(st.none() | _dec(2, 10**6)),
            "agricultural_population_16plus": draw(st.none() | st.integers(0, 999)),
            "average_annual_output_value": draw(st.none() | _dec(2, 10**4)),
        }
        for cid in ids
    ]

    def owner() -> str | None:
        return draw(st.sampled_from(ids)) if len(ids) > 1 else draw(st.sampled_from([None, *ids]))

    land = [
        {
            "land_class": draw(st.sampled_from(list(LandClass))),
            "area_m2": draw(_dec(2, 10**6)),
            "zone": draw(st.sampled_from([None, "z-I", "z-II"])),
            "basic_farmland": draw(st.booleans()),
            "collective": owner(),
            "crop_item": draw(st.sampled_from([None, "", "paddy", "tree/d10_20"])),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    population = []
    for _ in range(draw(st.integers(0, 2))):
        ag = draw(st.none() | st.integers(0, 500))
        ages = draw(st.none() | st.lists(st.integers(0, 300), min_size=3, max_size=3))
        population.append(
            {
                "collective": owner(),
                "households": draw(st.integers(0, 500)),
                "persons": draw(st.integers(0, 2000)),
                "agricultural_persons": ag,
                "agricultural_persons_16plus": None if ag is None else draw(st.integers(0, ag)),
                **dict(
                    zip(
                        ("land_lost_under_16", "land_lost_working_age", "land_lost_retired"),
                        ages or [None] * 3,
                        strict=True,
                    )
                ),
            }
        )
    buildings = [
        {
            "structure": draw(st.sampled_from(["brick_concrete_2", "simple", "local_grade_x"])),
            "area_m2": draw(_dec(2, 10**5)),
            "tenure": draw(st.sampled_from(list(LandTenure))),
            "use": draw(st.sampled_from(list(Use))),
            "legality": draw(st.sampled_from(list(Legality))),
            "newness": draw(st.none() | _dec(4, 1)),
            "unit_value": draw(st.none() | _dec(2, 10**5)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    data = {
        "project_id": draw(_TEXT),
        "name": draw(_TEXT),
        "jurisdiction": "500113",
        "notice_date": draw(st.dates(date(2000, 1, 1), date(2030, 12, 31))),
        "approval_date": draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31))),
        "valuation_date": draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31))),
        "collectives": collectives,
        "land": land,
        "attachments": [
            {
                "item_code": draw(st.sampled_from(["well", "grave"])),
                "quantity": draw(_dec(2, 1000)),
                "spec": draw(st.sampled_from([None, "d10"])),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
        "population": population,
        "buildings": buildings,
        "households": [
            {
                "tenure": draw(st.sampled_from(list(LandTenure))),
                "households": draw(st.integers(0, 500)),
                "persons": draw(st.none() | st.integers(0, 2000)),
            }
            for _ in range(draw(st.integers(0, 2)))
        ],
        "exchange_share": draw(_range(_dec(4, 1))),
        "temporary_months": draw(_range(st.integers(0, 60))),
        "turnover_housing": draw(st.booleans()),
        "high_rise": draw(st.booleans()),
        "flats": {
            "source": draw(st.sampled_from(["construction", "buy_back"])),
            "unit_cost": draw(st.none() | _dec(2, 10**5)),
            "area_ratio": draw(_dec(4, 10)),
            "area_per_person_m2": draw(st.none() | _dec(2, 200)),
        },
        "rewards": draw(st.booleans()),
    }
    return EstimateInputs.model_validate(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs=estimate_inputs())
def test_any_inputs_round_trip_through_the_workbook(tmp_path: Path, inputs: EstimateInputs) -> None:
    """Whatever the YAML/JSON input can say, the workbook says too: the records of the inputs, typed
    into a workbook, read back as the same inputs (and their JSON as the same inputs again)."""
    path = write_estimate(tmp_path / "any.xlsx", estimate_records(inputs))
    back, issues = import_estimate(path)
    assert [str(i) for i in issues if i.is_error] == [] and back == inputs
    again, issues2 = parse_estimate_inputs(inputs.model_dump_json())
    assert again == inputs, issues2
