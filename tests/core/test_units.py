"""Exact areas: 1 亩 = 10000/15 m², 1 公顷 = 15 亩 = 10000 m² (shared/spec/domain.md section 2)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buchang.core.units import M2_PER_HECTARE, M2_PER_MU, MU_PER_HECTARE, Area, AreaUnit, exact


def test_one_mu_is_ten_thousand_fifteenths_of_a_m2() -> None:
    assert M2_PER_MU == Fraction(10000, 15) == Fraction(2000, 3)
    assert Area.of("1", AreaUnit.MU).m2 == Fraction(2000, 3)
    assert Area.of(3, AreaUnit.MU).m2 == 2000  # 3 × 2000/3, exactly


def test_666_67_m2_is_not_one_mu() -> None:
    # 666.67 m² = 66667/100 m²; in 亩: 66667/100 × 15/10000 = 1000005/1000000 = 1.000005 亩
    area = Area.of("666.67")
    assert area.mu != 1
    assert area.mu == Fraction(1000005, 1000000)


def test_hectare() -> None:
    assert MU_PER_HECTARE == 15
    assert M2_PER_HECTARE == 10000
    assert Area.of("1", AreaUnit.HECTARE).mu == 15
    assert Area.of("1", AreaUnit.HECTARE).m2 == 10000
    assert Area.of("15", AreaUnit.MU).hectare == 1
    assert AreaUnit.HECTARE.m2 == 15 * AreaUnit.MU.m2


def test_display_rounding() -> None:
    # 1 亩 = 666.666… m², shown half up to two places: 666.67
    assert Area.of(1, AreaUnit.MU).decimal_m2() == Decimal("666.67")
    assert Area.of(1, AreaUnit.MU).decimal_m2(0) == Decimal("667")


def test_arithmetic_and_units() -> None:
    total = Area.of("1.5", AreaUnit.MU) + Area.of("1000")
    assert total.m2 == 2000  # 1.5 × 2000/3 = 1000, plus 1000
    assert (total - Area.of("1000")).mu == Fraction(3, 2)
    assert total.in_unit(AreaUnit.MU) == 3
    assert AreaUnit.MU.label == "亩"
    assert Area.of("1") < Area.of("2")


def test_float_refused() -> None:
    with pytest.raises(TypeError):
        Area.of(666.67)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        exact(0.5)  # type: ignore[arg-type]


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_mu_round_trip_is_exact(value: Decimal) -> None:
    # Rationals keep every digit: 亩 → m² → 亩 gives back the same number.
    area = Area.of(value, AreaUnit.MU)
    assert area.mu == Fraction(value)
    assert Area(area.m2).in_unit(AreaUnit.HECTARE) * 15 == Fraction(value)
