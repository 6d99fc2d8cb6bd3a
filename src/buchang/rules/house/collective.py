"""Houses on collective land (宅基地房屋), spec 4.3: legality, residual value, money option.

The money formula differs in *structure* between jurisdictions, so the price
table's ``variant`` picks a named function from :data:`MONEY_VARIANTS`:

* ``shanghai_75`` — 上海 (沪府发〔2011〕75号) structure [unconfirmed]:
  area × (重置单价 × 成新率 + 同区域新建多层商品住房土地使用权基价 + 价格补贴),
  one line per term;
* ``replacement_newness`` — area × 重置单价 × 成新率 only (the depreciated
  replacement value; used where no land-use price or subsidy is known);
* ``yongzhou_2024`` — 永州 (永政发〔2024〕4号) [secondary]: area × (结构单价 +
  装修补偿单价), e.g. 砖混二等 750 + 500 = 1250 元/m², no newness factor.

Residual value (残值) of an unregistered non-residential building not found
illegal (沪崇府办发〔2025〕26号 四(二)): area × 重置单价 × 成新率 × 残值比例
(``residual_rate`` of the price table); the area is the measured ``area_m2``
where given (an unregistered building has no registered legal area), else
``legal_area_m2``. A table without ``residual_rate`` gives an issue, not a guess.

Property exchange is in :mod:`.resettlement`; fees in :mod:`.fees`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType

from buchang.core.errors import Issue
from buchang.rules.inputs import Building, Household, Option, Project
from buchang.rules.lines import Category, Factor, Line, make_line
from buchang.rules.snapshot import Snapshot
from buchang.tables.model import Row, TableRef, TableVersion

from .common import (
    KIND_COLLECTIVE_PRICE,
    area_of,
    frac,
    household_payee,
    issue,
    missing_table,
    missing_value,
    row_value,
    value_of,
)
from .fees import collective_fees
from .legality import Gate, gate, nothing_line

MoneyRule = Callable[[Household, Building, TableVersion, Row], tuple[list[Line], list[Issue]]]


def structure_row(
    version: TableVersion, household: Household, building: Building
) -> tuple[Row | None, list[Issue]]:
    """The price row of the building's structure class, or an issue naming the known classes."""
    row = version.find_row(building.structure)
    if row is None:
        known = ", ".join(r.key for r in version.rows)
        return None, [
            issue(
                "HOUSE_STRUCTURE_UNKNOWN",
                f"structure '{building.structure}' is not in {version.table_id}@{version.version} (known: {known})",
                household,
                building,
            )
        ]
    return row, []


def newness_factor(building: Building) -> Factor:
    return Factor(name="成新率", value=frac(building.newness), note="房屋成新（评估/调查）")


def depreciated_line(
    household: Household,
    building: Building,
    version: TableVersion,
    row: Row,
    *,
    rule: str,
    quantity: Fraction | None = None,
    extra: tuple[Factor, ...] = (),
    category: Category = Category.HOUSE,
    basis: str = "面积 × 重置单价 × 成新率",
    note: str = "",
) -> Line | None:
    """area × 重置单价 × 成新率 (× extra factors); ``None`` when the row has no replacement price."""
    rp = row_value(version, row, "replacement_price")
    if rp is None:
        return None
    price, ref = rp
    return make_line(
        subject_id=household.household_id,
        item_id=building.building_id,
        category=category,
        payee=household_payee(household),
        quantity=frac(building.legal_area_m2) if quantity is None else quantity,
        unit="m²",
        unit_price=price,
        price_unit="元/m²",
        factors=(*extra, newness_factor(building)),
        refs=(ref,),
        rule=rule,
        basis=basis,
        note=note,
    )


def _area_line(
    household: Household,
    building: Building,
    price: Fraction,
    refs: tuple[TableRef, ...],
    *,
    category: Category,
    rule: str,
    basis: str,
    note: str = "",
) -> Line:
    return make_line(
        subject_id=household.household_id,
        item_id=building.building_id,
        category=category,
        payee=household_payee(household),
        quantity=frac(building.legal_area_m2),
        unit="m²",
        unit_price=price,
        price_unit="元/m²",
        refs=refs,
        rule=rule,
        basis=basis,
        note=note,
    )


def _no_replacement(version: TableVersion, row: Row, household: Household, building: Building) -> Issue:
    return issue(
        "HOUSE_VALUE_MISSING",
        f"row '{row.key}' of {version.table_id}@{version.version} has no replacement_price",
        household,
        building,
    )


def money_shanghai_75(
    household: Household, building: Building, version: TableVersion, row: Row
) -> tuple[list[Line], list[Issue]]:
    """上海 75号 structure: area × (重置单价 × 成新率 + 土地使用权基价 + 价格补贴) — three lines."""
    rule = "house.collective.money.shanghai_75"
    first = depreciated_line(household, building, version, row, rule=f"{rule}.replacement")
    if first is None:
        return [], [_no_replacement(version, row, household, building)]
    lines = [first]
    issues: list[Issue] = []
    land = value_of(version, "land_base_price")
    if land is None:
        issues.append(missing_value(version, "land_base_price", household, building))
    else:
        lines.append(
            _area_line(
                household,
                building,
                land[0],
                (land[1],),
                category=Category.HOUSE,
                rule=f"{rule}.land_base",
                basis="面积 × 同区域新建多层商品住房土地使用权基价",
            )
        )
    subsidy = value_of(version, "price_subsidy")
    if subsidy is None:
        issues.append(missing_value(version, "price_subsidy", household, building))
    else:
        lines.append(
            _area_line(
                household,
                building,
                subsidy[0],
                (subsidy[1],),
                category=Category.SUBSIDY,
                rule=f"{rule}.price_subsidy",
                basis="面积 × 价格补贴单价",
            )
        )
    return lines, issues


