"""One planted anomaly per finding code (funds.md, the table of codes).

Each test takes a clean generated project (``buchang.funds.synth``), plants
exactly one anomaly, and asserts exactly one finding: its code, the records
involved and the amounts (derived by hand from the planted change, see the
comments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache

from buchang.funds import findings as F
from buchang.funds.findings import Finding
from buchang.funds.reconcile import ReconcileReport, reconcile
from buchang.funds.records import (
    AllocationApproval,
    Decision,
    Direction,
    PaymentLine,
    PaymentList,
    Review,
    ReviewConfig,
    Transaction,
)
from buchang.funds.synth import SynthRecords, clean_records, restate


@cache
def base(projects: int = 1) -> SynthRecords:
    return clean_records(40, projects=projects, seed=7)


def run(d: SynthRecords, *, as_of: date | None = None, config: ReviewConfig | None = None) -> ReconcileReport:
    return reconcile(
        d.projects,
        d.agreements,
        d.lists,
        d.reviews,
        d.transactions,
        d.allocations,
        d.relocations,
        as_of=as_of or d.as_of,
        review_config=config or ReviewConfig(),
    )


def sole(report: ReconcileReport) -> Finding:
    """The one finding of the report (and the proof that nothing else was found)."""
    assert report.issues == ()
    assert len(report.findings) == 1, report.counts_by_code()
    assert report.checks_ok
    return report.findings[0]


def clean_report(projects: int = 1) -> ReconcileReport:
    return run(base(projects))


def line_of(d: SynthRecords, list_no: str, line_no: int) -> PaymentLine:
    return next(ln for p in d.lists if p.list_no == list_no for ln in p.lines if ln.line_no == line_no)


def paid_by(report: ReconcileReport, list_no: str, line_no: int | None = None) -> list[str]:
    o = report.outflows
    sel = o["list_no"] == list_no
    if line_no is not None:
        sel &= o["line_no"] == line_no
    return sorted(o.loc[sel, "txn_id"].tolist())


def txn(d: SynthRecords, txn_id: str) -> Transaction:
    return next(t for t in d.transactions if t.txn_id == txn_id)


def single_paid_line(
    d: SynthRecords,
    report: ReconcileReport,
    pred: Callable[[PaymentLine, Transaction], bool] = lambda ln, t: True,
) -> tuple[PaymentLine, Transaction]:
    """A line paid by exactly one outflow that cites it by list/line, satisfying ``pred``."""
    o = report.outflows
    counts = o[o["list_no"].notna()].groupby(["list_no", "line_no"]).size()
    for (list_no, line_no), n in sorted(counts.items()):
        if n != 1:
            continue
        (tid,) = paid_by(report, list_no, int(line_no))
        t = txn(d, tid)
        ln = line_of(d, list_no, int(line_no))
        if f"{list_no}/{line_no}" in t.reference and pred(ln, t):
            return ln, t
    raise AssertionError("no such line in the generated data")


def relocated(d: SynthRecords) -> set[str]:
    return {e.household_ref for e in d.relocations}


def household_of(d: SynthRecords, agreement_no: str) -> str:
    return next(a.household_ref for a in d.agreements if a.agreement_no == agreement_no)


def with_txns(d: SynthRecords, txns: tuple[Transaction, ...]) -> SynthRecords:
    return replace(d, transactions=restate(txns))


def first_paid_list(report: ReconcileReport) -> str:
    return str(sorted(report.outflows["list_no"].dropna().unique())[0])


def replace_review(d: SynthRecords, list_no: str, level: int, **changes: object) -> SynthRecords:
    return replace(
        d,
        reviews=tuple(
            replace(r, **changes) if r.list_no == list_no and r.level == level else r  # type: ignore[arg-type]
            for r in d.reviews
        ),
    )


def sum_of(d: SynthRecords, ids: list[str] | tuple[str, ...]) -> int:
    return sum(txn(d, i).amount_fen for i in ids)


# --- the clean baseline ---------------------------------------------------


def test_clean_projects_have_no_findings() -> None:
    for projects in (1, 2):
        report = clean_report(projects)
        assert report.findings == () and report.issues == ()
        assert report.checks_ok
        assert set(report.outflows["bucket"]) == {F.MATCHED}


# --- reviews ------------------------------------------------------------


def test_review_level_missing() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    planted = replace(d, reviews=tuple(r for r in d.reviews if not (r.list_no == lst and r.level == 3)))
    f = sole(run(planted))
    # every payment of the list is held; actual = their sum
    assert (f.code, f.list_no, f.txn_ids) == (F.REVIEW_LEVEL_MISSING, lst, tuple(paid_by(clean, lst)))
    assert f.actual_fen == sum_of(d, f.txn_ids) and f.expected_fen is None


def test_review_out_of_order() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    l3 = next(r for r in d.reviews if r.list_no == lst and r.level == 3)
    # level 2 now passes half an hour after level 3 (still before level 4 and the payments)
    f = sole(run(replace_review(d, lst, 2, at=l3.at + timedelta(minutes=30))))
    assert (f.code, f.list_no, f.txn_ids) == (F.REVIEW_OUT_OF_ORDER, lst, tuple(paid_by(clean, lst)))


def test_reviewer_not_distinct_same_person_twice() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    r1 = next(r for r in d.reviews if r.list_no == lst and r.level == 1)
    f = sole(run(replace_review(d, lst, 4, reviewer_id=r1.reviewer_id)))
    assert (f.code, f.list_no) == (F.REVIEWER_NOT_DISTINCT, lst)
    assert r1.reviewer_id in f.message_zh


def test_reviewer_not_distinct_preparer_reviews() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    preparer = next(p.preparer for p in d.lists if p.list_no == lst)
    f = sole(run(replace_review(d, lst, 2, reviewer_id=preparer)))
    assert (f.code, f.list_no, f.txn_ids) == (F.REVIEWER_NOT_DISTINCT, lst, tuple(paid_by(clean, lst)))


def test_review_stale_after_list_changed() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    plist = next(p for p in d.lists if p.list_no == lst)
    # change a field matching does not use (the payee's name): the content digest changes
    changed = replace(plist, lines=(replace(plist.lines[0], payee_name="改名"), *plist.lines[1:]))
    assert changed.digest != plist.digest
    f = sole(run(replace(d, lists=tuple(changed if p is plist else p for p in d.lists))))
    assert (f.code, f.list_no, f.txn_ids) == (F.REVIEW_STALE, lst, tuple(paid_by(clean, lst)))


def test_review_limit_exceeded() -> None:
    d, clean = base(), clean_report()
    totals = {p.list_no: p.total_fen for p in d.lists if paid_by(clean, p.list_no)}
    biggest = max(totals, key=lambda k: totals[k])
    limit = totals[biggest] - 1  # one fen below the biggest paid list's total
    assert sorted(totals.values())[-2] <= limit
    f = sole(run(d, config=ReviewConfig(limits_fen=(None, None, limit, None))))
    # expected = the limit, actual = the list total, difference = 1 fen
    assert (f.code, f.list_no) == (F.REVIEW_LIMIT_EXCEEDED, biggest)
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (limit, totals[biggest], 1)


def test_review_rejected_paid_standing_return() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    r4 = next(r for r in d.reviews if r.list_no == lst and r.level == 4)
    back = replace(r4, decision=Decision.RETURN, at=r4.at + timedelta(minutes=5))
    f = sole(run(replace(d, reviews=(*d.reviews, back))))
    assert (f.code, f.list_no, f.txn_ids) == (F.REVIEW_REJECTED_PAID, lst, tuple(paid_by(clean, lst)))


def test_review_rejected_paid_before_re_pass() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    ids = paid_by(clean, lst)
    times = sorted(txn(d, i).at for i in ids)
    r4 = next(r for r in d.reviews if r.list_no == lst and r.level == 4)
    back = replace(r4, decision=Decision.RETURN, at=r4.at + timedelta(minutes=5))
    again = replace(r4, at=times[0] + timedelta(seconds=1))  # re-passed just after the first payment
    f = sole(run(replace(d, reviews=(*d.reviews, back, again))))
    # only the payments made while the 退回 stood are held
    early = tuple(sorted(i for i in ids if txn(d, i).at <= times[0]))
    assert (f.code, f.list_no, f.txn_ids) == (F.REVIEW_REJECTED_PAID, lst, early)


# --- payments ------------------------------------------------------------


def test_payment_unscheduled() -> None:
    d = base()
    proj = d.projects[0]
    extra = Transaction(
        "X0000001",
        proj.account,
        datetime(2024, 6, 3, 10),
        Direction.OUT,
        12345,
        "某公司",
        "6222999900001111",
        "服务费",
    )
    f = sole(run(with_txns(d, (*d.transactions, extra))))
    assert (f.code, f.txn_ids, f.project_id) == (F.PAYMENT_UNSCHEDULED, ("X0000001",), proj.project_id)
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (0, 12345, 12345)


def test_payment_duplicate() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean)
    again = replace(t, txn_id="X0000002", at=t.at + timedelta(hours=1))
    report = run(with_txns(d, (*d.transactions, again)))
    f = sole(report)
    # expected = the line amount A, actual = A paid twice
    assert (f.code, f.list_no, f.line_no, f.txn_ids) == (
        F.PAYMENT_DUPLICATE,
        ln.list_no,
        ln.line_no,
        ("X0000002",),
    )
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (
        ln.amount_fen,
        2 * ln.amount_fen,
        ln.amount_fen,
    )
    assert report.outflows.set_index("txn_id").loc["X0000002", "bucket"] == F.PAYMENT_DUPLICATE


def test_payment_duplicate_by_account_without_reference() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean)
    again = replace(t, txn_id="X0000003", at=t.at + timedelta(hours=2), reference="补偿款")
    f = sole(run(with_txns(d, (*d.transactions, again))))
    assert (f.code, f.line_no, f.txn_ids) == (F.PAYMENT_DUPLICATE, ln.line_no, ("X0000003",))


def test_payment_amount_mismatch_over() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean)
    more = replace(t, amount_fen=t.amount_fen + 100)
    f = sole(run(with_txns(d, tuple(more if x is t else x for x in d.transactions))))
    # 100 fen too much: expected A, actual A + 100
    assert (f.code, f.list_no, f.line_no, f.txn_ids) == (
        F.PAYMENT_AMOUNT_MISMATCH,
        ln.list_no,
        ln.line_no,
        (t.txn_id,),
    )
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (ln.amount_fen, ln.amount_fen + 100, 100)


def test_payment_amount_mismatch_under_past_due() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean, lambda ln, t: household_of(d, ln.agreement_no) not in relocated(d))
    less = replace(t, amount_fen=t.amount_fen - 100)
    report = run(with_txns(d, tuple(less if x is t else x for x in d.transactions)))
    f = sole(report)
    # 100 fen short and past due: expected A, actual A - 100
    assert (f.code, f.line_no, f.txn_ids) == (F.PAYMENT_AMOUNT_MISMATCH, ln.line_no, (t.txn_id,))
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (ln.amount_fen, ln.amount_fen - 100, -100)
    state = report.lines.set_index(["list_no", "line_no"]).loc[(ln.list_no, ln.line_no), "state"]
    assert state == "overdue"


def test_payment_wrong_payee() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean, lambda ln, t: household_of(d, ln.agreement_no) not in relocated(d))
    wrong = replace(t, counterparty_account="6222888800001234")
    # as of the line's due date the line is not yet overdue, so only the wrong payee shows
    f = sole(run(with_txns(d, tuple(wrong if x is t else x for x in d.transactions)), as_of=ln.due_date))
    assert (f.code, f.list_no, f.line_no, f.txn_ids) == (
        F.PAYMENT_WRONG_PAYEE,
        ln.list_no,
        ln.line_no,
        (t.txn_id,),
    )
    assert (f.expected_fen, f.actual_fen) == (ln.amount_fen, t.amount_fen)


def test_payment_before_approval() -> None:
    d, clean = base(), clean_report()
    lst = first_paid_list(clean)
    ids = paid_by(clean, lst)
    first = min(txn(d, i).at for i in ids)
    # level 4 passes one second after the list's first payment
    f = sole(run(replace_review(d, lst, 4, at=first + timedelta(seconds=1))))
    early = tuple(sorted(i for i in ids if txn(d, i).at <= first))
    assert (f.code, f.list_no, f.txn_ids) == (F.PAYMENT_BEFORE_APPROVAL, lst, early)
    assert f.actual_fen == sum_of(d, early)


def test_payment_before_effective() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(
        d,
        clean,
        lambda ln, t: sum(1 for p in d.lists for x in p.lines if x.agreement_no == ln.agreement_no) == 1,
    )
    agr = next(a for a in d.agreements if a.agreement_no == ln.agreement_no)
    later = replace(
        agr, effective_date=t.at.date() + timedelta(days=1)
    )  # 附生效条件 met the day after payment
    f = sole(run(replace(d, agreements=tuple(later if a is agr else a for a in d.agreements))))
    assert (f.code, f.agreement_no, f.txn_ids) == (F.PAYMENT_BEFORE_EFFECTIVE, ln.agreement_no, (t.txn_id,))
    assert f.actual_fen == t.amount_fen


def test_payment_before_effective_when_never_effective() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(
        d,
        clean,
        lambda ln, t: sum(1 for p in d.lists for x in p.lines if x.agreement_no == ln.agreement_no) == 1,
    )
    agr = next(a for a in d.agreements if a.agreement_no == ln.agreement_no)
    never = replace(agr, effective_date=None)
    f = sole(run(replace(d, agreements=tuple(never if a is agr else a for a in d.agreements))))
    assert (f.code, f.txn_ids) == (F.PAYMENT_BEFORE_EFFECTIVE, (t.txn_id,))


def test_payment_late() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(
        d,
        clean,
        lambda ln, t: (
            household_of(d, ln.agreement_no) not in relocated(d) and ln.due_date < d.as_of - timedelta(days=5)
        ),
    )
    late = replace(t, at=datetime.combine(ln.due_date + timedelta(days=3), t.at.time()))
    f = sole(run(with_txns(d, tuple(late if x is t else x for x in d.transactions))))
    assert (f.code, f.severity.value, f.line_no, f.txn_ids) == (
        F.PAYMENT_LATE,
        "warning",
        ln.line_no,
        (t.txn_id,),
    )


def test_payment_overdue() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean, lambda ln, t: household_of(d, ln.agreement_no) not in relocated(d))
    f = sole(run(with_txns(d, tuple(x for x in d.transactions if x is not t))))
    # nothing paid: expected A, actual 0
    assert (f.code, f.list_no, f.line_no, f.txn_ids) == (F.PAYMENT_OVERDUE, ln.list_no, ln.line_no, ())
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (ln.amount_fen, 0, -ln.amount_fen)


def test_agreement_overpaid() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(
        d,
        clean,
        lambda ln, t: sum(1 for p in d.lists for x in p.lines if x.agreement_no == ln.agreement_no) == 1,
    )
    agr = next(a for a in d.agreements if a.agreement_no == ln.agreement_no)
    # a second list schedules the same agreement again, is reviewed properly, and is paid
    created = datetime.combine(ln.due_date, datetime.min.time()) + timedelta(hours=8)
    again = PaymentList(
        "LX-000001", agr.project_id, "制表9", created, (replace(ln, list_no="LX-000001", line_no=1),)
    )
    reviews = tuple(
        Review(
            "LX-000001", k, f"审核{k}", f"role{k}", Decision.PASS, created + timedelta(hours=k), again.digest
        )
        for k in range(1, 5)
    )
    pay = replace(t, txn_id="X0000004", at=created + timedelta(hours=6), reference="补偿款 LX-000001/1")
    planted = replace(
        with_txns(d, (*d.transactions, pay)), lists=(*d.lists, again), reviews=(*d.reviews, *reviews)
    )
    f = sole(run(planted))
    # expected = the agreement amount, actual = paid twice
    assert (f.code, f.agreement_no, f.txn_ids) == (F.AGREEMENT_OVERPAID, agr.agreement_no, ("X0000004",))
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (
        agr.amount_fen,
        2 * agr.amount_fen,
        agr.amount_fen,
    )


def test_category_mismatch() -> None:
    d, clean = base(), clean_report()
    ln, t = single_paid_line(d, clean)
    plist = next(p for p in d.lists if p.list_no == ln.list_no)
    other = "社会保障费用"
    changed = replace(plist, lines=tuple(replace(x, category=other) if x is ln else x for x in plist.lines))
    # the list was reviewed as it now stands (so the review is not stale)
    reviews = tuple(replace(r, digest=changed.digest) if r.list_no == plist.list_no else r for r in d.reviews)
    f = sole(run(replace(d, lists=tuple(changed if p is plist else p for p in d.lists), reviews=reviews)))
    assert (f.code, f.list_no, f.line_no, f.txn_ids) == (
        F.CATEGORY_MISMATCH,
        ln.list_no,
        ln.line_no,
        (t.txn_id,),
    )
    assert f.actual_fen == ln.amount_fen


# --- accounts ------------------------------------------------------------


def test_account_overdrawn() -> None:
    d, clean = base(2), clean_report(2)
    p1, p2 = d.projects
    closing = next(a.closing_fen for a in clean.account_totals if a.account == p1.account)
    at = datetime.combine(p1.start_date or d.as_of, datetime.min.time()) + timedelta(hours=12)
    # an approved 调剂 of closing + 1 fen: after the deposits P1 only pays out, so its lowest
    # balance is its closing balance, now -1 fen
    amount = closing + 1
    appr = AllocationApproval("DJ-002", p1.account, p2.account, amount, "区长", at - timedelta(hours=1))
    legs = (
        Transaction("X0000005", p1.account, at, Direction.OUT, amount, "项目2", p2.account, "调剂 DJ-002"),
        Transaction("X0000006", p2.account, at, Direction.IN, amount, "项目1", p1.account, "调剂 DJ-002"),
    )
    planted = replace(with_txns(d, (*d.transactions, *legs)), allocations=(*d.allocations, appr))
    f = sole(run(planted))
    assert (f.code, f.account) == (F.ACCOUNT_OVERDRAWN, p1.account)
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (0, -1, -1)


def test_balance_mismatch() -> None:
    d = base()
    t = d.transactions[len(d.transactions) // 2]
    assert t.balance_after_fen is not None
    wrong = replace(t, balance_after_fen=t.balance_after_fen + 500)  # the bank printed 5.00 yuan too much
    f = sole(run(replace(d, transactions=tuple(wrong if x is t else x for x in d.transactions))))
    assert (f.code, f.txn_ids) == (F.BALANCE_MISMATCH, (t.txn_id,))
    assert (f.expected_fen, f.actual_fen, f.difference_fen) == (
        t.balance_after_fen,
        t.balance_after_fen + 500,
        500,
    )


def test_cross_project_transfer() -> None:
    d = base(2)
    p1, p2 = d.projects
    at = datetime.combine(p1.start_date or d.as_of, datetime.min.time()) + timedelta(days=30, hours=10)
    legs = (
        Transaction("X0000007", p2.account, at, Direction.OUT, 1000, "项目1", p1.account, "借款"),
        Transaction("X0000008", p1.account, at, Direction.IN, 1000, "项目2", p2.account, "借款"),
    )
    f = sole(run(with_txns(d, (*d.transactions, *legs))))
    assert (f.code, f.txn_ids, f.project_id) == (
        F.CROSS_PROJECT_TRANSFER,
        ("X0000007", "X0000008"),
        p2.project_id,
    )
    assert (f.expected_fen, f.actual_fen) == (0, 1000)


def test_underfunded_start() -> None:
    d = base()
    proj = d.projects[0]
    assert proj.start_date is not None
    deposits = [t for t in d.transactions if t.direction is Direction.IN]
    second = max(deposits, key=lambda t: t.at)
    moved = replace(second, at=datetime.combine(proj.start_date + timedelta(days=1), second.at.time()))
    f = sole(run(with_txns(d, tuple(moved if x is second else x for x in d.transactions))))
    # at the start only the first deposit was in: expected = required, actual = first deposit
    first = min(deposits, key=lambda t: t.at)
    assert (f.code, f.project_id, f.txn_ids) == (F.UNDERFUNDED_START, proj.project_id, ())
    assert (f.expected_fen, f.actual_fen) == (proj.required_upfront_fen, first.amount_fen)


def test_underfunded_payment() -> None:
    d, clean = base(), clean_report()
    proj = d.projects[0]
    deposits = sorted((t for t in d.transactions if t.direction is Direction.IN), key=lambda t: t.at)
    first_pay = min(
        (t for t in d.transactions if t.direction is Direction.OUT), key=lambda t: (t.at, t.txn_id)
    )
    # the second deposit arrives one second after the first payment; the project had no start date
    moved = replace(deposits[1], at=first_pay.at + timedelta(seconds=1))
    planted = replace(
        with_txns(d, tuple(moved if x is deposits[1] else x for x in d.transactions)),
        projects=(replace(proj, start_date=None),),
    )
    f = sole(run(planted))
    assert (f.code, f.txn_ids) == (F.UNDERFUNDED_START, (first_pay.txn_id,))
    assert (f.expected_fen, f.actual_fen) == (proj.required_upfront_fen, deposits[0].amount_fen)
    assert clean.findings == ()


def test_relocation_before_payment() -> None:
    d, clean = base(), clean_report()
    event = d.relocations[0]
    agreements = [a for a in d.agreements if a.household_ref == event.household_ref]
    due = sum(a.amount_fen for a in agreements)
    nos = {a.agreement_no for a in agreements}
    o = clean.outflows
    ids = [
        i
        for i, ln, lst in zip(o["txn_id"], o["line_no"], o["list_no"], strict=True)
        if lst is not None and line_of(d, lst, int(ln)).agreement_no in nos
    ]
    last_day = max(txn(d, i).at.date() for i in ids)
    early = replace(event, on=last_day - timedelta(days=1))  # moved out the day before the last payment
    f = sole(run(replace(d, relocations=tuple(early if e is event else e for e in d.relocations))))
    paid_before = sum(txn(d, i).amount_fen for i in ids if txn(d, i).at.date() <= early.on)
    assert (f.code, f.household_ref) == (F.RELOCATION_BEFORE_PAYMENT, event.household_ref)
    assert (f.expected_fen, f.actual_fen) == (due, paid_before)


def test_every_code_is_planted_by_a_test() -> None:
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    for code in F.ALL_CODES:
        assert f"F.{code}" in source, code
