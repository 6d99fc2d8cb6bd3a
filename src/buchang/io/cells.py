"""Exact cell conversion: one declared column type, one cell value → a typed value
or a problem with a stable code. Never raises on bad data.

What a cell reader gives us: ``str``, ``int``, ``float``, ``bool``,
``datetime``/``date``/``time``/``timedelta``, ``None`` or ``""``. Both xlsx
readers (python-calamine, openpyxl) turn a numeric cell into a binary ``float``;
money must never go through a float (``shared/spec/domain.md`` section 2), so a
numeric cell is converted via its *decimal text*:

1. The file stores the number as decimal text (``<v>1234.565</v>``); the reader
   parsed it into the nearest double. ``repr(float)`` is the shortest text that
   round-trips to the same double, which for any text of at most 15 significant
   digits is that text again (a double holds 15–17 digits). So ``1234.565``
   comes back as ``1234.565`` exactly — never ``1234.5650000000001``.
2. A value computed by a formula or written by a float-minded tool may be
   stored with binary artefacts (``0.30000000000000004`` for ``=0.1+0.2``). Excel
   itself shows and keeps only 15 significant digits, so when the shortest text
   has more decimals than the column declares we round to 15 significant
   digits (``format(f, ".15g")`` → ``0.3``), which is what the user saw in Excel.
3. Where that is still more decimals than declared (``1234.567`` in a money
   column, or a genuine 17-digit value) the typed value cannot be recovered
   without guessing: the cell is rejected with ``TOO_MANY_DECIMALS`` and its
   location — never rounded silently.

Text cells go through :class:`decimal.Decimal` directly (after NFKC, so
full-width digits work, and without thousands separators or ¥/元).

Dates: ``date``/``datetime`` cells, Excel serials (1900 date system), and the
usual spellings ``2021-03-01``, ``2021/3/1``, ``2021.3.1``, ``2021年3月1日``,
``20210301``, each optionally followed by a time ``10:30[:00]``.

Identity numbers and accounts must be text: a number cell has lost digits
(``ID_STORED_AS_NUMBER``). Error messages show IDs masked (``1101**********002X``)
so logs never carry a full ID number.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from operator import mul
from typing import Final

from buchang.core.errors import Severity
from buchang.core.ids import (
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    PROVINCE_CODES,
    CheckResult,
    check_bank_account,
    check_credit_code,
    check_resident_id,
    guess_and_check,
    mask,
)
from buchang.core.money import MAX_AMOUNT
from buchang.io.headers import normalize
from buchang.io.schema import BOOL_FALSE, BOOL_TRUE, ColType, Column

#: Codes reported by cell conversion (besides the identity codes of
#: :mod:`buchang.core.ids`).
WRONG_TYPE: Final = "WRONG_TYPE"
TOO_MANY_DECIMALS: Final = "TOO_MANY_DECIMALS"
OUT_OF_RANGE: Final = "OUT_OF_RANGE"
DATE_OUT_OF_RANGE: Final = "DATE_OUT_OF_RANGE"
UNKNOWN_CATEGORY: Final = "UNKNOWN_CATEGORY"
ID_STORED_AS_NUMBER: Final = "ID_STORED_AS_NUMBER"

#: Day 0 of the Excel 1900 date system as Python counts it (serial 61 = 1900-03-01;
#: Excel's fictitious 1900-02-29 is serial 60).
EXCEL_EPOCH: Final = date(1899, 12, 30)
_MAX_SERIAL: Final = 2958465  # 9999-12-31


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem with one cell (the caller adds the location)."""

    code: str
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True, slots=True)
class CellOptions:
    """Bounds applied while reading cells.

    ``min_date``/``max_date`` — accepted date range (``DATE_OUT_OF_RANGE``
    outside); a caller that knows the tables' coverage passes it here.
    ``today`` — birth dates in ID numbers may not be after it.
    """

    min_date: date = date(1900, 1, 1)
    max_date: date = date(2100, 12, 31)
    today: date | None = None


Result = tuple[object, Problem | None]
Converter = Callable[[object], Result]


