"""Property exchange, 杭州 2014 (spec 4.3): resettlement persons, 安置面积 bands, settlement branches.

Tables: hangzhou.house.resettlement_area (official bands), hangzhou.house.exchange_settlement
(official: 2× excess original area, 5 m² indivisibility allowance, 3× non-residential),
hangzhou.house.exchange_prices (illustrative: 安置房重置价 1800, 成本价 3500, 市场价 15000 元/m²),
hangzhou.house.collective_price (illustrative 重置价: 砖混二等 1050, 砖木 850 元/m²).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from tests.rules.test_house_support import (
    building,
    codes,
    compute,
    fen,
    flats,
    household,
    members,
    one,
    project,
    rule_lines,
    snapshot_for,
    total,
)

from buchang.core.errors import Issue, Severity
from buchang.rules.house.resettlement import entitlement, resettlement_persons
from buchang.rules.inputs import Building, Member, Option, Sex, Use
from buchang.rules.lines import Category, Line, PayeeKind

HZ = project("330100", date(2021, 1, 1))
BANDS = snapshot_for(HZ).require("house.resettlement_area")
X = "house.exchange.hangzhou_2014"


def _e(persons: int, area: str) -> tuple[Fraction, Fraction]:
    ent, issues = entitlement(household(persons=persons), BANDS, Fraction(Decimal(area)))
    assert ent is not None and issues == []
    return ent.entitled, ent.standard


# --- resettlement persons ----------------------------------------------------------------


def test_persons_registered_residents() -> None:
    assert resettlement_persons(household(persons=2), BANDS).total == 2
    not_registered = Member(
        member_id="x", name="外", sex=Sex.FEMALE, birth_date=date(1990, 1, 1), registered_resident=False
    )
    people = (*members(2), not_registered)
    assert resettlement_persons(household(people=people), BANDS).total == 2


@pytest.mark.parametrize("flag", ["married_childless", "one_child_certificate"])
def test_persons_plus_one(flag: str) -> None:
    # 已婚未育 or 独生子女证: +1 person (table value 1).
    p = resettlement_persons(household(people=members(2, **{flag: True})), BANDS)
    assert (p.registered, p.extra, p.total) == (2, 1, 3)
    assert p.refs[0].name in {"extra_person_married_childless", "extra_person_one_child"}


def test_persons_plus_one_only_once() -> None:
    both = members(2, married_childless=True, one_child_certificate=True)
    assert resettlement_persons(household(people=both), BANDS).total == 3


def test_plus_one_person_moves_the_household_to_the_next_band() -> None:
    # 2 registered + 已婚未育 = 3 persons → band 55/120: 50 m² → 55 (not 50 as for 2 persons).
    ent, _ = entitlement(household(people=members(2, married_childless=True)), BANDS, Fraction(50))
    assert ent is not None and ent.entitled == 55 and ent.standard == 120
    assert _e(2, "50") == (50, 80)


def test_no_registered_resident() -> None:
    ent, issues = entitlement(household(persons=0), BANDS, Fraction(50))
    assert ent is None and codes(issues) == ["HOUSE_NO_RESETTLEMENT_PERSONS"]


# --- bands and their boundaries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("persons", "area", "entitled", "standard"),
    [
        # 1–2 persons: <40 → 40, 40–80 as is, >80 → 80
        (1, "39.99", "40", "80"),
        (1, "40", "40", "80"),
        (2, "80", "80", "80"),
        (2, "80.01", "80", "80"),
        (2, "62.5", "62.5", "80"),
        # 3 persons: <55 → 55, 55–120 as is, >120 → 120
        (3, "54.99", "55", "120"),
        (3, "55", "55", "120"),
        (3, "120", "120", "120"),
        (3, "120.01", "120", "120"),
        # 4+ persons: per person <18 → 18, 18–40 as is, >40 → 40 (4 persons: 72 / 160)
        (4, "71.99", "72", "160"),
        (4, "72", "72", "160"),
        (4, "160", "160", "160"),
        (4, "160.01", "160", "160"),
        # 5 persons: 90 / 200
        (5, "89.99", "90", "200"),
        (5, "200.01", "200", "200"),
    ],
)
def test_band(persons: int, area: str, entitled: str, standard: str) -> None:
    assert _e(persons, area) == (Fraction(Decimal(entitled)), Fraction(Decimal(standard)))


# --- settlement ----------------------------------------------------------------------------


def _exchange(*bs: Building, persons: int = 3, taken: tuple[str, ...] = ()) -> tuple[list[Line], list[Issue]]:
    h = household(*bs, persons=persons, option=Option.EXCHANGE, flats=flats(*taken))
    return compute(HZ, h)


def test_within_entitlement() -> None:
    # 3 persons, original 100 m² → E = 100, S = 120. Flat 100 m².
    #   credit: 100 × 1050 × 0.8 = 84000.00 (房屋补偿费, +)
    #   flat:   100 × 1800 × (−1) = −180000.00 (差价, the household pays 征收部门)
    lines, issues = _exchange(building(newness="0.8"), taken=("100",))
    assert one(lines, f"{X}.credit").amount_fen == fen("84000")
    flat = one(lines, f"{X}.flat_within")
    assert flat.amount_fen == fen("-180000")
    assert flat.category is Category.SETTLEMENT_DIFFERENCE
    assert flat.payee.kind is PayeeKind.EXPROPRIATOR
    assert rule_lines(lines, f"{X}.flat_beyond_entitlement") == []
    assert total(rule_lines(lines, X)) == fen("-96000")
    assert issues == []


def test_beyond_entitlement_within_standard_at_cost() -> None:
    # E = 100, S = 120, flats 70 + 45 = 115 m²: 100 × 1800 = 180000.00; 15 × 3500 = 52500.00 (both paid).
    lines, _ = _exchange(building(newness="0.8"), taken=("70", "45"))
    assert one(lines, f"{X}.flat_within").amount_fen == fen("-180000")
    beyond = one(lines, f"{X}.flat_beyond_entitlement")
    assert beyond.quantity == 15 and beyond.amount_fen == fen("-52500")
    assert beyond.item_id == "F1,F2"


def test_above_standard_commercial_after_the_indivisibility_allowance() -> None:
    # E = 100, S = 120, flat 130: 100 @1800 = 180000; 20 @3500 = 70000;
    # over S by 10: first 5 @3500 (套型不可分割) = 17500, remaining 5 @15000 = 75000.
    lines, _ = _exchange(building(newness="0.8"), taken=("130",))
    assert one(lines, f"{X}.flat_within").amount_fen == fen("-180000")
    assert one(lines, f"{X}.flat_beyond_entitlement").amount_fen == fen("-70000")
    assert one(lines, f"{X}.flat_indivisible").amount_fen == fen("-17500")
    assert one(lines, f"{X}.flat_above_standard").amount_fen == fen("-75000")


@pytest.mark.parametrize(
    ("taken", "cost_m2", "market_m2"),
    [("124", "4", None), ("125", "5", None), ("125.01", "5", "0.01")],
)
def test_indivisibility_allowance_boundary(taken: str, cost_m2: str, market_m2: str | None) -> None:
    # S = 120: up to 5 m² over at 成本价; 125.01 → 0.01 m² × 15000 = 150.00 at 市场价.
    lines, _ = _exchange(building(), taken=(taken,))
    ind = one(lines, f"{X}.flat_indivisible")
    assert ind.quantity == Fraction(Decimal(cost_m2))
    assert ind.amount_fen == -fen(cost_m2) * 3500
    above = rule_lines(lines, f"{X}.flat_above_standard")
    if market_m2 is None:
        assert above == []
    else:
        assert [ln.amount_fen for ln in above] == [fen("-150")]


def test_original_area_beyond_resettlement_area_at_double() -> None:
    # 2 persons, original 100 m² → E = 80 (= S). 成新 0.8:
    #   credit 80 × 1050 × 0.8 = 67200.00; excess 20 × 1050 × 2 × 0.8 = 33600.00;
    #   flat 80 m² × 1800 = 144000.00 paid.
    lines, _ = _exchange(building(newness="0.8"), persons=2, taken=("80",))
    assert one(lines, f"{X}.credit").amount_fen == fen("67200")
    excess = one(lines, f"{X}.excess_original")
    assert excess.amount_fen == fen("33600")
    assert [f.name for f in excess.factors] == ["超出安置面积倍数", "成新率"]
    assert one(lines, f"{X}.flat_within").amount_fen == fen("-144000")


def test_small_house_raised_to_the_band_minimum() -> None:
    # 1 person, original 30 m² → E = 40: credit 30 × 1050 × 0.8 = 25200.00; flat 40 × 1800 = 72000.00 paid.
    lines, _ = _exchange(building(area="30", newness="0.8"), persons=1, taken=("40",))
    assert one(lines, f"{X}.credit").amount_fen == fen("25200")
    assert one(lines, f"{X}.flat_within").amount_fen == fen("-72000")


def test_non_residential_at_triple() -> None:
    # 30 m² 砖木 850 × 3 × 成新 0.5 = 38250.00, not resettled.
    lines, _ = _exchange(
        building("N1", area="30", structure="brick_wood", newness="0.5", use=Use.NON_RESIDENTIAL)
    )
    line = one(lines, f"{X}.non_residential")
    assert line.amount_fen == fen("38250")
    assert {r.name for r in line.refs} >= {"replacement_price", "non_residential_multiple"}


def test_entitlement_allocated_to_buildings_in_order() -> None:
    # 2 persons, B1 60 m² 砖混二等 (1050), B2 40 m² 砖木 (850), 成新 1. A = 100 → E = 80:
    #   B1 within 60 × 1050 = 63000.00; B2 within 20 × 850 = 17000.00; B2 excess 20 × 850 × 2 = 34000.00.
    lines, _ = _exchange(
        building("B1", area="60"), building("B2", area="40", structure="brick_wood"), persons=2, taken=("80",)
    )
    credits = {(ln.item_id, ln.rule.rsplit(".", 1)[1]): ln.amount_fen for ln in rule_lines(lines, X)}
    assert credits[("B1", "credit")] == fen("63000")
    assert credits[("B2", "credit")] == fen("17000")
    assert credits[("B2", "excess_original")] == fen("34000")
    assert ("B1", "excess_original") not in credits


def test_exchange_without_flats_credits_only() -> None:
    lines, issues = _exchange(building(newness="0.8"))
    assert one(lines, f"{X}.credit").amount_fen == fen("84000")
    assert [ln for ln in lines if ln.amount_fen < 0] == []
    warn = [i for i in issues if i.code == "HOUSE_EXCHANGE_NO_FLATS"]
    assert warn and warn[0].severity is Severity.WARNING


def test_exchange_where_no_settlement_rules_are_loaded() -> None:
    # 上海 has no exchange settlement table: reported, nothing guessed.
    h = household(building(), option=Option.EXCHANGE, flats=flats("80"))
    lines, issues = compute(project("310000", date(2021, 1, 1)), h)
    assert rule_lines(lines, "house.exchange") == []
    assert "HOUSE_TABLE_MISSING" in codes(issues)
    assert "house.exchange_settlement" in next(i for i in issues if i.code == "HOUSE_TABLE_MISSING").message
