"""Normalise the input frames into sorted numpy arrays (int64 fen, days, seconds).

Every array is put in a canonical order that depends only on the data, never
on the order of the input rows (``shared/spec/funds.md``: "results must not
depend on input order"):

* lists by list number; lines by (list number, line number);
* agreements by agreement number;
* transactions by (time, transaction id); allocations by (time, approval number).

Inconsistent inputs (a line naming an unknown list or agreement, a repeated
line or transaction id, a negative amount, a bad direction or decision) are
reported as :class:`~buchang.core.errors.Issue` values, never raised.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.core.errors import Issue, Location, Severity
from buchang.funds.reconcile import arrowtext
from buchang.funds.reconcile.refs import parse_column
from buchang.funds.reconcile.schema import (
    NO_DATE,
    Frames,
    check_columns,
    day_array,
    fen_array,
    second_array,
    str_array,
)
from buchang.funds.records import Decision, Review

I64 = npt.NDArray[np.int64]
OBJ = npt.NDArray[np.object_]
BOOL = npt.NDArray[np.bool_]

_NEEDS_ESCAPE: Final = re.compile(r'["\\\x00-\x1f]')


def _lexsort_text(*keys: OBJ | I64) -> I64:
    """Order by the keys, first key most significant; text compared as code points."""
    cols = [k.astype(str) if k.dtype == object else k for k in reversed(keys)]
    return np.lexsort(cols).astype(np.int64)


def _json_body(values: OBJ) -> list[str]:
    """The inside of JSON string literals as ``json.dumps(ensure_ascii=False)`` writes them."""
    items: list[str] = values.tolist()
    if not _NEEDS_ESCAPE.search("".join(items)):
        return items
    return [json.dumps(s, ensure_ascii=False)[1:-1] for s in items]


def _iso_days(days: I64) -> list[str]:
    """ISO dates for day numbers (few distinct days: converted once each)."""
    codes, uniq = pd.factorize(days)
    text = np.asarray(uniq, dtype=np.int64).astype("datetime64[D]").astype(str).astype(object)
    return text[codes].tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Prepared:
    """The inputs as canonical arrays; see the module docstring."""

    # accounts: one code space for every account number in the inputs
    account_names: OBJ
    proj_of_account: I64  # project index of an account code, -1 if none
    # projects (sorted by project id)
    p_id: OBJ
    p_account: I64
    p_required: I64
    p_start: I64
    p_opening: I64
    # lists (sorted by list number)
    s_no: pd.Index
    s_project: I64
    s_project_id: OBJ
    s_preparer: OBJ
    s_digest_job: Future[OBJ]  # content digests, computed alongside matching (see :func:`prepare`)
    s_total: I64
    # lines (sorted by list, line)
    l_list: I64
    l_line_no: I64
    l_agr: I64
    l_agr_no: OBJ
    l_payee: I64
    l_category: OBJ
    l_amount: I64
    l_due: I64
    l_account: I64  # the dedicated account of the line's project, -1 if unknown
    # agreements (sorted by number)
    a_no: pd.Index
    a_project_id: OBJ
    a_category: OBJ
    a_amount: I64
    a_effective: I64
    a_household: OBJ
    # transactions (sorted by time, id)
    t_id: OBJ
    t_account: I64
    t_at: I64
    t_out: BOOL
    t_amount: I64
    t_counterparty: I64
    t_refs_job: Future[tuple[I64, I64, I64]]  # per transaction: list, line, agreement referenced
    t_balance: I64
    t_has_balance: BOOL
    # allocation approvals (sorted by time, number)
    al_no: OBJ
    al_from: I64
    al_to: I64
    al_amount: I64
    al_at: I64
    # relocations
    r_household: OBJ
    r_on: I64
    # reviews grouped by list number
    reviews: dict[str, list[Review]]
    issues: tuple[Issue, ...]

    @property
    def t_refs(self) -> tuple[I64, I64, I64]:
        """Per transaction: list index, line number and agreement index its 摘要 names (-1: none)."""
        return self.t_refs_job.result()

    @property
    def s_digest(self) -> OBJ:
        """Content digest of each list (waits for the job when it runs alongside)."""
        return self.s_digest_job.result()


def _lookup(index: pd.Index, values: OBJ) -> I64:
    """Positions of ``values`` in a unique ``index`` (-1 if absent), via their distinct values."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    codes, uniq = pd.factorize(values)
    if len(uniq) * 2 > len(values):
        return index.get_indexer(pd.Index(values, dtype=object)).astype(np.int64)
    return index.get_indexer(pd.Index(uniq, dtype=object)).astype(np.int64)[codes]


