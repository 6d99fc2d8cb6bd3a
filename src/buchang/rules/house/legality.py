"""Legality decides everything (spec 4.3).

* 违法建筑 (illegal) → nothing: "凡被认定为违法建筑的一律不予补偿" (沪崇府办发〔2025〕26号 四(二));
  条例 590号 第二十四条 for state land;
* built after the notice (抢建) → nothing: 实施条例 (国务院令第743号) 第二十六条;
  "对新增'两违'建筑，一律不予补偿" (巴南府发〔2015〕118号 三, 先拆违、后拆迁);
* unregistered, unapproved non-residential building not found illegal → residual
  value (残值) only (沪崇府办发〔2025〕26号 四(二));
* legal → compensated.

A building declared legal (or unregistered) whose ``built_on`` is after the
project's notice date is treated as built after the notice.
"""

from __future__ import annotations

from enum import StrEnum

from buchang.rules.inputs import Building, Household, Legality, Project
from buchang.rules.lines import Category, Line

from .common import area_of, zero_line


class Gate(StrEnum):
    """What the legality of a building allows."""

    COMPENSATE = "compensate"
    RESIDUAL = "residual"
    NOTHING = "nothing"


_NOTES = {
    ("house.collective", Legality.ILLEGAL): "认定为违法建筑，一律不予补偿（沪崇府办发〔2025〕26号 四（二））",
    ("house.collective", Legality.AFTER_NOTICE): (
        "征收公告后抢建，不予补偿（土地管理法实施条例 第二十六条；巴南府发〔2015〕118号 三：先拆违、后拆迁）"
    ),
    ("house.state", Legality.ILLEGAL): "认定为违法建筑的，不予补偿（国务院令第590号 第二十四条）",
    ("house.state", Legality.AFTER_NOTICE): (
        "房屋征收范围确定后新建、扩建、改建的，不予补偿（国务院令第590号 第十六条）"
    ),
}


def effective_legality(project: Project, building: Building) -> Legality:
    """The legality the rules act on: a construction date after the notice overrides the status."""
    if building.built_on is not None and building.built_on > project.notice_date:
        return Legality.AFTER_NOTICE
    return building.legality


def gate(project: Project, building: Building) -> Gate:
    legality = effective_legality(project, building)
    if legality == Legality.LEGAL:
        return Gate.COMPENSATE
    if legality == Legality.UNREGISTERED_NON_RESIDENTIAL:
        return Gate.RESIDUAL
    return Gate.NOTHING


def nothing_line(project: Project, household: Household, building: Building, rule_prefix: str) -> Line:
    """The zero line that makes an uncompensated building visible, with the reason."""
    legality = effective_legality(project, building)
    note = _NOTES.get((rule_prefix, legality), "不予补偿")
    if legality == Legality.AFTER_NOTICE and building.built_on is not None:
        note += f"；建造日期 {building.built_on} 晚于公告日 {project.notice_date}"
    return zero_line(
        household=household,
        item_id=building.building_id,
        category=Category.HOUSE,
        quantity=area_of(building),
        unit="m²",
        price_unit="元/m²",
        rule=f"{rule_prefix}.legality.{legality.value}",
        basis="面积 × 0",
        note=note,
    )
