"""What the matched outflows did to each line: credit, duplicates, states.

Per line (``shared/spec/funds.md``: every line in exactly one state):

* outflows matched to a line and paid to its payee account are *credited*, in
  canonical order (time, id); one that arrives when the line is already settled
  (credited ≥ amount − tolerance) is a **duplicate**; one that takes the credit
  past amount + tolerance is an **overpayment** of the line;
* ``paid_fen`` = credited, non-duplicate outflows; ``settled_fen`` =
  min(paid, amount), the part of the line that is done;
* state: ``paid`` (paid ≥ amount − tolerance), else ``overdue`` (due date
  before the as-of date), else ``partly_paid`` (something paid), else
  ``unpaid_not_due``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt

from buchang.funds.reconcile.matching import Matching
from buchang.funds.reconcile.prep import Prepared

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

PAID: Final = 0
PARTLY_PAID: Final = 1
UNPAID_NOT_DUE: Final = 2
OVERDUE: Final = 3
STATE_NAMES: Final = ("paid", "partly_paid", "unpaid_not_due", "overdue")


@dataclass(frozen=True, slots=True)
class Ledger:
    """Per-transaction and per-line results of crediting (see the module docstring)."""

    matched: BOOL  # outflow matched to a line
    wrong_payee: BOOL
    duplicate: BOOL
    over: BOOL  # took the line past its amount
    valid: BOOL  # credited and not a duplicate
    settled_t: I64  # part of each valid outflow that settles its line
    paid: I64  # per line
    settled: I64  # per line
    duplicate_sum: I64  # per line
    state: npt.NDArray[np.int8]  # per line


def credit(p: Prepared, m: Matching, *, tolerance_fen: int, as_of_day: int) -> Ledger:
    """Credit matched outflows to lines (see the module docstring)."""
    n_lines = len(p.l_amount)
    matched = m.line >= 0
    t = np.flatnonzero(matched).astype(np.int64)
    lines_t = m.line[t]
    wrong = np.zeros(len(m.line), dtype=bool)
    wrong[t] = p.t_counterparty[t] != p.l_payee[lines_t]
    c = t[~wrong[t]]  # credited, canonical order within each line after a stable sort
    c = c[np.argsort(m.line[c], kind="stable")]
    cl = m.line[c]
    amt = p.t_amount[c]
    cum = np.cumsum(amt)
    starts = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1]]) if len(cl) else np.zeros(0, dtype=np.int64)
    base = np.repeat(cum[starts] - amt[starts], np.diff(np.r_[starts, len(cl)])) if len(cl) else cum
    cum_line = cum - base
    before = cum_line - amt
    target = p.l_amount[cl]
    dup_c = before >= target - tolerance_fen
    over_c = ~dup_c & (cum_line > target + tolerance_fen)
    settle_c = np.where(dup_c, 0, np.clip(np.minimum(cum_line, target) - np.minimum(before, target), 0, None))

    duplicate = np.zeros(len(m.line), dtype=bool)
    duplicate[c[dup_c]] = True
    over = np.zeros(len(m.line), dtype=bool)
    over[c[over_c]] = True
    settled_t = np.zeros(len(m.line), dtype=np.int64)
    settled_t[c] = settle_c
    valid = matched & ~wrong & ~duplicate

    paid = np.zeros(n_lines, dtype=np.int64)
    np.add.at(paid, cl[~dup_c], amt[~dup_c])
    dup_sum = np.zeros(n_lines, dtype=np.int64)
    np.add.at(dup_sum, cl[dup_c], amt[dup_c])
    settled = np.minimum(paid, p.l_amount)
    state = np.full(n_lines, UNPAID_NOT_DUE, dtype=np.int8)
    state[paid > 0] = PARTLY_PAID
    state[(paid < p.l_amount - tolerance_fen) & (p.l_due < as_of_day)] = OVERDUE
    state[paid >= p.l_amount - tolerance_fen] = PAID
    return Ledger(matched, wrong, duplicate, over, valid, settled_t, paid, settled, dup_sum, state)


def line_state(amount_fen: int, paid_fen: int, due: date, as_of: date, tolerance_fen: int = 0) -> str:
    """The scalar reference of the line states (see the module docstring).

    >>> line_state(100, 100, date(2024, 1, 1), date(2024, 2, 1))
    'paid'
    >>> line_state(100, 40, date(2024, 3, 1), date(2024, 2, 1)), line_state(100, 40, date(2024, 1, 1), date(2024, 2, 1))
    ('partly_paid', 'overdue')
    """
    if paid_fen >= amount_fen - tolerance_fen:
        return STATE_NAMES[PAID]
    if due < as_of:
        return STATE_NAMES[OVERDUE]
    return STATE_NAMES[PARTLY_PAID] if paid_fen > 0 else STATE_NAMES[UNPAID_NOT_DUE]
