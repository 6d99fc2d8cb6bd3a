"""Every invariant the journal enforces on write: the refused command gets its
stable code and nothing is written (funds.md, "The journal" and "Records")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from buchang.funds.journal import (
    AgreementTookEffect,
    ApproveAllocation,
    Code,
    Command,
    CreatePaymentList,
    Ledger,
    OpenProject,
    RecordReview,
    RevisePaymentList,
    StartProject,
)
from buchang.funds.journal.example import (
    PAY_AT,
    T0,
    agreement,
    deposit,
    fixed_clock,
    funded_setup,
    make_list,
    open_project,
    pay,
    register,
    reviews,
)
from buchang.funds.records import AllocationApproval, Decision, Project, Review


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger.create(tmp_path / "books.db", clock=fixed_clock)
    assert led.append_many(funded_setup()).ok
    return led


def refused(ledger: Ledger, command: Command, code: Code) -> None:
    """``command`` is refused with ``code`` and the journal and state are unchanged."""
    head, stored = ledger.head, ledger.store.head()
    balances, paid = dict(ledger.state.balance), dict(ledger.state.line_paid)
    res = ledger.append(command)
    assert [r.code for r in res.rejections] == [code], res.rejections
    assert not res.receipts
    assert ledger.head == head and ledger.store.head() == stored
    assert ledger.state.balance == balances and ledger.state.line_paid == paid


def small_project(tmp_path: Path, *, upfront: int, deposited: int) -> Ledger:
    """P1 needing ``upfront``, with ``deposited`` in; A1 (500,000) on approved list L1."""
    led = Ledger.create(tmp_path / "small.db", clock=fixed_clock)
    plist = make_list(amounts=(("A1", 500_000),))
    cmds = [open_project(upfront=upfront)]
    if deposited:
        cmds.append(deposit("dep-1", deposited))
    cmds += [
        register(agreement("A1", 500_000, date(2025, 1, 10))),
        Command("list-L1", CreatePaymentList(plist)),
        *reviews(plist),
    ]
    assert led.append_many(cmds).ok
    return led


# --- the dedicated account (专户) ---------------------------------------------------


def test_no_payment_beyond_the_available_balance(tmp_path: Path) -> None:
    led = small_project(tmp_path, upfront=100_000, deposited=150_000)
    # balance 150,000 < 200,000 asked
    refused(led, pay("p1", 200_000), Code.ACCOUNT_OVERDRAWN)
    assert led.append(pay("p1", 150_000)).entries[0].balance_fen == 0  # 150,000 − 150,000
    refused(led, pay("p2", 1), Code.ACCOUNT_OVERDRAWN)


def test_duplicate_bank_transaction(ledger: Ledger) -> None:
    refused(ledger, deposit("dep-again", 5, txn="T-dep-1"), Code.DUPLICATE_TRANSACTION)


def test_non_positive_amounts(ledger: Ledger) -> None:
    refused(ledger, deposit("d0", 0), Code.INVALID_AMOUNT)
    refused(ledger, pay("p0", -5), Code.INVALID_AMOUNT)


def test_project_identity(ledger: Ledger) -> None:
    refused(ledger, Command("open-again", open_project().event), Code.PROJECT_EXISTS)
    refused(ledger, Command("open-P2", open_project("P2").event), Code.ACCOUNT_IN_USE)
    refused(ledger, deposit("d-x", 5, pid="PX"), Code.UNKNOWN_PROJECT)
    started = Project("P3", "x", "acct-3", 0, start_date=date(2025, 1, 1))
    refused(ledger, Command("open-P3", OpenProject(started)), Code.MALFORMED_COMMAND)


def test_money_from_another_project_needs_an_allocation_approval(ledger: Ledger) -> None:
    assert ledger.append(open_project("P2", account="acct-2", upfront=0)).ok
    move = deposit("in-P2", 100_000, pid="P2", counterparty_account="31050161360000000001")
    refused(ledger, move, Code.CROSS_PROJECT_TRANSFER)
    ap = AllocationApproval("DJ-1", "31050161360000000001", "acct-2", 60_000, "区长", datetime(2025, 2, 1))
    assert ledger.append(Command("ap-1", ApproveAllocation(ap))).ok
    refused(ledger, move, Code.CROSS_PROJECT_TRANSFER)  # 100,000 > the 60,000 approved
    ok = deposit(
        "in-P2b", 60_000, pid="P2", counterparty_account="31050161360000000001", allocation_no="DJ-1"
    )
    assert ledger.append(ok).ok
    refused(ledger, replace(ok, command_id="in-P2c"), Code.DUPLICATE_TRANSACTION)


# --- upfront funds (资金前置) ----------------------------------------------------------


def test_upfront_gate_blocks_start_and_payment(tmp_path: Path) -> None:
    led = small_project(tmp_path, upfront=1_000_000, deposited=999_999)
    start = Command("start", StartProject("P1", date(2025, 1, 20)))
    refused(led, start, Code.UNDERFUNDED_START)  # 999,999 < 1,000,000
    refused(led, pay("p1", 1), Code.UNDERFUNDED_START)
    assert led.append(deposit("dep-2", 1)).ok  # 999,999 + 1 = 1,000,000: exactly enough
    assert led.append(start).ok
    refused(led, Command("start-2", StartProject("P1", date(2025, 1, 21))), Code.PROJECT_ALREADY_STARTED)
    assert led.append(pay("p1", 1)).ok


def test_upfront_gate_with_nothing_deposited(tmp_path: Path) -> None:
    led = small_project(tmp_path, upfront=1, deposited=0)
    refused(led, Command("start", StartProject("P1", date(2025, 1, 20))), Code.UNDERFUNDED_START)


# --- agreements ------------------------------------------------------------------------


def test_no_payment_before_the_agreement_took_effect(ledger: Ledger) -> None:
    refused(ledger, pay("p-a2", 100_000, line=2), Code.PAYMENT_BEFORE_EFFECTIVE)  # A2 not effective
    assert ledger.append(Command("eff-A2", AgreementTookEffect("A2", date(2025, 3, 10)))).ok
    refused(ledger, pay("p-a2", 100_000, line=2), Code.PAYMENT_BEFORE_EFFECTIVE)  # paid 03-01 < 03-10
    assert ledger.append(pay("p-a2", 100_000, line=2, at=datetime(2025, 3, 10, 9))).ok


def test_agreement_registration_rules(ledger: Ledger) -> None:
    refused(ledger, Command("reg-again", register(agreement("A1", 5, None)).event), Code.AGREEMENT_EXISTS)
    refused(ledger, Command("reg-A7", register(agreement("A7", 0, None)).event), Code.INVALID_AMOUNT)
    refused(ledger, register(agreement("A8", 5, date(2025, 1, 1))), Code.EFFECTIVE_BEFORE_SIGNED)
    refused(
        ledger,
        Command("eff-1", AgreementTookEffect("A1", date(2025, 2, 1))),
        Code.AGREEMENT_ALREADY_EFFECTIVE,
    )
    refused(ledger, Command("eff-2", AgreementTookEffect("A404", date(2025, 2, 1))), Code.UNKNOWN_AGREEMENT)


def test_no_payment_beyond_the_agreement(ledger: Ledger) -> None:
    # a second list also schedules A1's 500,000: the lines allow it, the agreement does not
    l2 = make_list("L2", (("A1", 500_000),))
    assert ledger.append_many([Command("list-L2", CreatePaymentList(l2)), *reviews(l2)]).ok
    assert ledger.append(pay("p1", 500_000)).ok
    refused(ledger, pay("p2", 1, list_no="L2"), Code.AGREEMENT_OVERPAID)  # 500,000 + 1 > 500,000


def test_no_payment_beyond_the_line(ledger: Ledger) -> None:
    assert ledger.append(pay("p1", 300_000)).ok
    refused(ledger, pay("p2", 200_001), Code.LINE_OVERPAID)  # 300,000 + 200,001 > 500,000
    assert ledger.append(pay("p2", 200_000)).ok  # split payment completes the line


# --- lists and the four-level review (四级审核) ---------------------------------------------


def test_list_references_registered_agreements(ledger: Ledger) -> None:
    refused(ledger, Command("l3", CreatePaymentList(make_list("L3", (("A404", 5),)))), Code.UNKNOWN_AGREEMENT)
    assert ledger.append_many(
        [open_project("P2", account="acct-2"), register(agreement("B1", 9, None, "P2"))]
    ).ok
    refused(
        ledger, Command("l4", CreatePaymentList(make_list("L4", (("B1", 5),)))), Code.AGREEMENT_OTHER_PROJECT
    )
    wrong = make_list("L5", (("A1", 5),))
    wrong = replace(wrong, lines=(replace(wrong.lines[0], category="安置补助费"),))
    refused(ledger, Command("l5", CreatePaymentList(wrong)), Code.CATEGORY_MISMATCH)
    refused(ledger, Command("l6", CreatePaymentList(make_list())), Code.LIST_EXISTS)
    refused(ledger, Command("l7", CreatePaymentList(replace(make_list("L7"), lines=()))), Code.LIST_MALFORMED)


def test_no_payment_on_a_list_that_is_not_approved(tmp_path: Path) -> None:
    led = Ledger.create(tmp_path / "j.db", clock=fixed_clock)
    setup = funded_setup()
    assert led.append_many(setup[:-1]).ok  # level 4 never reviewed
    refused(led, pay("p1", 1), Code.LIST_NOT_APPROVED)
    assert led.append(setup[-1]).ok
    assert led.append(pay("p1", 1)).ok


def test_no_payment_before_the_approval_time(ledger: Ledger) -> None:
    # level 4 passed at T0 + 4 h; a payment dated T0 + 1 h came before approval
    refused(ledger, pay("p1", 1, at=T0 + timedelta(hours=1)), Code.PAYMENT_BEFORE_APPROVAL)
    assert ledger.append(pay("p1", 1, at=T0 + timedelta(hours=4))).ok


def test_review_digest_must_be_one_the_list_had(ledger: Ledger) -> None:
    bad = Review("L1", 1, "r1", "x", Decision.PASS, T0, "0" * 64)
    refused(ledger, Command("rev-bad", RecordReview(bad)), Code.REVIEW_DIGEST_UNKNOWN)
    refused(
        ledger,
        Command("rev-5", RecordReview(replace(bad, level=5, digest=make_list().digest))),
        Code.REVIEW_LEVEL_INVALID,
    )
    refused(ledger, Command("rev-x", RecordReview(replace(bad, list_no="L404"))), Code.UNKNOWN_LIST)


def test_revision_makes_reviews_stale(ledger: Ledger) -> None:
    old = make_list()
    new = make_list(amounts=(("A1", 400_000), ("A2", 300_000)))
    assert ledger.append(Command("rev-L1", RevisePaymentList(new, "金额更正"))).ok
    refused(ledger, pay("p1", 1), Code.LIST_NOT_APPROVED)  # the four reviews saw the old digest
    late = Review("L1", 1, "r1", "x", Decision.RETURN, T0 + timedelta(days=1), old.digest)
    assert ledger.append(Command("rev-old", RecordReview(late))).ok  # a digest the list has had
    assert ledger.append_many(reviews(new, start=T0 + timedelta(days=2))).ok
    assert ledger.append(pay("p1", 1)).ok
    refused(ledger, Command("rev-L1b", RevisePaymentList(old)), Code.LIST_HAS_PAYMENTS)


def test_revision_rules(ledger: Ledger) -> None:
    refused(ledger, Command("r1", RevisePaymentList(make_list())), Code.LIST_UNCHANGED)
    refused(ledger, Command("r2", RevisePaymentList(make_list("L404"))), Code.UNKNOWN_LIST)


def test_payment_refers_to_a_known_list_and_line(ledger: Ledger) -> None:
    refused(ledger, pay("p1", 1, list_no="L404"), Code.UNKNOWN_LIST)
    refused(ledger, pay("p1", 1, line=3), Code.UNKNOWN_LINE)
    assert ledger.append(open_project("P2", account="acct-2", upfront=0)).ok
    refused(ledger, pay("p1", 1, pid="P2"), Code.LIST_OTHER_PROJECT)
    assert PAY_AT > T0