def text_codes(series: pd.Series) -> tuple[I64, OBJ]:
    """Codes and distinct values of a low-cardinality text column (blank = ``""``),
    without making a Python string per row."""
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    codes, uniq = pd.factorize(series)
    codes = np.asarray(codes, dtype=np.int64)
    names = np.asarray(
        [u if isinstance(u, str) else "" if pd.isna(u) else str(u) for u in uniq], dtype=object
    )
    if (codes < 0).any():
        names = np.append(names, "")
        codes = np.where(codes < 0, len(names) - 1, codes)
    return codes, names


def _expand(coded: tuple[I64, OBJ]) -> OBJ:
    codes, names = coded
    return names[codes]


def _sorted_duplicates(values: OBJ) -> BOOL:
    """Rows equal to the row before (``values`` sorted)."""
    dup = np.zeros(len(values), dtype=bool)
    if len(values) > 1:
        dup[1:] = values[1:] == values[:-1]
    return dup


def _issue(code: str, message: str, key: str, severity: Severity = Severity.ERROR) -> Issue:
    return Issue(code, message, severity, Location(key=key))


def _joined_lines(cols: dict[str, npt.NDArray[Any]], bounds: list[int]) -> list[str]:
    """Per list, its lines as ``list_digest`` writes them, joined by ``,`` (plain path)."""
    agr, name, acct, cat = (
        _json_body(cols[c]) for c in ("agreement_no", "payee_name", "payee_account", "category")
    )
    frags = [
        f'[{n},"{a}","{b}","{c}","{d}",{m},"{t}"]'
        for n, a, b, c, d, m, t in zip(
            cols["line_no"].tolist(),
            agr,
            name,
            acct,
            cat,
            cols["amount_fen"].tolist(),
            _iso_days(cols["due_date"]),
            strict=True,
        )
    ]
    return [",".join(frags[lo:hi]) for lo, hi in pairwise(bounds)]


def _digests(s_no: OBJ, s_project_id: OBJ, s_preparer: OBJ, joined: list[str]) -> OBJ:
    """Content digest per list, identical to :func:`buchang.funds.records.list_digest`."""
    out = np.empty(len(s_no), dtype=object)
    dumps = json.dumps
    for i in range(len(s_no)):
        body = (
            '{"lines":['
            + joined[i]
            + '],"list_no":'
            + dumps(s_no[i], ensure_ascii=False)
            + ',"preparer":'
            + dumps(s_preparer[i], ensure_ascii=False)
            + ',"project_id":'
            + dumps(s_project_id[i], ensure_ascii=False)
            + "}"
        )
        out[i] = hashlib.sha256(body.encode()).hexdigest()
    return out


def _line_digests(
    lines: pd.DataFrame,
    order: I64,
    cols: dict[str, npt.NDArray[Any]],
    l_list: I64,
    s_no: OBJ,
    s_project_id: OBJ,
    s_preparer: OBJ,
) -> OBJ:
    """Digests of all lists from the kept lines (``order`` = their frame rows, in line order)."""
    bounds = np.searchsorted(l_list, np.arange(len(s_no) + 1)).astype(np.int64)
    text = {c: lines[c] for c in ("agreement_no", "payee_name", "payee_account", "category")}
    joined = arrowtext.line_fragments(
        text, cols["line_no"], cols["amount_fen"], cols["due_date"], order, bounds
    )
    if joined is None:
        full = dict(cols)
        for c in ("agreement_no", "payee_name", "payee_account", "category"):
            if c not in full:
                full[c] = str_array(lines[c])[order]
        joined = _joined_lines(full, bounds.tolist())
    return _digests(s_no, s_project_id, s_preparer, joined)


