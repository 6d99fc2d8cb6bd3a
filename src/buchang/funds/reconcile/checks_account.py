"""Findings about the dedicated accounts themselves.

* ``CROSS_PROJECT_TRANSFER`` — money moved between two projects' dedicated
  accounts with no allocation approval (调剂审批) of the same from/to accounts
  and amount approved no later than the movement (专款专用; 宝山 2021:
  调剂 needs the district's top official). The out-leg and in-leg of one
  movement, when both are on the statement, make one finding.
* ``ACCOUNT_OVERDRAWN`` — the running balance (opening + in − out, rows in
  (time, id) order) went below zero; one finding per run of negative balances,
  actual = the lowest balance.
* ``BALANCE_MISMATCH`` — the statement's 余额 differs from the running balance
  by more than the tolerance; one finding per run of rows with the same
  difference (so one wrong row, or one missing row, is one finding).
* ``UNDERFUNDED_START`` — 资金前置 (巴南 2015): the start date came before
  cumulative deposits reached the required upfront amount (deposits on the
  start day count), or a line payment was made before they did; one finding
  per project.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from buchang.funds import findings as F
from buchang.funds.reconcile.ledger import Ledger
from buchang.funds.reconcile.matching import Matching, rank_pair
from buchang.funds.reconcile.prep import Prepared
from buchang.funds.reconcile.sink import Sink, day_text, time_text, yuan

I64 = npt.NDArray[np.int64]
_DAY = 86400


@dataclass(frozen=True, slots=True)
class AccountRun:
    """Running balances per account (rows of each account in canonical order)."""

    order: I64  # transaction indices grouped by account, canonical within
    running: I64  # balance after each row of ``order``
    accounts: I64  # account code per group
    bounds: I64  # group boundaries into ``order``
    opening: I64  # per group


def running_balances(p: Prepared) -> AccountRun:
    n = len(p.t_id)
    order = np.argsort(p.t_account, kind="stable").astype(np.int64)
    acct = p.t_account[order]
    bounds = (
        np.r_[0, np.flatnonzero(acct[1:] != acct[:-1]) + 1, n].astype(np.int64)
        if n
        else np.zeros(1, np.int64)
    )
    accounts = acct[bounds[:-1]] if n else np.zeros(0, dtype=np.int64)
    opening = np.zeros(len(accounts), dtype=np.int64)
    proj = p.proj_of_account[accounts] if len(accounts) else accounts
    opening[proj >= 0] = p.p_opening[proj[proj >= 0]]
    signed = np.where(p.t_out[order], -p.t_amount[order], p.t_amount[order])
    cum = np.cumsum(signed)
    starts = bounds[:-1]
    base = np.repeat((cum[starts] - signed[starts]) - opening, np.diff(bounds)) if n else cum
    return AccountRun(order, cum - base, accounts, bounds, opening)


def _runs(flag: npt.NDArray[np.bool_], *keys: I64) -> list[tuple[int, int]]:
    """[start, end) runs of consecutive positions where ``flag`` holds and every key stays the same."""
    idx = np.flatnonzero(flag)
    if not len(idx):
        return []
    brk = np.diff(idx) != 1
    for key in keys:
        brk |= key[idx[1:]] != key[idx[:-1]]
    return [(int(seg[0]), int(seg[-1]) + 1) for seg in np.split(idx, np.flatnonzero(brk) + 1)]


def _project_of(p: Prepared, account: int) -> str | None:
    k = int(p.proj_of_account[account])
    return str(p.p_id[k]) if k >= 0 else None


def account_findings(p: Prepared, m: Matching, run: AccountRun, sink: Sink, *, tolerance_fen: int) -> None:
    """Overdrawn accounts and balances that differ from the statement."""
    group = np.repeat(np.arange(len(run.accounts)), np.diff(run.bounds)) if len(run.order) else run.order
    neg = run.running < 0
    for a, b in _runs(neg, group):
        low = int(run.running[a:b].min())
        acct = str(p.account_names[run.accounts[group[a]]])
        first = int(run.order[a])
        sink.add(
            F.ACCOUNT_OVERDRAWN,
            f"专户{acct}自{time_text(int(p.t_at[first]))}余额为负，最低{yuan(low)}",
            f"account {acct} went below zero at {time_text(int(p.t_at[first]))}, lowest {low} fen",
            [first],
            project_id=_project_of(p, int(run.accounts[group[a]])),
            account=acct,
            expected_fen=0,
            actual_fen=low,
        )
    has = p.t_has_balance[run.order]
    stated = p.t_balance[run.order]
    diff = np.where(has, stated - run.running, 0)
    off = has & (np.abs(diff) > tolerance_fen)
    # runs among the rows that carry a balance: rows without one neither break nor extend a run
    rows = np.flatnonzero(has)
    for a, b in _runs(off[rows], group[rows], diff[rows]):
        ra = int(rows[a])
        first = int(run.order[ra])
        acct = str(p.account_names[run.accounts[group[ra]]])
        sink.add(
            F.BALANCE_MISMATCH,
            f"专户{acct}流水{p.t_id[first]}起对账单余额与推算余额相差{yuan(int(diff[ra]))}（共{b - a}笔）",
            f"account {acct}: from {p.t_id[first]} the statement balance differs from the running "
            f"balance by {int(diff[ra])} fen ({b - a} row(s))",
            [first],
            project_id=_project_of(p, int(run.accounts[group[ra]])),
            account=acct,
            expected_fen=int(run.running[ra]),
            actual_fen=int(stated[ra]),
        )


def transfer_findings(p: Prepared, m: Matching, sink: Sink) -> None:
    """Unapproved transfers between projects' accounts, legs paired into one finding."""
    bad = m.transfer & (m.approval < 0)
    outs = np.flatnonzero(bad & p.t_out).astype(np.int64)
    ins = np.flatnonzero(bad & ~p.t_out).astype(np.int64)
    oi, ii = rank_pair(
        [p.t_account[outs], p.t_counterparty[outs], p.t_amount[outs]],
        outs,
        [p.t_counterparty[ins], p.t_account[ins], p.t_amount[ins]],
        ins,
    )
    partner = dict(zip(oi.tolist(), ii.tolist(), strict=True))
    paired_in = set(ii.tolist())
    legs = [(o, partner.get(o)) for o in outs.tolist()] + [
        (i, None) for i in ins.tolist() if i not in paired_in
    ]
    for a, b in legs:
        out = bool(p.t_out[a])
        src = p.t_account[a] if out else p.t_counterparty[a]
        dst = p.t_counterparty[a] if out else p.t_account[a]
        src_n, dst_n = str(p.account_names[src]), str(p.account_names[dst])
        amount = int(p.t_amount[a])
        proj = int(p.proj_of_account[src])
        sink.add(
            F.CROSS_PROJECT_TRANSFER,
            f"项目专户{src_n}向{dst_n}划转{yuan(amount)}，无调剂审批",
            f"{amount} fen moved from project account {src_n} to {dst_n} without an allocation approval",
            [a] if b is None else [a, b],
            project_id=str(p.p_id[proj]),
            account=src_n,
            expected_fen=0,
            actual_fen=amount,
        )


