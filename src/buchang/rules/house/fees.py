"""Moving fee, temporary housing fee and rewards (spec 4.3, also used for 4.4).

Rules table (``house.transition`` / ``house.state_transition``; 浙江省国有土地上
房屋征收与补偿条例 2020 [confirmed]):

* 搬家费 paid ``moving_times_money`` times (1) for money, ``moving_times_exchange``
  (2: move out, move in) for property exchange;
* 过渡费 = rate × months; none while a 周转房 is provided; transition period
  ``transition_months`` (24), ``transition_months_high_rise`` (36) for new
  high-rise resettlement; paid until ``months_after_handover`` (6) months after
  the flat is handed over; months of the transition that overrun the period at
  ``overrun_multiple`` (2) × the rate. The months after hand-over are at the
  ordinary rate ("再支付六个月").

Rates table (``house.fee_rates`` / ``house.state_fee_rates``): ``moving_fee``
per move and ``temporary_rate`` per month, each per household or per m² of
legal area as its ``*_basis`` value says (a named quantity function, not a
jurisdiction test); ``money_option_months`` — months of 过渡费 paid to a
household that takes money.

Months for exchange: ``choices.handover_months`` (vacating → hand-over) when
given, and the paid months are that plus the after-hand-over months; otherwise
``choices.temporary_months`` is the total paid months, of which the last
``months_after_handover`` follow the hand-over.

Rewards (``house.rewards``; 永州 2024 第三十二条 [secondary]): ``signing_reward``
and ``vacating_reward`` 元/m² of legal area, each only when its date
(signing / vacating) falls inside the project's signing window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from fractions import Fraction
from types import MappingProxyType

from buchang.core.errors import Issue, Severity
from buchang.rules.inputs import Building, Household, Option, Project, Use
from buchang.rules.lines import Category, Factor, Line, make_line
from buchang.rules.snapshot import Snapshot
from buchang.tables.model import TableRef, TableVersion

from .common import (
    KIND_FEE_RATES,
    KIND_REWARDS,
    KIND_TRANSITION,
    frac,
    household_payee,
    int_of,
    issue,
    missing_value,
    text_of,
    value_of,
    zero_line,
)

# A fee's quantity: (quantity, unit) from the household's legal buildings.
Quantity = Callable[[tuple[Building, ...]], tuple[Fraction, str]]


def _per_household(buildings: tuple[Building, ...]) -> tuple[Fraction, str]:
    return Fraction(1), "户"


def _per_m2(buildings: tuple[Building, ...]) -> tuple[Fraction, str]:
    return sum((frac(b.legal_area_m2) for b in buildings), Fraction(0)), "m²"


#: Fee bases named by a rates table's ``moving_basis`` / ``temporary_basis``.
FEE_BASES: Mapping[str, Quantity] = MappingProxyType({"per_household": _per_household, "per_m2": _per_m2})
_PRICE_UNITS = {"户": "元/户", "m²": "元/m²"}


def _basis(rates: TableVersion, name: str, household: Household) -> tuple[Quantity | None, list[Issue]]:
    key = text_of(rates, name, "per_household")
    fn = FEE_BASES.get(key)
    if fn is None:
        return None, [
            issue(
                "HOUSE_VARIANT_UNKNOWN",
                f"{rates.table_id}@{rates.version}: {name} '{key}' is not one of {', '.join(FEE_BASES)}",
                household,
            )
        ]
    return fn, []


def moving_lines(
    household: Household,
    buildings: tuple[Building, ...],
    rules: TableVersion,
    rates: TableVersion,
    rule: str,
) -> tuple[list[Line], list[Issue]]:
    """搬家费 = rate × quantity × times (once for money, twice for exchange)."""
    exchange = household.choices.option == Option.EXCHANGE
    times_name = "moving_times_exchange" if exchange else "moving_times_money"
    times = int_of(rules, times_name)
    fee = value_of(rates, "moving_fee")
    issues: list[Issue] = []
    if times is None:
        issues.append(missing_value(rules, times_name, household, None))
    if fee is None:
        issues.append(missing_value(rates, "moving_fee", household, None))
    fn, iss = _basis(rates, "moving_basis", household)
    issues += iss
    if times is None or fee is None or fn is None:
        return [], issues
    qty, unit = fn(buildings)
    line = make_line(
        subject_id=household.household_id,
        item_id=household.household_id,
        category=Category.MOVING,
        payee=household_payee(household),
        quantity=qty,
        unit=unit,
        unit_price=fee[0],
        price_unit=_PRICE_UNITS[unit] + "·次",
        factors=(Factor(name="搬家次数", value=Fraction(times[0]), note="货币补偿一次，产权调换两次"),),
        refs=(fee[1], times[1]),
        rule=f"{rule}.moving",
        basis=f"{unit} × 搬家费标准 × 搬家次数",
    )
    return [line], issues


def temporary_lines(
    household: Household,
    buildings: tuple[Building, ...],
    rules: TableVersion,
    rates: TableVersion,
    rule: str,
) -> tuple[list[Line], list[Issue]]:
    """过渡费 (临时安置费) for the household's legal residential buildings."""
    residential = tuple(b for b in buildings if b.use == Use.RESIDENTIAL)
    if not residential:
        return [], []
    c = household.choices
    rate = value_of(rates, "temporary_rate")
    fn, issues = _basis(rates, "temporary_basis", household)
    if rate is None:
        issues.append(missing_value(rates, "temporary_rate", household, None))
    if rate is None or fn is None:
        return [], issues
    qty, unit = fn(residential)
    price_unit = _PRICE_UNITS[unit] + "·月"
    item = household.household_id
    if c.turnover_housing:
        return [
            zero_line(
                household=household,
                item_id=item,
                category=Category.TEMPORARY_HOUSING,
                quantity=qty,
                unit=unit,
                price_unit=price_unit,
                rule=f"{rule}.temporary.turnover_housing",
                basis=f"{unit} × 0",
                note="提供周转房期间不支付过渡费（浙江省国有土地上房屋征收与补偿条例 2020）",
                refs=(rate[1],),
            )
        ], issues

    def line(
        months: int, extra: tuple[Factor, ...], refs: tuple[TableRef, ...], sub: str, basis: str, note: str
    ) -> Line:
        return make_line(
            subject_id=household.household_id,
            item_id=item,
            category=Category.TEMPORARY_HOUSING,
            payee=household_payee(household),
            quantity=qty,
            unit=unit,
            unit_price=rate[0],
            price_unit=price_unit,
            factors=(Factor(name="月数", value=Fraction(months)), *extra),
            refs=(rate[1], *refs),
            rule=f"{rule}.temporary.{sub}",
            basis=basis,
            note=note,
        )

    if c.option == Option.MONEY:
        mm = int_of(rates, "money_option_months")
        months, refs = (mm[0], (mm[1],)) if mm is not None else (c.temporary_months, ())
        return [line(months, (), refs, "money", f"{unit} × 过渡费标准 × 月数", "货币补偿")], issues

    names = ("transition_months_high_rise" if c.high_rise else "transition_months", "months_after_handover")
    period = int_of(rules, names[0])
    after = int_of(rules, names[1])
    mult = value_of(rules, "overrun_multiple")
    for n, v in zip((*names, "overrun_multiple"), (period, after, mult), strict=True):
        if v is None:
            issues.append(missing_value(rules, n, household, None))
    if period is None or after is None or mult is None:
        return [], issues
    if c.handover_months is not None:
        to_handover = c.handover_months
        total = to_handover + after[0]
        how = f"交房前 {to_handover} 个月 + 交房后 {after[0]} 个月"
    else:
        total = c.temporary_months
        to_handover = max(total - after[0], 0)
        how = f"共 {total} 个月（含交房后 {min(after[0], total)} 个月）"
    overrun = max(to_handover - period[0], 0)
    normal = total - overrun
    kind = "高层" if c.high_rise else ""
    note = f"{how}；{kind}过渡期 {period[0]} 个月"
    out = [
        line(
            normal,
            (),
            (period[1], after[1]),
            "within_period",
            f"{unit} × 过渡费标准 × 月数",
            note,
        )
    ]
    if overrun > 0:
        out.append(
            line(
                overrun,
                (Factor(name="逾期倍数", value=mult[0], note="超过过渡期限按原标准两倍"),),
                (period[1], mult[1]),
                "overrun",
                f"{unit} × 过渡费标准 × 逾期月数 × 倍数",
                note + f"；逾期 {overrun} 个月",
            )
        )
    return out, issues


