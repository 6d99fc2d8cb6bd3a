"""The journal's state as the shared records, for reconciliation and reports.

Reconciliation (``buchang.funds.reconcile``) works on records, not on the
journal: :func:`view_of` turns a :class:`~buchang.funds.journal.state.State`
into them. Payments appear as ``Transaction`` outflows of the dedicated account
(专户流水), deposits as inflows.

What a correction means for the statement (the decision, and why)
-------------------------------------------------------------------

A :class:`~buchang.funds.journal.events.Correction` strikes an **erroneous
entry** of the books — a deposit keyed with the wrong amount, a payment booked
twice, a review entered by the wrong person (崇明 2025 "锁定后台、留有痕迹": the
error and its reversal both stay in the journal). It does not record a movement
at the bank: it carries no transaction id and no time of its own, and the bank
statement never shows the mistyped deposit nor its reversal. So the journal
exports two things:

* :attr:`JournalView.transactions` — **the statement the bank should show if
  the books are right**: every deposit and payment not struck by a correction,
  in statement order (time, then transaction id), each with ``balance_after_fen``
  = the running balance of its account in that order, from 0 at opening (what
  a bank prints; the order is the one reconciliation uses, so a struck entry
  leaves no stale balance behind on the rows booked after it). Without
  corrections, and with entries booked in time order, these balances are
  exactly the ones booked. This is what to reconcile, or to compare with the
  bank's own statement.
* :attr:`JournalView.booked_transactions` — **the audit trail**: every deposit
  and payment as booked (with the balance the journal recorded when booking
  it) and each correction of one as a row in the opposite direction
  (``txn_id`` ``<original>#R<seq>``, dated like the entry it strikes, no
  balance). It shows what was keyed and undone; it is not a bank statement
  (reconciled, a deposit's reversal would be an outflow to no list line, and the
  balances booked after an error include it).

A real reversal *at the bank* (a payment returned by the payee's bank, a
deposit sent back to its sender) is a movement with its own statement row,
id and time; it is not a Correction. The journal has no event for a returned
payment yet; until it has, such a return is outside these books.

Because striking an entry rewrites the statement as of the entry's time, the
journal refuses a correction of a deposit that the struck statement could not
carry — a payment dated after it would then have overdrawn the account, or
have been made before the upfront funds were in (see
:mod:`buchang.funds.journal.state`). Hence the promise the reliability suite
checks, with and without corrections: reconciling :attr:`JournalView.transactions`
finds no money problem in books the journal accepted.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from buchang.funds.journal.events import EventType
from buchang.funds.journal.state import CorrectionRecord, Effect, State
from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    Direction,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    ReviewConfig,
    Transaction,
)


@dataclass(frozen=True, slots=True)
class JournalView:
    """A snapshot of the books after entry ``seq``.

    Attributes:
        seq: the last entry included.
        projects: projects, with ``start_date`` once started.
        review_configs: ``(project_id, ReviewConfig)`` pairs.
        agreements: agreements, with ``effective_date`` once effective.
        lists: payment lists, current content.
        reviews: recorded reviews not reversed by a correction.
        transactions: the statement the books imply: deposits (in) and payments
            (out) not struck by a correction, in statement order (time, then
            transaction id), ``balance_after_fen`` the running balance of the
            account in that order (see the module docstring).
        booked_transactions: the audit trail: every deposit and payment as
            booked, with the balance recorded at booking, and each correction
            of one as a transaction in the opposite direction (``txn_id``
            ``<original>#R<seq>``, no balance), in entry order.
        allocations: allocation approvals (调剂审批).
        relocations: relocation events not reversed.
        corrections: every correction.
        balances_fen: ``(project_id, balance)`` of each dedicated account, 分.
        paid_by_line_fen: ``((list_no, line_no), paid)`` net of reversals, 分.
    """

    seq: int
    projects: tuple[Project, ...]
    review_configs: tuple[tuple[str, ReviewConfig], ...]
    agreements: tuple[Agreement, ...]
    lists: tuple[PaymentList, ...]
    reviews: tuple[Review, ...]
    transactions: tuple[Transaction, ...]
    booked_transactions: tuple[Transaction, ...]
    allocations: tuple[AllocationApproval, ...]
    relocations: tuple[RelocationEvent, ...]
    corrections: tuple[CorrectionRecord, ...]
    balances_fen: tuple[tuple[str, int], ...]
    paid_by_line_fen: tuple[tuple[tuple[str, int], int], ...]


def _reversal(orig: Transaction, corr: CorrectionRecord) -> Transaction:
    flipped = Direction.IN if orig.direction is Direction.OUT else Direction.OUT
    return dataclasses.replace(
        orig,
        txn_id=f"{orig.txn_id}#R{corr.seq}",
        direction=flipped,
        reference=f"冲正第{corr.corrects_seq}条 / reversal of entry {corr.corrects_seq}: {corr.reason}",
        balance_after_fen=None,
    )


def _transaction(state: State, e: Effect) -> Transaction:
    assert e.at is not None  # deposits and payments always carry their time
    return Transaction(
        txn_id=e.txn_id,
        account=state.projects[e.project_id].account,
        at=e.at,
        direction=Direction.IN if e.kind is EventType.DEPOSIT else Direction.OUT,
        amount_fen=e.amount_fen,
        counterparty_name=e.counterparty_name,
        counterparty_account=e.counterparty_account,
        reference=e.reference,
        balance_after_fen=e.balance_after_fen,
    )


def statement(moves: list[Transaction]) -> tuple[Transaction, ...]:
    """``moves`` as a statement: in (time, transaction id) order, each row's
    ``balance_after_fen`` the running balance of its account from 0 (a row whose
    booked balance already is that balance is kept as it is)."""
    running: dict[str, int] = {}
    out: list[Transaction] = []
    for t in sorted(moves, key=lambda t: (t.at, t.txn_id, t.account)):
        bal = running.get(t.account, 0) + (t.amount_fen if t.direction is Direction.IN else -t.amount_fen)
        running[t.account] = bal
        out.append(t if t.balance_after_fen == bal else dataclasses.replace(t, balance_after_fen=bal))
    return tuple(out)


def view_of(state: State) -> JournalView:
    """Snapshot ``state`` as records."""
    moves = {
        seq: _transaction(state, e)
        for seq, e in sorted(state.effects.items())
        if e.kind in (EventType.DEPOSIT, EventType.PAYMENT_EXECUTED)
    }
    booked: list[tuple[int, Transaction]] = list(moves.items())
    for corr in state.corrections.values():
        orig = moves.get(corr.corrects_seq)
        if orig is not None:
            booked.append((corr.seq, _reversal(orig, corr)))
    booked.sort(key=lambda x: x[0])
    return JournalView(
        seq=state.seq,
        projects=tuple(state.projects.values()),
        review_configs=tuple(state.review_configs.items()),
        agreements=tuple(state.agreements.values()),
        lists=tuple(state.lists.values()),
        reviews=tuple(r for revs in state.reviews.values() for _, r in revs),
        transactions=statement([t for s, t in moves.items() if s not in state.corrected]),
        booked_transactions=tuple(t for _, t in booked),
        allocations=tuple(state.allocations.values()),
        relocations=tuple(rel for _, rel in state.relocations.values()),
        corrections=tuple(state.corrections.values()),
        balances_fen=tuple(state.balance.items()),
        paid_by_line_fen=tuple(state.line_paid.items()),
    )
