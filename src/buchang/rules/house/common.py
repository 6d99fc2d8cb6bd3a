"""Shared pieces of the house rules: table kinds, payees, exact reads, issues, zero lines.

Every amount is built with :func:`~buchang.rules.lines.make_line` (the only
rounding); every figure read from a table is an exact ``Fraction`` and carries
its :class:`~buchang.tables.model.TableRef`.

Consistency rule for "nothing is paid" (spec 4.3 legality, 周转房, rewards
outside the signing window): the rule emits a **zero line with a note**, so an
officer sees the building or fee and the reason; an :class:`Issue` is emitted
only for data problems (table or figure missing, unknown structure, missing
appraisal).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from buchang.core.errors import Issue, Location, Severity
from buchang.rules.inputs import Building, Household, Project
from buchang.rules.lines import Category, Line, Payee, PayeeKind, make_line
from buchang.tables.model import Row, TableRef, TableVersion

# --- table kinds (resolved by the engine; see ``HOUSE_NEEDS``) --------------------

#: Collective-land houses, money option: replacement prices by structure and the
#: money-formula variant (上海 75号 / 永州 2024 / 重置价×成新). NOTICE date.
KIND_COLLECTIVE_PRICE = "house.collective_price"
#: 安置面积 bands by household size (杭州 2014). NOTICE date.
KIND_RESETTLEMENT_AREA = "house.resettlement_area"
#: Exchange settlement rules: multiples and the indivisibility allowance (杭州 2014). NOTICE date.
KIND_EXCHANGE_SETTLEMENT = "house.exchange_settlement"
#: Exchange prices: 安置房重置价, 成本价, 市场价 (元/m²). NOTICE date.
KIND_EXCHANGE_PRICES = "house.exchange_prices"
#: Moving/transition rules: moves per option, transition period, after hand-over, overrun multiple.
KIND_TRANSITION = "house.transition"
#: Moving-fee and temporary-housing rates.
KIND_FEE_RATES = "house.fee_rates"
#: Signing and prompt-vacating rewards (元/m²).
KIND_REWARDS = "house.rewards"
#: State-land houses (条例 590号): variant, business-loss floor, subsidies, rewards. VALUATION date.
KIND_STATE = "house.state_compensation"
#: State-land transition rules (浙江 2020 …). VALUATION date.
KIND_STATE_TRANSITION = "house.state_transition"
#: State-land moving-fee and temporary-housing rates. VALUATION date.
KIND_STATE_FEE_RATES = "house.state_fee_rates"


# --- payees -----------------------------------------------------------------------


def household_payee(household: Household) -> Payee:
    """The household (户主) as payee of house compensation."""
    return Payee(
        kind=PayeeKind.HOUSEHOLD,
        name=household.head_name,
        ref=household.household_id,
        account=household.account,
    )


def expropriator_payee(project: Project) -> Payee:
    """The 征收部门: payee of settlement differences the household pays (negative lines)."""
    return Payee(kind=PayeeKind.EXPROPRIATOR, name="征收部门", ref=project.project_id)


# --- exact reads -------------------------------------------------------------------


def frac(value: Decimal | int | Fraction) -> Fraction:
    return Fraction(value)


def value_of(version: TableVersion, name: str) -> tuple[Fraction, TableRef] | None:
    """A numeric table value as an exact fraction with its provenance, or ``None`` if absent."""
    if not version.has(name):
        return None
    return Fraction(version.decimal(name)), version.ref(name=name)


def int_of(version: TableVersion, name: str) -> tuple[int, TableRef] | None:
    """An integer table value with its provenance, or ``None`` if absent."""
    if not version.has(name):
        return None
    v = version.value(name)
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        return None
    return int(v), version.ref(name=name)


def text_of(version: TableVersion, name: str, default: str) -> str:
    if not version.has(name):
        return default
    return str(version.value(name))


def row_value(version: TableVersion, row: Row, name: str) -> tuple[Fraction, TableRef] | None:
    if name not in row.values:
        return None
    return Fraction(row.decimal(name)), version.ref(row=row.key, name=name)


# --- issues ------------------------------------------------------------------------


def issue(
    code: str,
    message: str,
    household: Household,
    building: Building | None = None,
    severity: Severity = Severity.ERROR,
) -> Issue:
    key = f"households[{household.household_id}]"
    if building is not None:
        key += f".buildings[{building.building_id}]"
    return Issue(code, message, severity, Location(key=key))


def missing_table(kind: str, household: Household, building: Building | None, why: str) -> Issue:
    return issue(
        "HOUSE_TABLE_MISSING",
        f"no table of kind '{kind}' for this jurisdiction and date: {why}",
        household,
        building,
    )


def missing_value(version: TableVersion, name: str, household: Household, building: Building | None) -> Issue:
    return issue(
        "HOUSE_VALUE_MISSING",
        f"table {version.table_id}@{version.version} has no value '{name}' (variant {version.variant})",
        household,
        building,
    )


# --- lines --------------------------------------------------------------------------


def area_of(building: Building) -> Fraction:
    """The area a legality line reports: measured area where given, else legal area."""
    return Fraction(building.area_m2 if building.area_m2 is not None else building.legal_area_m2)


def zero_line(
    *,
    household: Household,
    item_id: str,
    category: Category,
    quantity: Fraction,
    unit: str,
    price_unit: str,
    rule: str,
    note: str,
    basis: str = "",
    refs: tuple[TableRef, ...] = (),
) -> Line:
    """A visible 'nothing is paid' line (amount 0) with the reason in its note."""
    return make_line(
        subject_id=household.household_id,
        item_id=item_id,
        category=category,
        payee=household_payee(household),
        quantity=quantity,
        unit=unit,
        unit_price=0,
        price_unit=price_unit,
        refs=refs,
        rule=rule,
        basis=basis,
        note=note,
    )


def fmt(value: Fraction) -> str:
    """An exact number for notes: a decimal when it terminates, else ``a/b``."""
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return f"{value.numerator}/{value.denominator}"
