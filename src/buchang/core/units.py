"""Exact area units: 平方米, 亩, 公顷.

``shared/spec/domain.md`` section 2: 1 亩 = 10000/15 m² exactly (never 666.67),
1 公顷 = 15 亩 = 10000 m². Areas are held as :class:`fractions.Fraction` of
square metres so that converting 亩 to m² and back loses nothing; money
computed from an area is rounded once, at the end of the line item.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Final

from buchang.core.money import Number, round_fraction, to_decimal

#: Square metres in one 亩 (exact rational).
M2_PER_MU: Final = Fraction(10000, 15)
#: Square metres in one 公顷 (hectare).
M2_PER_HECTARE: Final = Fraction(10000)
#: 亩 in one 公顷.
MU_PER_HECTARE: Final = Fraction(15)


class AreaUnit(StrEnum):
    """Units of area as written in tables (``元/亩`` → ``mu``)."""

    M2 = "m2"
    MU = "mu"
    HECTARE = "hectare"

    @property
    def m2(self) -> Fraction:
        """Square metres in one of this unit."""
        return {AreaUnit.M2: Fraction(1), AreaUnit.MU: M2_PER_MU, AreaUnit.HECTARE: M2_PER_HECTARE}[self]

    @property
    def label(self) -> str:
        return {AreaUnit.M2: "平方米", AreaUnit.MU: "亩", AreaUnit.HECTARE: "公顷"}[self]


def exact(value: Number) -> Fraction:
    """An exact rational from a Decimal, int, decimal string or Fraction (never a float)."""
    if isinstance(value, Fraction):
        return value
    return Fraction(to_decimal(value))


@dataclass(frozen=True, slots=True, order=True)
class Area:
    """An exact area, stored as a rational number of square metres.

    >>> Area.of("1", AreaUnit.MU).m2 == Fraction(2000, 3)
    True
    >>> Area.of("1", AreaUnit.HECTARE).mu
    Fraction(15, 1)
    >>> Area.of("666.67", AreaUnit.M2).mu == 1
    False
    """

    m2: Fraction

    @classmethod
    def of(cls, value: Number, unit: AreaUnit = AreaUnit.M2) -> Area:
        return cls(exact(value) * unit.m2)

    @property
    def mu(self) -> Fraction:
        return self.m2 / M2_PER_MU

    @property
    def hectare(self) -> Fraction:
        return self.m2 / M2_PER_HECTARE

    def in_unit(self, unit: AreaUnit) -> Fraction:
        return self.m2 / unit.m2

    def decimal_m2(self, places: int = 2) -> Decimal:
        """The area in m², rounded half up to ``places`` decimals, for display."""
        return round_fraction(self.m2, places)

    def __add__(self, other: Area) -> Area:
        return Area(self.m2 + other.m2)

    def __sub__(self, other: Area) -> Area:
        return Area(self.m2 - other.m2)
