"""Working costs of an estimate: 测绘费, 评估费, 拆除费, 工作经费, 不可预见费 (spec 4.6).

Table kind ``estimate.working_costs``: one row per cost (:data:`COST_ROWS`), each
either a ``rate`` of a money ``base`` (:data:`COST_BASES`) or a ``unit_price``
per m² of surveyed building area (``base: building_area``). Rows on the base
``all_funds_and_costs`` (不可预见费) are applied after the others, on a base
that includes them. The rates are table data, never code.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue
from buchang.rules.lines import Factor

from .common import KIND_WORKING_COSTS, Context, Found, est_issue, own_line
from .model import COMPENSATION, EstimateLine, FundCategory

#: Working-cost rows of ``estimate.working_costs`` and the fund category each feeds.
COST_ROWS: Final = {
    "surveying": FundCategory.SURVEYING,
    "appraisal": FundCategory.APPRAISAL,
    "demolition": FundCategory.DEMOLITION,
    "working_funds": FundCategory.WORKING_FUNDS,
    "contingency": FundCategory.CONTINGENCY,
}

#: Bases a working-cost rate may apply to (the ``base`` column).
COST_BASES: Final = {
    "compensation": "补偿费用（土地、青苗和附着物、房屋、搬家、过渡、奖励）",
    "houses": "房屋补偿费",
    "compensation_and_flats": "补偿费用及安置房建设（回购）资金",
    "all_funds": "补偿费用、安置房资金及社会保障费用",
    "all_funds_and_costs": "补偿费用、安置房资金、社会保障费用及其他工作费用",
    "building_area": "房屋建筑面积（m²）",
}

# --- working costs ---------------------------------------------------------------------------


def _base_fen(lines: Sequence[EstimateLine], base: str) -> int:
    funds: set[FundCategory]
    if base == "houses":
        funds = {FundCategory.HOUSES}
    elif base == "compensation":
        funds = set(COMPENSATION)
    elif base == "compensation_and_flats":
        funds = {*COMPENSATION, FundCategory.FLATS}
    else:  # all_funds, all_funds_and_costs (the working costs already in ``lines``)
        return sum(line.amount_fen for line in lines)
    return sum(line.amount_fen for line in lines if line.fund in funds)


def working_cost_lines(ctx: Context, lines: Sequence[EstimateLine]) -> Found:
    """测绘费, 评估费, 拆除费, 工作经费 and then 不可预见费 (on a base including the others)."""
    version = ctx.own.get(KIND_WORKING_COSTS)
    if version is None:
        return [], [
            est_issue(
                "ESTIMATE_TABLE_MISSING",
                f"no {KIND_WORKING_COSTS} table for this jurisdiction and date: working costs (测绘费、评估费、"
                "拆除费、工作经费、不可预见费) not estimated — supply one with --tables",
                KIND_WORKING_COSTS,
            )
        ]
    issues: list[Issue] = []
    rows = sorted(version.rows, key=lambda r: str(r.values.get("base")) == "all_funds_and_costs")
    area = sum((Fraction(b.area_m2) for b in ctx.inputs.buildings), Fraction(0))
    done: list[EstimateLine] = []
    base_lines = [line for line in lines if not line.fund.is_working_cost]
    for row in rows:
        fund = COST_ROWS.get(row.key)
        key = f"{version.table_id}[{row.key}]"
        if fund is None:
            issues.append(
                est_issue(
                    "ESTIMATE_COST_UNKNOWN",
                    f"working-cost row '{row.key}' is not one of {', '.join(COST_ROWS)}; not estimated",
                    key,
                )
            )
            continue
        base = str(row.values.get("base", ""))
        label = str(row.values.get("label", fund.value))
        has_rate, has_price = "rate" in row.values, "unit_price" in row.values
        if base not in COST_BASES or has_rate == has_price or (base == "building_area") != has_price:
            issues.append(
                est_issue(
                    "ESTIMATE_COST_ROW",
                    f"working-cost row '{row.key}': give a rate of a money base or a unit_price with base "
                    f"building_area (base '{base}')",
                    key,
                )
            )
            continue
        if has_price:
            done.append(
                own_line(
                    fund=fund,
                    item_id=row.key,
                    payee="实施单位",
                    quantity=area,
                    unit="m²",
                    unit_price=Fraction(row.decimal("unit_price")),
                    price_unit="元/m²",
                    refs=(version.ref(row=row.key, name="unit_price"),),
                    rule=f"estimate.working_costs.{row.key}",
                    basis=f"{COST_BASES[base]} × {label}单价",
                    note="面积含全部调查房屋（含违法建筑，均需拆除）",
                )
            )
            continue
        pool = base_lines + (done if base == "all_funds_and_costs" else [])
        fen = _base_fen(pool, base)
        done.append(
            own_line(
                fund=fund,
                item_id=row.key,
                payee="实施单位",
                quantity=Fraction(1),
                unit="项",
                unit_price=Fraction(fen, 100),
                price_unit="元（计费基数）",
                factors=(Factor(name="费率", value=Fraction(row.decimal("rate")), note=f"{label}费率"),),
                refs=(version.ref(row=row.key, name="rate"),),
                rule=f"estimate.working_costs.{row.key}",
                basis=f"计费基数（{COST_BASES[base]}）× {label}费率",
            )
        )
    return done, issues
