"""Explain any batch line: re-run its subject through the exact path and explain it in words.

:func:`explain_row` takes line ``i`` of :meth:`BatchResult.lines_frame
<buchang.batch.compute.BatchResult.lines_frame>`, rebuilds that household or
collective as a :class:`~buchang.rules.inputs.Project` from the frames,
computes it with the exact engine, finds the exact line that is the batch
line (same item, category, rule, payee, amount and table references) and
renders the subject with :func:`buchang.rules.explain.explain_subject` — so
the auditor reads the exact path's arithmetic for a figure the batch produced,
and a batch line the exact path does not reproduce is reported, not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from buchang.batch.compute import BatchResult, line_record
from buchang.batch.frames import to_projects
from buchang.rules.engine import compute_project
from buchang.rules.explain import Lang, explain_line, explain_subject
from buchang.rules.lines import Line, SubjectKind, SubjectResult
from buchang.tables.store import TableStore

_SAME = (
    "subject_id",
    "item_id",
    "category",
    "rule",
    "payee_kind",
    "payee_name",
    "payee_ref",
    "payee_account",
    "amount_fen",
)


@dataclass(frozen=True)
class Explanation:
    """The exact re-run of one batch line.

    Attributes:
        row: the batch line, decoded (``BatchResult.row``).
        subject: the subject's exact result.
        line: the exact line equal to the batch line, or ``None`` when none is.
        text: the subject explained in words, the line marked.
    """

    row: dict[str, Any]
    subject: SubjectResult
    line: Line | None
    text: str

    @property
    def agrees(self) -> bool:
        return self.line is not None


def _matches(row: dict[str, Any], kind: str, line: Line) -> bool:
    rec = line_record(kind, line)
    return all(rec[k] == row[k] for k in _SAME) and tuple(line.refs) == tuple(row["refs"])


def exact_subject(result: BatchResult, kind: str, subject_id: str, store: TableStore) -> SubjectResult:
    """The exact path's result for one subject of ``result``'s frames."""
    f = result.frames
    if kind == SubjectKind.HOUSEHOLD.value:
        pos = np.flatnonzero(f.households["household_id"].astype(str).to_numpy() == subject_id)
        sub = f.select_households(pos)
        projects = to_projects(sub)
        (project,) = projects
        project = project.model_copy(update={"collectives": ()})
    else:
        hit = f.collectives[f.collectives["collective_id"].astype(str) == subject_id]
        pid = str(hit["project_id"].iloc[0])
        sub = f.select_households(np.zeros(0, dtype=np.int64), projects={pid})
        (project,) = to_projects(sub)
        keep = tuple(c for c in project.collectives if c.collective_id == subject_id)
        project = project.model_copy(update={"collectives": keep})
    res = compute_project(project, store)
    for s in res.subjects:
        if s.kind.value == kind and s.subject_id == subject_id:
            return s
    raise LookupError(f"the exact path has no {kind} {subject_id}")


def explain_row(result: BatchResult, i: int, store: TableStore, *, lang: Lang = "zh") -> Explanation:
    """Re-run batch line ``i`` through the exact path and explain it."""
    row = result.row(i)
    kind = str(row["subject_kind"])
    subject = exact_subject(result, kind, str(row["subject_id"]), store)
    found: Line | None = None
    number = 0
    for n, line in enumerate(subject.lines, start=1):
        if _matches(row, kind, line):
            found, number = line, n
            break
    head = explain_subject(subject, lang)
    if found is None:
        mark = (
            "批量结果与精确计算不一致：精确路径没有这一行"
            if lang == "zh"
            else "the exact path has no line equal to this batch line"
        )
        text = f"{head}\n\n{mark}: {row}"
    else:
        title = f"批量第 {i} 行即第 {number} 项：" if lang == "zh" else f"Batch line {i} is line {number}:"
        text = "\n".join([head, "", title, *explain_line(found, number, lang)])
    return Explanation(row=row, subject=subject, line=found, text=text)