T = TypeVar("T")


def _submit(executor: Executor | None, fn: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``fn`` on ``executor``, or right away when there is none."""
    if executor is not None:
        return executor.submit(fn, *args)
    done: Future[T] = Future()
    done.set_result(fn(*args))
    return done


def _outflow_refs(
    column: pd.Series, t_order: I64, t_out: BOOL, s_no: pd.Index, a_no: pd.Index
) -> tuple[I64, I64, I64]:
    """References of the outflows (transactions in canonical order; -1 for inflows)."""
    out = np.flatnonzero(t_out)
    parsed = parse_column(column, t_order[out], s_no, a_no)
    full = tuple(np.full(len(t_order), -1, dtype=np.int64) for _ in range(3))
    for whole, part in zip(full, parsed, strict=True):
        whole[out] = part
    return full[0], full[1], full[2]


def prepare(frames: Frames, executor: Executor | None = None) -> Prepared:
    """Check, sort and convert the frames (see the module docstring).

    With an ``executor`` the list digests — mostly Arrow kernels and SHA-256,
    which release the GIL — are computed on it while the caller goes on to
    matching; the result is the same either way.
    """
    issues: list[Issue] = []
    projects = check_columns("projects", frames.projects)
    agreements = check_columns("agreements", frames.agreements)
    lists = check_columns("lists", frames.lists)
    lines = check_columns("lines", frames.lines)
    reviews = check_columns("reviews", frames.reviews)
    txns = check_columns("transactions", frames.transactions)
    allocs = check_columns("allocations", frames.allocations)
    relocs = check_columns("relocations", frames.relocations)

    # --- projects and accounts
    projects = projects.iloc[_lexsort_text(str_array(projects["project_id"]))]
    p_id = str_array(projects["project_id"])
    p_acct_names = str_array(projects["account"])
    t_acct_codes, t_acct_names = text_codes(txns["account"])
    al_from_names = str_array(allocs["from_account"])
    al_to_names = str_array(allocs["to_account"])
    # one code space for every account number; the few names first
    small = [p_acct_names, t_acct_names, al_from_names, al_to_names]
    fast = arrowtext.encode([*small, txns["counterparty_account"], lines["payee_account"]])
    if fast is not None:
        (p_account, t_acct_map, al_from, al_to, t_cp_raw, l_payee_raw), account_names = fast
    else:
        every = np.concatenate(
            [*small, str_array(txns["counterparty_account"]), str_array(lines["payee_account"])]
        )
        codes, account_names = pd.factorize(every)
        codes = codes.astype(np.int64)
        split = np.cumsum([len(x) for x in small] + [len(txns)])
        p_account, t_acct_map, al_from, al_to, t_cp_raw, l_payee_raw = np.split(codes, split)
    t_account_raw = t_acct_map[t_acct_codes] if len(t_acct_codes) else t_acct_codes
    proj_of_account = np.full(len(account_names), -1, dtype=np.int64)
    for i in range(len(p_id) - 1, -1, -1):  # first project wins if two share an account
        proj_of_account[p_account[i]] = i
    if len(set(p_acct_names.tolist())) != len(p_acct_names):
        issues.append(
            _issue(
                "ACCOUNT_SHARED", "两个项目共用一个专户 / two projects share a dedicated account", "projects"
            )
        )

    # --- agreements
    a_no_raw = str_array(agreements["agreement_no"])
    a_order = _lexsort_text(a_no_raw) if len(a_no_raw) else np.zeros(0, dtype=np.int64)
    a_no_arr = a_no_raw[a_order]
    dup_agr = _sorted_duplicates(a_no_arr)
    for no in a_no_arr[dup_agr]:
        issues.append(
            _issue(
                "DUPLICATE_AGREEMENT", f"协议编号重复 / agreement number repeated: {no}", f"agreements[{no}]"
            )
        )
    a_keep = a_order[~dup_agr]  # rows of the agreements frame, in agreement-number order
    a_names = a_no_arr[~dup_agr]
    a_no = pd.Index(a_names, dtype=object)
    a_eff = day_array(agreements["effective_date"])[a_keep]

    # --- lists
    lists = lists.iloc[_lexsort_text(str_array(lists["list_no"]))]
    s_no_arr = str_array(lists["list_no"])
    dup_list = _sorted_duplicates(s_no_arr)
    for no in s_no_arr[dup_list]:
        issues.append(_issue("DUPLICATE_LIST", f"清单编号重复 / list number repeated: {no}", f"lists[{no}]"))
    lists = lists[~dup_list]
    s_no = pd.Index(s_no_arr[~dup_list], dtype=object)
    s_project_id = str_array(lists["project_id"])
    s_project = (
        pd.Index(p_id, dtype=object).get_indexer(pd.Index(s_project_id, dtype=object)).astype(np.int64)
    )
    for no in s_no[s_project < 0]:
        issues.append(
            _issue("UNKNOWN_PROJECT", f"清单所属项目不存在 / list's project unknown: {no}", f"lists[{no}]")
        )

    # --- transactions
    t_at_raw = second_array(txns["at"])
    t_id_raw = str_array(txns["txn_id"])
    t_order = arrowtext.sort_by_int_and_text(t_at_raw, txns["txn_id"])
    if t_order is None:
        t_order = _lexsort_text(t_at_raw, t_id_raw) if len(t_id_raw) else np.zeros(0, dtype=np.int64)
    t_id = t_id_raw[t_order]
    dup_t = pd.Index(t_id, dtype=object).duplicated()
    for tid in t_id[dup_t]:
        issues.append(
            _issue(
                "DUPLICATE_TXN_ID",
                f"流水号重复 / transaction id repeated: {tid}",
                f"transactions[{tid}]",
                Severity.WARNING,
            )
        )
    direction = txns["direction"]
    t_out = (direction == "out").to_numpy(dtype=bool, na_value=False)[t_order]
    bad_dir = ~t_out & ~(direction == "in").to_numpy(dtype=bool, na_value=False)[t_order]
    for tid in t_id[bad_dir]:
        issues.append(
            _issue(
                "BAD_DIRECTION",
                f"收支方向须为in/out / direction must be in or out: {tid}",
                f"transactions[{tid}]",
            )
        )
    t_amount = fen_array(txns["amount_fen"])[t_order]
    for tid in t_id[t_amount < 0]:
        issues.append(_issue("NEGATIVE_AMOUNT", f"金额为负 / negative amount: {tid}", f"transactions[{tid}]"))
    bal = txns["balance_after_fen"].iloc[t_order]
    t_has_balance = bal.notna().to_numpy(dtype=bool) if len(bal) else np.zeros(0, dtype=bool)
    if pd.api.types.is_float_dtype(bal.dtype):
        raise TypeError("balance_after_fen is float: amounts must be integer fen")
    t_balance = np.zeros(len(bal), dtype=np.int64)
    if t_has_balance.any():
        t_balance[t_has_balance] = bal[t_has_balance].to_numpy(dtype=np.int64)

    # the 摘要 of every outflow, parsed alongside the lines below (Arrow kernels release the GIL)
    ref_job = _submit(executor, _outflow_refs, txns["reference"], t_order, t_out, s_no, a_no)

    # --- lines: put in (list, line) order; text converted only where needed
    l_list_codes, l_list_uniq = text_codes(lines["list_no"])
    l_list_all = s_no.get_indexer(pd.Index(l_list_uniq, dtype=object)).astype(np.int64)[l_list_codes]
    l_cat_codes, l_cat_uniq = text_codes(lines["category"])
    l_line_all = lines["line_no"].to_numpy(dtype=np.int64) if len(lines) else np.zeros(0, dtype=np.int64)
    l_amount = fen_array(lines["amount_fen"])
    order = np.lexsort((l_amount, l_line_all, l_list_all)).astype(np.int64)
    l_list_all, l_line_all = l_list_all[order], l_line_all[order]
    unknown = l_list_all < 0
    dup = np.zeros(len(order), dtype=bool)
    if len(order) > 1:
        dup[1:] = (l_list_all[1:] == l_list_all[:-1]) & (l_line_all[1:] == l_line_all[:-1])
    bad = unknown | dup
    if bad.any():
        names = l_list_uniq[l_list_codes[order[bad]]]
        for lst, ln, u in zip(names, l_line_all[bad].tolist(), unknown[bad].tolist(), strict=True):
            code, what = (
                ("UNKNOWN_LIST", "清单不存在 / list unknown")
                if u
                else ("DUPLICATE_LINE", "行号重复 / line repeated")
            )
            issues.append(_issue(code, f"{what}: {lst}/{ln}", f"lines[{lst}/{ln}]"))
        keep = ~bad
        order, l_list_all, l_line_all = order[keep], l_list_all[keep], l_line_all[keep]
    l_payee_raw = l_payee_raw[order]
    cols: dict[str, npt.NDArray[Any]] = {
        "line_no": l_line_all,
        "category": l_cat_uniq[l_cat_codes[order]],
        "amount_fen": l_amount[order],
        "due_date": day_array(lines["due_date"])[order],
    }
    found = arrowtext.lookup(lines["agreement_no"], order, a_names)
    if found is None:
        cols["agreement_no"] = str_array(lines["agreement_no"])[order]
        found = a_no.get_indexer(pd.Index(cols["agreement_no"], dtype=object)).astype(np.int64)
    l_agr = found
    l_agr_no = np.where(l_agr >= 0, a_names[np.maximum(l_agr, 0)] if len(a_names) else "", "").astype(object)
    if (l_agr < 0).any():
        raw = str_array(lines["agreement_no"].iloc[order[l_agr < 0]])
        l_agr_no[l_agr < 0] = raw
        for lst, ln, agr_no in zip(
            s_no.to_numpy(dtype=object)[l_list_all[l_agr < 0]],
            l_line_all[l_agr < 0].tolist(),
            raw,
            strict=True,
        ):
            issues.append(
                _issue(
                    "UNKNOWN_AGREEMENT",
                    f"清单行所引协议{agr_no}不存在 / line's agreement {agr_no} unknown: {lst}/{ln}",
                    f"lines[{lst}/{ln}]",
                )
            )
    l_amount = cols["amount_fen"]
    s_total = np.zeros(len(s_no), dtype=np.int64)
    np.add.at(s_total, l_list_all, l_amount)
    list_proj = s_project[l_list_all] if len(l_list_all) else np.zeros(0, dtype=np.int64)
    l_account = np.where(list_proj >= 0, p_account[np.maximum(list_proj, 0)] if len(p_account) else -1, -1)
    s_preparer = str_array(lists["preparer"])
    s_digest_job = _submit(
        executor,
        _line_digests,
        lines,
        order,
        cols,
        l_list_all,
        s_no.to_numpy(dtype=object),
        s_project_id,
        s_preparer,
    )

    # --- allocations
    al_at_raw = second_array(allocs["approved_at"])
    al_no_raw = str_array(allocs["approval_no"])
    al_order = _lexsort_text(al_at_raw, al_no_raw) if len(al_no_raw) else np.zeros(0, dtype=np.int64)

    # --- reviews
    by_list: dict[str, list[Review]] = {}
    if len(reviews):
        decisions = str_array(reviews["decision"])
        valid = np.isin(decisions, [d.value for d in Decision])
        for no in str_array(reviews["list_no"])[~valid]:
            issues.append(
                _issue(
                    "BAD_DECISION",
                    f"审核意见须为通过/退回 / decision must be 通过 or 退回: {no}",
                    f"reviews[{no}]",
                )
            )
        rv = reviews[valid]
        ats = pd.to_datetime(rv["at"]).dt.to_pydatetime()
        for no, level, who, role, dec, at, dig in zip(
            str_array(rv["list_no"]).tolist(),
            rv["level"].to_numpy(dtype=np.int64).tolist(),
            str_array(rv["reviewer_id"]).tolist(),
            str_array(rv["role"]).tolist(),
            str_array(rv["decision"]).tolist(),
            ats,
            str_array(rv["digest"]).tolist(),
            strict=True,
        ):
            by_list.setdefault(no, []).append(Review(no, level, who, role, Decision(dec), at, dig))

    return Prepared(
        account_names=np.asarray(account_names, dtype=object),
        proj_of_account=proj_of_account,
        p_id=p_id,
        p_account=p_account,
        p_required=fen_array(projects["required_upfront_fen"]),
        p_start=day_array(projects["start_date"]),
        p_opening=fen_array(projects["opening_fen"]),
        s_no=s_no,
        s_project=s_project,
        s_project_id=s_project_id,
        s_preparer=s_preparer,
        s_digest_job=s_digest_job,
        s_total=s_total,
        l_list=l_list_all,
        l_line_no=l_line_all,
        l_agr=l_agr,
        l_agr_no=l_agr_no,
        l_payee=l_payee_raw,
        l_category=cols["category"],
        l_amount=l_amount,
        l_due=cols["due_date"],
        l_account=l_account.astype(np.int64),
        a_no=a_no,
        a_project_id=_expand(text_codes(agreements["project_id"]))[a_keep],
        a_category=_expand(text_codes(agreements["category"]))[a_keep],
        a_amount=fen_array(agreements["amount_fen"])[a_keep],
        a_effective=np.where(a_eff == NO_DATE, np.iinfo(np.int64).max, a_eff),
        a_household=str_array(agreements["household_ref"])[a_keep],
        t_id=t_id,
        t_account=t_account_raw[t_order],
        t_at=t_at_raw[t_order],
        t_out=t_out,
        t_amount=t_amount,
        t_counterparty=t_cp_raw[t_order],
        t_refs_job=ref_job,
        t_balance=t_balance,
        t_has_balance=t_has_balance,
        al_no=al_no_raw[al_order],
        al_from=al_from[al_order],
        al_to=al_to[al_order],
        al_amount=fen_array(allocs["amount_fen"])[al_order],
        al_at=al_at_raw[al_order],
        r_household=str_array(relocs["household_ref"]),
        r_on=day_array(relocs["on"]),
        reviews=by_list,
        issues=tuple(issues),
    )


def frame_digests(lists: pd.DataFrame, lines: pd.DataFrame) -> dict[str, str]:
    """The content digest of each list of a ``lists`` frame, from a ``lines`` frame
    (same value as :attr:`buchang.funds.records.PaymentList.digest`)."""
    lists = lists.iloc[_lexsort_text(str_array(lists["list_no"]))]
    s_no = pd.Index(str_array(lists["list_no"]), dtype=object)
    l_list = _lookup(s_no, str_array(lines["list_no"]))
    line_no = lines["line_no"].to_numpy(dtype=np.int64)
    order = np.lexsort((line_no, l_list)).astype(np.int64)
    order = order[l_list[order] >= 0]
    cols: dict[str, npt.NDArray[Any]] = {
        "line_no": line_no[order],
        "amount_fen": fen_array(lines["amount_fen"])[order],
        "due_date": day_array(lines["due_date"])[order],
    }
    digests = _line_digests(
        lines,
        order,
        cols,
        l_list[order],
        s_no.to_numpy(dtype=object),
        str_array(lists["project_id"]),
        str_array(lists["preparer"]),
    )
    return dict(zip(s_no.tolist(), digests.tolist(), strict=True))