def _inside(d: date | None, start: date | None, end: date | None) -> tuple[bool, str]:
    if start is None or end is None:
        return False, "项目未设定签约期，不予奖励"
    if d is None:
        return False, "未发生（无日期），不予奖励"
    if start <= d <= end:
        return True, f"{d} 在签约期 {start}–{end} 内"
    return False, f"{d} 不在签约期 {start}–{end} 内，不予奖励"


def reward_lines(
    project: Project,
    household: Household,
    buildings: tuple[Building, ...],
    version: TableVersion,
    rule: str,
) -> list[Line]:
    """签约奖励 / 搬迁奖励 per m² of legal area, only inside the signing window."""
    area = sum((frac(b.legal_area_m2) for b in buildings), Fraction(0))
    c = household.choices
    out: list[Line] = []
    for name, when, label in (
        ("signing_reward", c.signing_date, "签约奖励"),
        ("vacating_reward", c.vacating_date, "按期搬迁奖励"),
    ):
        v = value_of(version, name)
        if v is None:
            continue
        ok, why = _inside(when, project.signing_start, project.signing_end)
        if ok:
            out.append(
                make_line(
                    subject_id=household.household_id,
                    item_id=household.household_id,
                    category=Category.REWARD,
                    payee=household_payee(household),
                    quantity=area,
                    unit="m²",
                    unit_price=v[0],
                    price_unit="元/m²",
                    refs=(v[1],),
                    rule=f"{rule}.{name}",
                    basis=f"合法面积 × {label}标准",
                    note=f"{label}：{why}",
                )
            )
        else:
            out.append(
                zero_line(
                    household=household,
                    item_id=household.household_id,
                    category=Category.REWARD,
                    quantity=area,
                    unit="m²",
                    price_unit="元/m²",
                    rule=f"{rule}.{name}",
                    basis="合法面积 × 0",
                    note=f"{label}：{why}",
                    refs=(v[1],),
                )
            )
    return out


