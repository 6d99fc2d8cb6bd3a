"""Parity between the batch and the exact path: the contract of batch mode.

:func:`exact_lines_frame` runs the exact engine over projects and lays its
lines out like :meth:`~buchang.batch.compute.BatchResult.lines_frame`;
:func:`differences` compares two such frames as multisets of lines — subject,
item, category, rule, payee (kind, name, ref, account), amount in fen and the
table references — and returns every line found on one side only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final

import pandas as pd

from buchang.batch.compute import BatchResult, line_record, materialise
from buchang.batch.lineblock import SUBJECT_HOUSEHOLD, LineBlock
from buchang.rules.engine import compute_project
from buchang.rules.inputs import Project
from buchang.rules.lines import SubjectResult
from buchang.tables.store import TableStore

#: The columns a line is compared on.
KEY: Final = (
    "subject_kind",
    "subject_id",
    "item_id",
    "category",
    "rule",
    "payee_kind",
    "payee_name",
    "payee_ref",
    "payee_account",
    "amount_fen",
    "refs",
)


def exact_subjects(projects: Iterable[Project], store: TableStore) -> list[SubjectResult]:
    out: list[SubjectResult] = []
    for p in projects:
        out.extend(compute_project(p, store).subjects)
    return out


def exact_lines_frame(projects: Iterable[Project], store: TableStore) -> pd.DataFrame:
    """Every exact line of ``projects`` as rows of the batch layout."""
    rows = [line_record(s.kind.value, line) for s in exact_subjects(projects, store) for line in s.lines]
    return pd.DataFrame(rows, columns=[*KEY, "ref_set"])


def _keys(df: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    cols = [df[c].tolist() for c in KEY]
    return Counter(
        tuple(None if (isinstance(v, float) and v != v) else v for v in row)
        for row in zip(*cols, strict=True)
    )


def differences(batch: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """Lines present on one side only (``side`` = ``batch`` / ``exact``); empty means parity."""
    b, e = _keys(batch), _keys(exact)
    rows: list[dict[str, Any]] = []
    for side, only in (("batch", b - e), ("exact", e - b)):
        for key, count in only.items():
            rec = dict(zip(KEY, key, strict=True))
            rec["side"] = side
            rec["count"] = count
            rows.append(rec)
    return pd.DataFrame(rows, columns=["side", "count", *KEY])


def subject_lines(res: BatchResult, households: Any, collectives: Any) -> pd.DataFrame:
    """The batch lines of the households and collectives at the given positions only
    (decoded without materialising the whole result)."""
    import numpy as np

    hh = np.zeros(len(res.frames.households), dtype=bool)
    hh[np.asarray(households, dtype=np.int64)] = True
    co = np.zeros(len(res.frames.collectives), dtype=bool)
    co[np.asarray(collectives, dtype=np.int64)] = True
    parts = []
    for b in res.blocks():
        wanted = (hh if b.subject_kind == SUBJECT_HOUSEHOLD else co)[b.column("subject_pos")]
        if wanted.any():
            parts.append(b.take(wanted))
    coded = materialise(res, LineBlock.concat(parts))
    coded["refs"] = [res.ref_sets[i] for i in coded["ref_set"]]
    ids_h = set(res.frames.households["household_id"].astype(str).to_numpy()[hh])
    ids_c = set(res.frames.collectives["collective_id"].astype(str).to_numpy()[co])
    rows = [
        line_record(s.kind.value, line)
        for _, s in res.exact
        if s.subject_id in (ids_h if s.kind.value == "household" else ids_c)
        for line in s.lines
    ]
    if rows:
        coded = pd.concat([coded, pd.DataFrame(rows)], ignore_index=True)
    return coded


def totals_by_subject(df: pd.DataFrame) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for k, s, a in zip(df["subject_kind"], df["subject_id"], df["amount_fen"], strict=True):
        out[(str(k), str(s))] = out.get((str(k), str(s)), 0) + int(a)
    return out


__all__: Sequence[str] = (
    "KEY",
    "differences",
    "exact_lines_frame",
    "exact_subjects",
    "subject_lines",
    "totals_by_subject",
)
