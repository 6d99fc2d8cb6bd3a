"""Matching outflows to payment-list lines, and transfers to allocation approvals.

Stages (``shared/spec/funds.md``, "Matching"), each one-to-one and
deterministic — within a group, candidates are taken in canonical order
(transactions by time then id; lines by due date, then list and line number):

1. **list/line reference** in the 摘要 (:mod:`.refs`), on the line's own
   project account;
2. **agreement reference**, paired with an unpaid line of that agreement of
   the same amount;
3. **payee account + amount** within the date window (``|paid − due| ≤ window``
   days), paired with lines that have no payment yet (outflows carrying an
   agreement reference are kept for 3b);
3b. the remaining agreement references: the line of the agreement still owed
   money whose due date is nearest the payment (a split part), else the line
   of the same amount (a second payment), else the agreement's first line; an
   agreement with no line on that account sends the outflow on to stage 4;
4. **split payments by account**: for each line still owed money (taking
   order), the first combination — fewest parts, then earliest — of up to four
   unmatched outflows to its payee account within the window that settles
   what it owes (within the tolerance); at most the first 16 candidates of a
   payee are combined;
5. **second payment by account**: an outflow of a paid line's amount to its
   payee account within the window (reported as a duplicate).

An outflow left over is unscheduled. Transfers between two projects' dedicated
accounts are never matched to lines: each leg is paired with an allocation
approval (调剂审批) of the same from/to accounts and amount approved no later
than the leg.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.funds.reconcile.prep import Prepared

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

BY_LINE_REF: Final = 1
BY_AGREEMENT_REF: Final = 2
BY_ACCOUNT: Final = 3
BY_ACCOUNT_SPLIT: Final = 4
BY_ACCOUNT_REPEAT: Final = 5
BY_ALLOCATION: Final = 6
METHOD_NAMES: Final = {
    0: "",
    BY_LINE_REF: "line_reference",
    BY_AGREEMENT_REF: "agreement_reference",
    BY_ACCOUNT: "account_amount",
    BY_ACCOUNT_SPLIT: "account_split",
    BY_ACCOUNT_REPEAT: "account_repeat",
    BY_ALLOCATION: "allocation",
}

_DAY: Final = 86400
_SPLIT_PARTS: Final = 4
_SPLIT_CANDIDATES: Final = 16


@dataclass(frozen=True, slots=True)
class Matching:
    """Result of matching, per transaction (canonical order).

    Attributes:
        line: the line an outflow was matched to, -1 if none.
        method: how (``BY_*``), 0 if not matched.
        transfer: the transaction is a leg of an inter-project transfer.
        approval: the allocation approval covering a transfer leg, -1 if none.
    """

    line: I64
    method: npt.NDArray[np.int8]
    transfer: BOOL
    approval: I64


def rank_pair(left_keys: list[I64], left_idx: I64, right_keys: list[I64], right_idx: I64) -> tuple[I64, I64]:
    """Pair the k-th left item with the k-th right item of each key group.

    ``left_idx`` / ``right_idx`` must already be in the order in which items are
    to be taken within a group (canonical order); the result pairs indices.
    """
    nl, nr = len(left_idx), len(right_idx)
    if nl == 0 or nr == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    key = _combine([np.concatenate([lk, rk]) for lk, rk in zip(left_keys, right_keys, strict=True)])
    side = np.r_[np.zeros(nl, dtype=np.int64), np.ones(nr, dtype=np.int64)]
    pos = np.r_[np.arange(nl, dtype=np.int64), np.arange(nr, dtype=np.int64)]
    # left items precede right items, each side in taking order: a stable sort keeps that
    order = np.argsort(key, kind="stable")
    ks = key[order]
    new_group = np.r_[True, ks[1:] != ks[:-1]]
    start = np.flatnonzero(new_group)
    gid = np.cumsum(new_group) - 1
    s_side = side[order]
    n_left = np.add.reduceat((s_side == 0).astype(np.int64), start)
    n_right = np.add.reduceat(s_side, start)
    rank = np.arange(len(order), dtype=np.int64) - start[gid]
    is_left = s_side == 0
    lrank = rank[is_left]
    lgid = gid[is_left]
    ok = lrank < n_right[lgid]
    right_at = start[lgid[ok]] + n_left[lgid[ok]] + lrank[ok]
    li = left_idx[pos[order][is_left][ok]]
    ri = right_idx[pos[order][right_at]]
    return li.astype(np.int64), ri.astype(np.int64)


def _combine(keys: list[I64]) -> I64:
    """One int64 key equal for two rows exactly when all ``keys`` are (dense codes where needed)."""
    out = keys[0].astype(np.int64) - int(keys[0].min())
    for k in keys[1:]:
        k = k.astype(np.int64) - int(k.min())
        span = int(k.max()) + 1
        if int(out.max()) >= (1 << 62) // span:
            out = pd.factorize(out)[0].astype(np.int64)
            if int(out.max()) >= (1 << 62) // span:
                k = pd.factorize(k)[0].astype(np.int64)
                span = int(k.max()) + 1
        out = out * span + k
    return out


def _transfers(p: Prepared) -> tuple[BOOL, I64]:
    """Transfer legs and the approval covering each (stage 0)."""
    n = len(p.t_id)
    own = p.proj_of_account[p.t_account] if n else np.zeros(0, dtype=np.int64)
    other = p.proj_of_account[p.t_counterparty] if n else np.zeros(0, dtype=np.int64)
    transfer = (own >= 0) & (other >= 0) & (own != other)
    approval = np.full(n, -1, dtype=np.int64)
    al = np.arange(len(p.al_no), dtype=np.int64)
    for out in (True, False):
        legs = np.flatnonzero(transfer & (p.t_out == out)).astype(np.int64)
        src = p.t_account[legs] if out else p.t_counterparty[legs]
        dst = p.t_counterparty[legs] if out else p.t_account[legs]
        li, ri = rank_pair([src, dst, p.t_amount[legs]], legs, [p.al_from, p.al_to, p.al_amount], al)
        ok = p.al_at[ri] <= p.t_at[li]
        approval[li[ok]] = ri[ok]
    return transfer, approval


def match(p: Prepared, *, tolerance_fen: int, window_days: int) -> Matching:
    """Run the matching stages (see the module docstring)."""
    n = len(p.t_id)
    transfer, approval = _transfers(p)
    line = np.full(n, -1, dtype=np.int64)
    method = np.zeros(n, dtype=np.int8)
    method[transfer & (approval >= 0)] = BY_ALLOCATION
    own = p.proj_of_account[p.t_account] if n else np.zeros(0, dtype=np.int64)
    cand = np.flatnonzero(p.t_out & ~transfer & (own >= 0)).astype(np.int64)
    n_lines = len(p.l_amount)
    t_day = p.t_at // _DAY

    # 1. list/line references
    refs = p.t_refs
    list_idx, line_no, agr_of = refs[0][cand], refs[1][cand], refs[2][cand]
    has = list_idx >= 0
    if has.any() and n_lines:
        line_keys = p.l_list * (1 << 32) + p.l_line_no
        found = pd.Index(line_keys).get_indexer(list_idx[has] * (1 << 32) + line_no[has]).astype(np.int64)
        ti = cand[has]
        ok = (found >= 0) & (p.l_account[np.maximum(found, 0)] == p.t_account[ti])
        line[ti[ok]] = found[ok]
        method[ti[ok]] = BY_LINE_REF

    # 2. agreement references
    with_agr = cand[agr_of >= 0]
    agr = agr_of[agr_of >= 0]
    if len(with_agr) and n_lines:
        paid_lines = np.zeros(n_lines, dtype=bool)
        paid_lines[line[line >= 0]] = True
        open_lines = _lines_by_due(p, np.flatnonzero(~paid_lines & (p.l_agr >= 0)))
        li, ri = rank_pair(
            [agr, p.t_amount[with_agr], p.t_account[with_agr]],
            with_agr,
            [p.l_agr[open_lines], p.l_amount[open_lines], p.l_account[open_lines]],
            open_lines,
        )
        line[li], method[li] = ri, BY_AGREEMENT_REF

    # 3. payee account + amount within the window, lines without payments
    agr_ref = np.full(n, -1, dtype=np.int64)
    agr_ref[with_agr] = agr
    unref = cand[(line[cand] < 0) & (agr_ref[cand] < 0)]
    if len(unref) and n_lines:
        paid_lines = np.zeros(n_lines, dtype=bool)
        paid_lines[line[line >= 0]] = True
        open_lines = _lines_by_due(p, np.flatnonzero(~paid_lines & (p.l_account >= 0)))
        li, ri = rank_pair(
            [p.t_account[unref], p.t_counterparty[unref], p.t_amount[unref]],
            unref,
            [p.l_account[open_lines], p.l_payee[open_lines], p.l_amount[open_lines]],
            open_lines,
        )
        ok = np.abs(t_day[li] - p.l_due[ri]) <= window_days
        line[li[ok]], method[li[ok]] = ri[ok], BY_ACCOUNT

    # 3b. agreement references not paired by amount: split parts and repeats
    left = with_agr[line[with_agr] < 0]
    if len(left) and n_lines:
        _agreement_leftovers(p, line, method, left, agr_ref[left], t_day, tolerance_fen)
    agr_ref[with_agr[line[with_agr] < 0]] = -1  # no line of that agreement here: try by account
    unref = cand[(line[cand] < 0) & (agr_ref[cand] < 0)]

    # 4. split payments by account
    if len(unref) and n_lines:
        paid = _paid(p, line)
        owed = np.flatnonzero((p.l_amount - paid > tolerance_fen) & (p.l_account >= 0)).astype(np.int64)
        _splits(p, line, method, unref, _lines_by_due(p, owed), paid, t_day, tolerance_fen, window_days)

    # 5. repeat payments of a paid line by account
    unref = cand[line[cand] < 0]
    unref = unref[agr_ref[unref] < 0]
    if len(unref) and n_lines:
        paid = _paid(p, line)
        done = _lines_by_due(p, np.flatnonzero((paid > 0) & (p.l_amount - paid <= tolerance_fen)))
        li, ri = rank_pair(
            [p.t_account[unref], p.t_counterparty[unref], p.t_amount[unref]],
            unref,
            [p.l_account[done], p.l_payee[done], p.l_amount[done]],
            done,
        )
        ok = np.abs(t_day[li] - p.l_due[ri]) <= window_days
        line[li[ok]], method[li[ok]] = ri[ok], BY_ACCOUNT_REPEAT
    return Matching(line, method, transfer, approval)


def _lines_by_due(p: Prepared, idx: npt.NDArray[np.intp] | I64) -> I64:
    """Line indices in taking order: due date, then list and line (= index)."""
    idx = np.asarray(idx, dtype=np.int64)
    return idx[np.lexsort((idx, p.l_due[idx]))]


def _paid(p: Prepared, line: I64) -> I64:
    """Sum of outflows matched to each line so far, to the right payee account."""
    paid = np.zeros(len(p.l_amount), dtype=np.int64)
    t = np.flatnonzero(line >= 0)
    right = p.t_counterparty[t] == p.l_payee[line[t]]
    np.add.at(paid, line[t[right]], p.t_amount[t[right]])
    return paid


def _agreement_leftovers(
    p: Prepared, line: I64, method: npt.NDArray[np.int8], txns: I64, agrs: I64, t_day: I64, tol: int
) -> None:
    """Stage 3b for agreement references not paired by amount (few; a plain loop).

    The line chosen is the one of the agreement still owed money whose due date
    is nearest the payment (ties: earlier due, then list/line); else the line of
    the same amount (a repeat payment); else the agreement's first line.
    """
    lines_of: dict[tuple[int, int], list[int]] = {}
    for li in _lines_by_due(p, np.flatnonzero(np.isin(p.l_agr, agrs))).tolist():
        lines_of.setdefault((int(p.l_agr[li]), int(p.l_account[li])), []).append(li)
    owed = p.l_amount - _paid(p, line)
    for ti, ai in zip(txns.tolist(), agrs.tolist(), strict=True):
        cands = lines_of.get((ai, int(p.t_account[ti])), [])
        if not cands:
            continue
        amount = int(p.t_amount[ti])
        day = int(t_day[ti])
        owing = [li for li in cands if owed[li] > tol]
        pick = min(owing, key=lambda li: abs(int(p.l_due[li]) - day)) if owing else None
        if pick is None:
            pick = next((li for li in cands if int(p.l_amount[li]) == amount), cands[0])
        line[ti], method[ti] = pick, BY_AGREEMENT_REF
        if p.t_counterparty[ti] == p.l_payee[pick]:
            owed[pick] -= amount


def _splits(
    p: Prepared,
    line: I64,
    method: npt.NDArray[np.int8],
    txns: I64,
    lines: I64,
    paid: I64,
    t_day: I64,
    tol: int,
    window: int,
) -> None:
    """Stage 4: consecutive outflows to one payee account settling a line."""
    by_acct: dict[tuple[int, int], list[int]] = {}
    for ti in txns.tolist():  # canonical order
        by_acct.setdefault((int(p.t_account[ti]), int(p.t_counterparty[ti])), []).append(ti)
    owed_lines: dict[tuple[int, int], list[int]] = {}
    for li in lines.tolist():
        key = (int(p.l_account[li]), int(p.l_payee[li]))
        if key in by_acct:
            owed_lines.setdefault(key, []).append(li)
    for key, lns in owed_lines.items():
        free = list(by_acct[key])
        for li in lns:
            owed = int(p.l_amount[li] - paid[li])
            due = int(p.l_due[li])
            near = [ti for ti in free if abs(int(t_day[ti]) - due) <= window][:_SPLIT_CANDIDATES]
            parts = _subset(near, [int(p.t_amount[ti]) for ti in near], owed, tol)
            if parts:
                for ti in parts:
                    line[ti], method[ti] = li, BY_ACCOUNT_SPLIT
                used = set(parts)
                free = [ti for ti in free if ti not in used]


def _subset(items: list[int], amounts: list[int], target: int, tol: int) -> tuple[int, ...]:
    """The first (fewest parts, then earliest) combination of up to ``_SPLIT_PARTS``
    items whose amounts sum to ``target`` within ``tol``; ``()`` if none."""
    for r in range(1, min(_SPLIT_PARTS, len(items)) + 1):
        for combo in combinations(range(len(items)), r):
            if abs(sum(amounts[i] for i in combo) - target) <= tol:
                return tuple(items[i] for i in combo)
    return ()
