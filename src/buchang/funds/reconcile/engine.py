"""Reconciliation: records → frames → arrays → matching → findings → report.

The pipeline (``shared/spec/funds.md``, "Reconciliation"):

1. :mod:`.prep` — check and sort the frames into canonical int64 arrays;
2. :mod:`.matching` — transfers vs allocation approvals, outflows vs lines;
3. :mod:`.ledger` — credit matched outflows to lines, line states;
4. :mod:`.checks_lines`, :mod:`.checks_reviews`, :mod:`.checks_account` —
   findings;
5. :mod:`.report` — buckets, control totals, conservation checks.

Two helper threads parse the 摘要 and compute the list digests while the main
thread goes on (their heavy parts are Arrow kernels and SHA-256, which release
the GIL); every step is a pure function of the inputs, so the report is the
same as a sequential run's. The cyclic garbage collector is paused during the
run (millions of acyclic objects are made) and restored after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.core.memory import paused_gc, retained_heap
from buchang.funds.findings import HOLDING_ORDER, MATCHED
from buchang.funds.reconcile.checks_account import (
    AccountRun,
    account_findings,
    running_balances,
    transfer_findings,
    upfront_findings,
)
from buchang.funds.reconcile.checks_lines import line_findings, relocation_findings
from buchang.funds.reconcile.checks_reviews import list_outcomes, review_findings
from buchang.funds.reconcile.ledger import STATE_NAMES, Ledger, credit
from buchang.funds.reconcile.matching import METHOD_NAMES, Matching, match
from buchang.funds.reconcile.prep import Prepared, prepare
from buchang.funds.reconcile.report import (
    AccountTotals,
    BucketTotal,
    CategoryTotals,
    Check,
    ReconcileReport,
)
from buchang.funds.reconcile.schema import Frames, empty_frame, frames_from_records
from buchang.funds.reconcile.sink import Sink
from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    ReviewConfig,
    Transaction,
)

DEFAULT_WINDOW_DAYS = 30
_DAY = 86400


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic GC while millions of acyclic objects are made, and keep freed
    array memory in the process (:func:`buchang.core.memory.retained_heap`; on the
    1M-line benchmark it cut system time from ~1.5 s to ~0.6 s); both restored after."""
    with paused_gc(), retained_heap():
        yield


def reconcile(
    projects: Iterable[Project],
    agreements: Iterable[Agreement],
    lists: Iterable[PaymentList],
    reviews: Iterable[Review],
    transactions: Iterable[Transaction],
    allocations: Iterable[AllocationApproval] = (),
    relocations: Iterable[RelocationEvent] = (),
    *,
    as_of: date,
    tolerance_fen: int = 0,
    window_days: int = DEFAULT_WINDOW_DAYS,
    review_config: ReviewConfig = ReviewConfig(),  # noqa: B008 - frozen
    opening_fen: dict[str, int] | None = None,
) -> ReconcileReport:
    """Reconcile the record types of :mod:`buchang.funds.records` (builds frames, then
    :func:`reconcile_frames`). ``opening_fen`` maps an account to its opening balance."""
    f = frames_from_records(
        projects, agreements, lists, reviews, transactions, allocations, relocations, opening_fen
    )
    return reconcile_frames(
        f.projects,
        f.agreements,
        f.lists,
        f.lines,
        f.reviews,
        f.transactions,
        f.allocations,
        f.relocations,
        as_of=as_of,
        tolerance_fen=tolerance_fen,
        window_days=window_days,
        review_config=review_config,
    )


