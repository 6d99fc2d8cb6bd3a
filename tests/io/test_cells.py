"""Exact cell conversion: money via decimal text, dates in every spelling, IDs, fuzzing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buchang.io.cells import CellOptions, float_to_decimal, make_converter, serial_to_datetime
from buchang.io.schema import KINDS, ColType, Column

MONEY = Column("amount", "金额(元)", ColType.DECIMAL, minimum=Decimal(0), negative_code="NEGATIVE_AMOUNT")
DATE = Column("d", "日期", ColType.DATE)
WHEN = Column("t", "时间", ColType.DATETIME)
ID = Column("id", "身份证号", ColType.RESIDENT_ID)


def conv(col: Column, value: object) -> tuple[object, str | None]:
    got, problem = make_converter(col)(value)
    return got, (problem.code if problem else None)


# --- money -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # A typed 1234.565 is stored as "1234.565"; the reader's double is
        # 1234.56499999999994088…, whose shortest round-trip repr is "1234.565".
        (1234.565, "1234.565"),
        # 0.1 + 0.2 as a formula result is stored as 0.30000000000000004: more
        # decimals than declared, so we take Excel's own 15 significant digits.
        (0.1 + 0.2, "0.3"),
        (1.1 * 3, "3.3"),  # 3.3000000000000003
        (100.0, "100"),
        (0.01, "0.01"),
        (9999999999999.99, "9999999999999.99"),
        ("1,234.50", "1234.50"),
        ("１２３４．５", "1234.5"),  # full-width digits (NFKC)
        ("¥1234.50", "1234.50"),
        ("1234.5元", "1234.5"),
        (" 12 ", "12"),
        (Decimal("5.10"), "5.10"),
        (7, "7"),
    ],
)
def test_money_comes_out_as_the_decimal_the_user_typed(cell: object, expected: str) -> None:
    got, code = conv(Column("x", "x", ColType.DECIMAL, decimals=3), cell)
    assert code is None
    assert got == Decimal(expected)
    assert isinstance(got, Decimal)


def test_1234_565_in_a_two_decimal_column_is_rejected_not_rounded() -> None:
    # Where the typed value has more decimals than the column allows, there is
    # nothing to recover: the cell is rejected (with its location, by the caller).
    assert conv(MONEY, 1234.565) == (None, "TOO_MANY_DECIMALS")
    assert conv(MONEY, "1234.565") == (None, "TOO_MANY_DECIMALS")


def test_binary_artefact_recovered_only_when_it_fits() -> None:
    assert float_to_decimal(0.1 + 0.2, 2) == (Decimal("0.3"), None)
    value, problem = float_to_decimal(1 / 3, 2)  # 0.333333333333333: no typed value fits
    assert value is None and problem is not None and problem.code == "TOO_MANY_DECIMALS"


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        (-5, "NEGATIVE_AMOUNT"),
        ("-0.01", "NEGATIVE_AMOUNT"),
        ("abc", "WRONG_TYPE"),
        (True, "WRONG_TYPE"),
        (float("nan"), "WRONG_TYPE"),
        (float("inf"), "WRONG_TYPE"),
        ("1e400", "OUT_OF_RANGE"),
        (1e20, "OUT_OF_RANGE"),
        ("NaN", "WRONG_TYPE"),
        (datetime(2021, 1, 1), "WRONG_TYPE"),
    ],
)
def test_bad_amounts(cell: object, code: str) -> None:
    assert conv(MONEY, cell) == (None, code)


def test_range_and_int_columns() -> None:
    level = KINDS["reviews"].sheet("reviews").column("level")
    assert conv(level, 4.0) == (4, None)
    assert conv(level, "3") == (3, None)
    assert conv(level, 5) == (None, "OUT_OF_RANGE")
    assert conv(level, 0) == (None, "OUT_OF_RANGE")
    assert conv(level, 2.5) == (None, "WRONG_TYPE")
    newness = KINDS["survey"].sheet("buildings").column("newness")
    assert conv(newness, 0.85) == (Decimal("0.85"), None)
    assert conv(newness, 1.01) == (None, "OUT_OF_RANGE")


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2021-03-01",
        "2021/3/1",
        "2021.3.1",
        "2021年3月1日",
        "2021 年 3 月 1 日",
        "２０２１年３月１日",
        "20210301",
        "2021-03-01 00:00:00",
        44256,  # Excel serial
        44256.0,
        "44256",
        date(2021, 3, 1),
        datetime(2021, 3, 1, 15, 30),
    ],
)
def test_dates_in_every_spelling(cell: object) -> None:
    assert conv(DATE, cell) == (date(2021, 3, 1), None)


def test_datetimes() -> None:
    assert conv(WHEN, "2021-11-01 10:30") == (datetime(2021, 11, 1, 10, 30), None)
    assert conv(WHEN, "2021年11月1日 10:30:15") == (datetime(2021, 11, 1, 10, 30, 15), None)
    assert conv(WHEN, 44501.4375) == (datetime(2021, 11, 1, 10, 30), None)
    assert conv(WHEN, date(2021, 11, 1)) == (datetime(2021, 11, 1), None)


def test_excel_serial_edge_cases() -> None:
    assert serial_to_datetime(1) == datetime(1900, 1, 1)
    assert serial_to_datetime(59) == datetime(1900, 2, 28)
    assert serial_to_datetime(60) is None  # Excel's fictitious 1900-02-29
    assert serial_to_datetime(61) == datetime(1900, 3, 1)
    assert serial_to_datetime(0) is None
    assert serial_to_datetime(-1) is None


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2021-02-30", "WRONG_TYPE"),
        ("2021/13/1", "WRONG_TYPE"),
        ("明天", "WRONG_TYPE"),
        (time(10, 30), "WRONG_TYPE"),
        (timedelta(days=1), "WRONG_TYPE"),
        ("2150-01-01", "DATE_OUT_OF_RANGE"),
        ("1899-12-31", "DATE_OUT_OF_RANGE"),
        (True, "WRONG_TYPE"),
    ],
)
def test_bad_dates(cell: object, code: str) -> None:
    assert conv(DATE, cell) == (None, code)


def test_date_range_is_configurable() -> None:
    opts = CellOptions(min_date=date(2020, 1, 1), max_date=date(2022, 12, 31))
    assert make_converter(DATE, opts)("2019-12-31")[1] is not None
    assert make_converter(DATE, opts)("2020-01-01") == (date(2020, 1, 1), None)


# --- identity, choices, bools ------------------------------------------------------------


def test_identity_columns() -> None:
    assert conv(ID, "11010519491231002X") == ("11010519491231002X", None)
    assert conv(ID, "11010519491231002x") == ("11010519491231002X", None)
    assert conv(ID, "'11010519491231002X") == ("11010519491231002X", None)  # a leading apostrophe
    assert conv(ID, "１１０１０５１９４９１２３１００２Ｘ") == ("11010519491231002X", None)
    assert conv(ID, 110105194912310021) == (None, "ID_STORED_AS_NUMBER")
    assert conv(ID, 1.10105194912310e17) == (None, "ID_STORED_AS_NUMBER")
    assert conv(ID, "1.10105E+17") == (None, "ID_STORED_AS_NUMBER")
    assert conv(ID, "110105194912310021") == (None, "ID_CHECK_DIGIT")


def test_accounts_luhn_is_a_warning() -> None:
    account = Column("a", "账号", ColType.ACCOUNT)
    got, problem = make_converter(account)("6222020200112233445")
    assert got == "6222020200112233445"
    assert problem is not None and problem.code == "BANK_LUHN" and problem.severity.value == "warning"
    assert "6222***********3445" in problem.message
    assert conv(account, 6222020200112233446) == (None, "ID_STORED_AS_NUMBER")


def test_payee_id_accepts_a_village_collective_credit_code() -> None:
    payee = Column("p", "证件号", ColType.PAYEE_ID)
    assert conv(payee, "11010519491231002X")[1] is None
    assert conv(payee, "91350100M000100Y43")[1] is None


def test_choices_by_label_value_or_alias() -> None:
    legality = KINDS["survey"].sheet("buildings").column("legality")
    assert conv(legality, "合法") == ("legal", None)
    assert conv(legality, "违建") == ("illegal", None)
    assert conv(legality, " Legal ") == ("legal", None)
    assert conv(legality, "半合法") == (None, "UNKNOWN_CATEGORY")
    structure = KINDS["survey"].sheet("buildings").column("structure")
    assert conv(structure, "砖混二等") == ("brick_concrete_2", None)
    assert conv(structure, "frame_steel_3") == ("frame_steel_3", None)  # a local table's row key
    assert conv(structure, "奇怪结构") == (None, "UNKNOWN_CATEGORY")


@pytest.mark.parametrize(
    ("cell", "expected"), [("是", True), ("否", False), ("Y", True), (1, True), (False, False)]
)
def test_bools(cell: object, expected: bool) -> None:
    assert conv(Column("b", "b", ColType.BOOL), cell) == (expected, None)


# --- fuzz: a converter never raises ------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.from_regex(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?( \d{1,2}:\d{2})?", fullmatch=True),
    st.from_regex(r"-?[0-9,，.．]{1,20}(e[+-]?\d{1,6})?", fullmatch=True),
)

ALL_COLUMNS = [c for kind in KINDS.values() for sheet in kind.sheets for c in sheet.columns]


@settings(max_examples=300, deadline=None)
@given(value=CELLS, index=st.integers(min_value=0, max_value=len(ALL_COLUMNS) - 1))
def test_fuzz_converters_never_raise(value: object, index: int) -> None:
    col = ALL_COLUMNS[index]
    got, problem = make_converter(col)(value)
    if problem is not None and problem.severity.value == "error":
        assert got is None
    if col.type is ColType.DECIMAL and got is not None:
        assert isinstance(got, Decimal)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("-9999999999999.99"), max_value=Decimal("9999999999999.99"), places=2))
def test_fuzz_typed_two_decimal_amounts_round_trip_through_float(amount: Decimal) -> None:
    """Any amount a user can type (≤ 15 significant digits) survives a float cell."""
    if len(amount.as_tuple().digits) > 15:
        return
    got, problem = make_converter(Column("m", "m", ColType.DECIMAL))(float(amount))
    assert problem is None
    assert got == amount


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"[1-9]\d{16}[\dX]", fullmatch=True),
        st.builds(
            lambda d, seq: _with_check(f"110105{d:%Y%m%d}{seq:03d}"),
            st.dates(min_value=date(1870, 1, 1), max_value=date(2030, 12, 31)),
            st.integers(0, 999),
        ),
    )
)
def test_fast_id_path_agrees_with_the_core_check(text: str) -> None:
    from buchang.core.ids import check_resident_id
    from buchang.io.cells import valid_resident_id_fast

    today = date(2026, 1, 1)
    assert valid_resident_id_fast(text, today) == (check_resident_id(text, on=today).code == "OK")


def _with_check(body: str) -> str:
    from buchang.core.ids import ID_CHECK_CHARS, ID_WEIGHTS

    return body + ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
