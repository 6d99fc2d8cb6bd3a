"""int64 四舍五入 against the exact reference :func:`buchang.core.money.fraction_to_fen`."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buchang.batch.intmath import (
    INT64_MAX,
    Int64RangeError,
    checked_add,
    checked_mul,
    div_round_half_up,
    exact_sum,
    mul_div_round,
    reduce_ratio,
    round_div,
    scale_round,
)
from buchang.core.money import fraction_to_fen, round_half_up_int


def test_div_exhaustive_small_range() -> None:
    # Every numerator in [-300, 300] over every divisor 1..60: all ties included.
    n = np.arange(-300, 301, dtype=np.int64)
    for d in range(1, 61):
        got = div_round_half_up(n, d).tolist()
        want = [round_half_up_int(Fraction(int(k), d)) for k in n]
        assert got == want, d


def test_fen_of_yuan_fraction_exhaustive() -> None:
    # a yuan/b as fen = round(100·a / b): the batch form of fraction_to_fen.
    a = np.arange(-500, 501, dtype=np.int64)
    for b in (1, 2, 3, 4, 6, 7, 8, 15, 40, 200, 400, 10000):
        got = mul_div_round(a, 100, b).tolist()
        assert got == [fraction_to_fen(Fraction(int(k), b)) for k in a]


def test_ties_round_away_from_zero() -> None:
    assert div_round_half_up(np.array([1, -1, 3, -3, 5, -5]), 2).tolist() == [1, -1, 2, -2, 3, -3]
    # 2.345 元 = 234.5 fen → 235; -2.345 → -235 (never to even)
    assert mul_div_round(np.array([2345, -2345, 2355]), 1, 10).tolist() == [235, -235, 236]


big = st.integers(min_value=-(2**62), max_value=2**62)
pos = st.integers(min_value=1, max_value=2**40)


@given(big, pos)
def test_div_matches_fraction(n: int, d: int) -> None:
    assert int(div_round_half_up(np.array([n]), d)[0]) == round_half_up_int(Fraction(n, d))


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
)
def test_mul_div_matches_fraction_to_fen(a: int, n: int, d: int) -> None:
    # a fen·n/d, i.e. a yuan/100 × n/d rounded to fen
    want = fraction_to_fen(Fraction(a, 100) * Fraction(n, d))
    assert int(mul_div_round(np.array([a]), n, d)[0]) == want


@given(
    st.integers(min_value=0, max_value=10**8),
    st.lists(st.integers(min_value=-(10**4), max_value=10**4), min_size=1, max_size=3),
    st.lists(st.integers(min_value=1, max_value=10**4), min_size=1, max_size=3),
)
def test_scale_round_matches(a: int, nums: list[int], dens: list[int]) -> None:
    value = Fraction(a)
    for k in nums:
        value *= k
    for k in dens:
        value /= k
    want = round_half_up_int(value)
    try:
        got = int(scale_round(np.array([a]), nums, dens)[0])
    except Int64RangeError:
        # refused, never wrapped, and only when the line is near or past the int64 range
        # (e.g. 99,924,803 × 3034 × 9763 × 9997 ≈ 3 × 10¹⁹); compute_batch routes such
        # subjects to the exact path
        assert abs(want) > INT64_MAX // 4
        return
    assert got == want


_wide = st.integers(min_value=-(2**62), max_value=2**62)


@given(
    st.lists(st.tuples(_wide, st.integers(min_value=1, max_value=2**30)), min_size=1, max_size=8),
    st.booleans(),
)
def test_round_div_arrays_match_fraction(pairs: list[tuple[int, int]], scalar_den: bool) -> None:
    """Both forms of round_div (one division while 2|x| + d fits, divmod beyond) against
    Fraction, on mixed signs and magnitudes up to 2⁶², with array and scalar divisors;
    the input array is left untouched."""
    x = np.array([p[0] for p in pairs], dtype=np.int64)
    den: np.ndarray | int = pairs[0][1] if scalar_den else np.array([p[1] for p in pairs], dtype=np.int64)
    before = x.copy()
    got = round_div(x, den)
    dens = [pairs[0][1]] * len(pairs) if scalar_den else [p[1] for p in pairs]
    assert got.tolist() == [
        round_half_up_int(Fraction(int(v), d)) for v, d in zip(x.tolist(), dens, strict=True)
    ]
    assert np.array_equal(x, before)


@given(
    st.lists(st.integers(min_value=-(10**8), max_value=10**8), min_size=1, max_size=6),
    st.lists(st.integers(min_value=-(10**4), max_value=10**4), min_size=1, max_size=3),
    st.lists(st.integers(min_value=1, max_value=10**4), min_size=1, max_size=3),
)
def test_scale_round_arrays_with_array_factors(a: list[int], nums: list[int], dens: list[int]) -> None:
    """Array quantities and per-row factor arrays (signs mixed), as kernels pass them."""
    n = len(a)
    x = np.array(a, dtype=np.int64)
    got = scale_round(
        x, [np.full(n, k, dtype=np.int64) for k in nums], [np.full(n, k, dtype=np.int64) for k in dens]
    )
    want = []
    for v in a:
        value = Fraction(v)
        for k in nums:
            value *= k
        for k in dens:
            value /= k
        want.append(round_half_up_int(value))
    assert got.tolist() == want
    assert x.tolist() == a


@given(st.integers(min_value=0, max_value=2**62), st.integers(min_value=1, max_value=2**20))
def test_mul_div_wide_numerator(a: int, d: int) -> None:
    # a·n overflows int64 but the result does not: the divmod split keeps it exact.
    n = d  # a·d/d == a
    assert int(mul_div_round(np.array([a]), n, d)[0]) == a


def test_overflow_names_rows() -> None:
    a = np.array([1, 2**40, 3, 2**41], dtype=np.int64)
    with pytest.raises(Int64RangeError) as info:
        checked_mul(a, 2**30)
    assert info.value.rows == (1, 3)
    assert "rows 1, 3" in str(info.value)
    with pytest.raises(Int64RangeError) as info2:
        checked_add(np.array([INT64_MAX, 1]), np.array([1, 1]))
    assert info2.value.rows == (0,)
    with pytest.raises(Int64RangeError):
        mul_div_round(np.array([2**62]), 2**20, 3)


def test_refuses_floats_and_bad_divisors() -> None:
    with pytest.raises(TypeError):
        div_round_half_up(np.array([1.5]), 2)
    with pytest.raises(ValueError):
        div_round_half_up(np.array([1]), 0)


def test_reduce_ratio_and_exact_sum() -> None:
    n, d = reduce_ratio(np.array([15, 0, -6]), np.array([10000, 7, 4]))
    assert n.tolist() == [3, 0, -3] and d.tolist() == [2000, 1, 2]
    v = np.full(4, 2**62, dtype=np.int64)
    assert exact_sum(v) == 2**64
    assert exact_sum(np.array([1, -2, 3], dtype=np.int64)) == 2


def test_docstring_examples() -> None:
    import doctest

    import buchang.batch.intmath as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_line_at_the_documented_bounds() -> None:
    # 10⁶ m² (10⁸ centi-m²) × 99,999.99 元/m² × 成新率 0.9999: beyond the fast path, exact via the split
    area = np.array([10**8, 10**8 - 1, 12345], dtype=np.int64)
    price_num, price_den = 9_999_999, 100
    got = scale_round(area, [price_num, 9999], [price_den, 10000])
    want = [
        fraction_to_fen(Fraction(int(a), 100) * Fraction(price_num, price_den) * Fraction(9999, 10000))
        for a in area
    ]
    assert got.tolist() == want
