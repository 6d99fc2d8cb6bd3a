"""Exact money: ``Decimal`` yuan, integer fen, 四舍五入 and 大写金额.

Rules (``shared/spec/domain.md`` section 2):

* money is exact — ``decimal.Decimal`` here, integer 分 (fen) in vectorised code;
  a ``float`` is refused with ``TypeError``, never converted silently;
* rounding is 四舍五入 to 分, i.e. ``ROUND_HALF_UP`` (half away from zero),
  done once per line item; the ambient decimal context is never consulted —
  every operation here uses the module's own context;
* 大写金额 follows the People's Bank of China 《正确填写票据和结算凭证的基本规定》
  (see :func:`uppercase`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

#: One fen, as a quantum.
FEN: Final = Decimal("0.01")

#: The largest amount :func:`uppercase` writes (and the range money fields accept).
MAX_AMOUNT: Final = Decimal("9999999999999.99")

# A private context: 60 significant digits is far beyond any amount or
# intermediate product we form, and ROUND_HALF_UP is the only rounding used.
_CTX: Final = Context(prec=60, rounding=ROUND_HALF_UP)

Number = Decimal | int | str | Fraction


def to_decimal(value: Number) -> Decimal:
    """Convert an exact value to ``Decimal``.

    Accepts ``Decimal``, ``int``, a decimal string (``"1234.5"``, surrounding
    blanks and thousands separators ``,`` allowed) or a ``Fraction`` whose
    denominator divides a power of ten. Refuses ``float`` and ``bool`` with
    ``TypeError``: a float has already lost the exact value.

    >>> to_decimal("1,234.50")
    Decimal('1234.50')
    >>> to_decimal(0.1)
    Traceback (most recent call last):
    ...
    TypeError: float is not exact money: pass a Decimal, an int or a decimal string (got 0.1)
    """
    if isinstance(value, bool):
        raise TypeError("bool is not a number here")
    if isinstance(value, float):
        raise TypeError(
            f"float is not exact money: pass a Decimal, an int or a decimal string (got {value!r})"
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Fraction):
        dec = _CTX.divide(Decimal(value.numerator), Decimal(value.denominator))
        if Fraction(dec) != value:
            raise ValueError(f"{value} has no exact decimal form; round it with round_fen()")
        return dec
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not dec.is_finite():
            raise ValueError(f"not a finite amount: {value!r}")
        return dec
    raise TypeError(f"cannot use {type(value).__name__} as an exact number")


def round_fen(value: Number) -> Decimal:
    """Round to 分 with ROUND_HALF_UP (四舍五入, half away from zero).

    ``Fraction`` inputs are rounded exactly, so a line computed in rationals
    (areas in 亩, ratios like 1/3) is rounded once, at the end.

    >>> round_fen(Decimal("2.345")), round_fen(Decimal("-2.345")), round_fen("2.344")
    (Decimal('2.35'), Decimal('-2.35'), Decimal('2.34'))
    >>> round_fen(Fraction(1, 3))
    Decimal('0.33')
    """
    if isinstance(value, Fraction):
        return from_fen(fraction_to_fen(value))
    dec = to_decimal(value)
    try:
        return dec.quantize(FEN, rounding=ROUND_HALF_UP, context=_CTX)
    except InvalidOperation:  # more digits than the context holds (say 1E+80)
        raise ValueError(f"amount {value!r} is too large to round to 分") from None


def round_half_up_int(value: Fraction) -> int:
    """Round a rational to the nearest integer, halves away from zero."""
    sign = -1 if value < 0 else 1
    mag = abs(value)
    whole, rem = divmod(mag.numerator, mag.denominator)
    if 2 * rem >= mag.denominator:
        whole += 1
    return sign * whole


def round_fraction(value: Fraction, places: int) -> Decimal:
    """Round a rational half up to ``places`` decimals, as an exact ``Decimal``."""
    return Decimal(round_half_up_int(value * 10**places)).scaleb(-places, context=_CTX)


def fraction_to_fen(value: Fraction) -> int:
    """Round a rational yuan amount to integer fen, half away from zero."""
    return round_half_up_int(value * 100)


def to_fen(value: Number) -> int:
    """Round to 分 (half up) and return the amount as integer fen.

    >>> to_fen("12.345"), to_fen(Decimal("-0.005"))
    (1235, -1)
    """
    if isinstance(value, Fraction):
        return fraction_to_fen(value)
    return int(round_fen(value).scaleb(2, context=_CTX))


def from_fen(fen: int) -> Decimal:
    """Integer fen to ``Decimal`` yuan with two places.

    >>> from_fen(123456)
    Decimal('1234.56')
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, got {type(fen).__name__}")
    return Decimal(fen).scaleb(-2, context=_CTX).quantize(FEN, context=_CTX)


