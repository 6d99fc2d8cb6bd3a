"""Clean synthetic expropriation projects for tests, benchmarks and notebooks.

:func:`clean_frames` makes, vectorised with numpy, projects whose records obey
every rule of ``shared/spec/funds.md``: upfront funds deposited before the start
(资金前置, 巴南 2015), agreements effective before payment (松江 2021),
payment lists passed through four distinct reviewers in order on their current
digest (四级审核, 宝山 2021), each line paid once, in full, on or before its
due date, to the payee's account, some in two parts (split payments), with
references of every recognised form (list/line, agreement number, none);
households relocated only after they were paid; one approved allocation
(调剂) between the first two projects; and a statement whose balances are right.
Reconciling it yields no findings — anomalies are planted on top by tests.

Amounts are integer fen; nothing here uses floats for money.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.funds.reconcile.prep import frame_digests
from buchang.funds.reconcile.schema import Frames, empty_frame
from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    Decision,
    Direction,
    PaymentLine,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    Transaction,
)

I64 = npt.NDArray[np.int64]

CATEGORIES: Final = ("房屋补偿费", "安置补助费", "搬迁费", "临时安置费")
LEVEL_ROLES: Final = ("经办复核", "财务审核", "部门负责人", "分管领导")
EPOCH: Final = date(1970, 1, 1)
_DAY: Final = 86400


@dataclass(frozen=True, slots=True)
class Synth:
    """A generated data set: the frames and the as-of date they are clean at."""

    frames: Frames
    as_of: date


def _day(d: date) -> int:
    return (d - EPOCH).days


def _fmt(prefix: str, values: I64, width: int) -> list[str]:
    return [f"{prefix}{v:0{width}d}" for v in values.tolist()]


def clean_frames(
    households: int = 200,
    *,
    projects: int = 1,
    seed: int = 0,
    lines_per_list: int = 50,
    start: date = date(2024, 3, 1),
    split_share: float = 0.05,
    relocation_share: float = 0.5,
    balances: bool = True,
) -> Synth:
    """Generate ``projects`` clean projects of ``households`` households each."""
    rng = np.random.default_rng(seed)
    s = _day(start)
    as_of_day = s + 380
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in ("p", "a", "s", "l", "r", "t", "al", "rl")}
    required_all: list[int] = []
    hh_base = 0
    for pi in range(projects):
        pid = f"P{pi + 1:03d}"
        account = f"3100{pi + 1:015d}"
        # --- agreements: 1 or 2 per household
        n_agr_h = rng.integers(1, 3, households)
        hh = np.repeat(np.arange(households, dtype=np.int64), n_agr_h)
        na = len(hh)
        a_amount = rng.integers(1_000_000, 200_000_000, na).astype(np.int64)
        a_cat = np.asarray(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), na)]
        a_no = _fmt(f"A{pi + 1:03d}-", np.arange(1, na + 1, dtype=np.int64), 7)
        signed = s - 40 + rng.integers(0, 20, na)
        effective = signed + rng.integers(0, 15, na)
        payee_acct = _fmt("6222", hh_base + hh, 15)
        payee_name = [f"户主{h}" for h in (hh_base + hh).tolist()]
        hh_ref = _fmt(f"H{pi + 1:03d}-", hh, 6)
        required = int(a_amount.sum())
        required_all.append(required)
        frames["a"].append(
            pd.DataFrame(
                {
                    "agreement_no": a_no,
                    "project_id": pid,
                    "payee_name": payee_name,
                    "payee_id": _fmt("ID", hh_base + hh, 16),
                    "payee_account": payee_acct,
                    "category": a_cat,
                    "amount_fen": a_amount,
                    "signed_date": signed.astype("datetime64[D]"),
                    "effective_date": effective.astype("datetime64[D]"),
                    "household_ref": hh_ref,
                }
            )
        )
        # --- lines: 70% one installment, 30% two (3/5 then the rest)
        two = rng.random(na) < 0.3
        reps = np.where(two, 2, 1)
        la = np.repeat(np.arange(na, dtype=np.int64), reps)
        second = np.zeros(len(la), dtype=bool)
        second[1:] = la[1:] == la[:-1]
        first_part = a_amount * 3 // 5
        l_amount = np.where(
            two[la], np.where(second, a_amount[la] - first_part[la], first_part[la]), a_amount[la]
        )
        due0 = s + 20 + rng.integers(0, 300, na)
        l_due = np.where(second, due0[la] + rng.integers(30, 120, len(la)), due0[la])
        order = np.lexsort((np.arange(len(la)), l_due))
        la, l_amount, l_due = la[order], l_amount[order], l_due[order]
        nl = len(la)
        list_k = np.arange(nl, dtype=np.int64) // lines_per_list
        line_no = np.arange(nl, dtype=np.int64) % lines_per_list + 1
        n_lists = int(list_k[-1]) + 1
        list_nos = np.asarray(
            _fmt(f"L{pi + 1:03d}-", np.arange(1, n_lists + 1, dtype=np.int64), 6), dtype=object
        )
        a_no_arr = np.asarray(a_no, dtype=object)
        payee_acct_arr = np.asarray(payee_acct, dtype=object)
        payee_name_arr = np.asarray(payee_name, dtype=object)
        lines = pd.DataFrame(
            {
                "list_no": list_nos[list_k],
                "line_no": line_no,
                "agreement_no": a_no_arr[la],
                "payee_name": payee_name_arr[la],
                "payee_account": payee_acct_arr[la],
                "category": a_cat[la],
                "amount_fen": l_amount,
                "due_date": l_due.astype("datetime64[D]"),
            }
        )
        first_due = l_due[np.r_[0, np.flatnonzero(np.diff(list_k)) + 1]]
        created = (first_due - 15) * _DAY + 8 * 3600
        lists = pd.DataFrame(
            {
                "list_no": list_nos,
                "project_id": pid,
                "preparer": [f"制表{k % 2}" for k in range(n_lists)],
                "created_at": created.astype("datetime64[s]"),
            }
        )
        digests = frame_digests(lists, lines)
        lv = np.tile(np.arange(1, 5, dtype=np.int64), n_lists)
        lk = np.repeat(np.arange(n_lists, dtype=np.int64), 4)
        frames["r"].append(
            pd.DataFrame(
                {
                    "list_no": list_nos[lk],
                    "level": lv,
                    "reviewer_id": [
                        f"审{lvl}-{k % 3}" for lvl, k in zip(lv.tolist(), lk.tolist(), strict=True)
                    ],
                    "role": np.asarray(LEVEL_ROLES, dtype=object)[lv - 1],
                    "decision": Decision.PASS.value,
                    "at": (created[lk] + 3600 * lv).astype("datetime64[s]"),
                    "digest": [digests[x] for x in list_nos[lk].tolist()],
                }
            )
        )
        frames["s"].append(lists)
        frames["l"].append(lines)

        # --- payments: lines due by the as-of date, on or up to 5 days before due
        pay = np.flatnonzero(l_due <= as_of_day)
        split = rng.random(len(pay)) < split_share
        style = rng.integers(0, 3, len(pay))  # 0 list/line, 1 agreement number, 2 none
        n_parts = np.where(split, 2, 1)
        t_line = np.repeat(pay, n_parts)
        part = np.zeros(len(t_line), dtype=np.int64)
        part[1:] = (t_line[1:] == t_line[:-1]).astype(np.int64)
        t_split = np.repeat(split, n_parts)
        half = l_amount[t_line] // 2
        t_amount = np.where(t_split, np.where(part == 1, l_amount[t_line] - half, half), l_amount[t_line])
        t_day = l_due[t_line] - np.where(t_split, 4 - 2 * part, rng.integers(0, 6, len(t_line)))
        t_at = t_day * _DAY + 10 * 3600 + rng.integers(0, 6 * 3600, len(t_line))
        t_style = np.repeat(style, n_parts)
        ref_line = [
            f"补偿款 {a}/{b}"
            for a, b in zip(list_nos[list_k[t_line]].tolist(), line_no[t_line].tolist(), strict=True)
        ]
        ref_agr = [f"协议号:{x}" for x in a_no_arr[la[t_line]].tolist()]
        ref_none = [f"补偿款 {x}" for x in payee_name_arr[la[t_line]].tolist()]
        reference = np.where(t_style == 0, ref_line, np.where(t_style == 1, ref_agr, ref_none))
        outs = pd.DataFrame(
            {
                "account": account,
                "at": t_at,
                "direction": "out",
                "amount_fen": t_amount,
                "counterparty_name": payee_name_arr[la[t_line]],
                "counterparty_account": payee_acct_arr[la[t_line]],
                "reference": reference,
            }
        )
        deposit_total = required + required // 10
        first_dep = deposit_total * 7 // 10
        ins = pd.DataFrame(
            {
                "account": account,
                "at": [(s - 10) * _DAY + 9 * 3600, (s - 3) * _DAY + 9 * 3600],
                "direction": "in",
                "amount_fen": [first_dep, deposit_total - first_dep],
                "counterparty_name": "区财政",
                "counterparty_account": "9100000000000000001",
                "reference": "拨付征收补偿前置资金",
            }
        )
        frames["t"].extend([ins, outs])
        frames["p"].append(
            pd.DataFrame(
                {
                    "project_id": [pid],
                    "name": [f"征收项目{pi + 1}"],
                    "account": [account],
                    "required_upfront_fen": [required],
                    "start_date": [np.datetime64(s, "D")],
                    "opening_fen": [0],
                }
            )
        )
        # --- relocations: households all of whose lines are paid, after the last payment
        last_pay = np.full(households, -1, dtype=np.int64)
        np.maximum.at(last_pay, hh[la[t_line]], t_day)
        unpaid_h = np.zeros(households, dtype=bool)
        unpaid_h[hh[la[l_due > as_of_day]]] = True
        movable = np.flatnonzero(~unpaid_h & (last_pay >= 0) & (rng.random(households) < relocation_share))
        frames["rl"].append(
            pd.DataFrame(
                {
                    "household_ref": np.asarray(_fmt(f"H{pi + 1:03d}-", movable, 6), dtype=object),
                    "on": (last_pay[movable] + rng.integers(1, 20, len(movable))).astype("datetime64[D]"),
                    "kind": "vacated",
                }
            )
        )
        hh_base += households

    if projects >= 2:  # one approved allocation (调剂) from project 1 to project 2
        amount = required_all[0] // 20
        at = (s + 5) * _DAY + 11 * 3600
        a1, a2 = "3100" + f"{1:015d}", "3100" + f"{2:015d}"
        frames["t"].append(
            pd.DataFrame(
                {
                    "account": [a1, a2],
                    "at": [at, at + 600],
                    "direction": ["out", "in"],
                    "amount_fen": [amount, amount],
                    "counterparty_name": ["征收项目2专户", "征收项目1专户"],
                    "counterparty_account": [a2, a1],
                    "reference": ["调剂 DJ-001", "调剂 DJ-001"],
                }
            )
        )
        frames["al"].append(
            pd.DataFrame(
                {
                    "approval_no": ["DJ-001"],
                    "from_account": [a1],
                    "to_account": [a2],
                    "amount_fen": [amount],
                    "approved_by": ["区长"],
                    "approved_at": [np.datetime64((s + 4) * _DAY, "s")],
                }
            )
        )

    txns = pd.concat(frames["t"], ignore_index=True)
    txns = txns.iloc[np.argsort(txns["at"].to_numpy(), kind="stable")].reset_index(drop=True)
    txns.insert(0, "txn_id", _fmt("T", np.arange(1, len(txns) + 1, dtype=np.int64), 9))
    txns["at"] = txns["at"].to_numpy().astype("datetime64[s]")
    txns["balance_after_fen"] = (
        statement_balances(txns) if balances else pd.array([None] * len(txns), dtype="Int64")
    )
    out = Frames(
        projects=pd.concat(frames["p"], ignore_index=True),
        agreements=pd.concat(frames["a"], ignore_index=True),
        lists=pd.concat(frames["s"], ignore_index=True),
        lines=pd.concat(frames["l"], ignore_index=True),
        reviews=pd.concat(frames["r"], ignore_index=True),
        transactions=txns,
        allocations=pd.concat(frames["al"], ignore_index=True)
        if frames["al"]
        else empty_frame("allocations"),
        relocations=pd.concat(frames["rl"], ignore_index=True),
    )
    return Synth(out, EPOCH + timedelta(days=as_of_day))


def statement_balances(txns: pd.DataFrame, opening: dict[str, int] | None = None) -> pd.Series:
    """The 余额 column a bank prints: running balance per account in (time, id) order."""
    opening = opening or {}
    at = pd.to_datetime(txns["at"]).to_numpy().astype("datetime64[s]").astype(np.int64)
    ids = txns["txn_id"].astype(str).to_numpy().astype(str)
    acct = txns["account"].astype(str).to_numpy()
    order = np.lexsort((ids, at, acct))
    signed = np.where(txns["direction"].to_numpy() == "out", -1, 1) * txns["amount_fen"].to_numpy(
        dtype=np.int64
    )
    frame = pd.DataFrame({"acct": acct[order], "signed": signed[order]})
    run = frame.groupby("acct", sort=False)["signed"].cumsum().to_numpy(dtype=np.int64)
    run = run + np.asarray([opening.get(a, 0) for a in frame["acct"].tolist()], dtype=np.int64)
    out = np.empty(len(order), dtype=np.int64)
    out[order] = run
    return pd.Series(pd.array(out, dtype="Int64"), index=txns.index)


# --- records, for tests that plant anomalies on the record types ------------


@dataclass(frozen=True, slots=True)
class SynthRecords:
    """A generated data set as records (see :func:`clean_records`)."""

    projects: tuple[Project, ...]
    agreements: tuple[Agreement, ...]
    lists: tuple[PaymentList, ...]
    reviews: tuple[Review, ...]
    transactions: tuple[Transaction, ...]
    allocations: tuple[AllocationApproval, ...]
    relocations: tuple[RelocationEvent, ...]
    as_of: date


def _rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as attribute bags (values typed ``Any``: they come from a frame)."""
    return [SimpleNamespace(**{str(k): v for k, v in row.items()}) for row in frame.to_dict("records")]


