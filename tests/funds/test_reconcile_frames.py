"""The frame entry point, reference formats, digests, tolerance, window and input issues."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buchang.funds import findings as F
from buchang.funds.reconcile import frames_from_records, reconcile, reconcile_frames
from buchang.funds.reconcile.prep import frame_digests
from buchang.funds.reconcile.refs import parse_refs
from buchang.funds.records import (
    Agreement,
    Decision,
    Direction,
    PaymentLine,
    PaymentList,
    Project,
    Review,
    Transaction,
)

D0 = date(2024, 3, 1)
T0 = datetime(2024, 3, 1, 9)
ACCT = "310000000000000001"


def tiny(
    amounts: tuple[int, ...] = (100_00, 250_00), *, pay: tuple[tuple[int, str, int, str], ...] | None = None
) -> dict[str, object]:
    """One project, agreements A1.., one list L1 with a line per agreement, four clean reviews.

    ``pay`` = (line, account, amount, reference) per outflow (default: each line in full by reference).
    """
    required = sum(amounts)
    project = Project("P1", "测试", ACCT, required, D0)
    agreements = tuple(
        Agreement(f"A{i}", "P1", f"户{i}", f"ID{i}", f"6222{i:012d}", "房屋补偿费", amt, D0, D0, f"H{i}")
        for i, amt in enumerate(amounts, start=1)
    )
    lines = tuple(
        PaymentLine(
            "L1",
            i,
            a.agreement_no,
            a.payee_name,
            a.payee_account,
            a.category,
            a.amount_fen,
            D0 + timedelta(days=20),
        )
        for i, a in enumerate(agreements, start=1)
    )
    plist = PaymentList("L1", "P1", "prep", T0, lines)
    reviews = tuple(
        Review("L1", k, f"r{k}", "", Decision.PASS, T0 + timedelta(hours=k), plist.digest)
        for k in range(1, 5)
    )
    txns = [
        Transaction(
            "T0000", ACCT, T0 - timedelta(days=5), Direction.IN, required + 100_00, "财政", "9100", "前置资金"
        )
    ]
    plan = (
        pay
        if pay is not None
        else tuple(
            (i, lines[i - 1].payee_account, lines[i - 1].amount_fen, f"L1/{i}")
            for i in range(1, len(lines) + 1)
        )
    )
    for k, (line, account, amount, ref) in enumerate(plan, start=1):
        txns.append(
            Transaction(
                f"T{k:04d}",
                ACCT,
                T0 + timedelta(days=10, hours=k),
                Direction.OUT,
                amount,
                f"户{line}",
                account,
                ref,
            )
        )
    return {
        "projects": (project,),
        "agreements": agreements,
        "lists": (plist,),
        "reviews": reviews,
        "transactions": tuple(txns),
    }


def run(data: dict[str, object], **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("as_of", D0 + timedelta(days=40))
    return reconcile(**data, **kw)  # type: ignore[arg-type]


PIECES = [
    "L2024-001",
    "LX",
    "XL9",
    "/",
    "#",
    "第",
    "行",
    "3",
    "12",
    "０",
    "9" * 25,
    " ",
    "\u3000",
    "，",
    ";",
    "|",
    "协议号:",
    "协议",
    "AGR：",
    "BS-2021-0042",
    "A1",
    "宝征协字〔2021〕第12号",
    "补偿款",
    "-",
    "x",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=7).map("".join), min_size=1, max_size=12))
def test_reference_parsers_agree(texts: list[str]) -> None:
    from buchang.funds.reconcile.refs import parse_column

    lists = pd.Index(["L2024-001", "LX"], dtype=object)
    agreements = pd.Index(["A1", "BS-2021-0042", "宝征协字〔2021〕第12号"], dtype=object)
    column = pd.Series(texts, dtype="str")
    rows = np.arange(len(texts), dtype=np.int64)[::-1].copy()
    fast = parse_column(column, rows, lists, agreements)
    plain = parse_refs([texts[i] for i in rows], lists, agreements)
    assert [a.tolist() for a in fast] == [a.tolist() for a in plain]


def test_reference_formats() -> None:
    lists = pd.Index(["L2024-001", "LX"], dtype=object)
    agreements = pd.Index(["BS-2021-0042", "宝征协字〔2021〕第12号", "A1"], dtype=object)
    refs = [
        "补偿款 L2024-001/3 张三",
        "L2024-001#4",
        "清单L2024-001第5行",
        "XL9/3 协议号:BS-2021-0042",  # unknown list: the agreement number is used
        "AGR:BS-2021-0042",
        "付 宝征协字〔2021〕第12号 款",
        "x,A1;y",
        "协议：A1",
        "nothing 12/3",
        "",
    ]
    lst, line, agr = parse_refs(refs, lists, agreements)
    assert lst.tolist() == [0, 0, 0, -1, -1, -1, -1, -1, -1, -1]
    assert line.tolist() == [3, 4, 5, -1, -1, -1, -1, -1, -1, -1]
    assert agr.tolist() == [-1, -1, -1, 0, 0, 1, 2, 2, -1, -1]


def test_frame_digest_equals_record_digest_with_awkward_text() -> None:
    lines = (
        PaymentLine('L"1', 2, 'A"q\\', "名\n字", "6222", "类别\t", 1, D0),
        PaymentLine('L"1', 1, "A/1", "户", "6222", "房屋补偿费", 999_999_999_99, D0 + timedelta(days=400)),
    )
    plist = PaymentList('L"1', "P\\1", "制表人", T0, lines)
    empty = PaymentList("L2", "P1", "x", T0, ())
    f = frames_from_records((), (), (plist, empty), (), ())
    assert frame_digests(f.lists, f.lines) == {plist.list_no: plist.digest, "L2": empty.digest}


def test_clean_tiny_and_frame_path_agree() -> None:
    data = tiny()
    report = run(data)
    assert report.findings == () and report.checks_ok
    f = frames_from_records(
        data["projects"], data["agreements"], data["lists"], data["reviews"], data["transactions"]
    )  # type: ignore[arg-type]
    direct = reconcile_frames(
        f.projects, f.agreements, f.lists, f.lines, f.reviews, f.transactions, as_of=D0 + timedelta(days=40)
    )
    assert direct.to_dict() == report.to_dict()


def test_split_payment_by_reference_and_by_account() -> None:
    acct1, acct2 = "6222000000000001", "6222000000000002"
    # line 1 (100.00) in two referenced parts; line 2 (250.00) in three unreferenced parts to its account
    pay = (
        (1, acct1, 40_00, "L1/1"),
        (1, acct1, 60_00, "L1/1"),
        (2, acct2, 100_00, ""),
        (2, acct2, 100_00, ""),
        (2, acct2, 50_00, ""),
    )
    report = run(tiny(pay=pay))
    assert report.findings == ()
    assert set(report.lines["state"]) == {"paid"}
    assert report.outflows["method"].tolist() == ["line_reference"] * 2 + ["account_split"] * 3


def test_partly_paid_within_term_is_not_a_finding() -> None:
    acct1 = "6222000000000001"
    pay = ((1, acct1, 40_00, "L1/1"), (2, "6222000000000002", 250_00, "L1/2"))
    report = run(tiny(pay=pay), as_of=D0 + timedelta(days=15))  # due on day 20
    assert report.findings == ()
    states = report.lines.set_index("line_no")["state"].to_dict()
    assert states == {1: "partly_paid", 2: "paid"}
    # scheduled 350.00 = paid 290.00 + unpaid 60.00
    (cat,) = report.category_totals
    assert (cat.scheduled_fen, cat.paid_fen, cat.unpaid_fen) == (350_00, 290_00, 60_00)


def test_tolerance_accepts_small_differences_and_is_recorded() -> None:
    pay = ((1, "6222000000000001", 100_03, "L1/1"), (2, "6222000000000002", 250_00, "L1/2"))
    strict = run(tiny(pay=pay))
    assert [(f.code, f.difference_fen) for f in strict.findings] == [(F.PAYMENT_AMOUNT_MISMATCH, 3)]
    lenient = run(tiny(pay=pay), tolerance_fen=5)
    assert lenient.findings == () and lenient.tolerance_fen == 5 and lenient.to_dict()["tolerance_fen"] == 5


def test_window_limits_account_matching() -> None:
    pay = ((1, "6222000000000001", 100_00, ""), (2, "6222000000000002", 250_00, ""))
    # payments are on day 10, due day 20: inside a 30-day window, outside a 5-day one
    assert run(tiny(pay=pay)).findings == ()
    narrow = run(tiny(pay=pay), window_days=5)
    assert narrow.window_days == 5
    assert sorted(narrow.counts_by_code().items()) == [(F.PAYMENT_OVERDUE, 2), (F.PAYMENT_UNSCHEDULED, 2)]


def test_ties_are_broken_by_date_then_id() -> None:
    # two lines of the same amount to the same payee account, paid without references
    data = tiny((100_00, 100_00))
    agreements = tuple(replace(a, payee_account="6222000000000009") for a in data["agreements"])  # type: ignore[attr-defined]
    plist = data["lists"][0]  # type: ignore[index]
    plist = replace(plist, lines=tuple(replace(ln, payee_account="6222000000000009") for ln in plist.lines))
    reviews = tuple(replace(r, digest=plist.digest) for r in data["reviews"])  # type: ignore[attr-defined]
    pay = ((1, "6222000000000009", 100_00, ""), (2, "6222000000000009", 100_00, ""))
    base = tiny((100_00, 100_00), pay=pay)
    report = run({**base, "agreements": agreements, "lists": (plist,), "reviews": reviews})
    assert report.findings == ()
    # the earlier payment goes to line 1 (same due date: list/line order)
    assert report.outflows[["txn_id", "line_no"]].values.tolist() == [["T0001", 1], ["T0002", 2]]


def test_input_issues_are_values() -> None:
    data = tiny()
    plist = data["lists"][0]  # type: ignore[index]
    bad_line = replace(plist.lines[0], line_no=9, agreement_no="NOPE")
    orphan = PaymentList("L9", "P404", "p", T0, (replace(plist.lines[0], list_no="L9"),))
    report = run({**data, "lists": (replace(plist, lines=(*plist.lines, bad_line)), orphan)})
    codes = sorted(i.code for i in report.issues)
    assert codes == ["UNKNOWN_AGREEMENT", "UNKNOWN_PROJECT"]
    assert report.has_errors


def test_float_amounts_are_refused() -> None:
    f = frames_from_records(
        *(tiny()[k] for k in ("projects", "agreements", "lists", "reviews", "transactions"))
    )  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="integer fen"):
        reconcile_frames(
            f.projects,
            f.agreements,
            f.lists,
            f.lines.assign(amount_fen=f.lines["amount_fen"] * 1.0),
            f.reviews,
            f.transactions,
            as_of=D0,
        )


def test_report_json_round_trips() -> None:
    import json

    report = run(tiny(pay=((1, "6222999", 5, "x"),)))
    body = json.loads(report.to_json())
    assert body["as_of"] == (D0 + timedelta(days=40)).isoformat()
    assert {f["code"] for f in body["findings"]} == {F.PAYMENT_UNSCHEDULED, F.PAYMENT_OVERDUE}
    assert body["outflows"][0]["at"] == "2024-03-11T10:00:00"
    assert all(c["ok"] for c in body["checks"])


def test_empty_inputs_and_a_project_without_money() -> None:
    empty = reconcile((), (), (), (), (), as_of=D0)
    assert empty.findings == () and empty.checks_ok and empty.outflows.empty and empty.lines.empty
    lone = reconcile((Project("P1", "x", ACCT, 100_00, D0),), (), (), (), (), as_of=D0)
    # started with nothing deposited: expected 100.00 upfront, actual 0
    (f,) = lone.findings
    assert (f.code, f.expected_fen, f.actual_fen) == (F.UNDERFUNDED_START, 100_00, 0)


@pytest.mark.parametrize("seed", [1, 2])
def test_arrow_fast_path_and_plain_path_agree(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from buchang.funds.reconcile import arrowtext
    from buchang.funds.synth import clean_frames

    syn = clean_frames(25, projects=2, seed=seed, lines_per_list=7)
    f = syn.frames
    lines = f.lines.copy()
    lines.loc[lines.index[:3], "payee_name"] = ['引"号', "反\\斜", "换\n行"]  # JSON escaping
    lines.loc[lines.index[3], "agreement_no"] = "NOT-AN-AGREEMENT"
    args = (f.projects, f.agreements, f.lists, lines, f.reviews, f.transactions, f.allocations, f.relocations)
    fast = reconcile_frames(*args, as_of=syn.as_of)
    monkeypatch.setattr(arrowtext, "ENABLED", False)
    plain = reconcile_frames(*args, as_of=syn.as_of)
    as_objects = reconcile_frames(*(a.astype(object) for a in args), as_of=syn.as_of)
    assert fast.to_dict() == plain.to_dict() == as_objects.to_dict()
    assert any(i.code == "UNKNOWN_AGREEMENT" for i in fast.issues)
    assert fast.findings  # the edited lines make the reviews stale
