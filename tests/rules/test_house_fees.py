"""Moving fee, temporary housing fee, rewards (spec 4.3).

杭州 2021 uses the 浙江 2020 rules (zhejiang.house.transition, official: moving 1/2 times, transition
24 months / 36 high-rise, +6 months after hand-over, 2× after overrun) and the illustrative rates
(zhejiang.house.fee_rates: 搬家费 12 元/m²·次, 过渡费 15 元/m²·月, money option 6 months).
永州 rewards (secondary, 永政发〔2024〕4号 第三十二条): signing 80, prompt vacating 100 元/m².
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.rules.test_house_support import (
    building,
    codes,
    compute,
    fen,
    flats,
    household,
    one,
    project,
    rule_lines,
)

from buchang.core.errors import Severity
from buchang.rules.inputs import Option, Use
from buchang.rules.lines import Category, Line

HZ = project("330100", date(2021, 1, 1))
T = "house.collective.temporary"


def _hz(option: Option = Option.EXCHANGE, *extra: Any, **choices: Any) -> list[Line]:
    h = household(building(), *extra, option=option, flats=flats("100"), **choices)
    lines, _ = compute(HZ, h)
    return lines


def test_moving_once_for_money_twice_for_exchange() -> None:
    # money: 100 m² × 12 × 1 = 1200.00; exchange: 100 m² × 12 × 2 = 2400.00 (move out, move in).
    assert one(_hz(Option.MONEY), "house.collective.moving").amount_fen == fen("1200")
    moving = one(_hz(Option.EXCHANGE), "house.collective.moving")
    assert moving.amount_fen == fen("2400")
    assert moving.factors[0].value == 2
    assert {r.table_id for r in moving.refs} == {"zhejiang.house.fee_rates", "zhejiang.house.transition"}


def test_moving_per_m2_counts_every_legal_building() -> None:
    # (100 + 30) m² × 12 × 2 = 3120.00; the temporary fee stays on the residential 100 m².
    lines = _hz(Option.EXCHANGE, building("N1", area="30", use=Use.NON_RESIDENTIAL), handover_months=12)
    assert one(lines, "house.collective.moving").amount_fen == fen("3120")
    assert one(lines, f"{T}.within_period").quantity == 100


def test_moving_per_household() -> None:
    # 上海 (illustrative): 1500 元/户·次 × 1 户 × 1 (money) = 1500.00.
    lines, _ = compute(project("310000", date(2021, 1, 1)), household(building(area="250")))
    line = one(lines, "house.collective.moving")
    assert (line.quantity, line.unit, line.amount_fen) == (1, "户", fen("1500"))


def test_temporary_money_option() -> None:
    # 100 m² × 15 × 6 months = 9000.00.
    assert one(_hz(Option.MONEY), f"{T}.money").amount_fen == fen("9000")


def test_temporary_none_with_turnover_housing() -> None:
    lines = _hz(turnover_housing=True, handover_months=30)
    [line] = rule_lines(lines, T)
    assert line.rule == f"{T}.turnover_housing"
    assert line.amount_fen == 0 and "周转房" in line.note


@pytest.mark.parametrize(
    ("handover", "high_rise", "normal_months", "overrun_months"),
    [
        (18, False, 24, 0),  # 18 + 6 after hand-over, within the 24-month period
        (24, False, 30, 0),  # exactly the period: no overrun
        (30, False, 30, 6),  # 6 months overrun at 2×; 24 + 6 after hand-over at 1×
        (30, True, 36, 0),  # new high-rise: 36-month period
        (40, True, 42, 4),  # high-rise overrun by 4
    ],
)
def test_temporary_exchange(handover: int, high_rise: bool, normal_months: int, overrun_months: int) -> None:
    # normal: 100 m² × 15 × months; overrun: 100 m² × 15 × months × 2.
    #   (18) 24 × 1500 = 36000.00   (24) 30 × 1500 = 45000.00   (30) 45000.00 + 6 × 3000 = 18000.00
    #   (30, high-rise) 36 × 1500 = 54000.00   (40, high-rise) 42 × 1500 = 63000.00 + 4 × 3000 = 12000.00
    lines = _hz(handover_months=handover, high_rise=high_rise)
    assert one(lines, f"{T}.within_period").amount_fen == fen("1500") * normal_months
    overrun = rule_lines(lines, f"{T}.overrun")
    if overrun_months:
        assert [ln.amount_fen for ln in overrun] == [fen("3000") * overrun_months]
        assert overrun[0].factors[-1].value == 2
    else:
        assert overrun == []


def test_temporary_months_given_as_a_total() -> None:
    # Without handover_months, temporary_months is the total paid months; the last 6 follow the
    # hand-over: 36 → hand-over at 30 → 6 months overrun: 30 × 1500 + 6 × 3000 = 45000.00 + 18000.00.
    lines = _hz(temporary_months=36)
    assert one(lines, f"{T}.within_period").amount_fen == fen("45000")
    assert one(lines, f"{T}.overrun").amount_fen == fen("18000")


def test_no_temporary_fee_without_a_residential_building() -> None:
    h = household(building(use=Use.NON_RESIDENTIAL), option=Option.MONEY)
    lines, _ = compute(HZ, h)
    assert rule_lines(lines, T) == []
    assert one(lines, "house.collective.moving").amount_fen == fen("1200")


def test_fees_without_tables_are_a_warning() -> None:
    # 永州 ships no transition rules or rates: fees are reported as not computed.
    lines, issues = compute(project("431100", date(2024, 6, 1)), household(building()))
    assert rule_lines(lines, "house.collective.moving") == []
    [warn] = [i for i in issues if i.code == "HOUSE_FEES_NOT_COMPUTED"]
    assert warn.severity is Severity.WARNING


# --- rewards ----------------------------------------------------------------------------------

YZ = project("431100", date(2024, 6, 1), signing_start=date(2024, 7, 1), signing_end=date(2024, 7, 31))


def _rewards(p: Any = YZ, **choices: Any) -> list[Line]:
    lines, _ = compute(p, household(building(), **choices))
    return rule_lines(lines, "house.collective.signing_reward") + rule_lines(
        lines, "house.collective.vacating_reward"
    )


def test_rewards_inside_the_window() -> None:
    # 100 m² × 80 = 8000.00 (signing on the window's first day); 100 m² × 100 = 10000.00 (vacating on its last).
    signing, vacating = _rewards(signing_date=date(2024, 7, 1), vacating_date=date(2024, 7, 31))
    assert (signing.amount_fen, vacating.amount_fen) == (fen("8000"), fen("10000"))
    assert signing.category is Category.REWARD
    assert signing.refs[0].article == "第三十二条"


def test_rewards_outside_the_window_are_zero_lines() -> None:
    signing, vacating = _rewards(signing_date=date(2024, 6, 30), vacating_date=date(2024, 8, 1))
    assert signing.amount_fen == vacating.amount_fen == 0
    assert "不在签约期" in signing.note and "不在签约期" in vacating.note


def test_rewards_without_dates_or_window() -> None:
    signing, vacating = _rewards()
    assert signing.amount_fen == vacating.amount_fen == 0 and "无日期" in signing.note
    no_window = project("431100", date(2024, 6, 1))
    signing, _ = _rewards(no_window, signing_date=date(2024, 7, 1))
    assert signing.amount_fen == 0 and "未设定签约期" in signing.note


def test_no_rewards_for_illegal_buildings_only() -> None:
    from buchang.rules.inputs import Legality

    h = household(building(legality=Legality.ILLEGAL), signing_date=date(2024, 7, 1))
    lines, issues = compute(YZ, h)
    assert [ln.rule for ln in lines] == ["house.collective.legality.illegal"]
    assert codes(issues) == []
