"""Legality decides everything (spec 4.3): every legality state, both tenures.

Nothing paid is shown as a zero line with the reason in its note; data problems are issues.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.rules.test_house_support import (
    building,
    codes,
    compute,
    fen,
    household,
    one,
    project,
    rule_lines,
    total,
)

from buchang.core.errors import Severity
from buchang.rules.inputs import LandTenure, Legality, Use
from buchang.rules.lines import Category

SH = project("310000", date(2021, 1, 1))


def test_illegal_building_gets_a_zero_line_and_nothing_else() -> None:
    # 沪崇府办发〔2025〕26号 四(二): 违法建筑一律不予补偿. The household's only building is illegal,
    # so there is no compensation, no moving fee, no temporary-housing fee.
    h = household(building(area="20", structure="simple", legality=Legality.ILLEGAL, area_m2=Decimal("22.5")))
    lines, issues = compute(SH, h)
    assert [ln.rule for ln in lines] == ["house.collective.legality.illegal"]
    line = lines[0]
    assert line.amount_fen == 0 == line.recompute_fen()
    assert line.quantity == Decimal("22.5")  # the measured area is shown
    assert "违法建筑" in line.note
    assert line.category is Category.HOUSE
    assert issues == []


def test_after_notice_status_gets_nothing() -> None:
    # 实施条例 第二十六条; 巴南府发〔2015〕118号: 新增"两违"建筑一律不予补偿.
    h = household(building(legality=Legality.AFTER_NOTICE))
    lines, _ = compute(SH, h)
    assert [ln.rule for ln in lines] == ["house.collective.legality.after_notice"]
    assert lines[0].amount_fen == 0
    assert "先拆违、后拆迁" in lines[0].note


def test_built_after_the_notice_date_overrides_a_legal_status() -> None:
    # Built the day after the notice: nothing, whatever the declared status.
    late = household(building(built_on=date(2021, 1, 2)))
    lines, _ = compute(SH, late)
    assert [ln.rule for ln in lines] == ["house.collective.legality.after_notice"]
    assert "2021-01-02" in lines[0].note
    # Built on the notice date itself is not "after": compensated (100 m² × 1250 × 1 = 125000.00).
    same_day = household(building(built_on=date(2021, 1, 1)))
    lines, _ = compute(SH, same_day)
    assert one(lines, "house.collective.money.shanghai_75.replacement").amount_fen == fen("125000")


def test_unregistered_non_residential_gets_residual_value_only_chongming_2025() -> None:
    # 崇明 2025 (沪崇府办发〔2025〕26号 四(二)): residual value only.
    # chongming.house.collective_price@2025-illustrative: brick_wood 950 元/m², residual_rate 0.3.
    # 40 m² × 950 × 0.3 × 成新 0.6 = 6840.00 元; no moving/temporary fee, no land price, no subsidy.
    p = project("310151", date(2025, 12, 1))
    b = building(
        area="0",
        area_m2=Decimal("40"),
        structure="brick_wood",
        newness="0.6",
        use=Use.NON_RESIDENTIAL,
        legality=Legality.UNREGISTERED_NON_RESIDENTIAL,
    )
    lines, issues = compute(p, household(b))
    assert issues == []
    [line] = lines
    assert line.rule == "house.collective.residual"
    assert line.category is Category.RESIDUAL_VALUE
    assert line.amount_fen == fen("6840") == line.recompute_fen()
    assert {r.table_id for r in line.refs} == {"chongming.house.collective_price"}
    assert {r.version for r in line.refs} == {"2025-illustrative"}


def test_residual_value_needs_a_residual_rate() -> None:
    # Before the 2025 opinion the Chongming table declares no residual rate: an issue, no amount.
    p = project("310151", date(2024, 6, 1))
    b = building(use=Use.NON_RESIDENTIAL, legality=Legality.UNREGISTERED_NON_RESIDENTIAL)
    lines, issues = compute(p, household(b))
    assert lines == []
    assert codes(issues) == ["HOUSE_VALUE_MISSING"]


def test_legal_and_illegal_buildings_in_one_household() -> None:
    # Legal 100 m² 砖混二等 成新 0.8 (上海 illustrative: 1250 / 3000 / 400):
    #   100 × 1250 × 0.8 = 100000.00; 100 × 3000 = 300000.00; 100 × 400 = 40000.00
    # Illegal 30 m²: 0. Moving 1 户 × 1500 × 1 = 1500.00; temporary 100 m² × 15 × 6 months = 9000.00.
    h = household(
        building("B1", newness="0.8"),
        building("B2", area="30", legality=Legality.ILLEGAL),
    )
    lines, _ = compute(SH, h)
    b2 = [ln for ln in lines if ln.item_id == "B2"]
    assert [ln.amount_fen for ln in b2] == [0]
    house = rule_lines(lines, "house.collective.money")
    assert [ln.amount_fen for ln in house] == [fen("100000"), fen("300000"), fen("40000")]
    assert one(lines, "house.collective.moving").amount_fen == fen("1500")
    assert one(lines, "house.collective.temporary.money").amount_fen == fen("9000")
    # the temporary fee is on the legal area only (100 m², not 130)
    assert one(lines, "house.collective.temporary.money").quantity == 100


def test_state_land_illegal_and_after_notice() -> None:
    # 国务院令第590号 第二十四条 (illegal) and 第十六条 (new building after the scope is fixed).
    p = project("330100", date(2021, 1, 1), valuation_date=date(2021, 2, 1))
    h = household(
        building("S1", tenure=LandTenure.STATE, legality=Legality.ILLEGAL, appraisal_value=Decimal("900000")),
        building("S2", tenure=LandTenure.STATE, built_on=date(2021, 3, 1), appraisal_value=Decimal("5")),
    )
    lines, issues = compute(p, h)
    assert [ln.rule for ln in lines] == ["house.state.legality.illegal", "house.state.legality.after_notice"]
    assert total(lines) == 0
    assert "第二十四条" in lines[0].note and "第十六条" in lines[1].note
    assert issues == []


def test_state_land_unregistered_must_be_determined_first() -> None:
    p = project("330100", date(2021, 1, 1), valuation_date=date(2021, 2, 1))
    b = building(
        tenure=LandTenure.STATE,
        use=Use.NON_RESIDENTIAL,
        legality=Legality.UNREGISTERED_NON_RESIDENTIAL,
        appraisal_value=Decimal("100000"),
    )
    lines, issues = compute(p, household(b))
    assert [ln.amount_fen for ln in lines] == [0]
    assert lines[0].rule == "house.state.legality.undetermined"
    assert codes(issues) == ["HOUSE_LEGALITY_UNDETERMINED"]
    assert issues[0].severity is Severity.WARNING
    assert issues[0].location.key == "households[H1].buildings[B1]"
