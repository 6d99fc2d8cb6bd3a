"""House rules: houses on collective land (spec 4.3) and on state-owned land (spec 4.4).

Entry point for the engine: :data:`HOUSE_NEEDS` (every table kind these rules
read, with its governing date) and :func:`compute_household_houses`.

Pipeline for one household:

1. legality gate per building (:mod:`.legality`): illegal / built after the
   notice → a zero line with the reason; unregistered non-residential → 残值;
2. collective-land buildings (:mod:`.collective`): money option by the price
   table's variant, or property exchange (:mod:`.resettlement`: 安置面积 and the
   settlement of differences, by the settlement table's variant);
3. state-land buildings (:mod:`.state`): appraisal, business losses,
   subsidies, money or exchange with the price difference (条例 590号);
4. fees (:mod:`.fees`): moving, temporary housing, rewards in the signing window.

Every table kind is optional at resolution; a building that needs a missing
table gets a ``HOUSE_TABLE_MISSING`` issue instead, so a land-only project
does not fail for want of house tables.
"""

from __future__ import annotations

from buchang.core.errors import Issue
from buchang.rules.inputs import Household, LandTenure, Project
from buchang.rules.lines import Line
from buchang.rules.snapshot import DateBasis, Need, Snapshot

from .collective import MONEY_VARIANTS, compute_collective
from .common import (
    KIND_COLLECTIVE_PRICE,
    KIND_EXCHANGE_PRICES,
    KIND_EXCHANGE_SETTLEMENT,
    KIND_FEE_RATES,
    KIND_RESETTLEMENT_AREA,
    KIND_REWARDS,
    KIND_STATE,
    KIND_STATE_FEE_RATES,
    KIND_STATE_TRANSITION,
    KIND_TRANSITION,
)
from .resettlement import BAND_VARIANTS, SETTLEMENT_VARIANTS, resettlement_persons
from .state import STATE_VARIANTS, compute_state

#: Table kinds of houses on collective land, resolved at the notice date (spec section 3).
COLLECTIVE_HOUSE_NEEDS: tuple[Need, ...] = (
    Need(KIND_COLLECTIVE_PRICE, DateBasis.NOTICE, optional=True),
    Need(KIND_RESETTLEMENT_AREA, DateBasis.NOTICE, optional=True),
    Need(KIND_EXCHANGE_SETTLEMENT, DateBasis.NOTICE, optional=True),
    Need(KIND_EXCHANGE_PRICES, DateBasis.NOTICE, optional=True),
    Need(KIND_TRANSITION, DateBasis.NOTICE, optional=True),
    Need(KIND_FEE_RATES, DateBasis.NOTICE, optional=True),
    Need(KIND_REWARDS, DateBasis.NOTICE, optional=True),
)
#: Table kinds of houses on state-owned land, resolved at the 征收决定公告 date (条例 590号 第十九条).
STATE_HOUSE_NEEDS: tuple[Need, ...] = (
    Need(KIND_STATE, DateBasis.VALUATION, optional=True),
    Need(KIND_STATE_TRANSITION, DateBasis.VALUATION, optional=True),
    Need(KIND_STATE_FEE_RATES, DateBasis.VALUATION, optional=True),
)
#: Every table kind the house rules read. All optional: the rules report what they lack
#: (``HOUSE_TABLE_MISSING``, ``HOUSE_FEES_NOT_COMPUTED``), so a land-only project does not fail.
HOUSE_NEEDS: tuple[Need, ...] = COLLECTIVE_HOUSE_NEEDS + STATE_HOUSE_NEEDS


def house_needs_for(household: Household) -> tuple[Need, ...]:
    """The kinds that matter for this household's buildings (by tenure), e.g. to keep a
    collective-land household's result free of state-land lookup issues."""
    tenures = {b.tenure for b in household.buildings}
    out: tuple[Need, ...] = ()
    if LandTenure.COLLECTIVE in tenures:
        out += COLLECTIVE_HOUSE_NEEDS
    if LandTenure.STATE in tenures:
        out += STATE_HOUSE_NEEDS
    return out


def compute_household_houses(
    project: Project, household: Household, snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    """All house lines of one household (both tenures) and the issues found.

    Pure: reads only ``project``, ``household`` and the resolved ``snap``.
    """
    lines: list[Line] = []
    issues: list[Issue] = []
    collective = tuple(b for b in household.buildings if b.tenure == LandTenure.COLLECTIVE)
    state = tuple(b for b in household.buildings if b.tenure == LandTenure.STATE)
    if collective:
        ls, iss = compute_collective(project, household, collective, snap)
        lines += ls
        issues += iss
    if state:
        ls, iss = compute_state(project, household, state, snap)
        lines += ls
        issues += iss
    return lines, issues


__all__ = [
    "BAND_VARIANTS",
    "COLLECTIVE_HOUSE_NEEDS",
    "HOUSE_NEEDS",
    "KIND_COLLECTIVE_PRICE",
    "KIND_EXCHANGE_PRICES",
    "KIND_EXCHANGE_SETTLEMENT",
    "KIND_FEE_RATES",
    "KIND_RESETTLEMENT_AREA",
    "KIND_REWARDS",
    "KIND_STATE",
    "KIND_STATE_FEE_RATES",
    "KIND_STATE_TRANSITION",
    "KIND_TRANSITION",
    "MONEY_VARIANTS",
    "SETTLEMENT_VARIANTS",
    "STATE_HOUSE_NEEDS",
    "STATE_VARIANTS",
    "compute_household_houses",
    "house_needs_for",
    "resettlement_persons",
]
