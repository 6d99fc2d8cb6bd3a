"""Houses, moving, temporary housing, rewards and resettlement flats for one scenario
(spec 4.3, 4.4 applied to survey summaries; see :mod:`buchang.rules.estimate.compute`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue
from buchang.rules.common import num_text
from buchang.rules.house.collective import compute_collective as collective_houses
from buchang.rules.house.common import (
    KIND_FEE_RATES,
    KIND_REWARDS,
    KIND_STATE,
    KIND_STATE_FEE_RATES,
    KIND_STATE_TRANSITION,
    KIND_TRANSITION,
)
from buchang.rules.house.fees import fee_lines
from buchang.rules.house.legality import Gate, gate
from buchang.rules.house.state import compute_state
from buchang.rules.inputs import Building, Choices, Household, LandTenure, Option, Use
from buchang.rules.lines import Line
from buchang.tables.model import TableRef, TableVersion

from .common import KIND_FLAT_COSTS, Context, Found, est_issue, exact_decimal, from_core, own_line
from .model import BuildingSummary, EstimateInputs, EstimateLine, FlatSource, FundCategory

_TENURE_ZH: Final = {LandTenure.COLLECTIVE: "集体土地", LandTenure.STATE: "国有土地"}
_OPTION_ZH: Final = {Option.MONEY: "货币补偿", Option.EXCHANGE: "产权调换"}

# --- houses, fees and flats (per scenario) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    households: int | None
    persons: int | None


def _counts(inputs: EstimateInputs, tenure: LandTenure, tenures: set[LandTenure]) -> Counts:
    rows = [h for h in inputs.households if h.tenure is tenure]
    if rows:
        persons = None if any(h.persons is None for h in rows) else sum(h.persons or 0 for h in rows)
        return Counts(sum(h.households for h in rows), persons)
    if len(tenures) == 1 and inputs.population:
        return Counts(sum(p.households for p in inputs.population), sum(p.persons for p in inputs.population))
    return Counts(None, None)


def _building(ctx: Context, i: int, area: Fraction) -> Building:
    """Building row ``i`` with ``area`` of it (the share an option stands for)."""
    b = ctx.inputs.buildings[i]
    value = None if b.unit_value is None else exact_decimal(area * Fraction(b.unit_value))
    return Building(
        building_id=f"buildings[{i}]",
        tenure=b.tenure,
        legality=b.legality,
        use=b.use,
        structure=b.structure,
        newness=b.newness if b.newness is not None else Decimal(1),
        legal_area_m2=exact_decimal(area),
        area_m2=exact_decimal(area),
        appraisal_value=value,
    )


def _household(
    ctx: Context, tenure: LandTenure, option: Option, months: int, buildings: Iterable[Building]
) -> Household:
    inputs = ctx.inputs
    when = inputs.notice_date if inputs.rewards else None
    return Household(
        household_id=f"houses.{tenure.value}.{option.value}",
        head_name=f"{_TENURE_ZH[tenure]}{_OPTION_ZH[option]}户（汇总）",
        buildings=tuple(buildings),
        choices=Choices(
            option=option,
            temporary_months=months,
            turnover_housing=inputs.turnover_housing,
            high_rise=inputs.high_rise,
            signing_date=when,
            vacating_date=when,
        ),
    )


def _building_note(ctx: Context, line: Line, share: Fraction | None) -> str:
    """Where a building line's area and newness come from."""
    if not line.item_id.startswith("buildings["):
        return ""
    i = int(line.item_id[len("buildings[") : -1])
    b = ctx.inputs.buildings[i]
    parts = [f"汇总：{b.structure} 面积 {num_text(b.area_m2)} m²"]
    if share is not None and b.use is Use.RESIDENTIAL and gate(ctx.project, _probe(b)) is Gate.COMPENSATE:
        parts.append(f" × 选择货币补偿比例 {num_text(share)}")
    if b.newness is not None:
        parts.append(f"；平均成新率 {num_text(b.newness)}")
    elif any(f.name == "成新率" for f in line.factors):
        parts.append("；成新率未知，按 1 计（审慎）")
    if b.unit_value is not None:
        parts.append(f"；评估均价 {num_text(b.unit_value)} 元/m²")
    return "".join(parts)


