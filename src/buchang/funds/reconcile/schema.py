"""The frame schema of reconciliation and the conversion from records.

An auditor with only spreadsheets and a bank statement can call
:func:`buchang.funds.reconcile.reconcile_frames` with plain pandas DataFrames
carrying these columns (English names; amounts are **integer fen** — never
float; dates are anything :func:`pandas.to_datetime` reads, times likewise and
a statement row without a time is at 00:00). Optional columns may be absent.

``projects``
    project_id, name, account, required_upfront_fen, start_date (blank = not
    started); optional opening_fen (the account balance before the first
    statement row, default 0).
``agreements``
    agreement_no, project_id, payee_name, payee_id, payee_account, category,
    amount_fen, signed_date, effective_date (blank = not yet effective,
    附生效条件 unmet); optional household_ref.
``lists``
    list_no, project_id, preparer, created_at.
``lines``
    list_no, line_no, agreement_no, payee_name, payee_account, category,
    amount_fen, due_date.
``reviews``
    list_no, level, reviewer_id, role, decision (通过 / 退回), at, digest.
``transactions``
    txn_id, account, at, direction (``in`` / ``out``), amount_fen (positive),
    counterparty_name, counterparty_account, reference (摘要); optional
    balance_after_fen (nullable integer).
``allocations``
    approval_no, from_account, to_account, amount_fen, approved_by, approved_at.
``relocations``
    household_ref, on, kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    Transaction,
)

I64 = npt.NDArray[np.int64]

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "projects": ("project_id", "name", "account", "required_upfront_fen", "start_date"),
    "agreements": (
        "agreement_no",
        "project_id",
        "payee_name",
        "payee_id",
        "payee_account",
        "category",
        "amount_fen",
        "signed_date",
        "effective_date",
    ),
    "lists": ("list_no", "project_id", "preparer", "created_at"),
    "lines": (
        "list_no",
        "line_no",
        "agreement_no",
        "payee_name",
        "payee_account",
        "category",
        "amount_fen",
        "due_date",
    ),
    "reviews": ("list_no", "level", "reviewer_id", "role", "decision", "at", "digest"),
    "transactions": (
        "txn_id",
        "account",
        "at",
        "direction",
        "amount_fen",
        "counterparty_name",
        "counterparty_account",
        "reference",
    ),
    "allocations": ("approval_no", "from_account", "to_account", "amount_fen", "approved_by", "approved_at"),
    "relocations": ("household_ref", "on", "kind"),
}

OPTIONAL: Final[dict[str, dict[str, object]]] = {
    "projects": {"opening_fen": 0},
    "agreements": {"household_ref": ""},
    "transactions": {"balance_after_fen": None},
    "relocations": {"kind": "vacated"},
}

#: Sentinel for "no date" in int64 day/second arrays (NaT's integer value).
NO_DATE: Final = np.iinfo(np.int64).min


def empty_frame(kind: str) -> pd.DataFrame:
    """An empty frame with the columns of ``kind``."""
    cols = COLUMNS[kind] + tuple(OPTIONAL.get(kind, {}))
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})


def check_columns(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Raise ``ValueError`` naming missing columns; add absent optional ones."""
    missing = [c for c in COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise ValueError(f"{kind} frame lacks columns {missing}")
    extra = {c: v for c, v in OPTIONAL.get(kind, {}).items() if c not in frame.columns}
    if extra:
        frame = frame.copy()
        for c, v in extra.items():
            frame[c] = pd.Series([v] * len(frame), index=frame.index, dtype=object)
    return frame


def fen_array(series: pd.Series) -> I64:
    """Integer fen as int64; a float column is a programmer error (money is never float)."""
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64)
    if pd.api.types.is_float_dtype(series.dtype):
        raise TypeError(f"column {series.name!r} is float: amounts must be integer fen")
    if series.dtype == object and any(isinstance(v, float) for v in series):
        raise TypeError(f"column {series.name!r} holds floats: amounts must be integer fen")
    return series.to_numpy(dtype=np.int64)


def day_array(series: pd.Series) -> I64:
    """Days since 1970-01-01 (``NO_DATE`` for blanks)."""
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64)
    values = pd.to_datetime(series).to_numpy().astype("datetime64[D]")
    return values.astype(np.int64)


def second_array(series: pd.Series) -> I64:
    """Seconds since 1970-01-01 00:00 (``NO_DATE`` for blanks)."""
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64)
    values = pd.to_datetime(series).to_numpy().astype("datetime64[s]")
    return values.astype(np.int64)