def is_blank(value: object) -> bool:
    """An empty cell: ``None``, ``""`` or only whitespace."""
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def _describe(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _wrong(value: object, what: str) -> Result:
    return None, Problem(WRONG_TYPE, f"应为{what}，实为{_describe(value)} / expected {what}")


# --- numbers -------------------------------------------------------------------


def _fits(value: Decimal, places: int) -> bool:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        return False
    if exponent >= -places:
        return True
    return value == value.quantize(Decimal(1).scaleb(-places))


def float_to_decimal(value: float, places: int) -> Result:
    """A float from a numeric cell → the ``Decimal`` the user typed (see module doc)."""
    if not math.isfinite(value):
        return None, Problem(WRONG_TYPE, f"不是有限数值：{value} / not a finite number")
    if value.is_integer() and abs(value) < 2**53:
        return Decimal(int(value)), None
    shortest = Decimal(repr(value))
    if _fits(shortest, places):
        return shortest, None
    excel = Decimal(format(value, ".15g"))
    if _fits(excel, places):
        return excel, None
    return None, Problem(
        TOO_MANY_DECIMALS,
        f"{value!r}的小数位多于{places}位，无法确定录入值，请按{places}位小数录入 / "
        f"more than {places} decimals: the typed value cannot be recovered, enter it with {places} decimals",
    )


_NUMBER_JUNK: Final = re.compile(r"[,\s¥元]|^rmb|^cny|人民币")


def text_to_decimal(text: str, places: int) -> Result:
    """Decimal text (full-width digits, ``1,234.50``, ``¥1234.5``, ``1234.5元`` allowed)."""
    folded = _NUMBER_JUNK.sub("", unicodedata.normalize("NFKC", text).strip().lower())
    if not folded or len(folded) > 60:
        return _wrong(text, "数值 a number")
    try:
        dec = Decimal(folded)
    except (InvalidOperation, ValueError):
        return _wrong(text, "数值 a number")
    if not dec.is_finite():
        return _wrong(text, "数值 a number")
    if abs(dec) > MAX_AMOUNT:
        return None, Problem(OUT_OF_RANGE, f"数值{_describe(text)}过大 / the number is too large")
    if not _fits(dec, places):
        return None, Problem(
            TOO_MANY_DECIMALS, f"{_describe(text)}的小数位多于{places}位 / more than {places} decimals"
        )
    if places == 0 or dec == dec.to_integral_value():
        return (dec.quantize(Decimal(1)) if places == 0 else dec), None
    return dec, None


def to_decimal_cell(value: object, places: int) -> Result:
    """Any cell value → exact ``Decimal`` with at most ``places`` decimals."""
    if isinstance(value, bool):
        return _wrong(value, "数值 a number")
    if isinstance(value, int):
        dec: Decimal = Decimal(value)
    elif isinstance(value, float):
        got, problem = float_to_decimal(value, places)
        if problem is not None or not isinstance(got, Decimal):
            return None, problem
        dec = got
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return _wrong(value, "数值 a number")
        dec = value
    elif isinstance(value, str):
        return text_to_decimal(value, places)
    else:
        return _wrong(value, "数值 a number")
    if abs(dec) > MAX_AMOUNT:
        return None, Problem(OUT_OF_RANGE, f"数值{_describe(value)}过大 / the number is too large")
    if not _fits(dec, places):
        return None, Problem(TOO_MANY_DECIMALS, f"{dec}的小数位多于{places}位 / more than {places} decimals")
    return dec, None


def to_int_cell(value: object) -> Result:
    dec, problem = to_decimal_cell(value, 0)
    if problem is not None:
        if problem.code == TOO_MANY_DECIMALS:
            return _wrong(value, "整数 a whole number")
        return None, problem
    assert isinstance(dec, Decimal)
    return int(dec), None


# --- dates -----------------------------------------------------------------------

_DATE_TEXT: Final = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|t|T)(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}(?:\.\d+)?))?秒?)?$"
)
_COMPACT: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_TEXT: Final = re.compile(r"^\d{1,7}(?:\.\d+)?$")


def serial_to_datetime(serial: float) -> datetime | None:
    """An Excel serial (1900 date system) → datetime; ``None`` if not a valid serial."""
    if not math.isfinite(serial) or serial < 1 or serial >= _MAX_SERIAL + 1:
        return None
    days = math.floor(serial)
    if days == 60:  # 1900-02-29 does not exist (Lotus 1-2-3 compatibility)
        return None
    base = EXCEL_EPOCH + timedelta(days=days) if days > 60 else date(1899, 12, 31) + timedelta(days=days)
    seconds = round((serial - days) * 86400)
    return datetime(base.year, base.month, base.day) + timedelta(seconds=seconds)


def _parse_datetime(value: object) -> tuple[datetime | None, Problem | None]:
    if isinstance(value, datetime):
        return value, None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), None
    if isinstance(value, bool):
        return None, _wrong(value, "日期 a date")[1]
    if isinstance(value, int | float):
        got = serial_to_datetime(float(value))
        if got is None:
            return None, _wrong(value, "日期 a date")[1]
        return got, None
    if not isinstance(value, str):
        return None, _wrong(value, "日期 a date")[1]
    text = unicodedata.normalize("NFKC", value).strip()
    m = _DATE_TEXT.match(text)
    parts: tuple[str | None, ...]
    if m:
        parts = m.groups()
    else:
        c = _COMPACT.match(text)
        if c:
            parts = (*c.groups(), None, None, None)
        elif _SERIAL_TEXT.match(text):
            got = serial_to_datetime(float(text))
            if got is None:
                return None, _wrong(value, "日期 a date")[1]
            return got, None
        else:
            return None, _wrong(value, "日期（如2021-03-01、2021/3/1、2021年3月1日） a date")[1]
    try:
        sec = float(parts[5]) if parts[5] else 0.0
        return (
            datetime(
                int(parts[0] or 0),
                int(parts[1] or 0),
                int(parts[2] or 0),
                int(parts[3] or 0),
                int(parts[4] or 0),
                int(sec),
            ),
            None,
        )
    except ValueError:
        return None, Problem(WRONG_TYPE, f"日期{_describe(value)}不存在 / no such date or time")


