"""Identity and account checks (shared/spec/domain.md section 2, "Identity checks").

身份证号, GB 11643-1999: check = '10X98765432'[Σ aᵢ·wᵢ mod 11] with
    wᵢ = 2^(17-i) mod 11 = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
统一社会信用代码, GB 32100-2015: charset 0123456789ABCDEFGHJKLMNPQRTUWXY
    (A=10 B=11 C=12 D=13 E=14 F=15 G=16 H=17 J=18 K=19 L=20 M=21 N=22 P=23 Q=24 R=25
    T=26 U=27 W=28 X=29 Y=30), weights 3^i mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8
    24 10 30 28, check = (31 − Σ mod 31) mod 31.
"""

from __future__ import annotations

from datetime import date

import pytest

from buchang.core.errors import Severity
from buchang.core.ids import (
    ID_WEIGHTS,
    USCC_WEIGHTS,
    check_bank_account,
    check_credit_code,
    check_resident_id,
    guess_and_check,
    luhn_ok,
    mask,
)

ON = date(2026, 11, 21)  # fixed "today" for birth-date plausibility


def test_weights_match_the_standards() -> None:
    assert ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert tuple(3**i % 31 for i in range(17)) == USCC_WEIGHTS


# --- 身份证号 ---------------------------------------------------------------------

VALID_IDS = [
    # GB 11643-1999's own example 11010519491231002X:
    # digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 × weights →
    # 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → 'X'
    ("11010519491231002X", "1949-12-31", "女"),  # 17th digit 2 even → female
    # 3 3 0 1 0 6 1 9 9 0 0 1 0 1 1 2 2 →
    # 21+27+0+5+0+24+2+9+54+0+0+9+0+5+8+8+4 = 176; 176 mod 11 = 0 → '1'
    ("330106199001011221", "1990-01-01", "女"),
    # born on a leap day: 3 1 0 1 1 7 1 9 8 0 0 2 2 9 0 0 1 →
    # 21+9+0+5+8+28+2+9+48+0+0+18+20+45+0+0+2 = 215; 215 mod 11 = 6 → '6'
    ("310117198002290016", "1980-02-29", "男"),  # 17th digit 1 odd → male
]


@pytest.mark.parametrize(("value", "birth", "sex"), VALID_IDS)
def test_valid_resident_ids(value: str, birth: str, sex: str) -> None:
    r = check_resident_id(value, on=ON)
    assert (r.valid, r.code, r.severity) == (True, "OK", Severity.INFO)
    assert r.normalized == value
    assert dict(r.details) == {"birth_date": birth, "sex": sex, "region": value[:6]}


def test_lower_case_x_and_blanks_are_normalised() -> None:
    r = check_resident_id(" 110105 19491231002x ", on=ON)
    assert r.valid
    assert r.normalized == "11010519491231002X"
    assert r.value == " 110105 19491231002x "  # the value as given


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # same 17 digits as the GB example, check char 1 instead of X
        ("110105194912310021", "ID_CHECK_DIGIT"),
        # 1949-02-30 does not exist (check char computed right: Σ = 155, 155 mod 11 = 1 → '0')
        ("110105194902300020", "ID_BIRTH_DATE"),
        # 2030-01-01 is after ON (Σ = 79, 79 mod 11 = 2 → 'X', so only the date is wrong)
        ("11010520300101001X", "ID_BIRTH_DATE"),
        # province 99 does not exist (Σ = 167 + 8·7 + 8·9 = 295, 295 mod 11 = 9 → '3')
        ("990105194912310023", "ID_REGION"),
        ("110105491231002", "ID_15_DIGIT"),  # pre-1999 15-digit number
        ("1.10105E+17", "ID_STORED_AS_NUMBER"),  # what Excel shows for a number cell
        ("1.10105194912310E+17", "ID_STORED_AS_NUMBER"),
        ("1101051949123100", "ID_LENGTH"),  # 16 characters
        ("11010519491231002Y", "ID_CHARACTERS"),
        ("X10105194912310021", "ID_CHARACTERS"),
    ],
)
def test_invalid_resident_ids(value: str, code: str) -> None:
    r = check_resident_id(value, on=ON)
    assert (r.valid, r.code, r.severity) == (False, code, Severity.ERROR)
    assert r.reason  # always says why
    assert r.normalized is None


def test_check_digit_reason_names_the_expected_char() -> None:
    r = check_resident_id("110105194912310021", on=ON)
    assert "X" in r.reason


def test_future_birth_date_depends_on_the_reference_date() -> None:
    assert check_resident_id("11010520300101001X", on=date(2031, 1, 1)).valid
    assert not check_resident_id("11010520300101001X", on=date(2029, 12, 31)).valid


@pytest.mark.parametrize("value", [110105194912310020, 1.10105194912310e17])
def test_number_input_is_a_lost_spreadsheet_cell(value: object) -> None:
    # An 18-digit ID in an Excel number cell keeps 15 significant digits: reject, ask for text.
    r = check_resident_id(value)
    assert (r.valid, r.code) == (False, "ID_STORED_AS_NUMBER")
    assert "文本" in r.reason and "text" in r.reason


def test_non_text_inputs() -> None:
    assert check_resident_id(True).code == "NOT_TEXT"
    assert check_resident_id(None).code == "NOT_TEXT"


