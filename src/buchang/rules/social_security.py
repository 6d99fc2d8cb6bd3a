"""Social security for land-lost persons (被征地人员社会保障), spec 4.5.

* Quota of persons = expropriated agricultural land area × agricultural
  population aged 16+ (at the approval date) ÷ the collective's
  pre-expropriation agricultural land area, rounded as the table says
  (松规划资源规〔2021〕1号 三(十一); rounding is table data).
* The names are decided by the village meeting and confirmed by the police
  station: here the members with ``land_lost = True``. When their number
  differs from the quota the collective gets a warning.
* Each named person is placed in an age group by completed years at the
  approval date (征地批文印发日期): ``under_16`` (age < 16), ``working_age``
  (16 ≤ age < retirement age) and ``retired`` (age ≥ retirement age); the
  retirement age by sex is table data. A birthday on the approval date counts
  as reached. Each group's amount per person is a row of the table
  (上海 沪府发〔2017〕15号 structure).
* The money is its own fund category (社会保障费用, 单独列支), paid into the
  social security fund / transition account, never to the household.

Table kind ``social_security.groups`` (resolved at the approval date). Values:
``persons_rounding`` (exact / half_up / up / down), ``persons_places``,
``minimum_age`` (16), ``retirement_age_male``, ``retirement_age_female``.
Rows ``under_16``, ``working_age``, ``retired`` with ``amount`` (元/人) and
``label``.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue, Severity
from buchang.rules.common import age_on, count_rounding, exact, issue, num_text, round_count
from buchang.rules.inputs import Collective, Household, Member, Project, Sex
from buchang.rules.lines import Category, Line, Payee, PayeeKind, make_line
from buchang.rules.snapshot import DateBasis, Need, Snapshot
from buchang.tables.model import TableVersion

GROUPS_KIND: Final = "social_security.groups"

#: Table kinds the social security rule reads (at the approval date).
SOCIAL_SECURITY_NEEDS: Final[tuple[Need, ...]] = (Need(GROUPS_KIND, DateBasis.APPROVAL),)

UNDER_16: Final = "under_16"
WORKING_AGE: Final = "working_age"
RETIRED: Final = "retired"


def age_group(member: Member, on: date, version: TableVersion) -> tuple[str, int, int]:
    """(group key, age at ``on``, retirement age used) for one person."""
    age = age_on(member.birth_date, on)
    minimum = int(version.decimal("minimum_age")) if version.has("minimum_age") else 16
    name = "retirement_age_male" if member.sex is Sex.MALE else "retirement_age_female"
    retirement = int(version.decimal(name))
    if age < minimum:
        return UNDER_16, age, retirement
    if age < retirement:
        return WORKING_AGE, age, retirement
    return RETIRED, age, retirement


def person_line(
    project: Project, household: Household, member: Member, version: TableVersion
) -> Line | Issue:
    """The social security line of one named land-lost person."""
    key = f"{household.household_id}/{member.member_id}"
    on = project.approval_date
    if on is None:
        return issue(
            "APPROVAL_DATE_MISSING",
            "the approval date (征地批准日期) is needed to group land-lost persons by age",
            key,
        )
    group, age, retirement = age_group(member, on, version)
    row = version.find_row(group)
    if row is None:
        return issue(
            "GROUP_NOT_IN_TABLE", f"{version.table_id}@{version.version} has no group '{group}'", key
        )
    label = str(row.values.get("label", group))
    sex = "男" if member.sex is Sex.MALE else "女"
    return make_line(
        subject_id=household.household_id,
        item_id=member.member_id,
        category=Category.SOCIAL_SECURITY,
        payee=Payee(
            kind=PayeeKind.SOCIAL_SECURITY_FUND,
            name=f"被征地人员社会保障资金专户（{member.name}）",
            ref=member.member_id,
        ),
        quantity=1,
        unit="人",
        unit_price=exact(row.decimal("amount")),
        price_unit="元/人",
        refs=(
            version.ref(row=group, name="amount"),
            version.ref(name="retirement_age_male" if member.sex is Sex.MALE else "retirement_age_female"),
        ),
        rule="social_security.age_groups",
        basis=f"被征地人员 1 人 × {label}标准",
        note=f"{member.name}（{sex}，{member.birth_date} 生）于征地批准日 {on} 年满 {age} 周岁，"
        f"{sex}性退休年龄 {retirement} 岁，属“{label}”",
    )


def compute_household_social_security(
    project: Project, household: Household, snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    """Lines for the household's named land-lost persons (``land_lost = True``)."""
    named = [m for m in household.members if m.land_lost]
    if not named:
        return [], []
    version = snap.get(GROUPS_KIND)
    if version is None:
        return [], [issue("TABLE_NOT_FOUND", f"no {GROUPS_KIND} table resolved", household.household_id)]
    lines: list[Line] = []
    issues: list[Issue] = []
    for m in named:
        if not m.agricultural:
            issues.append(
                issue(
                    "NOT_AGRICULTURAL",
                    f"{m.name} is named as land-lost but is not registered as agricultural population",
                    f"{household.household_id}/{m.member_id}",
                    Severity.WARNING,
                )
            )
        out = person_line(project, household, m, version)
        if isinstance(out, Issue):
            issues.append(out)
        else:
            lines.append(out)
    return lines, issues


def persons_quota(project: Project, collective: Collective, version: TableVersion) -> Fraction | None:
    """The formula's count of land-lost persons for ``collective`` (rounded per table),
    or ``None`` when the collective's data is missing."""
    pre, pop = collective.pre_agricultural_area_m2, collective.agricultural_population_16plus
    if pre is None or pop is None or pre == 0:
        return None
    taken = sum(
        (
            exact(p.area_m2)
            for p in project.parcels
            if p.owner_collective == collective.collective_id and p.land_class.is_agricultural
        ),
        Fraction(0),
    )
    mode, places = count_rounding(version)
    return round_count(taken * pop / exact(pre), mode, places)


def check_quota(project: Project, collective: Collective, snap: Snapshot) -> list[Issue]:
    """Compare the named land-lost persons of ``collective`` with the formula's quota."""
    version = snap.get(GROUPS_KIND)
    named = sum(
        1
        for h in project.households
        if h.collective == collective.collective_id
        for m in h.members
        if m.land_lost
    )
    takes_land = any(
        p.owner_collective == collective.collective_id and p.land_class.is_agricultural
        for p in project.parcels
    )
    if version is None or not (named or takes_land):
        return []
    quota = persons_quota(project, collective, version)
    key = collective.collective_id
    if quota is None:
        return [
            issue(
                "COLLECTIVE_DATA_MISSING",
                f"{collective.name}: 征收前农用地面积 and 16周岁以上农业人口 are needed to check the "
                "number of land-lost persons",
                key,
                Severity.WARNING,
            )
        ]
    if quota != named:
        return [
            issue(
                "SOCIAL_SECURITY_QUOTA_MISMATCH",
                f"{collective.name}: {named} persons are named as land-lost, the formula gives "
                f"{num_text(quota)} (征收农用地面积 × 16周岁以上农业人口 ÷ 征收前农用地面积)",
                key,
                Severity.WARNING,
            )
        ]
    return []
