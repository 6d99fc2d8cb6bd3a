"""Exact money: Decimal only, 四舍五入 (ROUND_HALF_UP) to 分, integer fen.

Rules: shared/spec/domain.md section 2 — floats refused, half away from zero,
the ambient decimal context never consulted.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buchang.core.money import (
    MAX_AMOUNT,
    format_yuan,
    from_fen,
    round_fen,
    to_decimal,
    to_fen,
    uppercase,
)

MAX_FEN = 999_999_999_999_999  # 9,999,999,999,999.99 yuan in fen


# --- to_decimal ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.1, 1.0, float("nan"), True, False])
def test_to_decimal_refuses_float_and_bool(bad: object) -> None:
    with pytest.raises(TypeError):
        to_decimal(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("func", [round_fen, to_fen, uppercase])
def test_money_functions_refuse_float(func: object) -> None:
    # 0.1 as a float is 0.1000000000000000055511151231257827…: already not the amount.
    with pytest.raises(TypeError):
        func(0.1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1234.50", Decimal("1234.50")),
        (" 1,234.50 ", Decimal("1234.50")),  # blanks and thousands separators allowed
        (Decimal("7.1"), Decimal("7.1")),
        (12, Decimal(12)),
        (Fraction(1, 8), Decimal("0.125")),  # 1/8 = 125/1000, a terminating decimal
    ],
)
def test_to_decimal_accepts_exact_values(given: object, expected: Decimal) -> None:
    assert to_decimal(given) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "", "1.2.3", "NaN", "Infinity", Decimal("NaN"), Fraction(1, 3)])
def test_to_decimal_rejects_non_amounts(bad: object) -> None:
    # Fraction(1, 3) = 0.333… has no exact decimal form: it must be rounded explicitly.
    with pytest.raises(ValueError):
        to_decimal(bad)  # type: ignore[arg-type]


def test_to_decimal_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        to_decimal([1])  # type: ignore[arg-type]


# --- round_fen: 四舍五入 to 分 -------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2.344", "2.34"),  # third decimal 4 < 5: down
        ("2.345", "2.35"),  # tie: half up (Python's round() would give 2.34 — half even)
        ("2.355", "2.36"),  # tie after an odd digit: up as well
        ("-2.345", "-2.35"),  # negative tie: away from zero
        ("-2.344", "-2.34"),
        ("0.005", "0.01"),  # the smallest tie
        ("-0.005", "-0.01"),
        ("0.0049999", "0.00"),  # just below the tie
        ("1.015", "1.02"),  # exact decimal tie (a float 1.015 is 1.01499999… and would give 1.01)
        ("12", "12.00"),
        (Fraction(1, 3), "0.33"),  # 0.3333… down
        (Fraction(2, 3), "0.67"),  # 0.6666… up
        (Fraction(1, 200), "0.01"),  # 0.005 exactly: tie, up
        (Fraction(-1, 200), "-0.01"),
    ],
)
def test_round_fen_half_up(given: str | Fraction, expected: str) -> None:
    result = round_fen(given)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2  # always two places


def test_round_fen_ignores_the_ambient_context() -> None:
    # A caller's context with half-even rounding and 3 digits of precision must not leak in:
    # half up, 12345.675 → 12345.68 and 12345.665 → 12345.67 (half even would give 12345.66;
    # 3-digit precision would give 1.23E+4).
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_EVEN
        ctx.prec = 3
        assert round_fen("12345.675") == Decimal("12345.68")
        assert round_fen("12345.665") == Decimal("12345.67")  # half even would give 12345.66


def test_round_fen_too_large_is_a_value_error() -> None:
    # 1E+80 needs 83 digits at two places, beyond the module's 60-digit context.
    with pytest.raises(ValueError):
        round_fen("1e80")


# --- fen ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "fen"),
    [("12.345", 1235), ("-0.005", -1), ("0.004", 0), ("107000.53", 10700053), (3, 300)],
)
def test_to_fen(given: str | int, fen: int) -> None:
    assert to_fen(given) == fen


def test_from_fen() -> None:
    assert from_fen(123456) == Decimal("1234.56")
    assert str(from_fen(-1)) == "-0.01"
    assert str(from_fen(0)) == "0.00"
    with pytest.raises(TypeError):
        from_fen(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_fen(True)


def test_format_yuan() -> None:
    assert format_yuan(123456789) == "1,234,567.89"
    assert format_yuan(-5) == "-0.05"


# --- properties -------------------------------------------------------------------


@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_fen_round_trip(fen: int) -> None:
    # fen → Decimal → fen is the identity, and the Decimal has exactly two places.
    yuan = from_fen(fen)
    assert yuan.as_tuple().exponent == -2
    assert to_fen(yuan) == fen
    assert to_fen(str(yuan)) == fen


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from([1, -1]))
def test_ties_round_away_from_zero(fen: int, sign: int) -> None:
    # x.xx5: exactly half a fen above `fen` fen → always the next fen up, in magnitude.
    tie = sign * (Decimal(fen) / 100 + Decimal("0.005"))
    assert to_fen(tie) == sign * (fen + 1)
    assert round_fen(tie) == sign * from_fen(fen + 1)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=9))
def test_third_decimal_rounds_half_up(fen: int, third: int) -> None:
    # Reference: |x|·100 rounded half up = floor(|x|·100 + 1/2), sign restored.
    value = Decimal(fen) / 100 + (Decimal(third) / 1000 if fen >= 0 else -Decimal(third) / 1000)
    exact = Fraction(value) * 100
    expected = int(abs(exact) + Fraction(1, 2)) * (1 if exact >= 0 else -1)
    assert to_fen(value) == expected


ALLOWED = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负")
FORBIDDEN = set("一二三两十毛另0")


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_uppercase_uses_only_the_bill_characters(fen: int) -> None:
    words = uppercase(from_fen(fen))
    assert set(words) <= ALLOWED
    assert not set(words) & FORBIDDEN
    assert words.endswith(("整", "角", "分"))
    assert words.count("负") == (1 if fen < 0 else 0)


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_uppercase_never_doubles_zero(fen: int) -> None:
    # "one 零 for a run of zeros" (PBoC rules 第二条(五)2).
    words = uppercase(from_fen(fen))
    assert "零零" not in words
    assert not words.startswith("零") or words == "零元整"


def test_max_amount_constant() -> None:
    assert from_fen(MAX_FEN) == MAX_AMOUNT
