"""The parts of an estimate that no range changes: land fees, crops and attachments,
social security (spec 4.1, 4.2, 4.5 applied to survey summaries)."""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue, Severity
from buchang.rules.attachments import ITEMS_KIND, item_line
from buchang.rules.common import M2_TO_MU, num_text
from buchang.rules.engine import blocked
from buchang.rules.inputs import Attachment, Collective, Household
from buchang.rules.land import compute_collective_land
from buchang.rules.social_security import GROUPS_KIND, RETIRED, UNDER_16, WORKING_AGE, persons_quota

from .common import Context, Found, blocked_issues, est_issue, exact_decimal, from_core, own_line, owner_of
from .model import EstimateLine, FundCategory

# --- land, crops and attachments, social security (the same in every scenario) --------------


def land_lines(ctx: Context) -> Found:
    """土地补偿费 and 安置补助费 of every land row (a parcel each), by the core land rule."""
    family = ctx.snaps.land
    if not ctx.project.parcels:
        return [], []
    if blocked(family):
        return [], blocked_issues(family)
    lines: list[EstimateLine] = []
    issues: list[Issue] = []
    for c in ctx.project.collectives:
        ls, iss = compute_collective_land(ctx.project, c, family.snapshot)
        lines += [from_core(line, basis="按地类面积汇总") for line in ls]
        issues += iss
    return lines, issues


def crops_lines(ctx: Context) -> Found:
    """青苗 on every agricultural land row (area in 亩 × crop price) and the counted attachments."""
    inputs = ctx.inputs
    wanted = [
        (i, row, row.crop_item if row.crop_item is not None else row.land_class.value)
        for i, row in enumerate(inputs.land)
        if row.crop_item or (row.crop_item is None and row.land_class.is_agricultural)
    ]
    if not wanted and not inputs.attachments:
        return [], []
    family = ctx.snaps.attachments
    if blocked(family):
        return [], blocked_issues(family)
    version = family.snapshot.require(ITEMS_KIND)
    holder = Household(household_id="crops", head_name="（汇总）")
    lines: list[EstimateLine] = []
    issues: list[Issue] = []
    for i, row, code in wanted:
        key = f"land[{i}]"
        found = version.find_row(code)
        if found is None:
            explicit = row.crop_item is not None
            issues.append(
                est_issue(
                    "ESTIMATE_NO_CROP_PRICE",
                    f"{version.table_id}@{version.version} has no crop row '{code}'"
                    + ("" if explicit else f" for land class '{row.land_class.value}' (set crop_item)")
                    + "; 青苗 on this land not estimated",
                    key,
                    Severity.ERROR if explicit else Severity.WARNING,
                )
            )
            continue
        if str(found.values.get("unit", "")) != "亩":
            issues.append(
                est_issue(
                    "ESTIMATE_CROP_UNIT",
                    f"crop row '{code}' is priced per '{found.values.get('unit')}', not per 亩; not estimated",
                    key,
                )
            )
            continue
        mu = Fraction(row.area_m2) * M2_TO_MU.value
        item = Attachment(
            item_id=key, item_code=code, quantity=exact_decimal(mu), owner="土地承包经营权人（汇总）"
        )
        out = item_line(ctx.project, holder, item, version)
        if isinstance(out, Issue):
            issues.append(out)
        else:
            lines.append(
                from_core(out, basis=f"地类面积 {num_text(row.area_m2)} m² = {num_text(mu)} 亩（汇总）")
            )
    for j, a in enumerate(inputs.attachments):
        item = Attachment(
            item_id=f"attachments[{j}]",
            item_code=a.item_code,
            quantity=a.quantity,
            spec=a.spec,
            owner="所有者（汇总）",
        )
        out = item_line(ctx.project, holder, item, version)
        if isinstance(out, Issue):
            issues.append(out)
        else:
            lines.append(from_core(out, basis="按调查数量汇总"))
    return lines, issues


_GROUPS: Final = (
    (UNDER_16, "land_lost_under_16"),
    (WORKING_AGE, "land_lost_working_age"),
    (RETIRED, "land_lost_retired"),
)


def social_security_lines(ctx: Context) -> Found:
    """社会保障费用 (its own fund): land-lost persons by age group × the group's amount."""
    inputs, project = ctx.inputs, ctx.project
    todo: list[Collective] = []
    for c in project.collectives:
        rows = [
            p for p in inputs.population if owner_of(p.collective, project.collectives) == c.collective_id
        ]
        takes = any(
            p.owner_collective == c.collective_id and p.land_class.is_agricultural for p in project.parcels
        )
        if takes or any(r.by_age_known for r in rows):
            todo.append(c)
    if not todo:
        return [], []
    family = ctx.snaps.social_security
    if blocked(family):
        return [], blocked_issues(family)
    version = family.snapshot.require(GROUPS_KIND)
    lines: list[EstimateLine] = []
    issues: list[Issue] = []
    payee = "被征地人员社会保障资金专户"
    for c in todo:
        cid = c.collective_id
        rows = [p for p in inputs.population if owner_of(p.collective, project.collectives) == cid]
        if rows and all(r.by_age_known for r in rows):
            for group, field in _GROUPS:
                n = sum(int(getattr(r, field)) for r in rows)
                found = version.find_row(group)
                if found is None:
                    issues.append(
                        est_issue("GROUP_NOT_IN_TABLE", f"{version.table_id} has no group '{group}'", cid)
                    )
                    continue
                label = str(found.values.get("label", group))
                lines.append(
                    own_line(
                        fund=FundCategory.SOCIAL_SECURITY,
                        item_id=f"{cid}/{group}",
                        payee=payee,
                        quantity=Fraction(n),
                        unit="人",
                        unit_price=Fraction(found.decimal("amount")),
                        price_unit="元/人",
                        refs=(version.ref(row=group, name="amount"),),
                        rule="estimate.social_security.age_groups",
                        basis=f"{c.name}被征地人员（{label}）人数 × {label}标准",
                    )
                )
            continue
        quota = persons_quota(project, c, version)
        if quota is None:
            issues.append(
                est_issue(
                    "ESTIMATE_SOCIAL_SECURITY_DATA",
                    f"{c.name}: give the land-lost persons by age group (population land_lost_*), or the "
                    "collective's 征收前农用地面积 and 16周岁以上农业人口 for the quota; social security not estimated",
                    cid,
                )
            )
            continue
        adult = [r for r in (version.find_row(WORKING_AGE), version.find_row(RETIRED)) if r is not None]
        if not adult:
            issues.append(est_issue("GROUP_NOT_IN_TABLE", f"{version.table_id} has no adult group", cid))
            continue
        dearest = max(adult, key=lambda r: r.decimal("amount"))
        label = str(dearest.values.get("label", dearest.key))
        lines.append(
            own_line(
                fund=FundCategory.SOCIAL_SECURITY,
                item_id=f"{cid}/quota",
                payee=payee,
                quantity=quota,
                unit="人",
                unit_price=Fraction(dearest.decimal("amount")),
                price_unit="元/人",
                refs=(version.ref(row=dearest.key, name="amount"), version.ref(name="persons_rounding")),
                rule="estimate.social_security.quota",
                basis="被征地人员数（征收农用地面积 × 16周岁以上农业人口 ÷ 征收前农用地面积）× 最高人员类别标准",
                note=f"{c.name}：年龄构成未知，{num_text(quota)} 人均按“{label}”标准估算（审慎）",
            )
        )
    return lines, issues
