"""Findings about outflows against lines and agreements.

Rules (``shared/spec/funds.md``, the table of codes):

* ``PAYMENT_UNSCHEDULED`` — an outflow matched to no line (and not an approved
  allocation or a transfer reported as ``CROSS_PROJECT_TRANSFER``);
* ``PAYMENT_WRONG_PAYEE`` — referenced to a line but paid to another account;
  it does not count as paying the line;
* ``PAYMENT_DUPLICATE`` — a payment for a line already settled; one finding per
  line, expected = the line amount, actual = all paid to it;
* ``PAYMENT_AMOUNT_MISMATCH`` — over: credit past amount + tolerance (the
  outflow that takes it over is held); under: a line partly paid whose due date
  has passed (the parts are held) — a line still within its term is simply
  ``partly_paid`` (a split in progress);
* ``PAYMENT_OVERDUE`` — nothing paid and the due date before the as-of date;
* ``PAYMENT_LATE`` — paid after the due date (warning);
* ``PAYMENT_BEFORE_EFFECTIVE`` — paid before the agreement's effective date,
  or while it has none (附生效条件 not met — 松江 2021);
* ``CATEGORY_MISMATCH`` — the line's fund category differs from the
  agreement's (专款专用), reported for every such line, paid or not;
* ``AGREEMENT_OVERPAID`` — settled payments under an agreement exceed its
  amount + tolerance; the outflows beyond are held;
* ``RELOCATION_BEFORE_PAYMENT`` — a household vacated/demolished (earliest
  event) before settled payments with date ≤ that day reached the total of
  its agreements (先补偿、后搬迁).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.funds import findings as F
from buchang.funds.reconcile.ledger import OVERDUE, Ledger
from buchang.funds.reconcile.matching import Matching
from buchang.funds.reconcile.prep import Prepared
from buchang.funds.reconcile.sink import Sink, day_text, groups, yuan

I64 = npt.NDArray[np.int64]
_DAY = 86400


def line_findings(
    p: Prepared, m: Matching, led: Ledger, sink: Sink, *, tolerance_fen: int, as_of_day: int
) -> None:
    """Emit the line and agreement findings (see the module docstring)."""
    n = len(p.t_id)
    own = p.proj_of_account[p.t_account] if n else np.zeros(0, dtype=np.int64)
    t_day = p.t_at // _DAY

    unscheduled = p.t_out & ~led.matched & ~m.transfer
    for ti in np.flatnonzero(unscheduled).tolist():
        amount = int(p.t_amount[ti])
        proj = int(own[ti])
        sink.add(
            F.PAYMENT_UNSCHEDULED,
            f"支出{yuan(amount)}（流水{p.t_id[ti]}）无对应清单行 / outflow of {yuan(amount)} matches no list line",
            f"outflow {p.t_id[ti]} of {amount} fen matches no payment-list line",
            [ti],
            project_id=str(p.p_id[proj]) if proj >= 0 else None,
            account=str(p.account_names[p.t_account[ti]]),
            expected_fen=0,
            actual_fen=amount,
        )

    for ti in np.flatnonzero(led.wrong_payee).tolist():
        li = int(m.line[ti])
        paid_to = str(p.account_names[p.t_counterparty[ti]])
        due_to = str(p.account_names[p.l_payee[li]])
        sink.add(
            F.PAYMENT_WRONG_PAYEE,
            f"流水{p.t_id[ti]}付至账户{paid_to}，清单行收款账户为{due_to}",
            f"{p.t_id[ti]} paid into account {paid_to}, the line's payee account is {due_to}",
            [ti],
            line=li,
            expected_fen=int(p.l_amount[li]),
            actual_fen=int(p.t_amount[ti]),
        )

    dup = np.flatnonzero(led.duplicate).astype(np.int64)
    for li, txns in groups(m.line[dup], dup):
        total = int(led.paid[li] + led.duplicate_sum[li])
        sink.add(
            F.PAYMENT_DUPLICATE,
            f"清单行已付清后又支付{yuan(int(led.duplicate_sum[li]))}",
            f"line already settled was paid again: {int(led.duplicate_sum[li])} fen more",
            txns,
            line=li,
            expected_fen=int(p.l_amount[li]),
            actual_fen=total,
        )

    over = np.flatnonzero(led.over).astype(np.int64)
    for li, txns in groups(m.line[over], over):
        sink.add(
            F.PAYMENT_AMOUNT_MISMATCH,
            f"实付{yuan(int(led.paid[li]))}多于清单行金额{yuan(int(p.l_amount[li]))}",
            f"paid {int(led.paid[li])} fen, more than the line's {int(p.l_amount[li])} fen",
            txns,
            line=li,
            expected_fen=int(p.l_amount[li]),
            actual_fen=int(led.paid[li]),
        )
    short = np.flatnonzero((led.state == OVERDUE) & (led.paid > 0)).astype(np.int64)
    valid_idx = np.flatnonzero(led.valid).astype(np.int64)
    has_agr = p.l_agr >= 0
    wrong_cat = np.zeros(len(p.l_agr), dtype=bool)
    if has_agr.any():
        wrong_cat[has_agr] = p.l_category[has_agr] != p.a_category[p.l_agr[has_agr]]
    wrong_cat_idx = np.flatnonzero(wrong_cat).astype(np.int64)
    by_line = dict(groups(m.line[valid_idx], valid_idx, np.union1d(short, wrong_cat_idx)))
    for li in short.tolist():
        sink.add(
            F.PAYMENT_AMOUNT_MISMATCH,
            f"已过付款期限{day_text(int(p.l_due[li]))}，实付{yuan(int(led.paid[li]))}少于清单行金额"
            f"{yuan(int(p.l_amount[li]))}",
            f"past due {day_text(int(p.l_due[li]))} and paid {int(led.paid[li])} fen, less than the "
            f"line's {int(p.l_amount[li])} fen",
            by_line.get(li, ()),
            line=li,
            expected_fen=int(p.l_amount[li]),
            actual_fen=int(led.paid[li]),
        )
    for li in np.flatnonzero((led.state == OVERDUE) & (led.paid == 0)).tolist():
        sink.add(
            F.PAYMENT_OVERDUE,
            f"付款期限{day_text(int(p.l_due[li]))}已过，尚未支付",
            f"unpaid and past its due date {day_text(int(p.l_due[li]))}",
            line=li,
            expected_fen=int(p.l_amount[li]),
            actual_fen=0,
        )

    vline = m.line[valid_idx]
    late = valid_idx[t_day[valid_idx] > p.l_due[vline]]
    for ti in late.tolist():
        li = int(m.line[ti])
        sink.add(
            F.PAYMENT_LATE,
            f"{day_text(int(t_day[ti]))}支付，晚于付款期限{day_text(int(p.l_due[li]))}",
            f"paid on {day_text(int(t_day[ti]))}, after the due date {day_text(int(p.l_due[li]))}",
            [ti],
            line=li,
            expected_fen=None,
            actual_fen=int(p.t_amount[ti]),
        )

    agr = p.l_agr[vline]
    eff = np.where(
        agr >= 0, p.a_effective[np.maximum(agr, 0)] if len(p.a_effective) else 0, np.iinfo(np.int64).max
    )
    early = valid_idx[t_day[valid_idx] < eff]
    for ti in early.tolist():
        li = int(m.line[ti])
        ai = int(p.l_agr[li])
        when = (
            "尚未生效"
            if ai < 0 or p.a_effective[ai] == np.iinfo(np.int64).max
            else f"{day_text(int(p.a_effective[ai]))}生效"
        )
        when_en = (
            "is not yet effective"
            if ai < 0 or p.a_effective[ai] == np.iinfo(np.int64).max
            else f"takes effect on {day_text(int(p.a_effective[ai]))}"
        )
        sink.add(
            F.PAYMENT_BEFORE_EFFECTIVE,
            f"{day_text(int(t_day[ti]))}支付，协议{when}",
            f"paid on {day_text(int(t_day[ti]))}; the agreement {when_en}",
            [ti],
            line=li,
            actual_fen=int(p.t_amount[ti]),
        )

    for li in wrong_cat_idx.tolist():
        ai = int(p.l_agr[li])
        sink.add(
            F.CATEGORY_MISMATCH,
            f"清单行资金类别{p.l_category[li]}与协议类别{p.a_category[ai]}不符（专款专用）",
            f"line category {p.l_category[li]} differs from the agreement's {p.a_category[ai]}",
            by_line.get(li, ()),
            line=li,
            expected_fen=None,
            actual_fen=int(p.l_amount[li]),
        )

    _agreement_overpaid(p, m, led, sink, valid_idx, tolerance_fen)


def _agreement_overpaid(p: Prepared, m: Matching, led: Ledger, sink: Sink, valid_idx: I64, tol: int) -> None:
    agr = p.l_agr[m.line[valid_idx]]
    known = valid_idx[agr >= 0]
    agr = agr[agr >= 0]
    if not len(known):
        return
    total = np.zeros(len(p.a_amount), dtype=np.int64)
    np.add.at(total, agr, led.settled_t[known])
    over = np.flatnonzero(total > p.a_amount + tol)
    for ai in over.tolist():
        txns = known[agr == ai]  # canonical order
        cum = np.cumsum(led.settled_t[txns])
        beyond = txns[(cum > p.a_amount[ai] + tol) & (led.settled_t[txns] > 0)]
        line = int(m.line[txns[0]])
        sink.add(
            F.AGREEMENT_OVERPAID,
            f"协议累计支付{yuan(int(total[ai]))}，超过协议金额{yuan(int(p.a_amount[ai]))}",
            f"payments under the agreement total {int(total[ai])} fen, above its {int(p.a_amount[ai])} fen",
            beyond,
            project_id=str(p.a_project_id[ai]),
            agreement_no=str(p.a_no[ai]),
            list_no=str(p.s_no[p.l_list[line]]) if len(np.unique(m.line[txns])) == 1 else None,
            expected_fen=int(p.a_amount[ai]),
            actual_fen=int(total[ai]),
        )


def relocation_findings(p: Prepared, m: Matching, led: Ledger, sink: Sink, *, tolerance_fen: int) -> None:
    """RELOCATION_BEFORE_PAYMENT (先补偿、后搬迁), per household, at its earliest event."""
    if not len(p.r_household):
        return
    first: dict[str, int] = {}
    for h, on in zip(p.r_household.tolist(), p.r_on.tolist(), strict=True):
        first[h] = min(on, first.get(h, on))
    names = sorted(first)
    index = pd.Index(names, dtype=object)
    on_arr = np.asarray([first[h] for h in names], dtype=np.int64)
    hcode = index.get_indexer(pd.Index(p.a_household, dtype=object)).astype(np.int64)
    due_by = np.zeros(len(names), dtype=np.int64)
    known = hcode >= 0
    np.add.at(due_by, hcode[known], p.a_amount[known])
    has_agr = np.zeros(len(names), dtype=bool)
    has_agr[hcode[known]] = True
    valid_idx = np.flatnonzero(led.valid).astype(np.int64)
    agr = p.l_agr[m.line[valid_idx]]
    which = np.where(agr >= 0, hcode[np.maximum(agr, 0)] if len(hcode) else -1, -1)
    t_day = p.t_at[valid_idx] // _DAY
    sel = which >= 0
    sel[sel] = t_day[sel] <= on_arr[which[sel]]
    paid_by = np.zeros(len(names), dtype=np.int64)
    np.add.at(paid_by, which[sel], led.settled_t[valid_idx[sel]])
    short = np.flatnonzero(has_agr & (paid_by < due_by - tolerance_fen))
    for k in short.tolist():
        h, on, paid, due = names[k], int(on_arr[k]), int(paid_by[k]), int(due_by[k])
        sink.add(
            F.RELOCATION_BEFORE_PAYMENT,
            f"住户{h}于{day_text(on)}搬迁/拆除，此前仅支付{yuan(paid)}，应付{yuan(due)}（先补偿、后搬迁）",
            f"household {h} vacated/demolished on {day_text(on)} having been paid {paid} fen of {due} fen",
            household_ref=h,
            expected_fen=due,
            actual_fen=paid,
        )
