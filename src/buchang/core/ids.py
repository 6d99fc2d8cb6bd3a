"""Identity and account checks: 身份证号, 统一社会信用代码, bank account numbers.

Each check returns a :class:`CheckResult` saying *why*, never a bare bool
(``shared/spec/domain.md`` section 2, "Identity checks"):

* 身份证号 — GB 11643-1999: 18 characters, a real birth date, and the check
  character ``'10X98765432'[Σ aᵢ·(2^(17-i) mod 11) mod 11]``. 15-digit numbers
  (pre-1999) and numbers that went through an Excel number cell (``1.10105E+17``,
  lost trailing digits) are rejected with a reason that says what to do.
* 统一社会信用代码 — GB 32100-2015: 18 characters from ``0-9A-Y`` minus I, O, Z,
  S, V; check character by ISO 7064 MOD 31-3 with weights 3^i mod 31. The first
  two characters may be letters — ``N2`` is a village-level collective economic
  organisation (村级集体经济组织), a common payee (python-stdnum wrongly rejects
  these, hence our own implementation).
* Bank account — digits only, 6 to 32 long; a Luhn failure is a *warning*
  (passbook and corporate accounts fail it and are still valid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from buchang.core.errors import Severity

ID_WEIGHTS: Final = tuple(2 ** (17 - i) % 11 for i in range(17))
ID_CHECK_CHARS: Final = "10X98765432"

#: Province-level codes (first two digits of a 身份证号 / GB/T 2260), including
#: 81/82/83 used by residence permits of HK, Macao and Taiwan residents.
PROVINCE_CODES: Final = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)

USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

#: 登记管理部门代码 → registering department (GB 32100-2015 附录A and later assignments).
USCC_DEPARTMENTS: Final = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管(工商)",
    "A": "中央军委改革和编制办公室",
    "G": "农业(旧)",
    "N": "农业农村",
    "Y": "其他",
}

#: Known 机构类别 for the departments a compensation office meets most.
USCC_CATEGORIES: Final = {
    "N1": "组级集体经济组织",
    "N2": "村级集体经济组织",
    "N3": "乡镇级集体经济组织",
    "N9": "农业农村其他",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "11": "机关",
    "12": "事业单位",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
}

_SCI_NOTATION: Final = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one identity or account check.

    Attributes:
        value: the input as given (stringified).
        kind: ``resident_id``, ``credit_code`` or ``bank_account``.
        valid: False when ``severity`` is ``error``.
        code: stable code (``OK``, ``ID_CHECK_DIGIT``, ``BANK_LUHN`` …).
        reason: a sentence saying why (in Chinese and English).
        severity: ``info`` when fine, ``warning`` for a doubtful but usable
            value, ``error`` when the value must be corrected.
        normalized: the cleaned value (upper case, blanks removed) when usable.
        details: extra facts (birth date, sex, registering department …).
    """

    value: str
    kind: str
    valid: bool
    code: str
    reason: str
    severity: Severity = Severity.INFO
    normalized: str | None = None
    details: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.value}: {self.severity.value} [{self.code}] {self.reason}"


def _fail(value: str, kind: str, code: str, reason: str) -> CheckResult:
    return CheckResult(value, kind, False, code, reason, Severity.ERROR)


def _as_text(value: object, kind: str) -> tuple[str, CheckResult | None]:
    """Turn an input into text; an int or float means a spreadsheet number cell."""
    if isinstance(value, bool):
        return str(value), _fail(str(value), kind, "NOT_TEXT", "布尔值不是号码 / a boolean is not a number")
    if isinstance(value, int | float):
        text = repr(value)
        return text, _fail(
            text,
            kind,
            "ID_STORED_AS_NUMBER",
            "号码以数字单元格保存，已丢失位数，请将该列设为文本后重新录入 / "
            "stored as a spreadsheet number, digits are lost: re-enter it in a text cell",
        )
    if not isinstance(value, str):
        text = str(value)
        return text, _fail(text, kind, "NOT_TEXT", f"不是文本 / not text ({type(value).__name__})")
    return value, None


def check_resident_id(value: object, *, on: date | None = None) -> CheckResult:
    """Check a 居民身份证号码 (GB 11643-1999).

    ``on`` is the date a birth date may not be after (defaults to today).

    >>> check_resident_id("11010519491231002X").code
    'OK'
    >>> check_resident_id("110105194912310021").code
    'ID_CHECK_DIGIT'
    """
    kind = "resident_id"
    text, bad = _as_text(value, kind)
    if bad is not None:
        return bad
    raw = text
    text = text.strip().replace(" ", "").upper()
    if _SCI_NOTATION.match(text):
        return _fail(
            raw,
            kind,
            "ID_STORED_AS_NUMBER",
            "号码被电子表格转成科学计数法，已丢失位数，请改为文本单元格重新录入 / "
            "turned into scientific notation by a spreadsheet: digits are lost, re-enter as text",
        )
    if len(text) == 15 and text.isdigit():
        return _fail(
            raw,
            kind,
            "ID_15_DIGIT",
            "15位旧身份证号码，请换用18位号码 / a 15-digit pre-1999 number: use the 18-digit number",
        )
    if len(text) != 18:
        return _fail(
            raw, kind, "ID_LENGTH", f"应为18位，实为{len(text)}位 / must be 18 characters, got {len(text)}"
        )
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        return _fail(
            raw, kind, "ID_CHARACTERS", "前17位须为数字，末位为数字或X / 17 digits then a digit or X"
        )
    if text[:2] not in PROVINCE_CODES:
        return _fail(raw, kind, "ID_REGION", f"行政区划代码{text[:6]}无效 / no province {text[:2]}")
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return _fail(raw, kind, "ID_BIRTH_DATE", f"出生日期{text[6:14]}不存在 / no such birth date")
    limit = on or date.today()
    if birth > limit or birth.year < 1880:
        return _fail(
            raw, kind, "ID_BIRTH_DATE", f"出生日期{birth.isoformat()}不合理 / implausible birth date"
        )
    total = sum(int(c) * w for c, w in zip(text[:17], ID_WEIGHTS, strict=True))
    expected = ID_CHECK_CHARS[total % 11]
    if text[17] != expected:
        return _fail(
            raw,
            kind,
            "ID_CHECK_DIGIT",
            f"校验码应为{expected}，实为{text[17]} / check character should be {expected}, is {text[17]}",
        )
    sex = "男" if int(text[16]) % 2 else "女"
    return CheckResult(
        raw,
        kind,
        True,
        "OK",
        "有效 / valid",
        Severity.INFO,
        text,
        (("birth_date", birth.isoformat()), ("sex", sex), ("region", text[:6])),
    )