def test_str_of_a_result() -> None:
    assert str(check_resident_id("110105194912310021", on=ON)).startswith(
        "110105194912310021: error [ID_CHECK_DIGIT]"
    )


# --- 统一社会信用代码 ---------------------------------------------------------------


def test_valid_enterprise_code() -> None:
    # 91350100M000100Y4 → values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4
    # Σ = 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28;
    # (31 − 28) mod 31 = 3 → '3'
    r = check_credit_code("91350100M000100Y43")
    assert (r.valid, r.code) == (True, "OK")
    assert dict(r.details) == {"department": "市场监管(工商)", "category": "企业", "region": "350100"}


def test_valid_village_collective_code() -> None:
    # A constructed 村级集体经济组织 code: N (农业农村) 2 (村级) 330106 (西湖区) MA2C4D5E6 + check.
    # values N=22 2 3 3 0 1 0 6 M=21 A=10 2 C=12 4 D=13 5 E=14 6
    # Σ = 22+6+27+81+0+26+0+102+420+290+50+156+32+312+50+420+168 = 2162;
    # 2162 mod 31 = 23 (31·69 = 2139); (31 − 23) mod 31 = 8 → '8'
    r = check_credit_code("N2330106MA2C4D5E68")
    assert (r.valid, r.code, r.severity) == (True, "OK", Severity.INFO)
    assert dict(r.details)["category"] == "村级集体经济组织"
    assert dict(r.details)["department"] == "农业农村"


def test_lower_case_code_is_normalised() -> None:
    r = check_credit_code("n2330106ma2c4d5e68")
    assert r.valid and r.normalized == "N2330106MA2C4D5E68"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letters(letter: str) -> None:
    # GB 32100-2015 leaves out I, O, Z, S, V (confusable with 1, 0, 2, 5, U).
    r = check_credit_code(f"91350100{letter}000100Y43")
    assert (r.valid, r.code) == (False, "USCC_CHARACTERS")
    assert letter in r.reason


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y44", "USCC_CHECK_DIGIT"),  # the check char is 3 (see above)
        ("N2330106MA2C4D5E67", "USCC_CHECK_DIGIT"),  # the check char is 8 (see above)
        ("91350100M000100Y4", "USCC_LENGTH"),
        ("9135A100M000100Y43", "USCC_REGION"),  # 登记管理机关行政区划码 must be digits
    ],
)
def test_invalid_credit_codes(value: str, code: str) -> None:
    r = check_credit_code(value)
    assert (r.valid, r.code) == (False, code)


def test_unknown_department_is_a_warning() -> None:
    # B1350100M000100Y4: as the valid 91… code but the first value 11 instead of 9 (weight 1):
    # Σ = 1640 + 2 = 1642; 1642 mod 31 = 30; (31 − 30) mod 31 = 1 → '1'
    r = check_credit_code("B1350100M000100Y41")
    assert (r.valid, r.code, r.severity) == (True, "USCC_UNKNOWN_DEPARTMENT", Severity.WARNING)


# --- bank accounts ---------------------------------------------------------------------


def test_luhn_pass() -> None:
    # 4111111111111111: from the right, every second digit doubled:
    # seven 1s → 2 each = 14, the leading 4 → 8, the other eight 1s = 8; 14+8+8 = 30 ≡ 0 mod 10
    assert luhn_ok("4111111111111111")
    r = check_bank_account("4111 1111 1111 1111")
    assert (r.valid, r.code, r.severity) == (True, "OK", Severity.INFO)
    assert r.normalized == "4111111111111111"


def test_luhn_fail_is_only_a_warning() -> None:
    # Passbook and corporate accounts often fail Luhn and are still real accounts.
    r = check_bank_account("6222020200112233445")
    assert (r.valid, r.code, r.severity) == (True, "BANK_LUHN", Severity.WARNING)
    assert not luhn_ok("4111111111111112")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("62220202abc", "ACCOUNT_CHARACTERS"),
        ("12345", "ACCOUNT_LENGTH"),
        ("6.22202E+18", "ID_STORED_AS_NUMBER"),
        (6222020200112233445, "ID_STORED_AS_NUMBER"),
    ],
)
def test_invalid_accounts(value: object, code: str) -> None:
    r = check_bank_account(value)
    assert (r.valid, r.code, r.severity) == (False, code, Severity.ERROR)


# --- guessing the kind, masking -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "code"),
    [
        ("11010519491231002X", "resident_id", "OK"),
        ("110105194912310021", "resident_id", "ID_CHECK_DIGIT"),  # fails both: the ID reason
        ("N2330106MA2C4D5E68", "credit_code", "OK"),
        ("110105491231002", "resident_id", "ID_15_DIGIT"),
        ("1.10105E+17", "resident_id", "ID_STORED_AS_NUMBER"),
        ("4111111111111111", "bank_account", "OK"),
    ],
)
def test_guess_and_check(value: str, kind: str, code: str) -> None:
    r = guess_and_check(value, on=ON)
    assert (r.kind, r.code) == (kind, code)


def test_mask() -> None:
    assert mask("11010519491231002X") == "1101**********002X"
    assert mask("1234567") == "*******"