def _probe(b: BuildingSummary) -> Building:
    """A core building with the summary row's legality, for the legality gate."""
    return Building(
        building_id="probe",
        tenure=b.tenure,
        legality=b.legality,
        use=b.use,
        structure=b.structure,
        legal_area_m2=b.area_m2,
    )


@dataclass(frozen=True, slots=True)
class Split:
    """A tenure's building rows split between the money and the exchange household."""

    money: tuple[Building, ...]
    exchange: tuple[Building, ...]
    residential: Fraction  # legal residential area, before the split
    issues: tuple[Issue, ...]


def split(ctx: Context, tenure: LandTenure, share: Fraction) -> Split:
    """Legal residential area is split by ``share`` (exchange) and ``1 − share`` (money);
    legal non-residential, residual-value and uncompensated rows stay with money, where
    the core's legality gate deals with them."""
    money: list[Building] = []
    exchange: list[Building] = []
    residential = Fraction(0)
    issues: list[Issue] = []
    for i, b in enumerate(ctx.inputs.buildings):
        if b.tenure is not tenure:
            continue
        area = Fraction(b.area_m2)
        compensable = gate(ctx.project, _probe(b)) is Gate.COMPENSATE
        if tenure is LandTenure.STATE and compensable and b.unit_value is None:
            issues.append(
                est_issue(
                    "ESTIMATE_VALUE_MISSING",
                    "state-land building without unit_value (评估均价, 元/m²): its compensation is the "
                    "appraisal (条例 590号 第十九条); not estimated",
                    f"buildings[{i}]",
                )
            )
            continue
        parts: list[tuple[list[Building], Fraction]] = [(money, area)]
        if compensable and b.use is Use.RESIDENTIAL:
            residential += area
            parts = [(money, area * (1 - share)), (exchange, area * share)]
        for target, part in parts:
            if part:
                target.append(_building(ctx, i, part))
    return Split(tuple(money), tuple(exchange), residential, tuple(issues))


def _exchange_fee_tables(ctx: Context, tenure: LandTenure) -> tuple[TableVersion | None, ...]:
    """(transition rules, fee rates, rewards) of the tenure, as the core's house rules read them."""
    snap = ctx.snaps.houses.snapshot
    if tenure is LandTenure.COLLECTIVE:
        return snap.get(KIND_TRANSITION), snap.get(KIND_FEE_RATES), snap.get(KIND_REWARDS)
    return snap.get(KIND_STATE_TRANSITION), snap.get(KIND_STATE_FEE_RATES), snap.get(KIND_STATE)


def tenure_lines(ctx: Context, tenure: LandTenure, counts: Counts, share: Fraction, months: int) -> Found:
    """The money household through the core's house rules (legality, value, fees); the
    exchange household's moving, temporary housing and rewards; the flats it needs."""
    parts = split(ctx, tenure, share)
    lines: list[EstimateLine] = []
    issues = list(parts.issues)
    n = Fraction(counts.households or 0)
    if parts.money:
        hh = _household(ctx, tenure, Option.MONEY, 0, parts.money)
        run = collective_houses if tenure is LandTenure.COLLECTIVE else compute_state
        ls, iss = run(ctx.project, hh, hh.buildings, ctx.snaps.houses.snapshot)
        lines += [
            from_core(ln, households=n * (1 - share), basis=_building_note(ctx, ln, 1 - share)) for ln in ls
        ]
        issues += iss
    if parts.exchange:
        hh = _household(ctx, tenure, Option.EXCHANGE, months, parts.exchange)
        rules, rates, rewards = _exchange_fee_tables(ctx, tenure)
        ls, iss = fee_lines(ctx.project, hh, hh.buildings, rules, rates, rewards, f"house.{tenure.value}")
        basis = f"产权调换户合法住宅面积 × 比例 {num_text(share)}"
        lines += [from_core(ln, households=n * share, basis=basis) for ln in ls]
        issues += iss
        persons = None if counts.persons is None else Fraction(counts.persons) * share
        ls2, iss2 = flat_lines(ctx, tenure, parts.residential * share, persons, share)
        lines += ls2
        issues += iss2
    return lines, issues


