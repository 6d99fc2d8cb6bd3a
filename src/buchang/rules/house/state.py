"""Houses on state-owned land, spec 4.4: 国有土地上房屋征收与补偿条例 (国务院令第590号, 2011).

Components (Art. 17): the house value — the appraisal (评估价值, an input: not
below the market price of similar property on the 征收决定公告 date, Art. 19);
moving and temporary housing (fees, :mod:`.fees`, tables ``house.state_*``);
停产停业损失 for non-residential use (Art. 23; 浙江 2020: at least
``business_loss_min_rate`` = 5% of the house value); subsidies and rewards.
Money or property exchange: for exchange the value of the flats is charged
and the difference settled (Art. 21) — negative 差价 lines, payee 征收部门.

Variants (the state table's ``variant``), :data:`STATE_VARIANTS`:

* ``ordinance_590`` — the components above only;
* ``shanghai_71`` — 上海 (沪府令71号) structure [unconfirmed → illustrative]:
  plus 价格补贴 (appraisal × ``price_subsidy_rate``), 套型面积补贴
  (``flat_size_subsidy_area`` × ``flat_size_subsidy_price``, once per household)
  and the housing-hardship guarantee: when 人均建筑面积 (legal residential area ÷
  registered residents) is below ``hardship_area_per_person`` (reported 22 m²),
  the shortfall area × ``hardship_unit_price``.

Legality: illegal / built after the notice → a zero line (Art. 24); an
unregistered building must first be investigated and determined (Art. 24),
so it gets a zero line and a ``HOUSE_LEGALITY_UNDETERMINED`` warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from buchang.core.errors import Issue, Severity
from buchang.rules.inputs import Building, Household, Option, Project, Use
from buchang.rules.lines import Category, Factor, Line, make_line
from buchang.rules.snapshot import Snapshot
from buchang.tables.model import TableVersion

from .common import (
    KIND_STATE,
    KIND_STATE_FEE_RATES,
    KIND_STATE_TRANSITION,
    area_of,
    expropriator_payee,
    fmt,
    frac,
    household_payee,
    int_of,
    issue,
    missing_table,
    missing_value,
    value_of,
    zero_line,
)
from .fees import fee_lines
from .legality import Gate, gate, nothing_line


@dataclass(frozen=True, slots=True)
class StateContext:
    project: Project
    household: Household
    buildings: tuple[Building, ...]  # legal buildings, in input order
    table: TableVersion


StateRule = Callable[[StateContext], tuple[list[Line], list[Issue]]]

_PAYS = Factor(name="被征收户支付", value=Fraction(-1), note="差价由被征收户支付给征收部门（负数）")


def _value_line(ctx: StateContext, b: Building, appraisal: Fraction) -> Line:
    return make_line(
        subject_id=ctx.household.household_id,
        item_id=b.building_id,
        category=Category.HOUSE,
        payee=household_payee(ctx.household),
        quantity=1,
        unit="宗",
        unit_price=appraisal,
        price_unit="元/宗",
        rule="house.state.value",
        basis="被征收房屋评估价值",
        note="评估价值不低于征收决定公告之日类似房地产市场价格（国务院令第590号 第十九条）",
    )


def _business_loss(ctx: StateContext, b: Building, appraisal: Fraction) -> tuple[list[Line], list[Issue]]:
    """停产停业损失: proven monthly loss × months, not below the floor rate × house value."""
    h = ctx.household
    floor = value_of(ctx.table, "business_loss_min_rate")
    months = int_of(ctx.table, "business_loss_months")
    proven: Fraction | None = None
    if b.monthly_business_loss is not None and months is not None:
        proven = frac(b.monthly_business_loss) * months[0]
    floor_amount = appraisal * floor[0] if floor is not None else None
    rule = "house.state.business_loss"
    if proven is not None and months is not None and (floor_amount is None or proven >= floor_amount):
        note = "按停产停业前效益和停产停业期限计算（第二十三条）"
        if floor_amount is not None and floor is not None:
            note += f"；不低于房屋价值的 {fmt(floor[0] * 100)}%"
        return [
            make_line(
                subject_id=h.household_id,
                item_id=b.building_id,
                category=Category.BUSINESS_LOSS,
                payee=household_payee(h),
                quantity=months[0],
                unit="月",
                unit_price=frac(b.monthly_business_loss or 0),
                price_unit="元/月",
                refs=(months[1], *((floor[1],) if floor is not None else ())),
                rule=rule,
                basis="月停产停业损失 × 停产停业期限",
                note=note,
            )
        ], []
    if floor is not None:
        note = f"按房屋价值的 {fmt(floor[0] * 100)}% 保底"
        if proven is not None:
            note += f"（按效益计算的损失 {fmt(proven)} 元较低）"
        return [
            make_line(
                subject_id=h.household_id,
                item_id=b.building_id,
                category=Category.BUSINESS_LOSS,
                payee=household_payee(h),
                quantity=1,
                unit="宗",
                unit_price=appraisal,
                price_unit="元/宗",
                factors=(Factor(name="停产停业损失最低比例", value=floor[0], note=floor[1].label()),),
                refs=(floor[1],),
                rule=rule,
                basis="房屋价值 × 最低比例",
                note=note,
            )
        ], []
    return [], [
        issue(
            "HOUSE_BUSINESS_LOSS_UNDETERMINED",
            "停产停业损失 not computed: give monthly_business_loss and a table business_loss_months, "
            "or a table business_loss_min_rate",
            h,
            b,
            Severity.WARNING,
        )
    ]


def _flat_charges(ctx: StateContext) -> tuple[list[Line], list[Issue]]:
    """产权调换: the value of each flat is charged (Art. 21), negative, payee 征收部门."""
    h = ctx.household
    if not h.choices.flats:
        return [], [
            issue(
                "HOUSE_EXCHANGE_NO_FLATS",
                "property exchange chosen but no flat given: only the old house is credited",
                h,
                severity=Severity.WARNING,
            )
        ]
    lines: list[Line] = []
    issues: list[Issue] = []
    price = value_of(ctx.table, "exchange_flat_price")
    for f in h.choices.flats:
        if f.appraisal_value is not None:
            lines.append(
                make_line(
                    subject_id=h.household_id,
                    item_id=f.flat_id,
                    category=Category.SETTLEMENT_DIFFERENCE,
                    payee=expropriator_payee(ctx.project),
                    quantity=1,
                    unit="套",
                    unit_price=frac(f.appraisal_value),
                    price_unit="元/套",
                    factors=(_PAYS,),
                    rule="house.state.exchange",
                    basis="用于产权调换房屋的评估价值",
                    note="结清被征收房屋价值与用于产权调换房屋价值的差价（国务院令第590号 第二十一条）",
                )
            )
        elif price is not None:
            lines.append(
                make_line(
                    subject_id=h.household_id,
                    item_id=f.flat_id,
                    category=Category.SETTLEMENT_DIFFERENCE,
                    payee=expropriator_payee(ctx.project),
                    quantity=frac(f.area_m2),
                    unit="m²",
                    unit_price=price[0],
                    price_unit="元/m²",
                    factors=(_PAYS,),
                    refs=(price[1],),
                    rule="house.state.exchange",
                    basis="产权调换房屋面积 × 单价",
                    note="结清被征收房屋价值与用于产权调换房屋价值的差价（国务院令第590号 第二十一条）",
                )
            )
        else:
            issues.append(
                issue(
                    "HOUSE_VALUE_MISSING",
                    f"flat {f.flat_id}: no appraisal_value, and {ctx.table.table_id}@{ctx.table.version} "
                    "has no exchange_flat_price to value it",
                    h,
                )
            )
    return lines, issues


def state_ordinance_590(ctx: StateContext) -> tuple[list[Line], list[Issue]]:
    """House value, business losses, flats charged for exchange (条例 590号 Arts. 17–23)."""
    lines: list[Line] = []
    issues: list[Issue] = []
    for b in ctx.buildings:
        if b.appraisal_value is None:
            issues.append(
                issue(
                    "HOUSE_APPRAISAL_MISSING",
                    "a state-land house is valued by a qualified appraiser (第十九条): appraisal_value is missing",
                    ctx.household,
                    b,
                )
            )
            continue
        appraisal = frac(b.appraisal_value)
        lines.append(_value_line(ctx, b, appraisal))
        if b.use == Use.NON_RESIDENTIAL:
            ls, iss = _business_loss(ctx, b, appraisal)
            lines += ls
            issues += iss
    if ctx.household.choices.option == Option.EXCHANGE:
        ls, iss = _flat_charges(ctx)
        lines += ls
        issues += iss
    return lines, issues


def state_shanghai_71(ctx: StateContext) -> tuple[list[Line], list[Issue]]:
    """条例 590号 components plus 上海's 价格补贴, 套型面积补贴 and 居住困难保障."""
    lines, issues = state_ordinance_590(ctx)
    h = ctx.household
    t = ctx.table
    residential = [b for b in ctx.buildings if b.use == Use.RESIDENTIAL and b.appraisal_value is not None]
    if not residential:
        return lines, issues
    rate = value_of(t, "price_subsidy_rate")
    if rate is None:
        issues.append(missing_value(t, "price_subsidy_rate", h, None))
    else:
        for b in residential:
            lines.append(
                make_line(
                    subject_id=h.household_id,
                    item_id=b.building_id,
                    category=Category.SUBSIDY,
                    payee=household_payee(h),
                    quantity=1,
                    unit="宗",
                    unit_price=frac(b.appraisal_value or 0),
                    price_unit="元/宗",
                    factors=(Factor(name="价格补贴系数", value=rate[0], note=rate[1].label()),),
                    refs=(rate[1],),
                    rule="house.state.shanghai_71.price_subsidy",
                    basis="评估价值 × 价格补贴系数",
                )
            )
    size_area = value_of(t, "flat_size_subsidy_area")
    size_price = value_of(t, "flat_size_subsidy_price")
    if size_area is None or size_price is None:
        for n, v in (("flat_size_subsidy_area", size_area), ("flat_size_subsidy_price", size_price)):
            if v is None:
                issues.append(missing_value(t, n, h, None))
    else:
        lines.append(
            make_line(
                subject_id=h.household_id,
                item_id=h.household_id,
                category=Category.SUBSIDY,
                payee=household_payee(h),
                quantity=size_area[0],
                unit="m²",
                unit_price=size_price[0],
                price_unit="元/m²",
                refs=(size_area[1], size_price[1]),
                rule="house.state.shanghai_71.flat_size_subsidy",
                basis="套型面积补贴面积 × 单价（每户一次）",
            )
        )
    threshold = value_of(t, "hardship_area_per_person")
    hardship_price = value_of(t, "hardship_unit_price")
    if threshold is None or hardship_price is None:
        for n, v in (("hardship_area_per_person", threshold), ("hardship_unit_price", hardship_price)):
            if v is None:
                issues.append(missing_value(t, n, h, None))
        return lines, issues
    persons = sum(1 for m in h.members if m.registered_resident)
    area = sum((frac(b.legal_area_m2) for b in residential), Fraction(0))
    refs = (threshold[1], hardship_price[1])
    if persons < 1 or area >= threshold[0] * persons:
        why = (
            "无在册户籍人口"
            if persons < 1
            else f"人均建筑面积 {fmt(area / persons)} m² 不低于 {fmt(threshold[0])} m²"
        )
        lines.append(
            zero_line(
                household=h,
                item_id=h.household_id,
                category=Category.SUBSIDY,
                quantity=Fraction(0),
                unit="m²",
                price_unit="元/m²",
                rule="house.state.shanghai_71.hardship",
                basis="补足面积 × 0",
                note=f"不属居住困难户：{why}",
                refs=refs,
            )
        )
        return lines, issues
    shortfall = threshold[0] * persons - area
    lines.append(
        make_line(
            subject_id=h.household_id,
            item_id=h.household_id,
            category=Category.SUBSIDY,
            payee=household_payee(h),
            quantity=shortfall,
            unit="m²",
            unit_price=hardship_price[0],
            price_unit="元/m²",
            refs=refs,
            rule="house.state.shanghai_71.hardship",
            basis="（人均保障面积 × 人数 − 合法居住面积）× 保障单价",
            note=(
                f"居住困难：{persons} 人，合法居住面积 {fmt(area)} m²，人均 {fmt(area / persons)} m² "
                f"低于 {fmt(threshold[0])} m²，补足 {fmt(shortfall)} m²"
            ),
        )
    )
    return lines, issues


