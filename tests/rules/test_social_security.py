"""Social security for land-lost persons, spec 4.5 (松规划资源规〔2021〕1号 三(十一); 沪府发〔2017〕15号
structure). Shanghai's shipped table is illustrative: under 16 → 30,000; 16 to retirement →
180,000; at or above retirement → 220,000 元/人; retirement age 60 (men) and 55 (women)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.rules.rules_kit import collective, parcel, project

from buchang.rules.engine import compute_collective, compute_household
from buchang.rules.inputs import Household, Member
from buchang.rules.lines import Category, PayeeKind
from buchang.tables import load_tables

APPROVAL = date(2020, 9, 30)


def member(mid: str, sex: str, born: date, **kw: Any) -> Member:
    return Member(member_id=mid, name=f"成员{mid}", sex=sex, birth_date=born, land_lost=True, **kw)


def household(*members: Member, hid: str = "H1") -> Household:
    return Household(household_id=hid, head_name="户主", collective="C1", members=members)


@pytest.mark.parametrize(
    ("sex", "born", "group", "amount"),
    [
        ("F", date(2004, 9, 30), "working_age", "180000.00"),  # 16 on the approval date itself
        ("F", date(2004, 10, 1), "under_16", "30000.00"),  # 16 the day after: still under 16
        ("M", date(1960, 9, 30), "retired", "220000.00"),  # 60 on the day: retirement age reached
        ("M", date(1960, 10, 1), "working_age", "180000.00"),  # 59
        ("F", date(1965, 9, 30), "retired", "220000.00"),  # a woman of 55: retired
        ("F", date(1965, 10, 1), "working_age", "180000.00"),  # 54
        ("M", date(1965, 9, 30), "working_age", "180000.00"),  # a man of 55: working age
    ],
)
def test_age_groups_at_the_approval_date(sex: str, born: date, group: str, amount: str) -> None:
    h = household(member("1", sex, born))
    store, _ = load_tables()
    r = compute_household(project(notice=date(2020, 3, 16), approval=APPROVAL, households=[h]), h, store)
    (line,) = r.lines
    assert line.category is Category.SOCIAL_SECURITY
    assert line.payee.kind is PayeeKind.SOCIAL_SECURITY_FUND and line.payee.ref == "1"
    assert line.refs[0].row == group
    assert line.amount == Decimal(amount)
    assert line.quantity == 1 and line.unit == "人"


def test_only_named_persons_get_lines_and_the_notice_date_does_not_group() -> None:
    # Only land_lost members count; the age is taken at the approval date, not the notice date
    # (born 2004-06-01: 15 at the notice 2020-03-16, 16 at the approval 2020-09-30 → working age).
    h = household(
        member("1", "F", date(2004, 6, 1)),
        Member(member_id="2", name="未列名", sex="M", birth_date=date(1980, 1, 1)),
    )
    store, _ = load_tables()
    r = compute_household(project(notice=date(2020, 3, 16), approval=APPROVAL, households=[h]), h, store)
    assert [line.item_id for line in r.lines] == ["1"]
    assert r.lines[0].refs[0].row == "working_age"


def test_missing_approval_date_is_an_error() -> None:
    h = household(member("1", "F", date(1980, 1, 1)))
    store, _ = load_tables()
    r = compute_household(project(notice=date(2020, 3, 16), households=[h]), h, store)
    assert not r.lines and any(i.code == "APPROVAL_DATE_MISSING" and i.is_error for i in r.issues)


def test_non_agricultural_named_person_warns() -> None:
    h = household(member("1", "F", date(1980, 1, 1), agricultural=False))
    store, _ = load_tables()
    r = compute_household(project(notice=date(2020, 3, 16), approval=APPROVAL, households=[h]), h, store)
    assert len(r.lines) == 1 and "NOT_AGRICULTURAL" in {i.code for i in r.issues}


def _quota_case(named: int, population_16: int = 60) -> set[str]:
    # Agricultural land taken: 12000 + 3000 = 15000 m² (construction land does not count).
    # Quota = 15000 × 60 ÷ 225000 = 4 persons (half up); with 50 persons: 3.33 → 3.
    members = [member(str(i), "M", date(1980, 1, 1)) for i in range(named)]
    h = household(*members)
    proj = project(
        notice=date(2020, 3, 16),
        approval=APPROVAL,
        parcels=[
            parcel("P1", "paddy", "12000", zone="songjiang-I"),
            parcel("P2", "garden", "3000", zone="songjiang-I"),
            parcel("P3", "construction", "5000", zone="songjiang-I"),
        ],
        collectives=[collective(agricultural_population_16plus=population_16)],
        households=[h],
    )
    store, _ = load_tables()
    return {i.code for i in compute_collective(proj, proj.collectives[0], store).issues}


def test_named_count_matches_the_formula_quota() -> None:
    assert "SOCIAL_SECURITY_QUOTA_MISMATCH" not in _quota_case(4)
    assert "SOCIAL_SECURITY_QUOTA_MISMATCH" in _quota_case(5)
    assert "SOCIAL_SECURITY_QUOTA_MISMATCH" not in _quota_case(3, population_16=50)
    assert "SOCIAL_SECURITY_QUOTA_MISMATCH" in _quota_case(4, population_16=50)


def test_quota_needs_collective_data() -> None:
    h = household(member("1", "M", date(1980, 1, 1)))
    proj = project(
        notice=date(2020, 3, 16),
        approval=APPROVAL,
        parcels=[parcel("P1", "paddy", "12000", zone="songjiang-I")],
        collectives=[collective(pre_agricultural_area_m2=None)],
        households=[h],
    )
    store, _ = load_tables()
    issues = compute_collective(proj, proj.collectives[0], store).issues
    assert "COLLECTIVE_DATA_MISSING" in {i.code for i in issues}


def test_leap_day_birthday_is_reached_on_1_march() -> None:
    from buchang.rules.common import age_on

    assert age_on(date(2004, 2, 29), date(2021, 2, 28)) == 16  # 17th birthday not yet reached
    assert age_on(date(2004, 2, 29), date(2021, 3, 1)) == 17
    assert age_on(date(2004, 2, 29), date(2020, 2, 28)) == 15
    assert age_on(date(2004, 2, 29), date(2020, 2, 29)) == 16
