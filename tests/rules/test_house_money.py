"""Money option for houses on collective land (spec 4.3), one worked case per variant."""

from __future__ import annotations

from datetime import date

from tests.rules.test_house_support import (
    building,
    codes,
    compute,
    fen,
    household,
    one,
    project,
    rule_lines,
    snapshot_for,
    snapshot_of,
    version_from_yaml,
)

from buchang.rules.lines import Category
from buchang.tables.model import Status


def test_shanghai_75_three_terms() -> None:
    # 上海 75号 structure [unconfirmed], shanghai.house.collective_price (illustrative):
    # 砖混二等 重置单价 1250, 土地使用权基价 3000, 价格补贴 400 (元/m²). 100 m², 成新 0.8:
    #   100 × 1250 × 0.8 = 100000.00   房屋补偿费
    #   100 × 3000       = 300000.00   房屋补偿费 (land-use base price)
    #   100 × 400        =  40000.00   补贴
    lines, issues = compute(project("310000", date(2021, 1, 1)), household(building(newness="0.8")))
    money = rule_lines(lines, "house.collective.money.shanghai_75")
    assert [ln.amount_fen for ln in money] == [fen("100000"), fen("300000"), fen("40000")]
    assert [ln.category for ln in money] == [Category.HOUSE, Category.HOUSE, Category.SUBSIDY]
    assert all(ln.amount_fen == ln.recompute_fen() for ln in lines)
    assert money[0].refs[0].row == "brick_concrete_2"
    assert money[0].refs[0].status is Status.ILLUSTRATIVE
    assert issues == []


def test_rounding_once_per_line_half_up() -> None:
    # 33.33 m² × 1250 × 0.67 = 27913.875 → 27913.88 (四舍五入 once, on the line).
    lines, _ = compute(project("310000", date(2021, 1, 1)), household(building(area="33.33", newness="0.67")))
    first = rule_lines(lines, "house.collective.money.shanghai_75")[0]
    assert first.amount_fen == 2791388


def test_songjiang_version_follows_the_notice_date() -> None:
    # songjiang.house.collective_price: notice on/before 2019-12-31 → old version
    # (1200 / 2800 / 350): 100 × (1200 + 2800 + 350) = 435000.00;
    # notice from 2020-01-01 → 2020 version (1350 / 3600 / 450): 100 × 5400 = 540000.00.
    h = household(building())
    old, _ = compute(project("310117", date(2019, 12, 31)), h)
    new, _ = compute(project("310117", date(2020, 1, 1)), h)
    old_money = rule_lines(old, "house.collective.money")
    new_money = rule_lines(new, "house.collective.money")
    assert sum(ln.amount_fen for ln in old_money) == fen("435000")
    assert sum(ln.amount_fen for ln in new_money) == fen("540000")
    assert {r.version for ln in old_money for r in ln.refs} == {"old-illustrative"}
    assert {r.version for ln in new_money for r in ln.refs} == {"2020-illustrative"}


def test_baoshan_inherits_shanghai() -> None:
    # 宝山 310113 has no table of its own: the lookup answers with 上海 310000.
    snap = snapshot_for(project("310113", date(2021, 1, 1)))
    assert snap.require("house.collective_price").table_id == "shanghai.house.collective_price"


def test_yongzhou_2024_structure_plus_decoration() -> None:
    # 永州 2024 [secondary]: 砖混二等 750 + 装修 500 = 1250 元/m², no newness factor.
    #   100 × 750 = 75000.00; 100 × 500 = 50000.00; together 100 × 1250 = 125000.00.
    lines, _ = compute(project("431100", date(2024, 6, 1)), household(building(newness="0.5")))
    money = rule_lines(lines, "house.collective.money.yongzhou_2024")
    assert [ln.amount_fen for ln in money] == [fen("75000"), fen("50000")]
    assert sum(ln.amount_fen for ln in money) == fen("125000")
    assert money[0].factors == ()
    assert {r.status for ln in money for r in ln.refs} == {Status.SECONDARY}
    assert {r.document for ln in money for r in ln.refs} == {"永政发〔2024〕4号"}


def test_replacement_newness_banan_and_hangzhou() -> None:
    # 巴南 (illustrative): 砖混一等 800 × 100 m² × 0.9 = 72000.00.
    lines, _ = compute(
        project("500113", date(2016, 1, 1)), household(building(structure="brick_concrete_1", newness="0.9"))
    )
    assert one(lines, "house.collective.money.replacement_newness").amount_fen == fen("72000")
    # 杭州 (illustrative): 砖混二等 1050 × 100 × 0.8 = 84000.00.
    lines, _ = compute(project("330100", date(2021, 1, 1)), household(building(newness="0.8")))
    assert one(lines, "house.collective.money.replacement_newness").amount_fen == fen("84000")


def test_unknown_structure_is_an_issue() -> None:
    # The 永州 copy gives only 砖混二等: another grade is reported, not guessed.
    lines, issues = compute(project("431100", date(2024, 6, 1)), household(building(structure="brick_wood")))
    assert rule_lines(lines, "house.collective.money") == []
    assert "HOUSE_STRUCTURE_UNKNOWN" in codes(issues)
    assert "brick_concrete_2" in next(i for i in issues if i.code == "HOUSE_STRUCTURE_UNKNOWN").message


def test_unknown_variant_is_an_issue() -> None:
    odd = version_from_yaml(
        """
        id: t.price
        kind: house.collective_price
        variant: no_such_rule
        jurisdiction: "310000"
        title: t
        columns:
          replacement_price: {unit: 元/m2}
        versions:
          - version: "1"
            status: illustrative
            effective_from: 2000-01-01
            verified_on: 2026-01-01
            source: {issuer: t, document: t, article: t}
            rows:
              - {key: brick_concrete_2, replacement_price: "1000"}
        """
    )
    p = project("310000", date(2021, 1, 1))
    lines, issues = compute(p, household(building()), snapshot_of(odd, base=snapshot_for(p)))
    assert rule_lines(lines, "house.collective.money") == []
    assert "HOUSE_VARIANT_UNKNOWN" in codes(issues)


def test_no_house_tables_is_reported_not_raised() -> None:
    # 广东 440000 has no house tables: the rules say so instead of failing.
    lines, issues = compute(project("440000", date(2023, 1, 1)), household(building()))
    assert lines == []
    assert codes(issues) == ["HOUSE_TABLE_MISSING", "HOUSE_FEES_NOT_COMPUTED"]