#: State-land rules by the state table's ``variant``.
STATE_VARIANTS: Mapping[str, StateRule] = MappingProxyType(
    {"ordinance_590": state_ordinance_590, "shanghai_71": state_shanghai_71}
)


def compute_state(
    project: Project, household: Household, buildings: tuple[Building, ...], snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    """All lines for a household's state-land buildings (spec 4.4)."""
    lines: list[Line] = []
    issues: list[Issue] = []
    legal: list[Building] = []
    for b in buildings:
        g = gate(project, b)
        if g is Gate.NOTHING:
            lines.append(nothing_line(project, household, b, "house.state"))
        elif g is Gate.RESIDUAL:
            lines.append(
                zero_line(
                    household=household,
                    item_id=b.building_id,
                    category=Category.HOUSE,
                    quantity=area_of(b),
                    unit="m²",
                    price_unit="元/m²",
                    rule="house.state.legality.undetermined",
                    basis="面积 × 0",
                    note="未经登记建筑应先调查、认定和处理（国务院令第590号 第二十四条），认定前不予计算",
                )
            )
            issues.append(
                issue(
                    "HOUSE_LEGALITY_UNDETERMINED",
                    "unregistered state-land building: determine its legality first (第二十四条)",
                    household,
                    b,
                    Severity.WARNING,
                )
            )
        else:
            legal.append(b)
    if not legal:
        return lines, issues
    table = snap.get(KIND_STATE)
    if table is None:
        issues.append(missing_table(KIND_STATE, household, None, "state-land houses (条例 590号)"))
        return lines, issues
    rule = STATE_VARIANTS.get(table.variant or "")
    if rule is None:
        issues.append(
            issue(
                "HOUSE_VARIANT_UNKNOWN",
                f"{table.table_id}@{table.version} names variant '{table.variant}'; known: {', '.join(STATE_VARIANTS)}",
                household,
            )
        )
        return lines, issues
    ls, iss = rule(StateContext(project, household, tuple(legal), table))
    lines += ls
    issues += iss
    ls, iss = fee_lines(
        project,
        household,
        tuple(legal),
        snap.get(KIND_STATE_TRANSITION),
        snap.get(KIND_STATE_FEE_RATES),
        table,
        "house.state",
    )
    return lines + ls, issues + iss
