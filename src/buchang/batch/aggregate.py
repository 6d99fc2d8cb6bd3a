"""Totals auditors ask for — by category, by village/collective, by payee, by table version.

Every total is an exact int64 sum of line amounts in fen (``np.add.at`` over
coded lines, Python ints over the exact path's lines); a line is never
re-rounded. Each function returns a DataFrame with ``amount_fen`` (int64) and
``n_lines``, sorted by its key, so two results can be compared with ``equals``
and partial results (Dask partitions) combined with :func:`combine`.

By table version: a line is counted under **every** distinct table version
its references cite (a land line citing the zone table and the national
rules counts under both), so that column does not add up to the grand total;
``lines_citing`` says how many lines cite the version.

The int64 accumulators cannot overflow while the sum of |amounts| stays
below 9.2 × 10¹⁸ fen (9.2 × 10¹⁶ 元) — far beyond any project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from buchang.batch.compute import BatchResult
from buchang.batch.intmath import I64
from buchang.batch.lineblock import CATEGORIES, SUBJECT_HOUSEHOLD, LineBlock, PayeeTemplate
from buchang.rules.lines import Line, PayeeKind, SubjectKind, SubjectResult

_PAYEE_KIND: Final = {
    PayeeTemplate.HOUSEHOLD: PayeeKind.HOUSEHOLD,
    PayeeTemplate.OWNER: PayeeKind.OWNER,
    PayeeTemplate.SOCIAL_SECURITY_MEMBER: PayeeKind.SOCIAL_SECURITY_FUND,
    PayeeTemplate.COLLECTIVE: PayeeKind.COLLECTIVE,
    PayeeTemplate.RESETTLEMENT_PERSONS: PayeeKind.PERSON,
    PayeeTemplate.RESETTLEMENT_FUND: PayeeKind.SOCIAL_SECURITY_FUND,
    PayeeTemplate.EXPROPRIATOR: PayeeKind.EXPROPRIATOR,
}


def _accumulate(res: BatchResult, key_of: Callable[[LineBlock], I64], size: int) -> tuple[I64, I64]:
    amount = np.zeros(max(size, 1), dtype=np.int64)
    count = np.zeros(max(size, 1), dtype=np.int64)
    for b in res.blocks():
        if b.n == 0:
            continue
        k = key_of(b)
        np.add.at(amount, k, b.amount_fen)
        np.add.at(count, k, 1)
    return amount, count


def _exact_lines(res: BatchResult) -> list[tuple[str, SubjectResult, Line]]:
    return [(pid, s, line) for pid, s in res.exact for line in s.lines]


def _frame(rows: dict[tuple[Any, ...], list[int]], keys: Sequence[str]) -> pd.DataFrame:
    data: dict[str, list[Any]] = {k: [] for k in keys}
    amounts: list[int] = []
    counts: list[int] = []
    for key in sorted(rows, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        for name, v in zip(keys, key, strict=True):
            data[name].append(v)
        amounts.append(rows[key][0])
        counts.append(rows[key][1])
    df = pd.DataFrame(data)
    df["amount_fen"] = np.array(amounts, dtype=np.int64)
    df["n_lines"] = np.array(counts, dtype=np.int64)
    return df.reset_index(drop=True)


def _add(rows: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], amount: int, n: int = 1) -> None:
    slot = rows.setdefault(key, [0, 0])
    slot[0] += amount
    slot[1] += n


def by_category(res: BatchResult) -> pd.DataFrame:
    """Totals by compensation category (土地补偿费, 安置补助费 …)."""
    amount, count = _accumulate(res, lambda b: b.column("category"), len(CATEGORIES))
    rows: dict[tuple[Any, ...], list[int]] = {}
    for i, c in enumerate(CATEGORIES):
        if count[i]:
            _add(rows, (c.value,), int(amount[i]), int(count[i]))
    for _, _, line in _exact_lines(res):
        _add(rows, (line.category.value,), line.amount_fen)
    return _frame(rows, ("category",))


def by_collective(res: BatchResult) -> pd.DataFrame:
    """Totals by project and village/collective: the collective's own lines (land fees)
    plus the lines of the households that belong to it (``households.collective``)."""
    f = res.frames
    n_h, n_c = len(f.households), len(f.collectives)
    # key space: households [0, n_h), collectives [n_h, n_h + n_c)
    amount, count = _accumulate(
        res,
        lambda b: b.column("subject_pos") + (0 if b.subject_kind == SUBJECT_HOUSEHOLD else n_h),
        n_h + n_c,
    )
    hh_proj = f.households["project_id"].astype(str).to_numpy(dtype=object)
    hh_coll = f.households["collective"].to_numpy(dtype=object)
    c_proj = f.collectives["project_id"].astype(str).to_numpy(dtype=object)
    c_id = f.collectives["collective_id"].astype(str).to_numpy(dtype=object)
    rows: dict[tuple[Any, ...], list[int]] = {}
    df = pd.DataFrame(
        {
            "project_id": np.concatenate([hh_proj, c_proj]),
            "collective": np.concatenate([hh_coll, c_id]),
            "amount_fen": amount[: n_h + n_c] if n_h + n_c else np.zeros(0, dtype=np.int64),
            "n_lines": count[: n_h + n_c] if n_h + n_c else np.zeros(0, dtype=np.int64),
        }
    )
    df = df[df["n_lines"] > 0]
    grouped = df.groupby(["project_id", "collective"], dropna=False, sort=False)[
        ["amount_fen", "n_lines"]
    ].sum()
    for key, amt, cnt in zip(
        grouped.index, grouped["amount_fen"].to_numpy(), grouped["n_lines"].to_numpy(), strict=True
    ):
        pid, coll = key
        _add(rows, (pid, None if coll is None or coll != coll else coll), int(amt), int(cnt))
    for pid, s, line in _exact_lines(res):
        coll = s.collective if s.kind is SubjectKind.HOUSEHOLD else s.subject_id
        _add(rows, (pid, coll), line.amount_fen)
    return _frame(rows, ("project_id", "collective"))


def by_payee(res: BatchResult) -> pd.DataFrame:
    """Totals by payee (kind, ref, name, account): what each household, collective,
    owner, fund and the expropriating office receives (negative: pays)."""
    parts: list[pd.DataFrame] = []
    from buchang.batch.compute import materialise

    for b in res.blocks():
        if b.n == 0:
            continue
        key = b.column("payee") * (1 << 40) + b.column("payee_pos")
        uniq, inv = np.unique(key, return_inverse=True)
        amount = np.zeros(uniq.size, dtype=np.int64)
        count = np.zeros(uniq.size, dtype=np.int64)
        np.add.at(amount, inv, b.amount_fen)
        np.add.at(count, inv, 1)
        first = np.zeros(uniq.size, dtype=np.int64)
        first[inv[::-1]] = np.arange(b.n - 1, -1, -1)
        text = materialise(res, b.take(first))
        parts.append(
            pd.DataFrame(
                {
                    "payee_kind": text["payee_kind"].to_numpy(),
                    "payee_ref": text["payee_ref"].to_numpy(),
                    "payee_name": text["payee_name"].to_numpy(),
                    "payee_account": text["payee_account"].to_numpy(),
                    "amount_fen": amount,
                    "n_lines": count,
                }
            )
        )
    rows: dict[tuple[Any, ...], list[int]] = {}
    for p in parts:
        for rec in p.to_dict("records"):
            _add(
                rows,
                (rec["payee_kind"], rec["payee_ref"], rec["payee_name"], rec["payee_account"]),
                int(rec["amount_fen"]),
                int(rec["n_lines"]),
            )
    for _, _, line in _exact_lines(res):
        pk = line.payee
        _add(rows, (pk.kind.value, pk.ref, pk.name, pk.account), line.amount_fen)
    return _frame(rows, ("payee_kind", "payee_ref", "payee_name", "payee_account"))


def by_table_version(res: BatchResult) -> pd.DataFrame:
    """Amounts computed with each table version (a line counts under every version it cites)."""
    amount, count = _accumulate(res, lambda b: b.column("ref_set"), len(res.ref_sets))
    rows: dict[tuple[Any, ...], list[int]] = {}
    for i, refs in enumerate(res.ref_sets):
        if not count[i]:
            continue
        versions = {(r.table_id, r.version, r.content_hash) for r in refs}
        for v in versions:
            _add(rows, v, int(amount[i]), int(count[i]))
    for _, _, line in _exact_lines(res):
        for v in {(r.table_id, r.version, r.content_hash) for r in line.refs}:
            _add(rows, v, line.amount_fen)
    out = _frame(rows, ("table_id", "version", "content_hash"))
    return out.rename(columns={"n_lines": "lines_citing"})


def combine(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Combine partial aggregations (e.g. per Dask partition) exactly: int64 group sums."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    value_cols = [c for c in ("amount_fen", "n_lines", "lines_citing") if c in frames[0].columns]
    keys = [c for c in frames[0].columns if c not in value_cols]
    rows: dict[tuple[Any, ...], list[int]] = {}
    for f in frames:
        for d in f.to_dict("records"):
            key = tuple(d[k] for k in keys)
            _add(rows, key, int(d["amount_fen"]), int(d[value_cols[1]]))
    out = _frame(rows, tuple(keys))
    if "lines_citing" in value_cols:
        out = out.rename(columns={"n_lines": "lines_citing"})
    return out


__all__ = ["by_category", "by_collective", "by_payee", "by_table_version", "combine"]
