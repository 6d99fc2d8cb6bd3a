"""The journal's state as the shared records, for reconciliation and reports.

Reconciliation (``buchang.funds.reconcile``) works on records, not on the
journal: :func:`view_of` turns a :class:`~buchang.funds.journal.state.State`
into them. Payments appear as ``Transaction`` outflows of the dedicated account
(专户流水), deposits as inflows.
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
        transactions: deposits (in) and payments (out) not reversed, in entry order.
        booked_transactions: every deposit and payment as booked, and each
            correction of one as a transaction in the opposite direction
            (``txn_id`` ``<original>#R<seq>``).
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
        transactions=tuple(t for s, t in moves.items() if s not in state.corrected),
        booked_transactions=tuple(t for _, t in booked),
        allocations=tuple(state.allocations.values()),
        relocations=tuple(rel for _, rel in state.relocations.values()),
        corrections=tuple(state.corrections.values()),
        balances_fen=tuple(state.balance.items()),
        paid_by_line_fen=tuple(state.line_paid.items()),
    )
