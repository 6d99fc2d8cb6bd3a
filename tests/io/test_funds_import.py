"""Fund-control imports: agreements, payment lists, reviews, bank statements, estimate inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.io.io_kit import GOOD_ACCOUNT, LUHN_FAIL_ACCOUNT, write_survey

from buchang.funds.records import Decision, Direction
from buchang.io.estimate import import_estimate
from buchang.io.fundsio import import_agreements, import_bank_statement, import_payment_lists, import_reviews
from buchang.io.rawxlsx import RawNumber
from buchang.io.schema import AGREEMENTS, BANK_STATEMENT, ESTIMATE, PAYMENT_LIST, REVIEWS


def located(issues: tuple[Any, ...]) -> set[tuple[str, str]]:
    return {(i.code, f"{i.location.sheet}!{i.location.cell}") for i in issues}


def test_payment_lists(tmp_path: Path) -> None:
    line = {
        "list_no": "QD1",
        "line_no": 1,
        "agreement_no": "XY1",
        "payee_name": "张三",
        "payee_account": GOOD_ACCOUNT,
        "category": "房屋补偿费",
        "amount": RawNumber("1234.56"),
        "due_date": date(2021, 11, 15),
    }
    data = {
        "lists": [
            {"list_no": "QD1", "project_id": "P1", "preparer": "U1", "created_at": datetime(2021, 10, 20, 9)}
        ],
        "lines": [dict(line, line_no=2, amount=RawNumber("0.30000000000000004")), line],
    }
    lists, issues = import_payment_lists(write_survey(tmp_path / "l.xlsx", data, kind=PAYMENT_LIST))
    assert issues == () and lists is not None
    (lst,) = lists
    assert [ln.line_no for ln in lst.lines] == [1, 2]
    assert [ln.amount_fen for ln in lst.lines] == [123456, 30]
    assert lst.total_fen == 123486 and len(lst.digest) == 64

    data["lines"].append(dict(line, list_no="QD9"))
    data["lines"].append(dict(line))
    lists, issues = import_payment_lists(write_survey(tmp_path / "l2.xlsx", data, kind=PAYMENT_LIST))
    assert lists is None
    assert located(issues) == {("UNKNOWN_REFERENCE", "清单明细!A4"), ("DUPLICATE_ID", "清单明细!B5")}


def test_reviews(tmp_path: Path) -> None:
    row = {
        "list_no": "QD1",
        "level": 1,
        "reviewer_id": "U2",
        "role": "经办复核",
        "decision": "通过",
        "at": "2021-10-21 10:00",
        "digest": "A" * 64,
    }
    reviews, issues = import_reviews(write_survey(tmp_path / "r.xlsx", {"reviews": [row]}, kind=REVIEWS))
    assert issues == () and reviews is not None
    assert reviews[0].decision is Decision.PASS and reviews[0].digest == "a" * 64
    bad = [dict(row, level=5), dict(row, decision="同意吧"), dict(row, digest="xyz")]
    reviews, issues = import_reviews(write_survey(tmp_path / "r2.xlsx", {"reviews": bad}, kind=REVIEWS))
    assert reviews is None
    assert located(issues) == {
        ("OUT_OF_RANGE", "审核!B2"),
        ("UNKNOWN_CATEGORY", "审核!E3"),
        ("WRONG_TYPE", "审核!G4"),
    }


def test_bank_statement(tmp_path: Path) -> None:
    row = {
        "txn_id": "T1",
        "account": GOOD_ACCOUNT,
        "at": datetime(2021, 11, 1, 10, 30),
        "direction": "支出",
        "amount": RawNumber("350000"),
        "counterparty_name": "张三",
        "counterparty_account": LUHN_FAIL_ACCOUNT,
        "balance_after": RawNumber("-12.5"),
    }
    data = {"transactions": [row, dict(row, txn_id="T2", direction="贷", at="2021/11/2")]}
    txns, issues = import_bank_statement(write_survey(tmp_path / "b.xlsx", data, kind=BANK_STATEMENT))
    assert txns is not None
    assert [(i.code, i.severity.value) for i in issues] == [("BANK_LUHN", "warning")] * 2  # warnings only
    assert [t.direction for t in txns] == [Direction.OUT, Direction.IN]
    assert txns[0].amount_fen == 35000000 and txns[0].balance_after_fen == -1250
    assert txns[1].at == datetime(2021, 11, 2)
    data["transactions"].append(dict(row, amount=RawNumber("-1")))
    data["transactions"].append(dict(row, txn_id="T3", amount=0))
    txns, issues = import_bank_statement(write_survey(tmp_path / "b2.xlsx", data, kind=BANK_STATEMENT))
    assert txns is None
    assert located(issues) >= {
        ("NEGATIVE_AMOUNT", "流水!E4"),
        ("DUPLICATE_ID", "流水!A4"),
        ("OUT_OF_RANGE", "流水!E5"),
    }


def test_estimate_inputs(tmp_path: Path) -> None:
    data = {
        "project": [
            {"project_id": "P1", "name": "测算", "jurisdiction": "330106", "notice_date": "2021-03-01"}
        ],
        "land": [
            {"land_class": "水田", "area_m2": RawNumber("66666.67"), "zone": "I"},
            {"land_class": "旱地", "area_m2": RawNumber("1000")},
        ],
        "population": [{"households": 120, "persons": 380}],
        "buildings": [{"structure": "砖混二等", "legality": "合法", "area_m2": RawNumber("15000")}],
        "assumptions": [{"exchange_share": RawNumber("0.6667"), "temporary_months": 24}],
        "households": [{"tenure": "集体土地", "households": 120}],
    }
    inputs, issues = import_estimate(write_survey(tmp_path / "e.xlsx", data, kind=ESTIMATE))
    assert issues == () and inputs is not None
    assert inputs.land[0].area_m2 == Decimal("66666.67")
    assert inputs.exchange_share.expected == Decimal("0.6667") and inputs.households[0].households == 120
    data["land"].append({"land_class": "沙漠", "area_m2": RawNumber("-1")})
    inputs, issues = import_estimate(write_survey(tmp_path / "e2.xlsx", data, kind=ESTIMATE))
    assert inputs is None
    assert located(issues) == {("UNKNOWN_CATEGORY", "地类面积!A4"), ("NEGATIVE_AREA", "地类面积!C4")}


def test_agreements(tmp_path: Path) -> None:
    row = {
        "agreement_no": "XY1",
        "project_id": "P1",
        "payee_name": "第一村民小组",
        "payee_id": "N2330106MA2XXXXXX8",  # a village collective (N2): letters allowed
        "payee_account": GOOD_ACCOUNT,
        "category": "土地补偿费",
        "amount": RawNumber("1000000.10"),
        "signed_date": date(2021, 10, 1),
    }
    data = {"agreements": [dict(row, payee_id="N2330106MA2XXXXXX0")]}
    got, issues = import_agreements(write_survey(tmp_path / "a.xlsx", data, kind=AGREEMENTS))
    assert got is None
    assert [str(i) for i in issues] == [
        f"{tmp_path / 'a.xlsx'}:协议!D2: [USCC_CHECK_DIGIT] 证件号N233**********XXX0: 校验码应为8，实为0 / "
        "check character should be 8, is 0"
    ]
    data["agreements"] = [
        dict(row),
        dict(row, category="拆迁费"),
        dict(row, amount=RawNumber("12.345"), agreement_no="XY2"),
    ]
    got, issues = import_agreements(write_survey(tmp_path / "a2.xlsx", data, kind=AGREEMENTS))
    assert got is None
    assert located(issues) == {
        ("UNKNOWN_CATEGORY", "协议!F3"),
        ("DUPLICATE_ID", "协议!A3"),
        ("TOO_MANY_DECIMALS", "协议!G4"),
    }
    data["agreements"] = [dict(row), dict(row, agreement_no="XY2", payee_id="91350100M000100Y43")]
    got, issues = import_agreements(write_survey(tmp_path / "a3.xlsx", data, kind=AGREEMENTS))
    assert issues == () and got is not None and got[0].amount_fen == 100000010
