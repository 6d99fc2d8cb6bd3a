"""Property exchange on collective land (产权调换 / 房屋安置), spec 4.3 — 杭州 2014 model.

Resettlement persons (安置人口) = registered residents (在册户籍人口), + the
table's extra person when a member is married without children (已婚未育) or
holds a one-child certificate (独生子女证) — one extra per household, the
larger of the two table values when both apply.

Resettlement area (安置面积) by household size — :data:`BAND_VARIANTS`,
``hangzhou_2014`` (杭州市征收集体所有土地房屋补偿条例 2014) [confirmed]:
the original legal residential area A is clamped to the band [min, max]
(1–2 persons 40/80, 3 persons 55/120, 4+ persons 18/40 per person); the
clamped figure is the entitlement E, the band's maximum is the standard S.

Settlement of differences — :data:`SETTLEMENT_VARIANTS`, ``hangzhou_2014``:

* old house credited at 重置价 × 成新率 for the area within E (房屋补偿费, +);
* original legal area beyond E paid at 2 × 重置价 × 成新率 (+);
* non-residential legal buildings at 3 × 重置价 × 成新率 (+), not resettled;
* flats taken, area T (差价, negative, payee 征收部门 — the household pays):
  min(T, E) at 安置房重置价; (E, S] at 成本价; beyond S, the first 5 m²
  (套型不可分割) at 成本价, the rest at 市场价.

The credit of the area within E and the 2× excess are allocated to buildings
in input order (the first buildings fill E).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from buchang.core.errors import Issue, Severity
from buchang.rules.inputs import Building, Household, Project, Use
from buchang.rules.lines import Category, Factor, Line, make_line
from buchang.rules.snapshot import Snapshot
from buchang.tables.model import TableRef, TableVersion

from .collective import depreciated_line, structure_row
from .common import (
    KIND_COLLECTIVE_PRICE,
    KIND_EXCHANGE_PRICES,
    KIND_EXCHANGE_SETTLEMENT,
    KIND_RESETTLEMENT_AREA,
    expropriator_payee,
    fmt,
    frac,
    int_of,
    issue,
    missing_table,
    missing_value,
    value_of,
)

# --- resettlement persons -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Persons:
    """安置人口: registered residents plus the extra person, with provenance."""

    registered: int
    extra: int
    refs: tuple[TableRef, ...]

    @property
    def total(self) -> int:
        return self.registered + self.extra

    def text(self) -> str:
        if self.extra:
            return f"在册户籍 {self.registered} 人 + 增加 {self.extra} 人 = {self.total} 人"
        return f"在册户籍 {self.registered} 人"


def resettlement_persons(household: Household, bands: TableVersion) -> Persons:
    """安置人口 = 在册户籍人口 (+ the table's extra for 已婚未育 / 独生子女证, once per household)."""
    registered = [m for m in household.members if m.registered_resident]
    extras: list[tuple[int, TableRef]] = []
    if any(m.married_childless for m in registered):
        v = int_of(bands, "extra_person_married_childless")
        if v is not None:
            extras.append(v)
    if any(m.one_child_certificate for m in registered):
        v = int_of(bands, "extra_person_one_child")
        if v is not None:
            extras.append(v)
    if not extras:
        return Persons(len(registered), 0, ())
    best = max(extras, key=lambda e: e[0])
    return Persons(len(registered), best[0], (best[1],))


# --- resettlement area bands ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entitlement:
    """应安置面积 E (the clamped original area) and the standard S (the band's maximum)."""

    persons: Persons
    original: Fraction
    entitled: Fraction
    standard: Fraction
    minimum: Fraction
    refs: tuple[TableRef, ...]

    def text(self) -> str:
        return (
            f"安置人口 {self.persons.text()}；安置面积标准 {fmt(self.minimum)}–{fmt(self.standard)} m²；"
            f"原合法住宅面积 {fmt(self.original)} m² → 应安置面积 {fmt(self.entitled)} m²"
        )


BandRule = Callable[[TableVersion, Persons, Fraction], Entitlement | None]


def bands_hangzhou_2014(bands: TableVersion, persons: Persons, original: Fraction) -> Entitlement | None:
    """Clamp the original legal area to the household-size band (per person for 4+)."""
    n = persons.total
    for row in bands.rows:
        lo_p = row["persons_min"]
        hi_p = row.values.get("persons_max")
        if not isinstance(lo_p, int) or n < lo_p:
            continue
        if isinstance(hi_p, int) and n > hi_p:
            continue
        scale = Fraction(n) if row.values.get("per_person") is True else Fraction(1)
        lo = Fraction(row.decimal("area_min")) * scale
        hi = Fraction(row.decimal("area_max")) * scale
        entitled = min(max(original, lo), hi)
        return Entitlement(persons, original, entitled, hi, lo, (bands.ref(row=row.key), *persons.refs))
    return None


#: Resettlement-area rules by the band table's ``variant``.
BAND_VARIANTS: Mapping[str, BandRule] = MappingProxyType({"hangzhou_2014": bands_hangzhou_2014})


def entitlement(
    household: Household, bands: TableVersion, original: Fraction
) -> tuple[Entitlement | None, list[Issue]]:
    rule = BAND_VARIANTS.get(bands.variant or "")
    if rule is None:
        return None, [
            issue(
                "HOUSE_VARIANT_UNKNOWN",
                f"{bands.table_id}@{bands.version} names variant '{bands.variant}'; known: {', '.join(BAND_VARIANTS)}",
                household,
            )
        ]
    persons = resettlement_persons(household, bands)
    if persons.total < 1:
        return None, [
            issue("HOUSE_NO_RESETTLEMENT_PERSONS", "no registered resident: 安置人口 is 0", household)
        ]
    ent = rule(bands, persons, original)
    if ent is None:
        return None, [
            issue(
                "HOUSE_BAND_NOT_FOUND",
                f"no band of {bands.table_id}@{bands.version} for {persons.total} persons",
                household,
            )
        ]
    return ent, []


# --- settlement --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExchangeContext:
    project: Project
    household: Household
    buildings: tuple[Building, ...]
    price: TableVersion
    bands: TableVersion | None
    settlement: TableVersion
    prices: TableVersion | None


SettlementRule = Callable[[ExchangeContext], tuple[list[Line], list[Issue]]]

_PAYS = Factor(name="被征收户支付", value=Fraction(-1), note="差价由被征收户支付给征收部门（负数）")


def _charge(
    ctx: ExchangeContext,
    item: str,
    area: Fraction,
    price: tuple[Fraction, TableRef],
    ent: Entitlement,
    rule: str,
    basis: str,
    note: str,
) -> Line:
    return make_line(
        subject_id=ctx.household.household_id,
        item_id=item,
        category=Category.SETTLEMENT_DIFFERENCE,
        payee=expropriator_payee(ctx.project),
        quantity=area,
        unit="m²",
        unit_price=price[0],
        price_unit="元/m²",
        factors=(_PAYS,),
        refs=(price[1], *ent.refs),
        rule=rule,
        basis=basis,
        note=note,
    )


def settlement_hangzhou_2014(ctx: ExchangeContext) -> tuple[list[Line], list[Issue]]:
    """杭州 2014 settlement: credits of the old house, charges of the flats taken."""
    rule = "house.exchange.hangzhou_2014"
    h = ctx.household
    lines: list[Line] = []
    issues: list[Issue] = []
    residential = [b for b in ctx.buildings if b.use == Use.RESIDENTIAL]
    non_residential = [b for b in ctx.buildings if b.use == Use.NON_RESIDENTIAL]

    # Non-residential: 3 × 重置价 × 成新率.
    if non_residential:
        mult = value_of(ctx.settlement, "non_residential_multiple")
        for b in non_residential:
            row, iss = structure_row(ctx.price, h, b)
            issues += iss
            if mult is None:
                issues.append(missing_value(ctx.settlement, "non_residential_multiple", h, b))
                continue
            if row is None:
                continue
            line = depreciated_line(
                h,
                b,
                ctx.price,
                row,
                rule=f"{rule}.non_residential",
                extra=(Factor(name="非住宅倍数", value=mult[0], note=mult[1].label()),),
                basis="非住宅面积 × 重置价 × 倍数 × 成新率",
            )
            if line is not None:
                lines.append(line.model_copy(update={"refs": (*line.refs, mult[1])}))
    if not residential:
        return lines, issues
    if ctx.bands is None:
        issues.append(
            missing_table(KIND_RESETTLEMENT_AREA, h, None, "property exchange needs 安置面积 bands")
        )
        return lines, issues
    original = sum((frac(b.legal_area_m2) for b in residential), Fraction(0))
    ent, iss = entitlement(h, ctx.bands, original)
    issues += iss
    if ent is None:
        return lines, issues

    # Credits: the old house within E at 1×, beyond E at 2× (allocated in input order).
    double = value_of(ctx.settlement, "excess_original_multiple")
    remaining = ent.entitled
    for b in residential:
        row, iss = structure_row(ctx.price, h, b)
        issues += iss
        if row is None:
            continue
        area = frac(b.legal_area_m2)
        within = min(area, remaining)
        remaining -= within
        excess = area - within
        if within > 0:
            line = depreciated_line(
                h,
                b,
                ctx.price,
                row,
                rule=f"{rule}.credit",
                quantity=within,
                basis="应安置面积以内的原合法面积 × 重置价 × 成新率",
                note=ent.text(),
            )
            if line is not None:
                lines.append(line.model_copy(update={"refs": (*line.refs, *ent.refs)}))
        if excess > 0:
            if double is None:
                issues.append(missing_value(ctx.settlement, "excess_original_multiple", h, b))
                continue
            line = depreciated_line(
                h,
                b,
                ctx.price,
                row,
                rule=f"{rule}.excess_original",
                quantity=excess,
                extra=(Factor(name="超出安置面积倍数", value=double[0], note=double[1].label()),),
                basis="超出应安置面积的原合法面积 × 重置价 × 倍数 × 成新率",
                note=ent.text(),
            )
            if line is not None:
                lines.append(line.model_copy(update={"refs": (*line.refs, double[1], *ent.refs)}))

    # Charges for the flats taken.
    flats = h.choices.flats
    taken = sum((frac(f.area_m2) for f in flats), Fraction(0))
    if taken == 0:
        issues.append(
            issue(
                "HOUSE_EXCHANGE_NO_FLATS",
                "property exchange chosen but no flat area given: only the old house is credited",
                h,
                severity=Severity.WARNING,
            )
        )
        return lines, issues
    if ctx.prices is None:
        issues.append(missing_table(KIND_EXCHANGE_PRICES, h, None, "flats are charged at table prices"))
        return lines, issues
    needed = {
        n: value_of(ctx.prices, n) for n in ("flat_replacement_price", "cost_price", "commercial_price")
    }
    allowance = value_of(ctx.settlement, "indivisible_allowance_m2")
    missing = [n for n, v in needed.items() if v is None]
    if missing or allowance is None:
        for n in missing:
            issues.append(missing_value(ctx.prices, n, h, None))
        if allowance is None:
            issues.append(missing_value(ctx.settlement, "indivisible_allowance_m2", h, None))
        return lines, issues
    repl, cost, market = (v for v in needed.values() if v is not None)
    item = ",".join(f.flat_id for f in flats)
    e, s = ent.entitled, ent.standard
    within = min(taken, e)
    beyond_within_standard = min(max(taken - e, Fraction(0)), s - e)
    over = max(taken - s, Fraction(0))
    over_cost = min(over, allowance[0])
    over_market = over - over_cost
    head = f"安置房面积 {fmt(taken)} m²；" + ent.text()
    if within > 0:
        lines.append(
            _charge(
                ctx, item, within, repl, ent, f"{rule}.flat_within", "应安置面积以内 × 安置房重置价", head
            )
        )
    if beyond_within_standard > 0:
        lines.append(
            _charge(
                ctx,
                item,
                beyond_within_standard,
                cost,
                ent,
                f"{rule}.flat_beyond_entitlement",
                "超出应安置面积、在安置标准以内 × 成本价",
                head,
            )
        )
    if over_cost > 0:
        lines.append(
            _charge(
                ctx,
                item,
                over_cost,
                cost,
                ent,
                f"{rule}.flat_indivisible",
                f"因套型不可分割超出安置标准 {fmt(allowance[0])} m² 以内 × 成本价",
                head,
            ).model_copy(update={"refs": (cost[1], allowance[1], *ent.refs)})
        )
    if over_market > 0:
        lines.append(
            _charge(
                ctx,
                item,
                over_market,
                market,
                ent,
                f"{rule}.flat_above_standard",
                "超出安置标准（及不可分割面积）× 市场价",
                head,
            )
        )
    return lines, issues


#: Settlement rules by the settlement table's ``variant``.
SETTLEMENT_VARIANTS: Mapping[str, SettlementRule] = MappingProxyType(
    {"hangzhou_2014": settlement_hangzhou_2014}
)


def exchange_lines(
    project: Project, household: Household, buildings: tuple[Building, ...], snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    """Property exchange for a household's legal collective-land buildings."""
    price = snap.get(KIND_COLLECTIVE_PRICE)
    settlement = snap.get(KIND_EXCHANGE_SETTLEMENT)
    if price is None:
        return [], [
            missing_table(KIND_COLLECTIVE_PRICE, household, None, "exchange credits the old house at 重置价")
        ]
    if settlement is None:
        return [], [
            missing_table(
                KIND_EXCHANGE_SETTLEMENT, household, None, "property exchange needs settlement rules"
            )
        ]
    rule = SETTLEMENT_VARIANTS.get(settlement.variant or "")
    if rule is None:
        return [], [
            issue(
                "HOUSE_VARIANT_UNKNOWN",
                f"{settlement.table_id}@{settlement.version} names variant '{settlement.variant}'; "
                f"known: {', '.join(SETTLEMENT_VARIANTS)}",
                household,
            )
        ]
    ctx = ExchangeContext(
        project,
        household,
        buildings,
        price,
        snap.get(KIND_RESETTLEMENT_AREA),
        settlement,
        snap.get(KIND_EXCHANGE_PRICES),
    )
    return rule(ctx)
