"""Vectorised reconciliation of payment lists, reviews and the dedicated-account
statement (``shared/spec/funds.md``, "Reconciliation").

Public API:

* :func:`reconcile` — on the record types of :mod:`buchang.funds.records`;
* :func:`reconcile_frames` — on plain DataFrames (columns documented in
  :mod:`buchang.funds.reconcile.schema`), for an auditor with spreadsheets and
  a bank statement;
* :class:`ReconcileReport` and its parts; reference formats in
  :mod:`buchang.funds.reconcile.refs`; matching stages in
  :mod:`buchang.funds.reconcile.matching`.
"""

from buchang.funds.reconcile.engine import DEFAULT_WINDOW_DAYS, reconcile, reconcile_frames
from buchang.funds.reconcile.report import AccountTotals, BucketTotal, CategoryTotals, Check, ReconcileReport
from buchang.funds.reconcile.schema import COLUMNS, Frames, frames_from_records

__all__ = [
    "COLUMNS",
    "DEFAULT_WINDOW_DAYS",
    "AccountTotals",
    "BucketTotal",
    "CategoryTotals",
    "Check",
    "Frames",
    "ReconcileReport",
    "frames_from_records",
    "reconcile",
    "reconcile_frames",
]