def str_array(series: pd.Series) -> npt.NDArray[np.object_]:
    """Text as an object array of ``str``, blanks as ``""`` (one pass for string columns)."""
    if len(series) == 0:
        return np.zeros(0, dtype=object)
    if isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy(dtype=object, na_value="")
    arr = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=False) == "string":
        return arr
    return series.fillna("").astype(str).to_numpy(dtype=object)


@dataclass(frozen=True, slots=True)
class Frames:
    """The eight input frames of reconciliation (see the module docstring)."""

    projects: pd.DataFrame
    agreements: pd.DataFrame
    lists: pd.DataFrame
    lines: pd.DataFrame
    reviews: pd.DataFrame
    transactions: pd.DataFrame
    allocations: pd.DataFrame
    relocations: pd.DataFrame


def _frame(kind: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    if not rows:
        return empty_frame(kind)
    return pd.DataFrame(rows)


def frames_from_records(
    projects: Iterable[Project],
    agreements: Iterable[Agreement],
    lists: Iterable[PaymentList],
    reviews: Iterable[Review],
    transactions: Iterable[Transaction],
    allocations: Iterable[AllocationApproval] = (),
    relocations: Iterable[RelocationEvent] = (),
    opening_fen: dict[str, int] | None = None,
) -> Frames:
    """Build the frames from the record types of :mod:`buchang.funds.records`.

    ``opening_fen`` maps a dedicated account to its balance before the first
    statement row (default 0: a newly opened 专户).
    """
    opening = opening_fen or {}
    plists: Sequence[PaymentList] = tuple(lists)
    proj = _frame(
        "projects",
        [
            {
                "project_id": p.project_id,
                "name": p.name,
                "account": p.account,
                "required_upfront_fen": p.required_upfront_fen,
                "start_date": p.start_date,
                "opening_fen": opening.get(p.account, 0),
            }
            for p in projects
        ],
    )
    agr = _frame(
        "agreements",
        [
            {
                "agreement_no": a.agreement_no,
                "project_id": a.project_id,
                "payee_name": a.payee_name,
                "payee_id": a.payee_id,
                "payee_account": a.payee_account,
                "category": a.category,
                "amount_fen": a.amount_fen,
                "signed_date": a.signed_date,
                "effective_date": a.effective_date,
                "household_ref": a.household_ref,
            }
            for a in agreements
        ],
    )
    lst = _frame(
        "lists",
        [
            {
                "list_no": p.list_no,
                "project_id": p.project_id,
                "preparer": p.preparer,
                "created_at": p.created_at,
            }
            for p in plists
        ],
    )
    lines = _frame(
        "lines",
        [
            {
                "list_no": ln.list_no,
                "line_no": ln.line_no,
                "agreement_no": ln.agreement_no,
                "payee_name": ln.payee_name,
                "payee_account": ln.payee_account,
                "category": ln.category,
                "amount_fen": ln.amount_fen,
                "due_date": ln.due_date,
            }
            for p in plists
            for ln in p.lines
        ],
    )
    rev = _frame(
        "reviews",
        [
            {
                "list_no": r.list_no,
                "level": r.level,
                "reviewer_id": r.reviewer_id,
                "role": r.role,
                "decision": r.decision.value,
                "at": r.at,
                "digest": r.digest,
            }
            for r in reviews
        ],
    )
    txn = _frame(
        "transactions",
        [
            {
                "txn_id": t.txn_id,
                "account": t.account,
                "at": t.at,
                "direction": t.direction.value,
                "amount_fen": t.amount_fen,
                "counterparty_name": t.counterparty_name,
                "counterparty_account": t.counterparty_account,
                "reference": t.reference,
                "balance_after_fen": t.balance_after_fen,
            }
            for t in transactions
        ],
    )
    alloc = _frame(
        "allocations",
        [
            {
                "approval_no": a.approval_no,
                "from_account": a.from_account,
                "to_account": a.to_account,
                "amount_fen": a.amount_fen,
                "approved_by": a.approved_by,
                "approved_at": a.approved_at,
            }
            for a in allocations
        ],
    )
    reloc = _frame(
        "relocations",
        [{"household_ref": e.household_ref, "on": e.on, "kind": e.kind} for e in relocations],
    )
    if "balance_after_fen" in txn.columns:
        txn["balance_after_fen"] = pd.array(txn["balance_after_fen"].tolist(), dtype="Int64")
    return Frames(proj, agr, lst, lines, rev, txn, alloc, reloc)