def format_yuan(fen: int) -> str:
    """Format integer fen as ``1,234.56`` (thousands separators, two places)."""
    return f"{from_fen(fen):,.2f}"


# --- 大写金额 -------------------------------------------------------------

_DIGITS: Final = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS: Final = ("", "拾", "佰", "仟")


def _section(n: int) -> str:
    """Write 0 < n < 10000 with one 零 for each inner run of zeros and no
    trailing zeros (1409 → 壹仟肆佰零玖, 6007 → 陆仟零柒, 1680 → 壹仟陆佰捌拾)."""
    out: list[str] = []
    pending_zero = False
    for pos in (3, 2, 1, 0):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                pending_zero = True
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def _below_yi(n: int) -> str:
    """Write 0 < n < 10^8: a 万 section and a units section."""
    high, low = divmod(n, 10000)
    if not high:
        return _section(low)
    out = _section(high) + "万"
    if low:
        out += ("零" if low < 1000 else "") + _section(low)
    return out


def _integer_uppercase(n: int) -> str:
    """Write a positive integer of yuan, recursively by 亿 (10^8) and 万 (10^4).

    A 零 goes before a lower part whose leading digit position is zero
    (``1,0001`` → 壹万零壹, ``1,0000,1000`` → 壹亿零壹仟). A zero 万位 followed
    by a non-zero 千位 writes no 零 (107000 → 壹拾万柒仟), the form the PBoC
    rules give for ￥107000.53. Above 亿 the count of 亿 is itself written
    (9,9999,0000,0000 → 玖万玖仟玖佰玖拾玖亿).
    """
    if n >= 10**8:
        high, low = divmod(n, 10**8)
        out = _integer_uppercase(high) + "亿"
        if low:
            out += ("零" if low < 10**7 else "") + _below_yi(low)
        return out
    return _below_yi(n)


def uppercase(amount: Number) -> str:
    """大写金额 for a payment document, per the PBoC rules for filling in bills.

    The amount is first rounded to 分 (四舍五入). Rules applied
    (《正确填写票据和结算凭证的基本规定》第二条):

    * characters 零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整 only; 壹拾 is kept;
    * 整 after 元 when there are no 角 and 分; no 整 after 角 or 分;
    * one 零 for a run of zeros inside the number;
    * 零 after 元 when 角 is 0 and 分 is not (required, 16409.02);
    * where the rules allow either form (元位 0 and 角 not 0) the 零 is written,
      which is the tamper-resistant choice: 1680.32 → 壹仟陆佰捌拾元零叁角贰分,
      107000.53 → 壹拾万柒仟元零伍角叁分;
    * an amount below one yuan has no 元 (0.35 → 叁角伍分), zero is 零元整,
      negative amounts are prefixed 负.

    >>> uppercase("1409.50")
    '壹仟肆佰零玖元伍角'
    >>> uppercase(Decimal("16409.02"))
    '壹万陆仟肆佰零玖元零贰分'
    """
    fen = to_fen(amount)
    if abs(fen) > to_fen(MAX_AMOUNT):
        raise ValueError(f"amount {from_fen(fen)} is beyond {MAX_AMOUNT}, the largest written in 大写")
    sign = "负" if fen < 0 else ""
    fen = abs(fen)
    yuan, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    out = sign
    if yuan:
        out += _integer_uppercase(yuan) + "元"
    if rest == 0:
        return out + "整"
    if yuan and (jiao == 0 or yuan % 10 == 0):
        out += "零"
    if jiao:
        out += _DIGITS[jiao] + "角"
    if fen_digit:
        out += _DIGITS[fen_digit] + "分"
    return out
