"""Exact integer arithmetic on int64 arrays: 四舍五入 of ``a × n / d`` without floats.

The vectorised executor holds every amount as int64 分 (fen), every area as
int64 centi-m² (0.01 m²) and every rate as an exact integer ratio
``num / den`` (``shared/spec/domain.md`` section 2). A line item is
``round_half_up(a × Π nᵢ / Π dᵢ)`` — rounded **once**, half away from zero,
exactly like :func:`buchang.core.money.fraction_to_fen` on the same rational.
Nothing here calls ``np.round`` or touches a float.

Overflow bounds
---------------
int64 holds ``|x| ≤ 2⁶³ − 1 ≈ 9.22 × 10¹⁸``. Nothing here wraps silently:

* :func:`scale_round` (every line item) multiplies directly only when the
  maxima of its arguments *prove* ``|a| × Π|n| + Π d < 2⁶³`` (two reductions
  per factor, no per-element test). Otherwise it reduces ``Π n / Π d`` by
  their gcd and splits ``a = q·d + r`` (:func:`mul_div_round`), which needs
  only ``d × |n| < 2⁶³`` and the *result* to fit; every product there is
  checked element by element and a row that still does not fit raises
  :class:`Int64RangeError` naming the offending row positions.
* The input ranges batch mode accepts are :data:`buchang.batch.frames.BOUNDS`
  (areas ≤ 10⁶ m² per row = 10⁸ centi-m², quantities ≤ 10⁷ units, amounts
  ≤ 10⁹ 元 = 10¹¹ fen, ratios with denominators ≤ 10⁴); table figures are
  bounded by each table's declared ranges (prices ≤ 10⁷ 元 per unit with ≤ 2
  decimals). Within them a line's ``a × Π n`` may exceed int64 (10⁸ centi-m² ×
  a price numerator of 10⁹ × a 成新率 numerator of 10⁴), which the split path
  absorbs as long as ``d × |n| < 2⁶³`` — e.g. prices up to 10⁶ 元 with 2
  decimals and ratios with 4 decimals (10⁸ × 10² × 10⁴ × 10⁴ = 10¹⁸).
  :func:`buchang.batch.frames.out_of_bounds` routes every household outside
  :data:`BOUNDS` to the exact path before any kernel runs, and should a
  table's figures still push a product past int64, ``compute_batch`` catches
  the :class:`Int64RangeError` and routes that family's subjects to the exact
  path (``INT64_RANGE``) — results stay complete and exact, only slower.
* Sums (:func:`exact_sum`, the aggregations) stay exact while the sum of
  magnitudes is below 9.2 × 10¹⁸ fen; :func:`exact_sum` switches to Python
  integers beyond that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
IntLike = I64 | int | np.integer

#: Largest int64.
INT64_MAX: Final = int(np.iinfo(np.int64).max)


class Int64RangeError(ArithmeticError):
    """An int64 operation would overflow; ``rows`` are the offending positions.

    A programmer error once inputs are validated against
    :data:`buchang.batch.frames.BOUNDS` (bad data is routed, never raised).
    """

    def __init__(self, what: str, rows: Sequence[int]) -> None:
        self.what = what
        self.rows = tuple(int(r) for r in rows)
        shown = ", ".join(str(r) for r in self.rows[:10])
        more = f" (+{len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
        super().__init__(f"int64 overflow in {what} at rows {shown}{more}")


def as_i64(x: IntLike) -> I64:
    """View a scalar or array as an int64 array (no float accepted)."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        raise TypeError("float array in exact integer arithmetic")
    if arr.dtype != np.int64:
        if arr.dtype.kind not in "iub":
            raise TypeError(f"not an integer array: {arr.dtype}")
        arr = arr.astype(np.int64)
    return arr


def _bad_rows(mask: npt.NDArray[np.bool_]) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.atleast_1d(mask))]


def checked_mul(a: IntLike, b: IntLike, what: str = "product") -> I64:
    """``a × b`` elementwise, raising :class:`Int64RangeError` instead of wrapping.

    >>> checked_mul(np.array([3, -4]), 5).tolist()
    [15, -20]
    """
    x, y = as_i64(a), as_i64(b)
    ax, ay = np.abs(x), np.abs(y)
    # |x|·|y| ≤ MAX  ⇔  |x| ≤ ⌊MAX / |y|⌋ (|y| > 0); ⌊MAX/1⌋ keeps y == 0 safe.
    limit = INT64_MAX // np.maximum(ay, 1)
    bad = (ax > limit) | (x == np.iinfo(np.int64).min) | (y == np.iinfo(np.int64).min)
    if np.any(bad):
        raise Int64RangeError(what, _bad_rows(np.broadcast_to(bad, np.broadcast(x, y).shape)))
    out: I64 = x * y
    return out


