"""Corrections and the statement the journal's books imply; back-dated reviews.

A correction strikes an erroneous entry (see :mod:`buchang.funds.journal.view`):
``view.transactions`` is the statement the books imply without it — rows in
(time, id) order, balances running from 0 — and it reconciles without a
finding; ``view.booked_transactions`` is the audit trail. A deposit may be
struck only if the books still hold without it; a review may not be dated at
or before a payment already booked on its list (``REVIEW_BACKDATED``).

The example books (:mod:`buchang.funds.journal.example`, ``funded_setup``):
entry 2 = deposit T-dep-1 of 1,200,000 fen at 2025-01-05 09:00; upfront
requirement 1,000,000; started 2025-01-20; list L1 (line 1: A1 500,000, line 2:
A2 300,000 not yet effective, both due 2025-04-01) approved by reviews at
2025-02-01 10:00–13:00; payments at 2025-03-01 10:00 unless said otherwise.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from buchang.funds.journal import (
    Code,
    Command,
    Correction,
    Deposit,
    JournalView,
    Ledger,
    RecordReview,
)
from buchang.funds.journal.example import PAY_AT, fixed_clock, funded_setup, make_list, pay
from buchang.funds.reconcile import reconcile
from buchang.funds.reconcile.report import ReconcileReport
from buchang.funds.records import Decision, Direction, Review, Transaction

DEP_1 = 2  # the entry of T-dep-1 in funded_setup
AS_OF = date(2025, 3, 31)  # lines due 2025-04-01: nothing overdue


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger.create(tmp_path / "books.db", clock=fixed_clock)
    assert led.append_many(funded_setup()).ok
    return led


def dep(cid: str, amount: int, at: datetime, txn: str | None = None) -> Command:
    return Command(cid, Deposit("P1", txn or f"T-{cid}", amount, at, "区财政局", "31050161360000009999"))


def strike(cid: str, seq: int, reason: str = "录入错误") -> Command:
    return Command(cid, Correction(seq, reason))


def seq_of(ledger: Ledger, command: Command) -> int:
    result = ledger.append(command)
    assert result.ok, result.rejections
    return result.entries[0].seq


def refused(ledger: Ledger, command: Command) -> Code:
    result = ledger.append(command)
    assert not result.ok
    return result.rejections[0].code


def rows(txns: tuple[Transaction, ...]) -> list[tuple[str, str, int, int | None]]:
    return [(t.txn_id, t.direction.value, t.amount_fen, t.balance_after_fen) for t in txns]


def run(view: JournalView, txns: tuple[Transaction, ...] | None = None) -> ReconcileReport:
    return reconcile(
        view.projects,
        view.agreements,
        view.lists,
        view.reviews,
        view.transactions if txns is None else txns,
        view.allocations,
        view.relocations,
        as_of=AS_OF,
    )


def review(level: int, who: str, decision: Decision, at: datetime) -> Command:
    plist = make_list()
    r = Review("L1", level, who, f"level{level}", decision, at, plist.digest)
    return Command(f"rev-{who}-{at:%m%d%H%M}", RecordReview(r))


# --- defect 1: the statement after a correction ----------------------------------------------


def test_struck_deposit_leaves_a_statement_that_reconciles(ledger: Ledger) -> None:
    """The reliability repro: deposit 50,000, pay 100,000, strike the deposit.

    Booked: T-dep-1 +1,200,000 → 1,200,000; T-dep-2 +50,000 → 1,250,000;
    T-p1 −100,000 → 1,150,000 (the mistyped deposit included); struck → 1,100,000.
    The statement without T-dep-2: T-dep-1 → 1,200,000; T-p1 → 1,200,000 − 100,000
    = 1,100,000 — not the 1,150,000 booked, which was the BALANCE_MISMATCH.
    """
    typo = seq_of(ledger, dep("dep-2", 50_000, datetime(2025, 1, 5, 9, 0)))
    assert ledger.append(pay("p1", 100_000)).ok
    fix = seq_of(ledger, strike("fix", typo))
    view = ledger.view()
    assert dict(view.balances_fen) == {"P1": 1_100_000}
    assert rows(view.transactions) == [
        ("T-dep-1", "in", 1_200_000, 1_200_000),
        ("T-p1", "out", 100_000, 1_100_000),
    ]
    report = run(view)
    assert report.findings == ()
    assert [(a.in_fen, a.out_fen, a.closing_fen) for a in report.account_totals] == [
        (1_200_000, 100_000, 1_100_000)
    ]
    assert all(c.ok for c in report.checks)
    # the audit trail keeps what was keyed and its reversal (dated like it, no balance)
    assert rows(view.booked_transactions) == [
        ("T-dep-1", "in", 1_200_000, 1_200_000),
        ("T-dep-2", "in", 50_000, 1_250_000),
        ("T-p1", "out", 100_000, 1_150_000),
        (f"T-dep-2#R{fix}", "out", 50_000, None),
    ]
    reversal = view.booked_transactions[-1]
    assert reversal.at == datetime(2025, 1, 5, 9, 0) and f"冲正第{typo}条" in reversal.reference
    # … which is not a statement: reconciled, the reversal is an outflow to no line
    codes = {f.code for f in run(view, view.booked_transactions).findings}
    assert "PAYMENT_UNSCHEDULED" in codes


def test_struck_payment_leaves_a_statement_that_reconciles(ledger: Ledger) -> None:
    """Pay 400,000 and (twice by mistake) 50,000 on L1/1, strike the second.

    Statement: T-dep-1 → 1,200,000; T-p1 −400,000 → 800,000. Line 1 paid 400,000 of
    500,000 (partly paid, not yet due: no finding)."""
    assert ledger.append(pay("p1", 400_000)).ok
    twice = seq_of(ledger, pay("p2", 50_000))
    assert ledger.append(strike("fix", twice, "重复支付")).ok
    view = ledger.view()
    assert rows(view.transactions) == [
        ("T-dep-1", "in", 1_200_000, 1_200_000),
        ("T-p1", "out", 400_000, 800_000),
    ]
    report = run(view)
    assert report.findings == ()
    paid = {(r.list_no, int(r.line_no)): int(r.paid_fen) for r in report.lines.itertuples()}
    assert paid == {("L1", 1): 400_000, ("L1", 2): 0}
    assert dict(view.paid_by_line_fen)[("L1", 1)] == 400_000


def test_statement_rows_run_in_time_order(ledger: Ledger) -> None:
    """A deposit booked after a payment but dated before it sits before it on the statement.

    Booked: T-p1 −500,000 (03-01) → 700,000; then T-dep-2 +300,000 dated 02-01 → 1,000,000.
    Statement: T-dep-1 1,200,000; T-dep-2 (02-01) 1,500,000; T-p1 (03-01) 1,000,000."""
    assert ledger.append(pay("p1", 500_000)).ok
    assert ledger.append(dep("dep-2", 300_000, datetime(2025, 2, 1))).entries[0].balance_fen == 1_000_000
    view = ledger.view()
    assert rows(view.transactions) == [
        ("T-dep-1", "in", 1_200_000, 1_200_000),
        ("T-dep-2", "in", 300_000, 1_500_000),
        ("T-p1", "out", 500_000, 1_000_000),
    ]
    assert run(view).findings == ()


# --- striking a deposit the books relied on ---------------------------------------------------


def test_strike_refused_when_a_later_payment_would_overdraw(ledger: Ledger) -> None:
    """T-dep-1 1,200,000 (01-05); T-p1 −500,000 (03-01); T-dep-2 +600,000 (03-02).

    Struck T-dep-1: the balance now, 1,300,000 − 1,200,000 = 100,000, is fine, but on the
    statement without it T-p1 leaves 0 − 500,000 = −500,000: refused."""
    assert ledger.append(pay("p1", 500_000)).ok
    assert ledger.append(dep("dep-2", 600_000, datetime(2025, 3, 2))).ok
    result = ledger.append(strike("fix", DEP_1))
    assert [r.code for r in result.rejections] == [Code.ACCOUNT_OVERDRAWN]
    assert "T-p1" in result.rejections[0].message and "-500000" in result.rejections[0].message
    assert ledger.state.balance["P1"] == 1_300_000  # nothing changed


def test_strike_refused_when_a_later_payment_would_be_underfunded(ledger: Ledger) -> None:
    """T-dep-1 1,200,000 (01-05); T-dep-2 600,000 (01-06); T-p1 −500,000 (03-01).

    Struck T-dep-1: balance 1,800,000 − 500,000 − 1,200,000 = 100,000 ≥ 0, and on the
    statement T-p1 leaves 600,000 − 500,000 = 100,000 ≥ 0, but only 600,000 of the
    required 1,000,000 was in when it was paid (资金前置): refused."""
    assert ledger.append(dep("dep-2", 600_000, datetime(2025, 1, 6))).ok
    assert ledger.append(pay("p1", 500_000)).ok
    result = ledger.append(strike("fix", DEP_1))
    assert [r.code for r in result.rejections] == [Code.UNDERFUNDED_START]
    assert "600000" in result.rejections[0].message and "1000000" in result.rejections[0].message


def test_strike_refused_when_the_start_would_be_underfunded(ledger: Ledger) -> None:
    """Started 2025-01-20 on T-dep-1; T-dep-2 +1,200,000 comes 2025-02-01, no payment.

    Struck T-dep-1: balance 2,400,000 − 1,200,000 = 1,200,000, but by the start date
    0 of 1,000,000 was in: refused. Deposits on the start day count: T-dep-3 dated
    2025-01-20 23:00 funds it, and the strike is then accepted."""
    assert ledger.append(dep("dep-2", 1_200_000, datetime(2025, 2, 1))).ok
    assert refused(ledger, strike("fix", DEP_1)) == Code.UNDERFUNDED_START
    assert ledger.append(dep("dep-3", 1_000_000, datetime(2025, 1, 20, 23, 0))).ok
    assert ledger.append(strike("fix", DEP_1)).ok
    assert ledger.state.balance["P1"] == 1_200_000 + 1_000_000  # 3,400,000 − 1,200,000
    assert run(ledger.view()).findings == ()


def test_the_right_deposit_booked_first_then_the_error_struck(ledger: Ledger) -> None:
    """The clerk keyed 1,200,000 for what was 1,100,000, and L1/1 was paid 500,000 since.

    Striking first is refused (700,000 − 1,200,000 < 0). Booking the right amount, dated
    when it came (01-05 09:00), then striking the error is accepted: statement
    T-dep-1R 1,100,000 → 1,100,000; T-p1 −500,000 → 600,000 (≥ the upfront 1,000,000 was
    in when paid and at the start)."""
    assert ledger.append(pay("p1", 500_000)).ok
    assert refused(ledger, strike("fix-first", DEP_1)) == Code.ACCOUNT_OVERDRAWN
    assert ledger.append(dep("dep-1-right", 1_100_000, datetime(2025, 1, 5, 9, 0), txn="T-dep-1R")).ok
    assert ledger.append(strike("fix", DEP_1, "金额录入错误（1200000应为1100000）")).ok
    view = ledger.view()
    assert dict(view.balances_fen) == {"P1": 600_000}
    assert rows(view.transactions) == [
        ("T-dep-1R", "in", 1_100_000, 1_100_000),
        ("T-p1", "out", 500_000, 600_000),
    ]
    assert run(view).findings == ()


def test_strike_accepted_when_nothing_relied_on_the_deposit(ledger: Ledger) -> None:
    """T-dep-2 +50,000 (01-05), T-p1 −100,000: the 1,200,000 alone carries everything."""
    typo = seq_of(ledger, dep("dep-2", 50_000, datetime(2025, 1, 5, 9, 0)))
    assert ledger.append(pay("p1", 100_000)).ok
    assert ledger.append(strike("fix", typo)).ok
    assert ledger.state.deposits["P1"] == 1_200_000


def test_replay_keeps_the_corrected_books(ledger: Ledger, tmp_path: Path) -> None:
    typo = seq_of(ledger, dep("dep-2", 50_000, datetime(2025, 1, 5, 9, 0)))
    assert ledger.append(pay("p1", 100_000)).ok
    assert ledger.append(strike("fix", typo)).ok
    view = ledger.view()
    ledger.close()
    with Ledger.open(tmp_path / "books.db") as again:
        assert again.view() == view


# --- defect 2: back-dated reviews -------------------------------------------------------------


def test_review_dated_before_a_booked_payment_is_refused(ledger: Ledger) -> None:
    """L1/1 paid at 2025-03-01 10:00 on the approval of 02-01. A 退回 at level 4 keyed
    afterwards but dated 02-15 is refused: had it been accepted, reconciliation (which
    judges a payment on the reviews dated at or before it) would say the payment was
    made while a 退回 stood — which the journal never saw when it booked the payment."""
    assert ledger.append(pay("p1", 500_000)).ok
    late = review(4, "r9", Decision.RETURN, datetime(2025, 2, 15, 9, 0))
    result = ledger.append(late)
    assert [r.code for r in result.rejections] == [Code.REVIEW_BACKDATED]
    assert "2025-03-01 10:00:00" in result.rejections[0].message
    view = ledger.view()
    assert run(view).findings == ()
    assert isinstance(late.event, RecordReview)
    planted = reconcile(
        view.projects,
        view.agreements,
        view.lists,
        (*view.reviews, late.event.review),
        view.transactions,
        as_of=AS_OF,
    )
    assert "REVIEW_REJECTED_PAID" in {f.code for f in planted.findings}


def test_review_at_the_payment_time_is_refused_after_it_accepted(ledger: Ledger) -> None:
    """At the very time of the payment counts as before it (a review at or before a
    payment's time is one it is judged on); a minute later is fine — a 退回 then stops
    further payments of the list."""
    assert ledger.append(pay("p1", 200_000)).ok
    assert refused(ledger, review(4, "r9", Decision.RETURN, PAY_AT)) == Code.REVIEW_BACKDATED
    assert ledger.append(review(4, "r9", Decision.RETURN, PAY_AT + timedelta(minutes=1))).ok
    assert refused(ledger, pay("p2", 100_000, at=PAY_AT + timedelta(hours=1))) == Code.LIST_NOT_APPROVED


def test_reviews_may_be_keyed_out_of_time_order_before_any_payment(ledger: Ledger) -> None:
    """No payment on L1 yet: a review dated before the ones already recorded is accepted
    (it changes no payment's judgement)."""
    assert ledger.append(review(1, "r5", Decision.PASS, datetime(2025, 1, 31, 9, 0))).ok


def test_the_bound_is_the_last_standing_payment(ledger: Ledger) -> None:
    """L1/1 paid 200,000 on 03-01 10:00 and 300,000 on 03-05 10:00; the second struck.
    The last standing payment is then 03-01 10:00: a review dated 03-03 is accepted,
    one dated 03-01 10:00 is not. With the first struck too, nothing bounds reviews."""
    first = seq_of(ledger, pay("p1", 200_000))
    second = seq_of(ledger, pay("p2", 300_000, at=datetime(2025, 3, 5, 10, 0)))
    assert refused(ledger, review(1, "r5", Decision.PASS, datetime(2025, 3, 3))) == Code.REVIEW_BACKDATED
    assert ledger.append(strike("fix-2", second, "错付")).ok
    assert ledger.append(review(1, "r5", Decision.PASS, datetime(2025, 3, 3))).ok
    assert refused(ledger, review(1, "r6", Decision.PASS, PAY_AT)) == Code.REVIEW_BACKDATED
    assert ledger.append(strike("fix-1", first, "错付")).ok
    assert ledger.append(review(1, "r6", Decision.PASS, datetime(2025, 1, 1))).ok


def test_the_bound_survives_a_refused_batch_and_a_replay(ledger: Ledger, tmp_path: Path) -> None:
    """A batch that pays and then records a back-dated review is refused whole (nothing
    paid, so no bound); the bound is rebuilt when the journal is reopened."""
    batch = [pay("p1", 100_000), review(4, "r9", Decision.RETURN, datetime(2025, 2, 15))]
    result = ledger.append_many(batch)
    assert [(r.index, r.code) for r in result.rejections] == [(1, Code.REVIEW_BACKDATED)]
    assert "L1" not in ledger.state.list_paid_at
    assert ledger.append(pay("p1", 100_000)).ok
    ledger.close()
    with Ledger.open(tmp_path / "books.db") as again:
        assert again.state.list_paid_at == {"L1": PAY_AT}
        code = refused(again, review(4, "r9", Decision.RETURN, datetime(2025, 2, 15)))
        assert code == Code.REVIEW_BACKDATED


def test_outflows_only_in_the_statement_are_payments(ledger: Ledger) -> None:
    """Every outflow of the statement is a standing payment (no reversal rows)."""
    typo = seq_of(ledger, dep("dep-2", 50_000, datetime(2025, 1, 5, 9, 0)))
    assert ledger.append(strike("fix", typo)).ok
    view = ledger.view()
    assert all(t.direction is Direction.IN for t in view.transactions)
    assert [t.txn_id for t in view.transactions] == ["T-dep-1"]