def to_datetime_cell(value: object, options: CellOptions) -> Result:
    got, problem = _parse_datetime(value)
    if problem is not None or got is None:
        return None, problem
    if not options.min_date <= got.date() <= options.max_date:
        return None, Problem(
            DATE_OUT_OF_RANGE,
            f"日期{got.date().isoformat()}不在{options.min_date.isoformat()}至{options.max_date.isoformat()}之间 / "
            "date out of the accepted range",
        )
    return got, None


def to_date_cell(value: object, options: CellOptions) -> Result:
    got, problem = to_datetime_cell(value, options)
    if problem is not None or not isinstance(got, datetime):
        return None, problem
    return got.date(), None


# --- text, identity, choices ----------------------------------------------------------


def to_text_cell(value: object) -> Result:
    """A text cell; a number typed into a code column (户编号 1001) becomes its text."""
    if isinstance(value, str):
        text = value.strip()
        return (text, None) if text else (None, None)
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if not math.isfinite(value):
            return _wrong(value, "文本 text")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), None
        return repr(value), None
    if isinstance(value, datetime):
        return value.isoformat(sep=" "), None
    if isinstance(value, date):
        return value.isoformat(), None
    return _wrong(value, "文本 text")


_ID_LABEL: Final = {
    ColType.RESIDENT_ID: "身份证号",
    ColType.PAYEE_ID: "证件号",
    ColType.CREDIT_CODE: "统一社会信用代码",
    ColType.ACCOUNT: "账号",
}


_ID_SHAPE: Final = re.compile(r"^[1-9]\d{16}[\dX]$")


def valid_resident_id_fast(text: str, today: date) -> bool:
    """True only when :func:`buchang.core.ids.check_resident_id` would say OK.

    The same checks (GB 11643: shape, province, real birth date not after
    ``today`` and from 1880, check character) without building a result: a
    survey has hundreds of thousands of valid numbers, and any number this
    does not pass goes to the core check for its exact reason
    (``tests/io/test_cells.py`` holds the two to agreement).
    """
    if not _ID_SHAPE.match(text) or text[:2] not in PROVINCE_CODES:
        return False
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if birth > today or birth.year < 1880:
        return False
    total = sum(map(mul, map(int, text[:17]), ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11] == text[17]


def to_identity_cell(value: object, kind: ColType, options: CellOptions) -> Result:
    """身份证号, 统一社会信用代码, payee id (either) or bank account, as text."""
    if kind is ColType.RESIDENT_ID and value.__class__ is str:
        assert isinstance(value, str)
        if valid_resident_id_fast(value, options.today or date.today()):
            return value, None
    label = _ID_LABEL[kind]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None, Problem(
            ID_STORED_AS_NUMBER,
            f"{label}以数字单元格保存（{mask(repr(value))}），已丢失位数，请将该列设为文本后重新录入 / "
            "stored as a spreadsheet number, digits are lost: re-enter it in a text cell",
        )
    if not isinstance(value, str):
        return _wrong(value, f"文本{label} text")
    text = unicodedata.normalize("NFKC", value).strip().lstrip("'").replace(" ", "")
    if len(text) > 64:
        return None, Problem(WRONG_TYPE, f"{label}过长 / too long for a {kind.value}")
    result: CheckResult
    if kind is ColType.RESIDENT_ID:
        result = check_resident_id(text, on=options.today)
    elif kind is ColType.CREDIT_CODE:
        result = check_credit_code(text)
    elif kind is ColType.PAYEE_ID:
        result = guess_and_check(text, on=options.today)
    else:
        result = check_bank_account(text)
    if result.severity is Severity.INFO:
        return result.normalized, None
    problem = Problem(result.code, f"{label}{mask(text)}: {result.reason}", result.severity)
    return (result.normalized if result.valid else None), problem


_HEX: Final = re.compile(r"^[0-9a-f]{64}$")


def to_digest_cell(value: object) -> Result:
    if not isinstance(value, str) or not _HEX.match(value.strip().lower()):
        return _wrong(value, "64位十六进制摘要 a SHA-256 hex digest")
    return value.strip().lower(), None


_TRUE: Final = frozenset(normalize(v) for v in BOOL_TRUE)
_FALSE: Final = frozenset(normalize(v) for v in BOOL_FALSE)


def to_bool_cell(value: object) -> Result:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value), None
    norm = normalize(value) if isinstance(value, str) else ""
    if norm in _TRUE:
        return True, None
    if norm in _FALSE:
        return False, None
    return _wrong(value, "是/否 yes or no")


