"""Houses on state-owned land (spec 4.4, 国务院令第590号).

杭州 → 浙江 tables: zhejiang.house.state_compensation (official: 停产停业损失 ≥ 5% of the house value),
zhejiang.house.state_transition (official, as for collective land), zhejiang.house.state_fee_rates
(illustrative: 搬家费 12 元/m²·次, 过渡费 15 元/m²·月, money option 6 months).
上海: shanghai.house.state_compensation (illustrative, variant shanghai_71): 价格补贴 0.3 × appraisal,
套型面积补贴 15 m² × 20000, hardship below 22 m² per person topped up at 25000 元/m².
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.rules.test_house_support import (
    building,
    codes,
    compute,
    fen,
    household,
    one,
    project,
    rule_lines,
    snapshot_for,
    snapshot_of,
    total,
    version_from_yaml,
)

from buchang.core.errors import Severity
from buchang.rules.inputs import Building, Flat, LandTenure, Option, Use
from buchang.rules.lines import Category, PayeeKind

HZ = project("330100", date(2021, 1, 1), valuation_date=date(2021, 2, 1))
SH = project("310000", date(2021, 1, 1), valuation_date=date(2021, 2, 1))


def _state(bid: str = "S1", appraisal: str | None = "2000000", **kw: Any) -> Building:
    value = None if appraisal is None else Decimal(appraisal)
    return building(bid, tenure=LandTenure.STATE, appraisal_value=value, **kw)


def test_appraisal_money_option_with_fees() -> None:
    # value = the appraisal 2000000.00 (Art. 19); moving 100 m² × 12 × 1 = 1200.00;
    # temporary 100 m² × 15 × 6 = 9000.00.
    lines, issues = compute(HZ, household(_state()))
    value = one(lines, "house.state.value")
    assert value.amount_fen == fen("2000000") and value.category is Category.HOUSE
    assert one(lines, "house.state.moving").amount_fen == fen("1200")
    assert one(lines, "house.state.temporary.money").amount_fen == fen("9000")
    assert {r.table_id for r in one(lines, "house.state.moving").refs} == {
        "zhejiang.house.state_fee_rates",
        "zhejiang.house.state_transition",
    }
    assert issues == []


def test_valuation_date_governs_state_tables() -> None:
    # Notice 2019 but 征收决定公告 2021: the state tables resolve at 2021 (浙江 2020 versions exist),
    # while the collective ones would be asked for 2019.
    p = project("330100", date(2019, 6, 1), valuation_date=date(2021, 2, 1))
    snap = snapshot_for(p)
    assert snap.require("house.state_transition").version == "2020"
    assert [r.on for r in snap.resolutions if r.kind == "house.state_compensation"] == [date(2021, 2, 1)]
    lines, issues = compute(p, household(_state()))
    assert one(lines, "house.state.value").amount_fen == fen("2000000")
    assert issues == []


def test_business_loss_floor_zhejiang() -> None:
    # Non-residential, appraisal 1000000.00, no business-suspension period in the 浙江 table:
    # 停产停业损失 = 1000000 × 5% = 50000.00 (浙江 2020 floor).
    lines, _ = compute(HZ, household(_state(appraisal="1000000", use=Use.NON_RESIDENTIAL)))
    loss = one(lines, "house.state.business_loss")
    assert loss.amount_fen == fen("50000") and loss.category is Category.BUSINESS_LOSS
    assert loss.factors[0].value == Decimal("0.05")
    # residential buildings have no business loss
    lines, _ = compute(HZ, household(_state()))
    assert rule_lines(lines, "house.state.business_loss") == []


_WITH_MONTHS = """
id: t.state
kind: house.state_compensation
variant: ordinance_590
jurisdiction: "330000"
title: t
fields:
  business_loss_min_rate: {unit: ratio}
  business_loss_months: {unit: 月, type: int}
versions:
  - version: "1"
    status: illustrative
    effective_from: 2000-01-01
    verified_on: 2026-01-01
    source: {issuer: t, document: t, article: t}
    values: {business_loss_min_rate: "0.05", business_loss_months: "6"}