def checked_add(a: IntLike, b: IntLike, what: str = "sum") -> I64:
    """``a + b`` elementwise, raising :class:`Int64RangeError` instead of wrapping."""
    x, y = as_i64(a), as_i64(b)
    s: I64 = x + y  # wraps on overflow; detected below by the sign rule
    bad = ((x >= 0) & (y >= 0) & (s < 0)) | ((x < 0) & (y < 0) & (s >= 0))
    if np.any(bad):
        raise Int64RangeError(what, _bad_rows(np.broadcast_to(bad, s.shape)))
    return s


def div_round_half_up(num: IntLike, den: IntLike) -> I64:
    """``num / den`` rounded to the nearest integer, halves away from zero (四舍五入).

    ``den`` must be positive. Equals ``round_half_up_int(Fraction(num, den))``
    of :mod:`buchang.core.money` for every int64 pair. Uses ``divmod`` of the
    magnitude and compares the remainder with what is left of the divisor
    (``r ≥ d − r``), so no intermediate exceeds ``|num|``.

    >>> div_round_half_up(np.array([5, -5, 4, -4, 6]), 2).tolist()
    [3, -3, 2, -2, 3]
    """
    n, d = as_i64(num), as_i64(den)
    if np.any(d <= 0):
        raise ValueError("div_round_half_up needs a positive divisor")
    if np.any(n == np.iinfo(np.int64).min):
        raise Int64RangeError("division (|INT64_MIN| has no int64 magnitude)", _bad_rows(n == n.min()))
    mag = np.abs(n)
    q, r = np.divmod(mag, d)
    q = q + (r >= d - r)
    out: I64 = np.where(n < 0, -q, q)
    return out


def mul_div_round(a: IntLike, n: IntLike, d: IntLike, what: str = "a×n/d") -> I64:
    """``round_half_up(a × n / d)`` exactly, with ``d > 0``.

    Splits ``a = q·d + r`` (``0 ≤ r < d`` on the magnitude), so
    ``a·n/d = q·n + r·n/d``: only ``q·n``, ``r·n < d·|n|`` and their sum
    need to fit in int64 — the full ``a·n`` need not.

    >>> mul_div_round(np.array([15, -15, 14]), 1, 10).tolist()
    [2, -2, 1]
    >>> int(mul_div_round(2**62, 6, 4)[()]) == (3 * 2**62) // 2
    True
    """
    x, num, den = as_i64(a), as_i64(n), as_i64(d)
    if np.any(den <= 0):
        raise ValueError(f"{what}: divisor must be positive")
    lo = np.iinfo(np.int64).min
    if np.any(x == lo) or np.any(num == lo):
        raise Int64RangeError(
            what, _bad_rows(np.broadcast_to((x == lo) | (num == lo), np.broadcast(x, num).shape))
        )
    sign = np.sign(x) * np.sign(num)
    mag = np.abs(x)
    q, r = np.divmod(mag, den)
    anum = np.abs(num)
    whole = checked_mul(q, anum, what)
    part = div_round_half_up(checked_mul(r, anum, what), den)
    out: I64 = checked_add(whole, part, what) * sign
    return out


def _maxabs(x: I64 | int) -> int:
    """Largest magnitude of an int64 array or scalar, as a Python int (two reductions, no copy)."""
    lo, hi = _range(x)
    return max(hi, -lo)


def _range(x: I64 | int | np.integer) -> tuple[int, int]:
    """(min, max) of an int64 array or scalar as Python ints (``(0, 0)`` for an empty array)."""
    if isinstance(x, int | np.integer):
        return int(x), int(x)
    if x.size == 0:
        return 0, 0
    return int(x.min()), int(x.max())


def _fast_product(factors: Sequence[IntLike]) -> tuple[I64 | int, int, bool, bool]:
    """Π factors, a bound on its magnitude, whether it is ≥ 0 and whether it is > 0
    (from each factor's range); arrays multiplied only when the bound fits. A single
    array factor is returned as it is (no copy: callers never write into it)."""
    prod: I64 | int = 1
    bound = 1
    nonneg = positive = True
    for f in factors:
        arr = f if isinstance(f, int | np.integer) else as_i64(f)
        lo, hi = _range(arr)
        fb = max(hi, -lo)
        if bound * fb > INT64_MAX:
            raise Int64RangeError("product of factors", [])
        bound *= fb
        nonneg = nonneg and lo >= 0
        positive = positive and lo > 0
        if isinstance(arr, int | np.integer):
            prod = prod * int(arr)
        elif isinstance(prod, int) and prod == 1:
            prod = arr
        else:
            prod = arr * prod
    return prod, bound, nonneg, positive


