"""Collecting findings and the outflows each one holds (its bucket)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from buchang.core.money import format_yuan
from buchang.funds.findings import HOLDING_ORDER, Finding, make_finding
from buchang.funds.reconcile.prep import Prepared

I64 = npt.NDArray[np.int64]

_HOLD_RANK = {code: i for i, code in enumerate(HOLDING_ORDER)}


def yuan(fen: int) -> str:
    """``1,234.56元`` for messages."""
    return f"{format_yuan(int(fen))}元"


def day_text(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def time_text(seconds: int) -> str:
    return str(np.datetime64(int(seconds), "s")).replace("T", " ")


class Sink:
    """Findings in the making; remembers which outflows a holding finding involves."""

    def __init__(self, p: Prepared) -> None:
        self.p = p
        self.findings: list[Finding] = []
        self._held: list[tuple[int, I64]] = []

    def add(
        self,
        code: str,
        zh: str,
        en: str,
        txns: Sequence[int] | I64 = (),
        *,
        line: int | None = None,
        list_idx: int | None = None,
        **fields: object,
    ) -> None:
        """Add a finding; ``line``/``list_idx`` fill project, list, line and agreement."""
        p = self.p
        idx = np.asarray(txns, dtype=np.int64)
        records: dict[str, object] = {}
        if line is not None:
            list_idx = int(p.l_list[line])
            records["line_no"] = int(p.l_line_no[line])
            records["agreement_no"] = str(p.l_agr_no[line])
        if list_idx is not None:
            records["list_no"] = str(p.s_no[list_idx])
            records["project_id"] = str(p.s_project_id[list_idx])
        records.update(fields)
        records["txn_ids"] = tuple(sorted(p.t_id[idx].tolist())) if len(idx) else ()
        self.findings.append(make_finding(code, zh, en, **records))  # type: ignore[arg-type]
        if code in _HOLD_RANK and len(idx):
            self._held.append((_HOLD_RANK[code], idx))

    def buckets(self, n_txns: int) -> npt.NDArray[np.int64]:
        """Per transaction, the rank in ``HOLDING_ORDER`` of its bucket (len = matched)."""
        rank = np.full(n_txns, len(HOLDING_ORDER), dtype=np.int64)
        for r, idx in self._held:
            np.minimum.at(rank, idx, r)
        return rank


def groups(keys: I64, members: I64, wanted: I64 | None = None) -> list[tuple[int, I64]]:
    """Split ``members`` (canonical order) into groups by ``keys``, in key order;
    only the groups of the ``wanted`` keys when given (empty groups included)."""
    order = np.argsort(keys, kind="stable")
    k, mm = keys[order], members[order]
    if wanted is None:
        wanted = np.unique(k)
    lo = np.searchsorted(k, wanted, side="left")
    hi = np.searchsorted(k, wanted, side="right")
    return [(int(w), mm[a:b]) for w, a, b in zip(wanted.tolist(), lo.tolist(), hi.tolist(), strict=True)]
