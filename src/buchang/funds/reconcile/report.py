"""The reconciliation report (``shared/spec/funds.md``, "Reconciliation").

Frozen, JSON-serialisable (:meth:`ReconcileReport.to_dict`,
:meth:`ReconcileReport.to_json`). It records the as-of date, tolerance and
window used; every finding; each line's state and each outflow's bucket (as
frames, one row per line / outflow); control totals by category and by
account; and the checks proving that money is conserved.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pandas as pd

from buchang.core.errors import Issue, Severity
from buchang.funds.findings import Finding


@dataclass(frozen=True, slots=True)
class CategoryTotals:
    """Control totals of one fund category, 分: scheduled = paid + unpaid.

    ``approved`` = lines on approved lists; ``paid`` = settled part of lines
    (payments beyond a line's amount are not counted here, they sit in a
    finding's bucket); ``unpaid`` = scheduled − paid.
    """

    category: str
    lines: int
    scheduled_fen: int
    approved_fen: int
    paid_fen: int
    unpaid_fen: int


@dataclass(frozen=True, slots=True)
class AccountTotals:
    """Opening + in − out = closing for one account, 分, and the statement's own closing."""

    account: str
    project_id: str | None
    opening_fen: int
    in_fen: int
    out_fen: int
    closing_fen: int
    statement_closing_fen: int | None


@dataclass(frozen=True, slots=True)
class BucketTotal:
    """Outflows held in one bucket (``matched`` or a finding code)."""

    bucket: str
    count: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Check:
    """A control check: ``expected`` must equal ``actual``."""

    name: str
    expected: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass(frozen=True, eq=False)
class ReconcileReport:
    """Result of :func:`buchang.funds.reconcile.reconcile_frames`.

    Attributes:
        as_of: the as-of date.
        tolerance_fen: amount tolerance used, 分.
        window_days: date window of account + amount matching, days.
        findings: all findings, in a stable order (code, project, list, line …).
        lines: one row per line: list_no, line_no, agreement_no, category,
            amount_fen, paid_fen, settled_fen, state (paid / partly_paid /
            unpaid_not_due / overdue).
        outflows: one row per outflow: txn_id, account, at, amount_fen, bucket,
            method, list_no, line_no, approval_no.
        category_totals / account_totals / bucket_totals: control totals.
        checks: the conservation checks; all must be ``ok``.
        issues: problems with the inputs themselves.
    """

    as_of: date
    tolerance_fen: int
    window_days: int
    findings: tuple[Finding, ...]
    lines: pd.DataFrame
    outflows: pd.DataFrame
    category_totals: tuple[CategoryTotals, ...]
    account_totals: tuple[AccountTotals, ...]
    bucket_totals: tuple[BucketTotal, ...]
    checks: tuple[Check, ...]
    issues: tuple[Issue, ...]

    def counts_by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in self.findings).items()))

    @property
    def has_errors(self) -> bool:
        """An error-severity finding or input issue."""
        return any(f.severity is Severity.ERROR for f in self.findings) or any(
            i.is_error for i in self.issues
        )

    @property
    def checks_ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_dict(self, *, detail: bool = True) -> dict[str, object]:
        """Plain data (ints, strings, lists, dicts); ``detail`` adds the per-line/outflow rows."""
        out: dict[str, object] = {
            "as_of": self.as_of.isoformat(),
            "tolerance_fen": self.tolerance_fen,
            "window_days": self.window_days,
            "counts_by_code": self.counts_by_code(),
            "findings": [f.to_dict() for f in self.findings],
            "category_totals": [vars_of(c) for c in self.category_totals],
            "account_totals": [vars_of(a) for a in self.account_totals],
            "bucket_totals": [vars_of(b) for b in self.bucket_totals],
            "checks": [{**vars_of(c), "ok": c.ok} for c in self.checks],
            "issues": [i.to_dict() for i in self.issues],
            "line_states": self.lines["state"].value_counts().sort_index().astype(int).to_dict(),
        }
        if detail:
            out["lines"] = _records(self.lines)
            out["outflows"] = _records(self.outflows)
        return out

    def to_json(self, *, detail: bool = True, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(detail=detail), ensure_ascii=False, indent=indent)


def vars_of(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    cols = list(frame.columns)
    data = [_plain(frame[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*data, strict=True)]


def _plain(col: pd.Series) -> list[object]:
    """A column as JSON-ready Python values (times as ISO text, missing as None)."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        text = col.to_numpy().astype("datetime64[s]").astype(str)
        return [None if t == "NaT" else t for t in text.tolist()]
    return list(col.astype(object).where(col.notna(), None).tolist())
