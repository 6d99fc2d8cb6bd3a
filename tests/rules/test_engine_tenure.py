"""A household is resolved against the house tables of its own tenures only.

Shanghai's shipped state-land tables (71号 structure) start on 2011-10-19. A
project whose valuation date (征收决定公告, the governing date of state-land
kinds) is 2010-01-01 cannot resolve them; a household with only collective-land
buildings (governed by the notice date, 2020-03-16, which the collective tables
cover) must still be computed and must not carry the state-land lookup errors.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from buchang.rules.engine import compute_project
from buchang.rules.inputs import Building, Household, LandTenure, Project
from buchang.rules.lines import Category
from buchang.tables import load_tables


def _project(tenure: LandTenure) -> Project:
    house = Building(
        building_id="B1",
        tenure=tenure,
        structure="brick_concrete_2",
        legal_area_m2=Decimal("100"),
        newness=Decimal("0.8"),
        appraisal_value=Decimal("1000000") if tenure is LandTenure.STATE else None,
    )
    return Project(
        project_id="T",
        name="tenure",
        jurisdiction="310117",
        notice_date=date(2020, 3, 16),
        valuation_date=date(2010, 1, 1),
        households=(Household(household_id="H1", head_name="甲", buildings=(house,)),),
    )


def test_collective_household_is_not_blocked_by_state_land_tables() -> None:
    store, _ = load_tables()
    result = compute_project(_project(LandTenure.COLLECTIVE), store)
    (h1,) = result.subjects
    assert not any(i.code == "DATE_BEFORE_FIRST_VERSION" for i in h1.issues)
    assert any(line.category is Category.HOUSE and line.amount_fen > 0 for line in h1.lines)


def test_state_household_carries_the_state_lookup_error() -> None:
    store, _ = load_tables()
    result = compute_project(_project(LandTenure.STATE), store)
    (h1,) = result.subjects
    assert any(i.code == "DATE_BEFORE_FIRST_VERSION" and i.is_error for i in h1.issues)
    assert h1.lines == ()


def test_tables_used_are_those_of_families_that_apply() -> None:
    # A houses-only project (no parcels, no attachments, nobody land-lost) resolves the
    # land, attachment and social-security tables too, but must not list them as used —
    # they would put a misleading "non-official table" banner on its reports.
    store, _ = load_tables()
    result = compute_project(_project(LandTenure.COLLECTIVE), store)
    kinds = {store.table(t.table_id).kind for t in result.tables}  # type: ignore[union-attr]
    assert kinds and all(k.startswith("house.") for k in kinds)