def reconcile_frames(
    projects: pd.DataFrame,
    agreements: pd.DataFrame,
    lists: pd.DataFrame,
    lines: pd.DataFrame,
    reviews: pd.DataFrame,
    transactions: pd.DataFrame,
    allocations: pd.DataFrame | None = None,
    relocations: pd.DataFrame | None = None,
    *,
    as_of: date,
    tolerance_fen: int = 0,
    window_days: int = DEFAULT_WINDOW_DAYS,
    review_config: ReviewConfig = ReviewConfig(),  # noqa: B008 - frozen
) -> ReconcileReport:
    """Reconcile plain frames (columns in :mod:`buchang.funds.reconcile.schema`).

    ``as_of``: lines due before it and unpaid are overdue. ``tolerance_fen``:
    amount differences up to it are accepted (recorded). ``window_days``: how
    far a payment may be from the line's due date for account + amount
    matching (recorded).
    """
    if tolerance_fen < 0 or window_days < 0:
        raise ValueError("tolerance_fen and window_days must be >= 0")
    frames = Frames(
        projects,
        agreements,
        lists,
        lines,
        reviews,
        transactions,
        empty_frame("allocations") if allocations is None else allocations,
        empty_frame("relocations") if relocations is None else relocations,
    )
    with _bulk(), ThreadPoolExecutor(max_workers=2) as pool:
        p = prepare(frames, pool)
        as_of_day = int(np.datetime64(as_of, "D").astype(np.int64))
        m = match(p, tolerance_fen=tolerance_fen, window_days=window_days)
        led = credit(p, m, tolerance_fen=tolerance_fen, as_of_day=as_of_day)
        sink = Sink(p)
        transfer_findings(p, m, sink)
        line_findings(p, m, led, sink, tolerance_fen=tolerance_fen, as_of_day=as_of_day)
        outcomes = list_outcomes(p, review_config)
        review_findings(p, m, led, sink, outcomes, review_config)
        upfront_findings(p, m, led, sink)
        relocation_findings(p, m, led, sink, tolerance_fen=tolerance_fen)
        run = running_balances(p)
        account_findings(p, m, run, sink, tolerance_fen=tolerance_fen)
        approved_lists = np.asarray([o.approved for o in outcomes], dtype=bool)
        return _report(p, m, led, sink, run, approved_lists, as_of, tolerance_fen, window_days)


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    """A frame keeping text as Python objects (no conversion of a million strings)."""
    return pd.DataFrame(
        {
            k: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype.kind == "O" else v
            for k, v in columns.items()
        }
    )


