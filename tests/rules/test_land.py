"""Land fees, spec 4.1: regime A (土地管理法原第四十七条) and regime B (第四十八条).

Every expected figure is derived by hand in the comments from the cited rule.
Units: 1 亩 = 10000/15 m², so 12000 m² = 18 亩, 10000 m² = 15 亩, 6000 m² = 9 亩.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.rules.rules_kit import collective, parcel, parse, project, regime_a_table, regime_b_table, store

from buchang.core.errors import Severity
from buchang.rules.engine import compute_collective
from buchang.rules.inputs import Parcel
from buchang.rules.lines import Category, PayeeKind, SubjectResult
from buchang.tables import load_tables


def run(tables: str | tuple[str, ...], parcels: list[Parcel], **kw: Any) -> SubjectResult:
    texts = (tables,) if isinstance(tables, str) else tables
    proj = project(parcels=parcels, **kw)
    return compute_collective(proj, proj.collectives[0], store(*texts))


def amounts(result: SubjectResult, category: Category) -> list[Decimal]:
    return [line.amount for line in result.lines if line.category is category]


def codes(result: SubjectResult) -> set[str]:
    return {i.code for i in result.issues}


# --- regime A ------------------------------------------------------------------------------


def test_regime_a_worked_case() -> None:
    # AAOV 2000 元/亩, land multiple 10, per-person multiple 6.
    # Paddy 12000 m² = 18 亩: 土地补偿费 = 10 × 2000 × 18 = 360,000.00 (paid to the collective).
    # Persons = 18 亩 ÷ (180000 m² = 270 亩 ÷ 150 persons = 1.8 亩/person) = 10.
    # 安置补助费 = 10 × 6 × 2000 = 120,000.00; cap 15 × 2000 × 18 = 540,000 does not bind.
    r = run(regime_a_table(), [parcel("P1", "paddy", "12000")])
    assert amounts(r, Category.LAND_COMPENSATION) == [Decimal("360000.00")]
    assert amounts(r, Category.RESETTLEMENT_SUBSIDY) == [Decimal("120000.00")]
    land = r.lines[0]
    assert land.payee.kind is PayeeKind.COLLECTIVE and land.payee.account == "6222000000000000011"
    res = r.lines[1]
    assert res.quantity == 10 and res.unit == "人"
    assert res.payee.kind is PayeeKind.SOCIAL_SECURITY_FUND  # the table's resettlement_payee
    assert all(line.rule == "land.output_value_multiples" for line in r.lines)
    assert not [i for i in r.issues if i.is_error]


@pytest.mark.parametrize(
    ("rounding", "persons", "expected"),
    [
        # 10000 m² = 15 亩; 200000 m² = 300 亩 ÷ 150 = 2 亩/person → 7.5 persons.
        ("half_up", 8, "96000.00"),  # 8 × 6 × 2000
        ("down", 7, "84000.00"),  # 7 × 6 × 2000
        ("up", 8, "96000.00"),
        ("exact", Decimal("7.5"), "90000.00"),  # 7.5 × 6 × 2000
    ],
)
def test_regime_a_person_rounding_is_table_data(rounding: str, persons: object, expected: str) -> None:
    r = run(
        regime_a_table(rounding=rounding),
        [parcel("P1", "paddy", "10000")],
        collectives=[collective(pre_cultivated_area_m2=Decimal("200000"))],
    )
    line = next(x for x in r.lines if x.category is Category.RESETTLEMENT_SUBSIDY)
    assert line.quantity == persons
    assert line.amount == Decimal(expected)


def test_regime_a_per_hectare_cap() -> None:
    # 30000 m² = 45 亩 before, 150 persons → 0.3 亩/person; 6000 m² = 9 亩 taken → 30 persons.
    # By persons: 30 × 6 × 2000 = 360,000. Cap: each hectare at most 15 × its annual output,
    # i.e. 15 × 2000 元/亩 × 9 亩 = 270,000 (= 15 × 30,000 元/公顷 × 0.6 公顷) → 270,000.00.
    r = run(
        regime_a_table(),
        [parcel("P1", "paddy", "6000")],
        collectives=[collective(pre_cultivated_area_m2=Decimal("30000"))],
    )
    line = next(x for x in r.lines if x.category is Category.RESETTLEMENT_SUBSIDY)
    assert line.amount == Decimal("270000.00")
    assert "封顶" in line.note and line.refs[0].table_id == "cn.land.regime_a_bounds"
    assert amounts(r, Category.LAND_COMPENSATION) == [Decimal("180000.00")]  # 10 × 2000 × 9


def test_regime_a_total_cap_30x() -> None:
    # Provincial approval raised the per-hectare cap to 25 (a warning says so).
    # 45 亩 before, 200 persons → 0.225 亩/person; 9 亩 taken → 40 persons.
    # By persons 40 × 6 × 2000 = 480,000; per-hectare cap 25 × 2000 × 9 = 450,000 → 450,000.
    # 土地补偿费 = 10 × 2000 × 9 = 180,000; both ≤ 30 × 2000 × 9 = 540,000
    # → 安置补助费 = 540,000 − 180,000 = 360,000.00 = (30 − 10) × 2000 × 9.
    r = run(
        regime_a_table(cap_ha="25"),
        [parcel("P1", "paddy", "6000")],
        collectives=[collective(pre_cultivated_area_m2=Decimal("30000"), agricultural_population=200)],
    )
    res = next(x for x in r.lines if x.category is Category.RESETTLEMENT_SUBSIDY)
    assert res.amount == Decimal("360000.00")
    assert res.factors[-1].value == 20
    assert sum(x.amount for x in r.lines) == Decimal("540000.00")
    assert "LAND_CAP_RAISED" in codes(r)


def test_regime_a_local_total_cap_above_law_is_an_error_and_law_applies() -> None:
    # total_cap 35 is above the statute's 30: error; the same case as above gives 360,000.
    r = run(
        regime_a_table(cap_ha="25", total_cap="35"),
        [parcel("P1", "paddy", "6000")],
        collectives=[collective(pre_cultivated_area_m2=Decimal("30000"), agricultural_population=200)],
    )
    assert "LAND_TOTAL_CAP_EXCEEDS_LAW" in codes(r)
    assert amounts(r, Category.RESETTLEMENT_SUBSIDY) == [Decimal("360000.00")]


def test_regime_a_multiples_outside_national_bounds_warn() -> None:
    # 12 > 10 (土地补偿费 6–10倍) and 3 < 4 (安置补助费 4–6倍): warnings, still computed:
    # 12 × 2000 × 18 = 432,000.
    r = run(regime_a_table(land="12", person="3"), [parcel("P1", "paddy", "12000")])
    bad = [i for i in r.issues if i.code == "LAND_MULTIPLE_OUT_OF_BOUNDS"]
    assert len(bad) == 2 and all(i.severity is Severity.WARNING for i in bad)
    assert amounts(r, Category.LAND_COMPENSATION) == [Decimal("432000.00")]


def test_regime_a_other_classes_use_their_rows() -> None:
    # Garden row: multiples 8 and 6 per area, AAOV 2000: 3000 m² = 4.5 亩 →
    # 土地补偿费 8 × 2000 × 4.5 = 72,000; 安置补助费 6 × 2000 × 4.5 = 54,000.
    # Grass has no row → LAND_CLASS_NOT_IN_TABLE, parcel not priced.
    r = run(regime_a_table(), [parcel("G", "garden", "3000"), parcel("X", "grass", "1000")])
    assert amounts(r, Category.LAND_COMPENSATION) == [Decimal("72000.00")]
    assert amounts(r, Category.RESETTLEMENT_SUBSIDY) == [Decimal("54000.00")]
    assert "LAND_CLASS_NOT_IN_TABLE" in codes(r)


def test_regime_a_surveyed_output_value_overrides_table() -> None:
    # The collective's surveyed AAOV 2500: 10 × 2500 × 18 = 450,000.
    r = run(
        regime_a_table(),
        [parcel("P1", "paddy", "12000")],
        collectives=[collective(average_annual_output_value=Decimal("2500"))],
    )
    assert amounts(r, Category.LAND_COMPENSATION) == [Decimal("450000.00")]


def test_regime_a_missing_collective_data_is_an_issue() -> None:
    r = run(
        regime_a_table(),
        [parcel("P1", "paddy", "12000")],
        collectives=[collective(pre_cultivated_area_m2=None)],
    )
    assert "COLLECTIVE_DATA_MISSING" in codes(r)
    assert amounts(r, Category.LAND_COMPENSATION) == [Decimal("360000.00")]
    assert amounts(r, Category.RESETTLEMENT_SUBSIDY) == []


# --- regime B ------------------------------------------------------------------------------


def test_regime_b_worked_case_all_classes() -> None:
    # Zone Z1: 75,000 元/亩 (农用地), 78,000 (永久基本农田), 75,000 (建设用地), 37,500 (未利用地);
    # split 0.4 / 0.6.
    # paddy 10000 m² = 15 亩: 15 × 75,000 = 1,125,000 → 450,000.00 + 675,000.00
    # basic farmland 10000 m²: 15 × 78,000 = 1,170,000 → 468,000.00 + 702,000.00
    # construction 800 m² = 1.2 亩: 1.2 × 75,000 = 90,000 → 36,000.00 + 54,000.00
    # unused 1000 m² = 1.5 亩: 1.5 × 37,500 = 56,250 → 22,500.00 + 33,750.00
    r = run(
        regime_b_table(),
        [
            parcel("A", "paddy", "10000"),
            parcel("B", "paddy", "10000", basic_farmland=True),
            parcel("C", "construction", "800"),
            parcel("D", "unused", "1000"),
        ],
        notice=date(2020, 6, 1),
    )
    assert amounts(r, Category.LAND_COMPENSATION) == [
        Decimal(x) for x in ("450000.00", "468000.00", "36000.00", "22500.00")
    ]
    assert amounts(r, Category.RESETTLEMENT_SUBSIDY) == [
        Decimal(x) for x in ("675000.00", "702000.00", "54000.00", "33750.00")
    ]
    for line in r.lines:
        expected = PayeeKind.COLLECTIVE if line.category is Category.LAND_COMPENSATION else PayeeKind.PERSON
        assert line.payee.kind is expected
        assert line.rule == "land.zone_price"
    assert r.lines[2].refs[0].name == "basic_farmland_price" and r.lines[2].refs[0].row == "Z1"


def test_regime_b_rounds_each_line_once() -> None:
    # 6666.67 m² × 15/10000 = 10.000005 亩 × 75,000 = 750,000.375:
    # 0.4 → 300,000.15 exactly; 0.6 → 450,000.225 → 450,000.23 (half up, once per line).
    r = run(regime_b_table(), [parcel("A", "irrigated", "6666.67")], notice=date(2020, 6, 1))
    assert [line.amount for line in r.lines] == [Decimal("300000.15"), Decimal("450000.23")]
    assert r.total_fen == 75000038


def test_regime_b_basic_farmland_without_own_standard_uses_zone_price() -> None:
    # Z2 has only the 农用地 price 68,000: 15 亩 × 68,000 × 0.4 = 408,000, noted.
    r = run(
        regime_b_table(),
        [parcel("A", "paddy", "10000", zone="Z2", basic_farmland=True)],
        notice=date(2020, 6, 1),
    )
    assert r.lines[0].amount == Decimal("408000.00")
    assert "未单列永久基本农田" in r.lines[0].note


@pytest.mark.parametrize(
    ("p", "code"),
    [
        (parcel("A", "unused", "1000", zone="Z2"), "LAND_STANDARD_MISSING"),
        (parcel("A", "paddy", "1000", zone="Z9"), "ZONE_UNKNOWN"),
        (parcel("A", "paddy", "1000", zone=None), "ZONE_MISSING"),
    ],
)
def test_regime_b_parcel_problems_are_issues(p: Parcel, code: str) -> None:
    r = run(regime_b_table(), [p], notice=date(2020, 6, 1))
    assert code in codes(r) and not r.lines


def test_regime_b_split_must_sum_to_one() -> None:
    r = run(regime_b_table(land_ratio="0.5"), [parcel("A", "paddy", "1000")], notice=date(2020, 6, 1))
    assert "LAND_SPLIT_RATIO" in codes(r) and not r.lines


def test_regime_b_zone_price_overdue_after_three_years() -> None:
    # 土地管理法第四十八条: re-published at least every three years (national rules table).
    with_rules = load_tables()[0]
    rules = with_rules.table("cn.land.regime_b_rules")
    assert rules is not None
    tables = (regime_b_table(),)
    proj_late = project(parcels=[parcel("A", "paddy", "1000")], notice=date(2023, 1, 2))
    proj_ok = project(parcels=[parcel("A", "paddy", "1000")], notice=date(2023, 1, 1))
    st = store(*tables, rules)
    assert parse(tables[0]).versions[0].effective_from == date(2020, 1, 1)
    late = compute_collective(proj_late, proj_late.collectives[0], st)
    ok = compute_collective(proj_ok, proj_ok.collectives[0], st)
    assert "ZONE_PRICE_OVERDUE" in codes(late)
    assert "ZONE_PRICE_OVERDUE" not in codes(ok)


# --- the variant is chosen by the table, at the notice date ----------------------------------


def songjiang(notice: date) -> SubjectResult:
    st, issues = load_tables()
    assert not [i for i in issues if i.is_error]
    proj = project(parcels=[parcel("P1", "paddy", "12000", zone="songjiang-I")], notice=notice)
    return compute_collective(proj, proj.collectives[0], st)


def test_songjiang_switch_on_2019_12_31() -> None:
    # 松规划资源规〔2021〕1号 六: a 拟征地告知书 on or before 2019-12-31 → old rules.
    # Shipped (illustrative) songjiang.land.fees@2019-A: AAOV 2000, multiples 10 and 6.
    # 18 亩: 土地补偿费 10 × 2000 × 18 = 360,000; persons 18 ÷ (270/150) = 10 → 10 × 6 × 2000 = 120,000.
    old = songjiang(date(2019, 12, 31))
    assert {line.rule for line in old.lines} == {"land.output_value_multiples"}
    assert [line.amount for line in old.lines] == [Decimal("360000.00"), Decimal("120000.00")]
    assert old.lines[0].refs[0].version == "2019-A"
    # From 2020-01-01: 区片综合地价 songjiang-I 75,000 元/亩 × 18 亩 = 1,350,000 split 0.4 / 0.6.
    new = songjiang(date(2020, 1, 1))
    assert {line.rule for line in new.lines} == {"land.zone_price"}
    assert [line.amount for line in new.lines] == [Decimal("540000.00"), Decimal("810000.00")]
    assert new.lines[0].refs[0].version == "2020-B"
    # both carry the non-official warning (the figures are illustrative)
    assert "TABLE_NOT_OFFICIAL" in codes(old) and "TABLE_NOT_OFFICIAL" in codes(new)


def test_unknown_variant_is_an_issue() -> None:
    text = regime_b_table().replace("variant: zone_price", "variant: something_else")
    r = run(text, [parcel("A", "paddy", "1000")], notice=date(2020, 6, 1))
    assert "UNKNOWN_VARIANT" in codes(r) and not r.lines


def test_every_land_line_reproduces_its_amount_and_cites_its_table() -> None:
    for r in (
        run(regime_a_table(), [parcel("P1", "paddy", "12000"), parcel("G", "garden", "3000")]),
        run(regime_b_table(), [parcel("A", "paddy", "6666.67")], notice=date(2020, 6, 1)),
    ):
        for line in r.lines:
            assert line.amount_fen == line.recompute_fen()
            assert line.refs and all(ref.document and ref.article for ref in line.refs)
            assert line.payee.name and line.unit and line.price_unit