def _date(v: object) -> date | None:
    ts = pd.Timestamp(v)  # type: ignore[arg-type]
    return None if pd.isna(ts) else ts.date()


def _time(v: object) -> datetime:
    return pd.Timestamp(v).to_pydatetime()  # type: ignore[arg-type]


def clean_records(households: int = 200, **kwargs: object) -> SynthRecords:
    """:func:`clean_frames` converted to the record types (for small sizes)."""
    syn = clean_frames(households, **kwargs)  # type: ignore[arg-type]
    f = syn.frames
    projects = tuple(
        Project(r.project_id, r.name, r.account, int(r.required_upfront_fen), _date(r.start_date))
        for r in _rows(f.projects)
    )
    agreements = tuple(
        Agreement(
            r.agreement_no,
            r.project_id,
            r.payee_name,
            r.payee_id,
            r.payee_account,
            r.category,
            int(r.amount_fen),
            _date(r.signed_date) or EPOCH,
            _date(r.effective_date),
            r.household_ref,
        )
        for r in _rows(f.agreements)
    )
    by_list: dict[str, list[PaymentLine]] = {}
    for r in _rows(f.lines):
        by_list.setdefault(str(r.list_no), []).append(
            PaymentLine(
                str(r.list_no),
                int(r.line_no),
                str(r.agreement_no),
                str(r.payee_name),
                str(r.payee_account),
                str(r.category),
                int(r.amount_fen),
                _date(r.due_date) or EPOCH,
            )
        )
    lists = tuple(
        PaymentList(
            r.list_no, r.project_id, r.preparer, _time(r.created_at), tuple(by_list.get(r.list_no, ()))
        )
        for r in _rows(f.lists)
    )
    reviews = tuple(
        Review(r.list_no, int(r.level), r.reviewer_id, r.role, Decision(r.decision), _time(r.at), r.digest)
        for r in _rows(f.reviews)
    )
    txns = tuple(
        Transaction(
            r.txn_id,
            r.account,
            _time(r.at),
            Direction(r.direction),
            int(r.amount_fen),
            r.counterparty_name,
            r.counterparty_account,
            r.reference,
            None if pd.isna(r.balance_after_fen) else int(r.balance_after_fen),
        )
        for r in _rows(f.transactions)
    )
    allocs = tuple(
        AllocationApproval(
            r.approval_no,
            r.from_account,
            r.to_account,
            int(r.amount_fen),
            r.approved_by,
            _time(r.approved_at),
        )
        for r in _rows(f.allocations)
    )
    relocs = tuple(
        RelocationEvent(r.household_ref, _date(r.on) or EPOCH, r.kind) for r in _rows(f.relocations)
    )
    return SynthRecords(projects, agreements, lists, reviews, txns, allocs, relocs, syn.as_of)


def restate(txns: Iterable[Transaction], opening: dict[str, int] | None = None) -> tuple[Transaction, ...]:
    """Recompute every 余额 as the bank would print it after a planted change."""
    rows = sorted(txns, key=lambda t: (t.account, t.at, t.txn_id))
    balance = dict(opening or {})
    out: list[Transaction] = []
    for t in rows:
        b = balance.get(t.account, 0) + (t.amount_fen if t.direction is Direction.IN else -t.amount_fen)
        balance[t.account] = b
        out.append(replace(t, balance_after_fen=b))
    return tuple(out)


def replace_in(items: Sequence[object], old: object, new: object) -> tuple[object, ...]:
    """``items`` with ``old`` swapped for ``new`` (``new=None`` drops it)."""
    return tuple(new if x is old else x for x in items if not (x is old and new is None))