def fee_lines(
    project: Project,
    household: Household,
    buildings: tuple[Building, ...],
    rules: TableVersion | None,
    rates: TableVersion | None,
    rewards: TableVersion | None,
    rule: str,
) -> tuple[list[Line], list[Issue]]:
    """Moving, temporary housing and rewards for the household's legal buildings."""
    lines: list[Line] = []
    issues: list[Issue] = []
    if rules is None or rates is None:
        issues.append(
            issue(
                "HOUSE_FEES_NOT_COMPUTED",
                "moving and temporary-housing fees not computed: no "
                + " / ".join(k for k, v in (("transition rules", rules), ("fee rates", rates)) if v is None)
                + " table for this jurisdiction and date",
                household,
                severity=Severity.WARNING,
            )
        )
    else:
        ls, iss = moving_lines(household, buildings, rules, rates, rule)
        lines += ls
        issues += iss
        ls, iss = temporary_lines(household, buildings, rules, rates, rule)
        lines += ls
        issues += iss
    if rewards is not None:
        lines += reward_lines(project, household, buildings, rewards, rule)
    return lines, issues


def collective_fees(
    project: Project, household: Household, buildings: tuple[Building, ...], snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    return fee_lines(
        project,
        household,
        buildings,
        snap.get(KIND_TRANSITION),
        snap.get(KIND_FEE_RATES),
        snap.get(KIND_REWARDS),
        "house.collective",
    )