def _report(
    p: Prepared,
    m: Matching,
    led: Ledger,
    sink: Sink,
    run: AccountRun,
    approved_lists: npt.NDArray[np.bool_],
    as_of: date,
    tolerance_fen: int,
    window_days: int,
) -> ReconcileReport:
    n = len(p.t_id)
    rank = sink.buckets(n)
    bucket_names = np.asarray([*HOLDING_ORDER, MATCHED], dtype=object)
    out_idx = np.flatnonzero(p.t_out)
    buckets = bucket_names[rank[out_idx]]
    line = m.line[out_idx]
    has_line = line >= 0
    safe = np.maximum(line, 0)
    list_no = np.full(len(out_idx), None, dtype=object)
    if len(p.l_list):
        list_no[has_line] = p.s_no.to_numpy(dtype=object)[p.l_list[line[has_line]]]
    approval_no = np.full(len(out_idx), None, dtype=object)
    approval = m.approval[out_idx]
    approval_no[approval >= 0] = p.al_no[approval[approval >= 0]]
    outflows = _frame(
        {
            "txn_id": p.t_id[out_idx],
            "account": p.account_names[p.t_account[out_idx]] if n else np.zeros(0, dtype=object),
            "at": p.t_at[out_idx].astype("datetime64[s]"),
            "amount_fen": p.t_amount[out_idx],
            "bucket": buckets,
            "method": np.asarray([METHOD_NAMES[int(k)] for k in range(7)], dtype=object)[m.method[out_idx]],
            "list_no": list_no,
            "line_no": pd.array(
                np.where(has_line, p.l_line_no[safe] if len(p.l_line_no) else 0, 0), dtype="Int64"
            ),
            "approval_no": approval_no,
        }
    )
    outflows.loc[~has_line, "line_no"] = pd.NA
    state_names = np.asarray(STATE_NAMES, dtype=object)
    lines = _frame(
        {
            "list_no": p.s_no.to_numpy(dtype=object)[p.l_list],
            "line_no": p.l_line_no,
            "agreement_no": p.l_agr_no,
            "category": p.l_category,
            "amount_fen": p.l_amount,
            "paid_fen": led.paid,
            "settled_fen": led.settled,
            "state": state_names[led.state],
        }
    )

    # control totals by category
    approved_line = approved_lists[p.l_list] if len(p.l_list) else np.zeros(0, dtype=bool)
    cat = pd.DataFrame(
        {
            "category": pd.Series(p.l_category, dtype=object),
            "scheduled": p.l_amount,
            "approved": np.where(approved_line, p.l_amount, 0),
            "paid": led.settled,
            "unpaid": p.l_amount - led.settled,
            "n": np.ones(len(p.l_amount), dtype=np.int64),
        }
    )
    sums = cat.groupby("category", sort=True).sum()
    category_totals = tuple(
        CategoryTotals(
            str(k), int(r["n"]), int(r["scheduled"]), int(r["approved"]), int(r["paid"]), int(r["unpaid"])
        )
        for k, r in sums.iterrows()
    )

    # account totals
    accounts: list[AccountTotals] = []
    for g, acct in enumerate(run.accounts.tolist()):
        a, b = int(run.bounds[g]), int(run.bounds[g + 1])
        rows = run.order[a:b]
        out_mask = p.t_out[rows]
        stated = rows[p.t_has_balance[rows]]
        proj = int(p.proj_of_account[acct])
        accounts.append(
            AccountTotals(
                str(p.account_names[acct]),
                str(p.p_id[proj]) if proj >= 0 else None,
                int(run.opening[g]),
                int(p.t_amount[rows[~out_mask]].sum()),
                int(p.t_amount[rows[out_mask]].sum()),
                int(run.running[b - 1]),
                int(p.t_balance[stated[-1]]) if len(stated) else None,
            )
        )
    accounts.sort(key=lambda x: x.account)

    # buckets and checks
    by_bucket = outflows.groupby("bucket", sort=True)["amount_fen"].agg(["count", "sum"])
    bucket_totals = tuple(
        BucketTotal(str(k), int(r["count"]), int(r["sum"])) for k, r in by_bucket.iterrows()
    )
    total_out = int(p.t_amount[out_idx].sum())
    checks = [
        Check("outflows = sum over buckets (fen)", total_out, sum(b.amount_fen for b in bucket_totals)),
        Check("outflows counted once each (rows)", len(out_idx), sum(b.count for b in bucket_totals)),
        Check("lines in exactly one state (rows)", len(p.l_amount), int(lines["state"].value_counts().sum())),
        Check(
            "settled by outflows = settled on lines (fen)", int(led.settled_t.sum()), int(led.settled.sum())
        ),
    ]
    for c in category_totals:
        checks.append(
            Check(
                f"{c.category}: paid + unpaid = scheduled (fen)", c.scheduled_fen, c.paid_fen + c.unpaid_fen
            )
        )
    for acc in accounts:
        checks.append(
            Check(
                f"{acc.account}: opening + in - out = closing (fen)",
                acc.closing_fen,
                acc.opening_fen + acc.in_fen - acc.out_fen,
            )
        )
    findings = tuple(sorted(sink.findings, key=lambda f: f.sort_key()))
    return ReconcileReport(
        as_of=as_of,
        tolerance_fen=tolerance_fen,
        window_days=window_days,
        findings=findings,
        lines=lines,
        outflows=outflows,
        category_totals=category_totals,
        account_totals=tuple(accounts),
        bucket_totals=bucket_totals,
        checks=tuple(checks),
        issues=p.issues,
    )