"""


def test_business_loss_proven_against_the_floor() -> None:
    # floor 1000000 × 5% = 50000.00.
    # proven 10000 元/月 × 6 months = 60000.00 ≥ floor → 60000.00;
    # proven 5000 × 6 = 30000.00 < floor → 50000.00, with the proven figure in the note.
    snap = snapshot_of(version_from_yaml(_WITH_MONTHS), base=snapshot_for(HZ))
    high = _state(appraisal="1000000", use=Use.NON_RESIDENTIAL, monthly_business_loss=Decimal("10000"))
    lines, _ = compute(HZ, household(high), snap)
    line = one(lines, "house.state.business_loss")
    assert line.amount_fen == fen("60000") and line.unit == "月"
    low = _state(appraisal="1000000", use=Use.NON_RESIDENTIAL, monthly_business_loss=Decimal("5000"))
    lines, _ = compute(HZ, household(low), snap)
    line = one(lines, "house.state.business_loss")
    assert line.amount_fen == fen("50000") and "30000" in line.note


def test_business_loss_undetermined_without_figures() -> None:
    # 永州 → national ordinance table: no floor, no period → a warning, no amount.
    p = project("431100", date(2024, 6, 1), valuation_date=date(2024, 6, 1))
    lines, issues = compute(p, household(_state(use=Use.NON_RESIDENTIAL)))
    assert rule_lines(lines, "house.state.business_loss") == []
    assert one(lines, "house.state.value").refs == ()
    assert codes(issues) == ["HOUSE_BUSINESS_LOSS_UNDETERMINED", "HOUSE_FEES_NOT_COMPUTED"]


def test_exchange_difference_settled() -> None:
    # Art. 21: house 2000000.00 credited, flat appraised 1200000.00 charged → net 800000.00 to the household.
    flat = Flat(flat_id="F1", area_m2=Decimal("90"), appraisal_value=Decimal("1200000"))
    h = household(_state(), option=Option.EXCHANGE, flats=(flat,), handover_months=12)
    lines, issues = compute(HZ, h)
    charge = one(lines, "house.state.exchange")
    assert charge.amount_fen == fen("-1200000")
    assert charge.category is Category.SETTLEMENT_DIFFERENCE and charge.payee.kind is PayeeKind.EXPROPRIATOR
    assert total([one(lines, "house.state.value"), charge]) == fen("800000")
    # exchange: moving twice 100 × 12 × 2 = 2400.00; temporary (12 + 6) × 100 × 15 = 27000.00
    assert one(lines, "house.state.moving").amount_fen == fen("2400")
    assert one(lines, "house.state.temporary.within_period").amount_fen == fen("27000")
    assert issues == []


def test_exchange_household_pays_when_the_flat_is_worth_more() -> None:
    flat = Flat(flat_id="F1", area_m2=Decimal("120"), appraisal_value=Decimal("2500000"))
    lines, _ = compute(HZ, household(_state(), option=Option.EXCHANGE, flats=(flat,)))
    assert total([one(lines, "house.state.value"), one(lines, "house.state.exchange")]) == fen("-500000")


def test_exchange_flat_without_value() -> None:
    h = household(_state(), option=Option.EXCHANGE, flats=(Flat(flat_id="F1", area_m2=Decimal("90")),))
    lines, issues = compute(HZ, h)
    assert rule_lines(lines, "house.state.exchange") == []
    assert "HOUSE_VALUE_MISSING" in codes(issues)


def test_exchange_flat_at_table_price() -> None:
    # 上海 (illustrative) exchange_flat_price 30000: 90 m² × 30000 = 2700000.00 paid.
    h = household(_state(), option=Option.EXCHANGE, flats=(Flat(flat_id="F1", area_m2=Decimal("90")),))
    lines, _ = compute(SH, h)
    assert one(lines, "house.state.exchange").amount_fen == fen("-2700000")


def test_missing_appraisal() -> None:
    lines, issues = compute(HZ, household(_state(appraisal=None)))
    assert rule_lines(lines, "house.state.value") == []
    assert "HOUSE_APPRAISAL_MISSING" in codes(issues)
    assert next(i for i in issues if i.code == "HOUSE_APPRAISAL_MISSING").severity is Severity.ERROR


def test_shanghai_71_subsidies_and_hardship() -> None:
    # 40 m², 3 persons, appraisal 1000000.00:
    #   价格补贴 1000000 × 0.3 = 300000.00; 套型面积补贴 15 × 20000 = 300000.00;
    #   人均 40 / 3 = 13.33 m² < 22 → top up 22 × 3 − 40 = 26 m² × 25000 = 650000.00.
    lines, _ = compute(SH, household(_state(appraisal="1000000", area="40"), persons=3))
    assert one(lines, "house.state.shanghai_71.price_subsidy").amount_fen == fen("300000")
    assert one(lines, "house.state.shanghai_71.flat_size_subsidy").amount_fen == fen("300000")
    hardship = one(lines, "house.state.shanghai_71.hardship")
    assert hardship.quantity == 26 and hardship.amount_fen == fen("650000")
    assert {ln.category for ln in rule_lines(lines, "house.state.shanghai_71")} == {Category.SUBSIDY}


def test_shanghai_71_hardship_threshold_is_strict() -> None:
    # 66 m² for 3 persons = exactly 22 m² each: not below the threshold → a zero line saying why.
    lines, _ = compute(SH, household(_state(appraisal="1000000", area="66"), persons=3))
    hardship = one(lines, "house.state.shanghai_71.hardship")
    assert hardship.amount_fen == 0 and "不属居住困难户" in hardship.note


def test_mixed_tenures_in_one_household() -> None:
    # A collective building and a state building: both rule families, each with its own fees.
    h = household(building("C1"), _state("S1"))
    lines, _ = compute(HZ, h)
    assert one(lines, "house.collective.money.replacement_newness").item_id == "C1"
    assert one(lines, "house.state.value").item_id == "S1"
    assert len(rule_lines(lines, "house.collective.moving")) == 1
    assert len(rule_lines(lines, "house.state.moving")) == 1