def house_lines(ctx: Context, share: Fraction, months: int) -> Found:
    """Houses, moving, temporary housing, rewards and flats of both tenures for one scenario."""
    inputs = ctx.inputs
    tenures = {b.tenure for b in inputs.buildings}
    lines: list[EstimateLine] = []
    issues: list[Issue] = []
    for tenure in (LandTenure.COLLECTIVE, LandTenure.STATE):
        if tenure not in tenures:
            continue
        counts = _counts(inputs, tenure, tenures)
        if counts.households is None:
            issues.append(
                est_issue(
                    "ESTIMATE_HOUSEHOLDS_MISSING",
                    f"{_TENURE_ZH[tenure]}房屋: give the households whose houses are taken (households, tenure "
                    f"{tenure.value}); per-household fees are counted for 0 households",
                    "households",
                )
            )
        ls, iss = tenure_lines(ctx, tenure, counts, share, months)
        lines += ls
        issues += iss
    return lines, issues


def flat_lines(
    ctx: Context,
    tenure: LandTenure,
    exchange_area: Fraction,
    exchange_persons: Fraction | None,
    share: Fraction,
) -> Found:
    """安置房建设（回购）资金 = flat area × unit cost (table or input)."""
    plan = ctx.inputs.flats
    key = f"houses.{tenure.value}.exchange"
    if plan.area_per_person_m2 is not None:
        if exchange_persons is None:
            return [], [
                est_issue(
                    "ESTIMATE_PERSONS_MISSING",
                    "flats by area per person need the persons of the house households (households.persons)",
                    key,
                )
            ]
        quantity = exchange_persons * Fraction(plan.area_per_person_m2)
        how = f"产权调换人口 {num_text(exchange_persons)} 人 × 人均安置面积 {num_text(plan.area_per_person_m2)} m²"
    else:
        quantity = exchange_area * Fraction(plan.area_ratio)
        how = f"产权调换户合法住宅面积 {num_text(exchange_area)} m²（比例 {num_text(share)}）× 安置面积比 {num_text(plan.area_ratio)}"
    label = "安置房建设成本" if plan.source is FlatSource.CONSTRUCTION else "安置房回购单价"
    refs: tuple[TableRef, ...] = ()
    if plan.unit_cost is not None:
        price, src = Fraction(plan.unit_cost), "（输入）"
    else:
        version = ctx.own.get(KIND_FLAT_COSTS)
        name = "construction_cost" if plan.source is FlatSource.CONSTRUCTION else "buy_back_price"
        if version is None or not version.has(name):
            return [], [
                est_issue(
                    "ESTIMATE_TABLE_MISSING",
                    f"no {KIND_FLAT_COSTS} table with '{name}' for this jurisdiction and date; give flats.unit_cost",
                    key,
                )
            ]
        price, refs, src = Fraction(version.decimal(name)), (version.ref(name=name),), ""
    return [
        own_line(
            fund=FundCategory.FLATS,
            item_id=key,
            payee="安置房建设（回购）单位",
            quantity=quantity,
            unit="m²",
            unit_price=price,
            price_unit="元/m²",
            refs=refs,
            rule=f"estimate.flats.{plan.source.value}",
            basis=f"安置房面积 × {label}{src}",
            note=how,
        )
    ], []