def check_credit_code(value: object) -> CheckResult:
    """Check a 统一社会信用代码 (GB 32100-2015), letters allowed in the first two places.

    >>> check_credit_code("91350100M000100Y43").code
    'OK'
    """
    kind = "credit_code"
    text, bad = _as_text(value, kind)
    if bad is not None:
        return bad
    raw = text
    text = text.strip().replace(" ", "").upper()
    if len(text) != 18:
        return _fail(
            raw, kind, "USCC_LENGTH", f"应为18位，实为{len(text)}位 / must be 18 characters, got {len(text)}"
        )
    bad_chars = sorted({c for c in text if c not in USCC_CHARSET})
    if bad_chars:
        return _fail(
            raw,
            kind,
            "USCC_CHARACTERS",
            f"含不允许的字符{''.join(bad_chars)}（不用I、O、Z、S、V） / characters not allowed: {''.join(bad_chars)}",
        )
    if not text[2:8].isdigit():
        return _fail(
            raw, kind, "USCC_REGION", f"第3-8位行政区划码应为数字：{text[2:8]} / region code must be digits"
        )
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(text[:17], USCC_WEIGHTS, strict=True))
    expected = USCC_CHARSET[(31 - total % 31) % 31]
    if text[17] != expected:
        return _fail(
            raw,
            kind,
            "USCC_CHECK_DIGIT",
            f"校验码应为{expected}，实为{text[17]} / check character should be {expected}, is {text[17]}",
        )
    details = [("department", USCC_DEPARTMENTS.get(text[0], "未知"))]
    if text[:2] in USCC_CATEGORIES:
        details.append(("category", USCC_CATEGORIES[text[:2]]))
    details.append(("region", text[2:8]))
    if text[0] not in USCC_DEPARTMENTS:
        return CheckResult(
            raw,
            kind,
            True,
            "USCC_UNKNOWN_DEPARTMENT",
            f"校验通过，但登记管理部门代码{text[0]}未知 / check passes, registering department {text[0]} unknown",
            Severity.WARNING,
            text,
            tuple(details),
        )
    return CheckResult(raw, kind, True, "OK", "有效 / valid", Severity.INFO, text, tuple(details))


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def check_bank_account(value: object) -> CheckResult:
    """Check a bank account number: 6–32 digits; Luhn failure is only a warning.

    >>> check_bank_account("6222020200112233445").severity.value
    'warning'
    """
    kind = "bank_account"
    text, bad = _as_text(value, kind)
    if bad is not None:
        return bad
    raw = text
    text = text.strip().replace(" ", "").replace("-", "")
    if _SCI_NOTATION.match(text):
        return _fail(
            raw,
            kind,
            "ID_STORED_AS_NUMBER",
            "账号被电子表格转成科学计数法，请改为文本单元格 / scientific notation: re-enter as text",
        )
    if not text.isdigit():
        return _fail(raw, kind, "ACCOUNT_CHARACTERS", "账号只能含数字 / an account number has digits only")
    if not 6 <= len(text) <= 32:
        return _fail(
            raw, kind, "ACCOUNT_LENGTH", f"账号长度{len(text)}不在6–32位 / length {len(text)} not in 6–32"
        )
    if not luhn_ok(text):
        return CheckResult(
            raw,
            kind,
            True,
            "BANK_LUHN",
            "Luhn校验未通过（存折、对公账户常见），请核对 / fails the Luhn check "
            "(common for passbook and corporate accounts): please confirm",
            Severity.WARNING,
            text,
        )
    return CheckResult(raw, kind, True, "OK", "有效 / valid", Severity.INFO, text)


def guess_and_check(value: str, *, on: date | None = None) -> CheckResult:
    """Check a value whose kind is not given: 18 characters with a letter in the
    first two places, or failing the ID pattern, is a credit code; 15/18 chars
    of digits(+X) an ID; anything else a bank account."""
    text = value.strip().upper()
    if len(text) == 15 and text.isdigit():
        return check_resident_id(value, on=on)
    if len(text) == 18:
        if text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
            result = check_resident_id(value, on=on)
            if result.valid:
                return result
            alt = check_credit_code(value)
            return alt if alt.valid else result
        return check_credit_code(value)
    if _SCI_NOTATION.match(text):
        return check_resident_id(value, on=on)
    return check_bank_account(value)


def mask(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """Mask an ID or account for publication (公示): ``3101**********1234``."""
    text = value.strip()
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]