def money_replacement_newness(
    household: Household, building: Building, version: TableVersion, row: Row
) -> tuple[list[Line], list[Issue]]:
    """area × 重置单价 × 成新率 (depreciated replacement value only)."""
    line = depreciated_line(
        household, building, version, row, rule="house.collective.money.replacement_newness"
    )
    if line is None:
        return [], [_no_replacement(version, row, household, building)]
    return [line], []


def money_yongzhou_2024(
    household: Household, building: Building, version: TableVersion, row: Row
) -> tuple[list[Line], list[Issue]]:
    """永州 2024: area × 结构单价 and area × 装修补偿单价 (e.g. 砖混二等 750 + 500 元/m²)."""
    rule = "house.collective.money.yongzhou_2024"
    rp = row_value(version, row, "replacement_price")
    if rp is None:
        return [], [_no_replacement(version, row, household, building)]
    lines = [
        _area_line(
            household,
            building,
            rp[0],
            (rp[1],),
            category=Category.HOUSE,
            rule=f"{rule}.structure",
            basis="面积 × 房屋结构补偿单价",
        )
    ]
    deco = row_value(version, row, "decoration_price")
    if deco is not None:
        lines.append(
            _area_line(
                household,
                building,
                deco[0],
                (deco[1],),
                category=Category.HOUSE,
                rule=f"{rule}.decoration",
                basis="面积 × 装修补偿单价",
                note="装修补偿",
            )
        )
    return lines, []


#: Money-option formulas by the price table's ``variant``.
MONEY_VARIANTS: Mapping[str, MoneyRule] = MappingProxyType(
    {
        "shanghai_75": money_shanghai_75,
        "replacement_newness": money_replacement_newness,
        "yongzhou_2024": money_yongzhou_2024,
    }
)


def residual_value(
    household: Household, building: Building, version: TableVersion | None
) -> tuple[list[Line], list[Issue]]:
    """残值: area × 重置单价 × 成新率 × 残值比例 (沪崇府办发〔2025〕26号 四(二))."""
    if version is None:
        return [], [missing_table(KIND_COLLECTIVE_PRICE, household, building, "residual value needs prices")]
    row, issues = structure_row(version, household, building)
    if row is None:
        return [], issues
    rate = value_of(version, "residual_rate")
    if rate is None:
        return [], [missing_value(version, "residual_rate", household, building)]
    line = depreciated_line(
        household,
        building,
        version,
        row,
        rule="house.collective.residual",
        quantity=area_of(building),
        extra=(Factor(name="残值比例", value=rate[0], note=rate[1].label()),),
        category=Category.RESIDUAL_VALUE,
        basis="面积 × 重置单价 × 残值比例 × 成新率",
        note="未经登记且未经批准建造、未认定为违法建筑的非居住房屋，仅给予残值补偿（沪崇府办发〔2025〕26号 四（二））",
    )
    if line is None:
        return [], [_no_replacement(version, row, household, building)]
    line = line.model_copy(update={"refs": (*line.refs, rate[1])})
    return [line], []


def money_lines(
    household: Household, building: Building, version: TableVersion
) -> tuple[list[Line], list[Issue]]:
    """The money option for one legal building, by the table's variant."""
    rule = MONEY_VARIANTS.get(version.variant or "")
    if rule is None:
        return [], [
            issue(
                "HOUSE_VARIANT_UNKNOWN",
                f"{version.table_id}@{version.version} names variant '{version.variant}'; "
                f"known: {', '.join(MONEY_VARIANTS)}",
                household,
                building,
            )
        ]
    row, issues = structure_row(version, household, building)
    if row is None:
        return [], issues
    return rule(household, building, version, row)


def compute_collective(
    project: Project, household: Household, buildings: tuple[Building, ...], snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    """All lines for a household's collective-land buildings (spec 4.3)."""
    from .resettlement import exchange_lines

    lines: list[Line] = []
    issues: list[Issue] = []
    price = snap.get(KIND_COLLECTIVE_PRICE)
    compensable: list[Building] = []
    for b in buildings:
        g = gate(project, b)
        if g is Gate.NOTHING:
            lines.append(nothing_line(project, household, b, "house.collective"))
        elif g is Gate.RESIDUAL:
            ls, iss = residual_value(household, b, price)
            lines += ls
            issues += iss
        else:
            compensable.append(b)
    if not compensable:
        return lines, issues
    if household.choices.option == Option.EXCHANGE:
        ls, iss = exchange_lines(project, household, tuple(compensable), snap)
        lines += ls
        issues += iss
    elif price is None:
        issues.append(missing_table(KIND_COLLECTIVE_PRICE, household, None, "the money option needs prices"))
    else:
        for b in compensable:
            ls, iss = money_lines(household, b, price)
            lines += ls
            issues += iss
    ls, iss = collective_fees(project, household, tuple(compensable), snap)
    return lines + ls, issues + iss
