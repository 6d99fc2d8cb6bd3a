"""Small helpers shared by the rule families: unit conversion factor, person-count
rounding (table data, spec section 2), payees, issue locations.

Nothing here reads a file or a table by itself: every figure comes in as an
argument from a resolved :class:`~buchang.rules.snapshot.Snapshot`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue, Location, Severity
from buchang.core.money import round_half_up_int
from buchang.rules.inputs import Collective
from buchang.rules.lines import Factor, Payee, PayeeKind
from buchang.tables.model import TableVersion

#: m² → 亩: 1 亩 = 10000/15 m² exactly (spec section 2), so ×15/10000.
M2_TO_MU: Final = Factor(name="平方米折亩", value=Fraction(15, 10000), note="1亩 = 10000/15 平方米")

#: How a person count is rounded; the mode and the decimal places are table data.
ROUNDING_MODES: Final = ("exact", "half_up", "up", "down")


def exact(value: Decimal | int) -> Fraction:
    """An exact rational from a table or input number."""
    return Fraction(value)


def round_count(value: Fraction, mode: str, places: int = 0) -> Fraction:
    """Round a person count as the standard says (``exact`` keeps the rational).

    >>> round_count(Fraction(15, 4), "half_up"), round_count(Fraction(15, 4), "down")
    (Fraction(4, 1), Fraction(3, 1))
    >>> round_count(Fraction(31, 10), "up"), round_count(Fraction(7, 3), "half_up", 1)
    (Fraction(4, 1), Fraction(23, 10))
    """
    if mode == "exact":
        return value
    scale = Fraction(10) ** places
    scaled = value * scale
    if mode == "half_up":
        whole = round_half_up_int(scaled)
    elif mode == "up":
        whole = -((-scaled.numerator) // scaled.denominator)
    elif mode == "down":
        whole = scaled.numerator // scaled.denominator
    else:
        raise ValueError(f"unknown rounding mode {mode!r} (one of {', '.join(ROUNDING_MODES)})")
    return Fraction(whole) / scale


def count_rounding(version: TableVersion) -> tuple[str, int]:
    """The (mode, places) a table version declares for person counts (default exact)."""
    mode = str(version.value("persons_rounding")) if version.has("persons_rounding") else "exact"
    places = version.value("persons_places") if version.has("persons_places") else 0
    return mode, int(places) if isinstance(places, int) else 0


def collective_payee(collective: Collective) -> Payee:
    """The 村/组集体经济组织 as payee (土地补偿费, 上海市实施土地管理法办法 Art. 32)."""
    return Payee(
        kind=PayeeKind.COLLECTIVE,
        name=collective.name,
        ref=collective.collective_id,
        account=collective.account,
    )


#: Payee of 安置补助费 as a table says (``resettlement_payee``).
RESETTLEMENT_PAYEES: Final = {
    "collective": PayeeKind.COLLECTIVE,
    "persons": PayeeKind.PERSON,
    "social_security_fund": PayeeKind.SOCIAL_SECURITY_FUND,
}


def resettlement_payee(version: TableVersion, collective: Collective) -> Payee:
    """Who receives 安置补助费 under this standard: the collective, the persons to be
    resettled (Shanghai 2020: their living subsidy), or the social security fund."""
    which = str(version.value("resettlement_payee")) if version.has("resettlement_payee") else "collective"
    kind = RESETTLEMENT_PAYEES.get(which, PayeeKind.COLLECTIVE)
    if kind is PayeeKind.COLLECTIVE:
        return collective_payee(collective)
    if kind is PayeeKind.PERSON:
        return Payee(
            kind=kind, name=f"{collective.name}被征地人员（安置补助费）", ref=collective.collective_id
        )
    return Payee(kind=kind, name="被征地人员社会保障资金专户", ref=collective.collective_id)


def issue(code: str, message: str, key: str, severity: Severity = Severity.ERROR) -> Issue:
    """An issue about an input record, located by its key path (``H01/A3``)."""
    return Issue(code, message, severity, Location(key=key))


def age_on(birth: date, on: date) -> int:
    """Completed years (周岁) on ``on``: the birthday itself counts as reached.

    A 29 February birthday is reached on 1 March in common years.

    >>> age_on(date(2004, 6, 1), date(2020, 6, 1)), age_on(date(2004, 6, 1), date(2020, 5, 31))
    (16, 15)
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def num_text(value: Fraction | Decimal) -> str:
    """A rational for a note: exact decimal when it has one, else 6 places (≈)."""
    f = Fraction(value)
    d = f.denominator
    for prime in (2, 5):
        while d % prime == 0:
            d //= prime
    if d == 1:
        text = format(Decimal(f.numerator) / Decimal(f.denominator), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"≈{Decimal(f.numerator) / Decimal(f.denominator):.6f}".rstrip("0")
