"""Crops and ground attachments, spec 4.2: unit price by item × quantity; nothing for
items planted or built after the notice (实施条例第二十六条) — a zero line with a note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.rules.rules_kit import project

from buchang.rules.attachments import compute_household_attachments
from buchang.rules.engine import compute_household
from buchang.rules.inputs import Attachment, Household
from buchang.rules.lines import Category, PayeeKind, SubjectResult
from buchang.tables import Status, load_tables

NOTICE = date(2024, 6, 1)


def household(*items: Attachment) -> Household:
    return Household(household_id="H1", head_name="刘明", account="6222000000000009", attachments=items)


def item(iid: str, code: str, qty: str, since: date | None = None, spec: str | None = None) -> Attachment:
    return Attachment(
        item_id=iid, item_code=code, quantity=Decimal(qty), owner="刘明", since=since, spec=spec
    )


def compute(h: Household, jurisdiction: str = "431100", notice: date = NOTICE) -> SubjectResult:
    store, _ = load_tables()
    return compute_household(project(jurisdiction=jurisdiction, notice=notice, households=[h]), h, store)


def test_yongzhou_2024_crops_secondary_figures() -> None:
    # 永政发〔2024〕4号 附件3 [secondary]: 水田 2800 元/亩, 旱地 2000 元/亩, 成片林地 4000 元/亩.
    # 2.5 亩 × 2800 = 7,000.00; 1.2 亩 × 2000 = 2,400.00; 0.75 亩 × 4000 = 3,000.00; total 12,400.00.
    r = compute(
        household(item("A", "paddy", "2.5"), item("B", "dry", "1.2"), item("C", "forest_stand", "0.75"))
    )
    assert [line.amount for line in r.lines] == [Decimal("7000.00"), Decimal("2400.00"), Decimal("3000.00")]
    assert r.total_fen == 1240000
    assert all(line.category is Category.CROPS for line in r.lines)
    assert all(line.payee.kind is PayeeKind.OWNER and line.payee.name == "刘明" for line in r.lines)
    ref = r.lines[0].refs[0]
    assert (ref.table_id, ref.version, ref.row, ref.document, ref.article) == (
        "yongzhou.attachments.items",
        "2024",
        "paddy",
        "永政发〔2024〕4号",
        "附件3",
    )
    assert ref.status is Status.SECONDARY
    assert "TABLE_NOT_OFFICIAL" in {i.code for i in r.issues}  # secondary is said, visibly


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (None, Decimal("5600.00")),  # no date: compensated, 2 亩 × 2800
        (date(2024, 5, 31), Decimal("5600.00")),  # before the notice
        (date(2024, 6, 1), Decimal("5600.00")),  # on the notice date: not "after" it
        (date(2024, 6, 2), Decimal("0.00")),  # the day after: 抢栽, nothing
    ],
)
def test_after_notice_gets_nothing(since: date | None, expected: Decimal) -> None:
    r = compute(household(item("A", "paddy", "2", since=since)))
    (line,) = r.lines
    assert line.amount == expected
    assert line.amount_fen == line.recompute_fen()
    if expected == 0:
        assert line.factors[-1].value == 0 and "不予补偿" in line.note
        assert line.quantity == 2  # the item is still shown with its quantity


def test_spec_selects_a_diameter_band_and_falls_back_to_the_code() -> None:
    # Shanghai (illustrative): tree/d10_20 150 元/株 → 30 × 150 = 4,500.00;
    # paddy with an unknown spec falls back to the paddy row: 2 亩 × 2500 = 5,000.00.
    r = compute(
        household(item("T", "tree", "30", spec="d10_20"), item("P", "paddy", "2", spec="early")),
        jurisdiction="310117",
        notice=date(2020, 3, 16),
    )
    assert [line.amount for line in r.lines] == [Decimal("4500.00"), Decimal("5000.00")]
    assert r.lines[0].refs[0].row == "tree/d10_20"
    assert r.lines[0].category is Category.CROPS


def test_attachment_category_and_unknown_item() -> None:
    # 水井 1500 元/口 (illustrative) → 地上附着物补偿费; an unknown code is an error issue, no line.
    r = compute(
        household(item("W", "well", "1"), item("X", "spaceship", "1")),
        jurisdiction="310117",
        notice=date(2020, 3, 16),
    )
    assert [(line.category, line.amount) for line in r.lines] == [(Category.ATTACHMENTS, Decimal("1500.00"))]
    bad = [i for i in r.issues if i.code == "ITEM_NOT_IN_TABLE"]
    assert bad and bad[0].is_error and bad[0].location.key == "H1/X"


def test_no_table_is_an_issue_not_an_exception() -> None:
    from tests.rules.rules_kit import empty_snapshot

    h = household(item("A", "paddy", "1"))
    lines, issues = compute_household_attachments(project(households=[h]), h, empty_snapshot())
    assert not lines and issues[0].code == "TABLE_NOT_FOUND"


def test_notice_before_first_version_is_an_error() -> None:
    # 永州 table starts 2024-01-01 (assumed): a 2023 notice cannot use it.
    r = compute(household(item("A", "paddy", "1")), notice=date(2023, 6, 1))
    assert not r.lines
    assert any(i.code == "DATE_BEFORE_FIRST_VERSION" and i.is_error for i in r.issues)