def upfront_findings(p: Prepared, m: Matching, led: Ledger, sink: Sink) -> None:
    """UNDERFUNDED_START per project (资金前置)."""
    inflow = np.flatnonzero(~p.t_out).astype(np.int64)
    valid = np.flatnonzero(led.valid).astype(np.int64)
    for k in range(len(p.p_id)):
        acct = p.p_account[k]
        required = int(p.p_required[k])
        deposits = inflow[p.t_account[inflow] == acct]
        cum = np.cumsum(p.t_amount[deposits])
        reached = np.flatnonzero(cum >= required)
        if required <= 0:
            funded_at: int | None = np.iinfo(np.int64).min
        elif len(reached):
            funded_at = int(p.t_at[deposits[reached[0]]])
        else:
            funded_at = None
        pays = valid[p.t_account[valid] == acct]
        early = pays if funded_at is None else pays[p.t_at[pays] < funded_at]
        start = int(p.p_start[k])
        late_start = start != np.iinfo(np.int64).min and (funded_at is None or funded_at // _DAY > start)
        if not len(early) and not late_start:
            continue
        if late_start:
            at_s = (start + 1) * _DAY
            point_zh, point_en = f"开工日{day_text(start)}", f"the start date {day_text(start)}"
        else:
            at_s = int(p.t_at[early[0]]) + 1
            point_zh, point_en = (
                f"首笔提前支付（{p.t_id[early[0]]}）",
                f"the first early payment ({p.t_id[early[0]]})",
            )
        have = int(p.t_amount[deposits[p.t_at[deposits] < at_s]].sum())
        sink.add(
            F.UNDERFUNDED_START,
            f"{point_zh}时专户到位资金{yuan(have)}，未达前置要求{yuan(required)}；提前支付{len(early)}笔",
            f"at {point_en} deposits were {have} fen, short of the required upfront {required} fen; "
            f"{len(early)} payment(s) before funding",
            early,
            project_id=str(p.p_id[k]),
            account=str(p.account_names[acct]),
            expected_fen=required,
            actual_fen=have,
        )