_ROW_KEY: Final = re.compile(r"^[a-z][a-z0-9_]*$")


def choice_table(col: Column) -> dict[str, str]:
    """Normalised label/value/alias → stored value."""
    table: dict[str, str] = {}
    for ch in col.choices:
        for name in (ch.value, ch.label, *ch.aliases):
            table.setdefault(normalize(name), ch.value)
    return table


def make_choice(col: Column) -> Converter:
    table = choice_table(col)
    allowed = "、".join(ch.label for ch in col.choices)

    def convert(value: object) -> Result:
        text, problem = to_text_cell(value)
        if problem is not None or not isinstance(text, str):
            return None, problem
        got = table.get(normalize(text))
        if got is not None:
            return got, None
        if col.open_choice and _ROW_KEY.match(text):
            return text, None
        return None, Problem(
            UNKNOWN_CATEGORY,
            f"{col.header}“{_describe(text)}”不在可选值中（{allowed}） / unknown {col.key}",
        )

    return convert


# --- per column ---------------------------------------------------------------------


def _ranged(col: Column, convert: Converter) -> Converter:
    """Apply the column's declared range; below zero gets the column's negative code."""
    low, high = col.minimum, col.maximum
    if low is None and high is None:
        return convert

    def ranged(value: object) -> Result:
        got, problem = convert(value)
        if problem is not None or got is None:
            return got, problem
        assert isinstance(got, Decimal | int)
        if low is not None and got < low:
            code = col.negative_code if got < 0 else OUT_OF_RANGE
            return None, Problem(code, f"{col.header}不能小于{low}：{got} / must be at least {low}")
        if high is not None and got > high:
            return None, Problem(OUT_OF_RANGE, f"{col.header}不能大于{high}：{got} / must be at most {high}")
        return got, None

    return ranged


def _memo_text(convert: Converter, size: int = 4096) -> Converter:
    """Remember the result for text cells: a category or yes/no column has a
    handful of distinct spellings repeated over 100,000 rows."""
    seen: dict[str, Result] = {}

    def memo(value: object) -> Result:
        if value.__class__ is str:
            assert isinstance(value, str)
            got = seen.get(value)
            if got is None:
                got = convert(value)
                if len(seen) < size:
                    seen[value] = got
            return got
        return convert(value)

    return memo


def _dates(opts: CellOptions, convert: Converter) -> Converter:
    """Fast path for date cells (a ``date`` from the reader): only the range check."""
    low, high = opts.min_date, opts.max_date

    def dates(value: object) -> Result:
        if value.__class__ is date:
            assert isinstance(value, date)
            if low <= value <= high:
                return value, None
        return convert(value)

    return dates


def make_converter(col: Column, options: CellOptions | None = None) -> Converter:
    """The converter of one declared column: ``cell value → (value, problem)``.

    Blank cells are the caller's business (required or not); a converter
    never raises on any input.
    """
    opts = options or CellOptions()
    kind = col.type
    if kind in (ColType.CHOICE, ColType.BOOL):
        return _memo_text(_make_converter(col, opts))
    if kind is ColType.DATE:
        return _dates(opts, _make_converter(col, opts))
    return _make_converter(col, opts)


def _make_converter(col: Column, opts: CellOptions) -> Converter:
    kind = col.type
    if kind is ColType.TEXT:
        return to_text_cell
    if kind in _ID_LABEL:
        return lambda v: to_identity_cell(v, kind, opts)
    if kind is ColType.DECIMAL:
        places = col.decimals
        return _ranged(col, lambda v: to_decimal_cell(v, places))
    if kind is ColType.INT:
        return _ranged(col, to_int_cell)
    if kind is ColType.DATE:
        return lambda v: to_date_cell(v, opts)
    if kind is ColType.DATETIME:
        return lambda v: to_datetime_cell(v, opts)
    if kind is ColType.BOOL:
        return to_bool_cell
    if kind is ColType.CHOICE:
        return make_choice(col)
    if kind is ColType.DIGEST:
        return to_digest_cell
    raise ValueError(f"no converter for {kind}")  # programmer error: a new ColType


def convert_cell(value: object, col: Column, options: CellOptions | None = None) -> Result:
    """Convert one cell for ``col``, catching nothing: converters do not raise."""
    return make_converter(col, options)(value)


__all__ = [
    "CellOptions",
    "Converter",
    "Problem",
    "convert_cell",
    "float_to_decimal",
    "is_blank",
    "make_converter",
    "serial_to_datetime",
]