def round_div(x: I64, den: I64 | int, bound: int | None = None) -> I64:
    """``x / den`` rounded half away from zero, ``den > 0``.

    ``x`` must satisfy ``|x| + den < 2⁶³`` (true whenever ``x`` and ``den``
    came through the bound checks of :func:`scale_round`). When also
    ``2·|x| + den < 2⁶³`` — ``bound``, if given, is a proven bound on ``|x|``;
    otherwise it is measured — the quotient is formed with one division,
    ``⌊(2·|x| + den) / (2·den)⌋`` (half up on the magnitude: the fraction
    ``r/den ≥ ½`` exactly when ``2r + den ≥ 2·den``), instead of a division,
    a product and a comparison. ``x`` is not modified.

    >>> round_div(np.array([5, -5, 4, -4, 6, 0]), 2).tolist()
    [3, -3, 2, -2, 3, 0]
    >>> round_div(np.array([149, 150, -150, -151]), np.array([100, 100, 100, 100])).tolist()
    [1, 2, -2, -2]
    """
    if isinstance(den, int | np.integer) and int(den) == 1:
        return x
    if x.size == 0:
        return x
    return _round_div_into(x.copy(), den, bound, None)


def _round_div_into(x: I64, den: I64 | int, bound: int | None, nonneg: bool | None) -> I64:
    """:func:`round_div` that may overwrite ``x`` (a temporary the caller owns) and returns it
    or a new array. ``nonneg`` (``x ≥ 0`` known) saves a reduction."""
    if isinstance(den, int | np.integer):
        d: I64 | int = int(den)
        dmax = int(den)
        if dmax == 1:
            return x
    else:
        d = den
        dmax = int(den.max()) if den.size else 1
    if nonneg is None:
        nonneg = int(x.min()) >= 0 if x.size else True
    mx = bound if bound is not None else _maxabs(x)
    if 2 * mx + dmax < INT64_MAX:
        d2 = 2 * d
        if nonneg:
            x *= 2
            x += d
            x //= d2
            return x
        neg = x < 0
        np.abs(x, out=x)
        x *= 2
        x += d
        x //= d2
        np.negative(x, out=x, where=neg)
        return x
    # beyond that bound (rare): divmod of the magnitude, which never forms 2·|x|
    return div_round_half_up(x, d)


def scale_round(a: IntLike, nums: Sequence[IntLike], dens: Sequence[IntLike], what: str = "line") -> I64:
    """``round_half_up(a × Π nums / Π dens)`` — one line item, rounded once.

    Fast path: the products are formed directly when the magnitudes' ranges
    prove they fit in int64 (two reductions per factor, no per-element test);
    otherwise numerator and denominator are reduced by their gcd and the
    checked, split :func:`mul_div_round` is used, which raises
    :class:`Int64RangeError` naming the rows that still do not fit.

    >>> scale_round(np.array([150, -150, 149]), [np.array([1, 1, 1])], [100]).tolist()
    [2, -2, 1]
    """
    x = as_i64(a)
    try:
        num, nb, num_nonneg, _ = _fast_product(nums)
        den, db, _, den_positive = _fast_product(dens)
    except Int64RangeError:
        return _scale_round_checked(x, nums, dens, what)
    xlo, xhi = _range(x)
    xb = max(xhi, -xlo) * nb
    if xb + db >= INT64_MAX:
        return _scale_round_checked(x, nums, dens, what)
    if not den_positive and (
        (isinstance(den, int) and den <= 0) or (not isinstance(den, int) and den.size and int(den.min()) <= 0)
    ):
        raise ValueError(f"{what}: divisor must be positive")
    prod: I64 = np.asarray(np.multiply(x, num), dtype=np.int64)  # a fresh array: rounded in place
    nonneg = xlo >= 0 and num_nonneg
    return _round_div_into(prod, den, xb, nonneg)


def _scale_round_checked(x: I64, nums: Sequence[IntLike], dens: Sequence[IntLike], what: str) -> I64:
    num: I64 = as_i64(1)
    den: I64 = as_i64(1)
    for f in nums:
        num = checked_mul(num, f, what)
    for f in dens:
        den = checked_mul(den, f, what)
    g = np.gcd(num, den)
    g = np.where(g == 0, 1, g)
    return mul_div_round(x, num // g, den // g, what)


def reduce_ratio(num: IntLike, den: IntLike) -> tuple[I64, I64]:
    """Reduce ``num/den`` elementwise by the gcd (``den`` > 0)."""
    n, d = as_i64(num), as_i64(den)
    g = np.gcd(n, d)
    g = np.where(g == 0, 1, g)
    rn: I64 = n // g
    rd: I64 = d // g
    return rn, rd


def exact_sum(values: I64, what: str = "sum") -> int:
    """Sum an int64 array exactly, as a Python ``int`` (never wraps).

    numpy's ``sum`` wraps silently on overflow; this sums in int64 only when
    the worst case ``n × max|x|`` fits, otherwise in Python integers.
    """
    v = as_i64(values)
    if v.size == 0:
        return 0
    peak = int(np.abs(v).max()) if v.size else 0
    if peak == 0:
        return 0
    if v.size <= INT64_MAX // peak:
        return int(v.sum(dtype=np.int64))
    return sum(int(x) for x in v.tolist())
