"""Shared pieces of the estimate: table kinds, the context, issues and lines.

Every amount is an :class:`~buchang.rules.estimate.model.EstimateLine`: a core
line taken over (:func:`from_core`, a per-household line multiplied by the
households a summary share stands for) or one of the estimate's own
(:func:`own_line`); both are rounded once, half up, as
:func:`buchang.rules.lines.make_line` rounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue, Location, Severity
from buchang.core.money import fraction_to_fen, to_decimal
from buchang.rules.common import num_text
from buchang.rules.engine import Family, Snapshots
from buchang.rules.inputs import Collective, Project
from buchang.rules.lines import Category, Factor, Line
from buchang.rules.snapshot import DateBasis, Need, Snapshot
from buchang.tables.model import TableRef

from .model import EstimateInputs, EstimateLine, FundCategory

#: Working costs: rows keyed by cost, each a rate of a base or a price per m² of building area.
KIND_WORKING_COSTS: Final = "estimate.working_costs"
#: Resettlement flats: construction cost and buy-back price, 元/m².
KIND_FLAT_COSTS: Final = "estimate.flat_costs"

#: The estimate's own table kinds (resolved at the notice date).
ESTIMATE_NEEDS: Final = (
    Need(KIND_WORKING_COSTS, DateBasis.NOTICE),
    Need(KIND_FLAT_COSTS, DateBasis.NOTICE, optional=True),
)

_FUND_OF: Final = {
    Category.LAND_COMPENSATION: FundCategory.LAND_FEES,
    Category.RESETTLEMENT_SUBSIDY: FundCategory.LAND_FEES,
    Category.CROPS: FundCategory.CROPS_ATTACHMENTS,
    Category.ATTACHMENTS: FundCategory.CROPS_ATTACHMENTS,
    Category.HOUSE: FundCategory.HOUSES,
    Category.RESIDUAL_VALUE: FundCategory.HOUSES,
    Category.SUBSIDY: FundCategory.HOUSES,
    Category.BUSINESS_LOSS: FundCategory.HOUSES,
    Category.SETTLEMENT_DIFFERENCE: FundCategory.HOUSES,
    Category.MOVING: FundCategory.MOVING,
    Category.TEMPORARY_HOUSING: FundCategory.TEMPORARY_HOUSING,
    Category.REWARD: FundCategory.REWARDS,
    Category.SOCIAL_SECURITY: FundCategory.SOCIAL_SECURITY,
}

Found = tuple[list[EstimateLine], list[Issue]]


def est_issue(code: str, message: str, key: str, severity: Severity = Severity.ERROR) -> Issue:
    return Issue(code, message, severity, Location(key=key))


def exact_decimal(value: Fraction) -> Decimal:
    """An exact decimal of a rational made of decimal inputs (areas × shares)."""
    return to_decimal(value)


def from_core(
    line: Line,
    *,
    item_id: str | None = None,
    households: Fraction | None = None,
    basis: str = "",
    note: str = "",
) -> EstimateLine:
    """An estimate line from a core line; a per-household line (unit 户) is taken
    ``households`` times (the number of households a summary share stands for)."""
    quantity = line.quantity
    text = line.basis
    if households is not None and line.unit == "户":
        quantity = households
        text = f"{text}（户数 {num_text(households)}，汇总估算）" if text else f"户数 {num_text(households)}"
    if basis:
        text = f"{text}；{basis}" if text else basis
    return EstimateLine(
        fund=_FUND_OF[line.category],
        category=line.category,
        item_id=item_id or line.item_id,
        payee=line.payee.name,
        quantity=quantity,
        unit=line.unit,
        unit_price=line.unit_price,
        price_unit=line.price_unit,
        factors=line.factors,
        amount_fen=_fen(quantity, line.unit_price, line.factors),
        refs=line.refs,
        rule=line.rule,
        basis=text,
        note="；".join(t for t in (line.note, note) if t),
    )


def _fen(quantity: Fraction, unit_price: Fraction, factors: Sequence[Factor]) -> int:
    """The one rounding of a line, exactly as :func:`buchang.rules.lines.make_line` does it."""
    value = quantity * unit_price
    for f in factors:
        value *= f.value
    return fraction_to_fen(value)


def own_line(
    *,
    fund: FundCategory,
    item_id: str,
    payee: str,
    quantity: Fraction,
    unit: str,
    unit_price: Fraction,
    price_unit: str,
    factors: tuple[Factor, ...] = (),
    refs: tuple[TableRef, ...] = (),
    rule: str,
    basis: str,
    note: str = "",
) -> EstimateLine:
    """A line of the estimate's own (flats, working costs, social security by count)."""
    return EstimateLine(
        fund=fund,
        item_id=item_id,
        payee=payee,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        price_unit=price_unit,
        factors=factors,
        amount_fen=_fen(quantity, unit_price, factors),
        refs=refs,
        rule=rule,
        basis=basis,
        note=note,
    )


# --- the synthetic project ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What every part of the estimate reads."""

    inputs: EstimateInputs
    project: Project
    snaps: Snapshots
    own: Snapshot


def owner_of(name: str | None, collectives: Sequence[Collective]) -> str | None:
    if name is not None:
        return name
    return collectives[0].collective_id if len(collectives) == 1 else None


def blocked_issues(family: Family) -> list[Issue]:
    required = {n.kind for n in family.needs if not n.optional}
    out = [i for r in family.snapshot.resolutions if r.kind in required for i in r.issues if i.is_error]
    for kind in sorted(required):
        if family.snapshot.get(kind) is None and not any(r.kind == kind for r in family.snapshot.resolutions):
            out.append(est_issue("TABLE_NOT_FOUND", f"no table of kind '{kind}'", kind))
    return out
