"""大写金额 per the People's Bank of China 《正确填写票据和结算凭证的基本规定》 第二条.

The rules (quoted in shared/spec/domain.md section 2):
  (二) 整 after 元 when there is no 角/分; no 整 after 分;
  (五)1 a 0 inside the number is written 零;
  (五)2 a run of 0s inside the number may be written as one 零;
  (五)3 when 万位 or 元位 is 0 (possibly inside a run) but 千位/角位 is not, 零 may be
        written once or left out — buchang's documented policy (money.uppercase):
        after 元 it writes the 零 (the tamper-resistant choice); a zero 万位 followed by
        a non-zero 千位 writes none (壹拾万柒仟, the PBoC's own first form);
  (五)4 when 角 is 0 and 分 is not, 零 after 元 is required.
壹拾 is kept (not 拾); amounts are rounded 四舍五入 to 分 first.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from buchang.core.money import uppercase

# --- the official examples ----------------------------------------------------------

# The PBoC text, 第二条(五), gives each example amount with its allowed written forms.
OFFICIAL = [
    # (五)1: ￥1,409.50 → 人民币壹仟肆佰零玖元伍角 (零 for the 0 in 十位; no 整 after 角)
    ("1409.50", {"壹仟肆佰零玖元伍角"}),
    # (五)2: ￥6,007.14 → 陆仟零柒元壹角肆分 (one 零 for the two 0s)
    ("6007.14", {"陆仟零柒元壹角肆分"}),
    # (五)3: ￥1,680.32 → 壹仟陆佰捌拾元零叁角贰分 or 壹仟陆佰捌拾元叁角贰分 (元位 0, 角 not 0)
    ("1680.32", {"壹仟陆佰捌拾元零叁角贰分", "壹仟陆佰捌拾元叁角贰分"}),
    # (五)3: ￥107,000.53 → 壹拾万柒仟元零伍角叁分 or 壹拾万零柒仟元伍角叁分
    ("107000.53", {"壹拾万柒仟元零伍角叁分", "壹拾万零柒仟元伍角叁分"}),
    # (五)4: ￥16,409.02 → 壹万陆仟肆佰零玖元零贰分 (角 0, 分 not 0: 零 required)
    ("16409.02", {"壹万陆仟肆佰零玖元零贰分"}),
    # (五)4: ￥325.04 → 叁佰贰拾伍元零肆分
    ("325.04", {"叁佰贰拾伍元零肆分"}),
]

# buchang's canonical choice among the allowed forms (money.uppercase docstring).
CANONICAL = {
    "1409.50": "壹仟肆佰零玖元伍角",
    "6007.14": "陆仟零柒元壹角肆分",
    "1680.32": "壹仟陆佰捌拾元零叁角贰分",  # 零 after 元 written
    "107000.53": "壹拾万柒仟元零伍角叁分",  # no 零 for the zero 万位, 零 after 元
    "16409.02": "壹万陆仟肆佰零玖元零贰分",
    "325.04": "叁佰贰拾伍元零肆分",
}


@pytest.mark.parametrize(("amount", "allowed"), OFFICIAL)
def test_official_examples(amount: str, allowed: set[str]) -> None:
    words = uppercase(amount)
    assert words in allowed
    assert words == CANONICAL[amount]


def test_input_types_agree() -> None:
    assert uppercase(Decimal("107000.53")) == uppercase("107000.53") == uppercase("107,000.53")
    assert uppercase(5) == "伍元整"
    assert uppercase(Fraction(1, 3)) == "叁角叁分"  # 0.333… rounds to 0.33


# --- hand-checked cases ---------------------------------------------------------------

HAND_CHECKED = [
    # below one yuan: no 元, no leading 零
    ("0.01", "壹分"),
    ("0.10", "壹角"),  # no 整 after 角 (rule 二)
    ("0.35", "叁角伍分"),
    ("0.05", "伍分"),
    # 整 after 元 when no 角/分 (rule 二); 壹拾 kept
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("1.10", "壹元壹角"),
    # zero in each position of the 元 section (rule 五1/五2)
    ("101", "壹佰零壹元整"),  # 十位 0
    ("110", "壹佰壹拾元整"),  # 元位 0 at the end: no 零
    ("1001", "壹仟零壹元整"),  # 百位 and 十位 0: one 零
    ("1010", "壹仟零壹拾元整"),  # 百位 0, 元位 0
    ("1100", "壹仟壹佰元整"),
    ("10001", "壹万零壹元整"),  # 仟 to 拾 all 0: one 零
    ("10010", "壹万零壹拾元整"),
    ("10100", "壹万零壹佰元整"),
    ("100100", "壹拾万零壹佰元整"),
    ("1001000", "壹佰万壹仟元整"),  # 万位 0, 千位 not 0: 零 may be left out (五3), policy leaves it
    # 角/分 positions
    ("1.01", "壹元零壹分"),  # 角 0, 分 not: 零 required (五4)
    ("100.01", "壹佰元零壹分"),  # zeros in 十位, 元位 and 角位
    ("100.10", "壹佰元零壹角"),  # 元位 0, 角 not 0: 零 optional (五3), policy writes it
    ("100.11", "壹佰元零壹角壹分"),
    ("1000000.01", "壹佰万元零壹分"),
    ("20000000.20", "贰仟万元零贰角"),
    # 万 and 亿 boundaries
    ("10000", "壹万元整"),
    ("99990000", "玖仟玖佰玖拾玖万元整"),
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),  # 1,0001,0000: 千万位 to 十万位 0 → 零, then 壹万
    ("100001000", "壹亿零壹仟元整"),  # 1,0000,1000: the whole 万 section 0 → one 零
    ("110000000", "壹亿壹仟万元整"),  # 1,1000,0000: no zero before 壹仟万
    ("1070000000", "壹拾亿柒仟万元整"),  # 10,7000,0000: 亿位 0 then 千万位 7, like 壹拾万柒仟
    ("1000010000", "壹拾亿零壹万元整"),
    ("1000000000000", "壹万亿元整"),  # 1,0000,0000,0000: the count of 亿 is itself 壹万
    ("3000000000005", "叁万亿零伍元整"),
]


@pytest.mark.parametrize(("amount", "expected"), HAND_CHECKED)
def test_hand_checked(amount: str, expected: str) -> None:
    assert uppercase(amount) == expected


def test_maximum() -> None:
    # 9,9999,9999,9999.99 = 玖万玖仟玖佰玖拾玖 亿, 玖仟玖佰玖拾玖 万, 玖仟玖佰玖拾玖 元, 玖角玖分
    assert uppercase("9999999999999.99") == "玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"
    assert uppercase("-9999999999999.99").startswith("负玖万玖仟")


@pytest.mark.parametrize(
    "amount",
    [
        "10000000000000",  # 10 万亿 = the maximum plus one fen
        "9999999999999.995",  # rounds half up to 10,000,000,000,000.00
        "-10000000000000",
        "1e100",
    ],
)
def test_beyond_the_maximum(amount: str) -> None:
    with pytest.raises(ValueError):
        uppercase(amount)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("-0", "零元整"),
        ("0.004", "零元整"),  # rounds to 0.00
        ("-0.004", "零元整"),  # rounds to -0.00, which is zero: no 负
        ("-0.005", "负壹分"),  # half away from zero: -0.01
        ("-1.5", "负壹元伍角"),
        ("-107000.53", "负壹拾万柒仟元零伍角叁分"),
    ],
)
def test_zero_and_negative(amount: str, expected: str) -> None:
    assert uppercase(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1.005", "壹元零壹分"),  # 四舍五入: 1.005 → 1.01 (half even would give 1.00)
        ("1.004", "壹元整"),  # → 1.00
        ("2.345", "贰元叁角伍分"),  # → 2.35
        ("0.995", "壹元整"),  # → 1.00: the carry reaches 元
        ("9.995", "壹拾元整"),  # → 10.00
        ("107000.525", "壹拾万柒仟元零伍角叁分"),  # → 107000.53
    ],
)
def test_third_decimal_is_rounded_first(amount: str, expected: str) -> None:
    assert uppercase(amount) == expected


def test_invalid_amount() -> None:
    with pytest.raises(ValueError):
        uppercase("十元")
    with pytest.raises(TypeError):
        uppercase(10.5)  # type: ignore[arg-type]
