"""Results: every computed amount is a line with its arithmetic and provenance.

``shared/spec/domain.md`` section 6. A :class:`Line` is reproducible by
anyone holding the cited table: ``amount_fen == to_fen(quantity × unit_price ×
Π factors)``, rounded half up once (section 2), which :meth:`Line.recompute_fen`
checks. A :class:`SubjectResult` (a household or a collective) lists its lines,
its total (the exact sum of the lines), its warnings and the hashes of the
tables used. Results serialise to JSON and back without loss.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from buchang.core.errors import Issue
from buchang.core.money import fraction_to_fen, from_fen
from buchang.tables.model import Status, TableRef


def _parse_fraction(value: Any) -> Fraction:
    if isinstance(value, float):
        raise ValueError("float is not exact: give a rational as 'a/b' or a decimal string")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(value.strip())
    raise ValueError(f"not a rational: {value!r}")


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    # Prefer an exact decimal when the denominator is 2^a·5^b (e.g. 0.0015).
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    return f"{value.numerator}/{value.denominator}"


#: An exact rational, serialised as a decimal string or ``"a/b"``.
Rational = Annotated[
    Fraction,
    BeforeValidator(_parse_fraction),
    PlainSerializer(_fraction_text, return_type=str),
    WithJsonSchema({"type": "string"}),
]


class Category(StrEnum):
    """Compensation categories (spec section 6). Values are the legal terms."""

    LAND_COMPENSATION = "土地补偿费"
    RESETTLEMENT_SUBSIDY = "安置补助费"
    CROPS = "青苗补偿费"
    ATTACHMENTS = "地上附着物补偿费"
    HOUSE = "房屋补偿费"
    RESIDUAL_VALUE = "残值"
    MOVING = "搬家费"
    TEMPORARY_HOUSING = "过渡费"
    BUSINESS_LOSS = "停产停业损失"
    SUBSIDY = "补贴"
    REWARD = "奖励"
    SOCIAL_SECURITY = "社会保障费用"
    SETTLEMENT_DIFFERENCE = "差价"


class PayeeKind(StrEnum):
    COLLECTIVE = "collective"  # 村/组集体经济组织
    PERSON = "person"  # a named person (被安置人员, 被征地人员)
    HOUSEHOLD = "household"  # the household (户主 as payee)
    OWNER = "owner"  # owner of crops/attachments
    SOCIAL_SECURITY_FUND = "social_security_fund"  # 社保专户
    EXPROPRIATOR = "expropriator"  # 征收部门: the household pays (settlement differences)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Payee(_Frozen):
    """Who receives (or, for a negative difference, pays) a line."""

    kind: PayeeKind
    name: str
    ref: str | None = None  # household id, collective id, member id …
    account: str | None = None


class Factor(_Frozen):
    """A multiplicative factor of a line: name (Chinese term), exact value, where it came from."""

    name: str
    value: Rational
    note: str = ""


class Line(_Frozen):
    """One computed amount (spec section 6).

    Attributes:
        subject_id: household or collective id the line belongs to.
        item_id: parcel / building / attachment / member id the line is about.
        category: compensation category.
        payee: who is paid.
        quantity: exact quantity, in ``unit``.
        unit: unit of the quantity (m², 亩, 株, 人, 月, 户 …).
        unit_price: exact unit price (元 per unit, or a base amount for rate lines).
        price_unit: the unit price's unit as the table writes it (元/亩 …).
        factors: further multiplicative factors (成新率, 倍数, 比例, unit conversion …).
        amount_fen: the amount in 分, = round_half_up(quantity × unit_price × Π factors).
        refs: the table versions/rows used, each with document and article.
        rule: the rule (and variant) that made the line, e.g. ``land.regime_b``.
        basis: the formula in words (Chinese), for ``explain``.
        note: anything an officer should read (cap applied, legality …).
    """

    subject_id: str
    item_id: str
    category: Category
    payee: Payee
    quantity: Rational
    unit: str
    unit_price: Rational
    price_unit: str
    factors: tuple[Factor, ...] = ()
    amount_fen: int
    refs: tuple[TableRef, ...] = ()
    rule: str
    basis: str = ""
    note: str = ""

    def exact_amount(self) -> Fraction:
        """quantity × unit price × Π factors, before rounding."""
        value = self.quantity * self.unit_price
        for f in self.factors:
            value *= f.value
        return value

    def recompute_fen(self) -> int:
        """Re-derive the amount from the line's own arithmetic (half up, once)."""
        return fraction_to_fen(self.exact_amount())

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)


def make_line(
    *,
    subject_id: str,
    item_id: str,
    category: Category,
    payee: Payee,
    quantity: Fraction | Decimal | int,
    unit: str,
    unit_price: Fraction | Decimal | int,
    price_unit: str,
    factors: tuple[Factor, ...] = (),
    refs: tuple[TableRef, ...] = (),
    rule: str,
    basis: str = "",
    note: str = "",
) -> Line:
    """Build a line, computing ``amount_fen`` from its arithmetic (the only rounding)."""
    q = Fraction(quantity)
    p = Fraction(unit_price)
    value = q * p
    for f in factors:
        value *= f.value
    return Line(
        subject_id=subject_id,
        item_id=item_id,
        category=category,
        payee=payee,
        quantity=q,
        unit=unit,
        unit_price=p,
        price_unit=price_unit,
        factors=factors,
        amount_fen=fraction_to_fen(value),
        refs=refs,
        rule=rule,
        basis=basis,
        note=note,
    )


class SubjectKind(StrEnum):
    HOUSEHOLD = "household"
    COLLECTIVE = "collective"


class SubjectResult(_Frozen):
    """The result for one household or collective: lines, total, warnings, table hashes."""

    subject_id: str
    kind: SubjectKind
    name: str
    collective: str | None = None
    lines: tuple[Line, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def table_hashes(self) -> tuple[str, ...]:
        return tuple(sorted({r.content_hash for line in self.lines for r in line.refs}))

    @property
    def statuses(self) -> tuple[Status, ...]:
        return tuple(sorted({r.status for line in self.lines for r in line.refs}))

    def by_category(self) -> dict[Category, int]:
        out: dict[Category, int] = {}
        for line in self.lines:
            out[line.category] = out.get(line.category, 0) + line.amount_fen
        return out


class ProjectResult(_Frozen):
    """All subjects of a project, the tables used and the issues of the run."""

    project_id: str
    name: str
    jurisdiction: str
    notice_date: date
    subjects: tuple[SubjectResult, ...] = ()
    issues: tuple[Issue, ...] = ()
    tables: tuple[TableRef, ...] = ()
    library_version: str = ""

    @property
    def total_fen(self) -> int:
        return sum(s.total_fen for s in self.subjects)

    @property
    def non_official(self) -> tuple[TableRef, ...]:
        """Tables used whose figures are not official (every output must say so)."""
        return tuple(t for t in self.tables if t.status is not Status.OFFICIAL)
