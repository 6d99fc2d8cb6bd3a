"""Batch compute: every household and collective of a set of frames, vectorised, exact to the fen.

Pipeline (:func:`compute_batch`):

1. :func:`~buchang.batch.params.prepare` — group projects by
   (jurisdiction, governing dates), resolve each group's tables once with the
   exact engine's own resolver, index every frame by household;
2. :func:`~buchang.batch.frames.out_of_bounds` — households with values outside
   the documented int64 ranges are routed to the exact path;
3. the kernels (:mod:`buchang.batch.kernels`), one per rule family, emit coded
   line blocks and route every subject whose data would raise an issue in the
   exact rule;
4. the routed subjects are computed by the exact engine
   (:func:`buchang.rules.engine.compute_project` on a sub-project), so the
   result is complete and every data issue is the exact path's own;
5. :class:`BatchResult` — coded lines (int64 columns), per-subject totals,
   the exact subjects, the issues; text columns only on demand
   (:meth:`BatchResult.lines_frame`).

Issues: resolution issues (table missing, non-official figures, date beyond
verification) are reported **once per group** rather than copied onto every
subject as the exact path does; data issues come with the routed subjects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from buchang.batch.frames import Frames, out_of_bounds, to_projects
from buchang.batch.intmath import I64, Int64RangeError, exact_sum
from buchang.batch.kernels.attachments import attachments_kernel
from buchang.batch.kernels.common import Run
from buchang.batch.kernels.social_security import social_security_kernel
from buchang.batch.lineblock import (
    CATEGORIES,
    SUBJECT_HOUSEHOLD,
    Item,
    LineBlock,
    PayeeTemplate,
)
from buchang.batch.params import Prepared, position, prepare
from buchang.core.errors import Issue, Location, Severity
from buchang.core.memory import paused_gc, retained_heap
from buchang.rules.engine import _collective_result, _household_result, compute_project
from buchang.rules.inputs import Project
from buchang.rules.lines import Line, PayeeKind, SubjectKind, SubjectResult
from buchang.tables.model import TableRef
from buchang.tables.store import TableStore

Kernel = Callable[[Run], list[LineBlock]]


def _kernels() -> tuple[Kernel, ...]:
    from buchang.batch.kernels.houses import houses_kernel
    from buchang.batch.kernels.land import land_kernel

    return (attachments_kernel, houses_kernel, social_security_kernel, land_kernel)


@dataclass(frozen=True)
class BatchResult:
    """The result of :func:`compute_batch`.

    Attributes:
        prep: the prepared frames and resolved groups.
        parts: the vectorised lines, coded, one block per rule step (see
            :mod:`buchang.batch.lineblock`).
        keep: per part, ``None`` or the mask of lines kept — lines of subjects
            routed to the exact path are masked out lazily, never copied.
        rules: rule names by code.
        ref_sets: table references by ``ref_set`` code.
        exact: ``(project_id, subject)`` computed by the exact path (routed), in full.
        issues: group resolution issues, routing notes and the exact subjects' issues.
        routed: reason → number of subjects routed to the exact path.
    """

    prep: Prepared
    parts: tuple[LineBlock, ...]
    keep: tuple[np.ndarray[Any, Any] | None, ...]
    rules: tuple[str, ...]
    ref_sets: tuple[tuple[TableRef, ...], ...]
    exact: tuple[tuple[str, SubjectResult], ...]
    issues: tuple[Issue, ...]
    routed: dict[str, int]

    @property
    def frames(self) -> Frames:
        return self.prep.frames

    def blocks(self) -> list[LineBlock]:
        """The kept vectorised lines, one block per part."""
        return [b if k is None else b.take(k) for b, k in zip(self.parts, self.keep, strict=True)]

    @property
    def block(self) -> LineBlock:
        """All kept vectorised lines as one block of full-array columns."""
        return LineBlock.concat(self.blocks())

    @property
    def n_lines(self) -> int:
        kept = sum(b.n if k is None else int(k.sum()) for b, k in zip(self.parts, self.keep, strict=True))
        return kept + sum(len(s.lines) for _, s in self.exact)

    def total_fen(self) -> int:
        """Grand total: exact integer sum of every line."""
        total = 0
        for b, k in zip(self.parts, self.keep, strict=True):
            total += exact_sum(b.amount_fen if k is None else b.amount_fen[k])
        return total + sum(s.total_fen for _, s in self.exact)

    # --- text on demand ---------------------------------------------------------

    def lines_frame(self, *, with_refs: bool = True) -> pd.DataFrame:
        """One row per line item with text columns (subject, item, category, payee, refs).

        Columns: ``subject_kind, subject_id, item_id, category, rule, payee_kind,
        payee_name, payee_ref, payee_account, amount_fen, ref_set`` and, with
        ``with_refs``, ``refs`` (a tuple of :class:`TableRef` per line).
        Lines of routed subjects follow, with ``ref_set`` = −1.
        """
        coded = materialise(self, self.block)
        if with_refs:
            sets = np.empty(len(self.ref_sets) + 1, dtype=object)
            for i, s in enumerate(self.ref_sets):
                sets[i] = s
            sets[-1] = ()
            coded["refs"] = sets[coded["ref_set"].to_numpy()]
        exact = _exact_frame([s for _, s in self.exact], with_refs)
        if len(exact) == 0:
            return coded
        return pd.concat([coded, exact], ignore_index=True)

    def row(self, i: int) -> dict[str, Any]:
        """Line ``i`` of :meth:`lines_frame` (same numbering), decoded alone."""
        if i < 0:
            raise IndexError(i)
        for b in self.blocks():
            if i < b.n:
                one = b.take(np.array([i], dtype=np.int64))
                rec: dict[str, Any] = {
                    str(k): v for k, v in materialise(self, LineBlock.concat([one])).iloc[0].to_dict().items()
                }
                rec["refs"] = self.ref_sets[int(rec["ref_set"])]
                return rec
            i -= b.n
        for _, s in self.exact:
            if i < len(s.lines):
                return line_record(s.kind.value, s.lines[i])
            i -= len(s.lines)
        raise IndexError("line number beyond the result")

    def totals(self) -> pd.DataFrame:
        """Per-subject totals: ``subject_kind, subject_id, name, collective, total_fen, n_lines``."""
        return subject_totals(self)


def _col(df: pd.DataFrame, name: str) -> np.ndarray[Any, Any]:
    return df[name].to_numpy(dtype=object)


def materialise(res: BatchResult, b: LineBlock) -> pd.DataFrame:
    """Text columns for the coded lines of ``b`` (a block of ``res``)."""
    b = LineBlock.concat([b])  # full-array columns
    f = res.frames
    n = len(b)
    hh_id = _col(f.households, "household_id")
    coll_id = _col(f.collectives, "collective_id")
    subject = np.empty(n, dtype=object)
    is_hh = b.column("subject_kind") == SUBJECT_HOUSEHOLD
    spos = b.column("subject_pos")
    subject[is_hh] = hh_id[spos[is_hh]]
    subject[~is_hh] = coll_id[spos[~is_hh]]
    flats_joined = _flats_joined(f)
    sources: dict[int, np.ndarray[Any, Any]] = {
        Item.HOUSEHOLD: hh_id,
        Item.COLLECTIVE: coll_id,
        Item.PARCEL: _col(f.parcels, "parcel_id"),
        Item.BUILDING: _col(f.buildings, "building_id"),
        Item.ATTACHMENT: _col(f.attachments, "item_id"),
        Item.MEMBER: _col(f.members, "member_id"),
        Item.FLAT: _col(f.flats, "flat_id"),
        Item.FLATS_OF_HOUSEHOLD: flats_joined,
    }
    item = np.empty(n, dtype=object)
    ikind, ipos = b.column("item_kind"), b.column("item_pos")
    for kind, src in sources.items():
        m = ikind == kind
        if m.any():
            item[m] = src[ipos[m]]
    pk, pname, pref, pacct = _payees(res, b)
    rules = np.array(res.rules or ("",), dtype=object)
    cats = np.array([c.value for c in CATEGORIES], dtype=object)
    return pd.DataFrame(
        {
            "subject_kind": np.where(is_hh, SubjectKind.HOUSEHOLD.value, SubjectKind.COLLECTIVE.value),
            "subject_id": subject,
            "item_id": item,
            "category": cats[b.column("category")],
            "rule": rules[b.column("rule")],
            "payee_kind": pk,
            "payee_name": pname,
            "payee_ref": pref,
            "payee_account": pacct,
            "amount_fen": b.amount_fen,
            "ref_set": b.column("ref_set"),
        }
    )


def _flats_joined(f: Frames) -> np.ndarray[Any, Any]:
    out = np.full(len(f.households), "", dtype=object)
    if len(f.flats) == 0:
        return out
    joined = f.flats.groupby("household_id", sort=False)["flat_id"].agg(lambda s: ",".join(map(str, s)))
    pos = pd.Index(f.households["household_id"]).get_indexer(joined.index)
    out[pos] = joined.to_numpy(dtype=object)
    return out


def _payees(
    res: BatchResult, b: LineBlock
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    f = res.frames
    n = len(b)
    kind = np.empty(n, dtype=object)
    name = np.empty(n, dtype=object)
    ref = np.empty(n, dtype=object)
    acct = np.full(n, None, dtype=object)
    hh_id = _col(f.households, "household_id")
    hh_acct = _col(f.households, "account")
    payee, ppos = b.column("payee"), b.column("payee_pos")
    for t in PayeeTemplate:
        m = payee == t
        if not m.any():
            continue
        p = ppos[m]
        if t is PayeeTemplate.HOUSEHOLD:
            kind[m] = PayeeKind.HOUSEHOLD.value
            name[m] = _col(f.households, "head_name")[p]
            ref[m] = hh_id[p]
            acct[m] = hh_acct[p]
        elif t is PayeeTemplate.OWNER:
            hpos = pd.Index(f.households["household_id"]).get_indexer(f.attachments["household_id"].iloc[p])
            kind[m] = PayeeKind.OWNER.value
            name[m] = _col(f.attachments, "owner")[p]
            ref[m] = hh_id[hpos]
            acct[m] = hh_acct[hpos]
        elif t is PayeeTemplate.SOCIAL_SECURITY_MEMBER:
            kind[m] = PayeeKind.SOCIAL_SECURITY_FUND.value
            name[m] = np.array(
                [f"被征地人员社会保障资金专户（{x}）" for x in _col(f.members, "name")[p]], dtype=object
            )
            ref[m] = _col(f.members, "member_id")[p]
        elif t is PayeeTemplate.COLLECTIVE:
            kind[m] = PayeeKind.COLLECTIVE.value
            name[m] = _col(f.collectives, "name")[p]
            ref[m] = _col(f.collectives, "collective_id")[p]
            acct[m] = _col(f.collectives, "account")[p]
        elif t is PayeeTemplate.RESETTLEMENT_PERSONS:
            kind[m] = PayeeKind.PERSON.value
            name[m] = np.array(
                [f"{x}被征地人员（安置补助费）" for x in _col(f.collectives, "name")[p]], dtype=object
            )
            ref[m] = _col(f.collectives, "collective_id")[p]
        elif t is PayeeTemplate.RESETTLEMENT_FUND:
            kind[m] = PayeeKind.SOCIAL_SECURITY_FUND.value
            name[m] = "被征地人员社会保障资金专户"
            ref[m] = _col(f.collectives, "collective_id")[p]
        elif t is PayeeTemplate.EXPROPRIATOR:
            kind[m] = PayeeKind.EXPROPRIATOR.value
            name[m] = "征收部门"
            ref[m] = _col(f.projects, "project_id")[p]
    return kind, name, ref, acct


def _exact_frame(subjects: Sequence[SubjectResult], with_refs: bool) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for s in subjects:
        for line in s.lines:
            rows.append(line_record(s.kind.value, line, with_refs))
    cols = [
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
        "ref_set",
    ] + (["refs"] if with_refs else [])
    df = pd.DataFrame(rows, columns=cols)
    df["amount_fen"] = df["amount_fen"].astype(np.int64)
    df["ref_set"] = df["ref_set"].astype(np.int64)
    return df


def line_record(subject_kind: str, line: Line, with_refs: bool = True) -> dict[str, Any]:
    """One exact :class:`Line` as a row of :meth:`BatchResult.lines_frame`."""
    rec: dict[str, Any] = {
        "subject_kind": subject_kind,
        "subject_id": line.subject_id,
        "item_id": line.item_id,
        "category": line.category.value,
        "rule": line.rule,
        "payee_kind": line.payee.kind.value,
        "payee_name": line.payee.name,
        "payee_ref": line.payee.ref,
        "payee_account": line.payee.account,
        "amount_fen": line.amount_fen,
        "ref_set": -1,
    }
    if with_refs:
        rec["refs"] = tuple(line.refs)
    return rec


def subject_totals(res: BatchResult) -> pd.DataFrame:
    f = res.frames
    n_h, n_c = len(f.households), len(f.collectives)
    tot_h = np.zeros(n_h, dtype=np.int64)
    tot_c = np.zeros(n_c, dtype=np.int64)
    cnt_h = np.zeros(n_h, dtype=np.int64)
    cnt_c = np.zeros(n_c, dtype=np.int64)
    for b in res.blocks():
        tot, cnt = (tot_h, cnt_h) if b.subject_kind == SUBJECT_HOUSEHOLD else (tot_c, cnt_c)
        pos = b.column("subject_pos")
        np.add.at(tot, pos, b.amount_fen)
        np.add.at(cnt, pos, 1)
    hh_index = pd.Index(f.households["household_id"])
    coll_key = pd.MultiIndex.from_arrays([f.collectives["project_id"], f.collectives["collective_id"]])
    for pid, s in res.exact:
        if s.kind is SubjectKind.HOUSEHOLD:
            i = int(hh_index.get_loc(s.subject_id))
            tot_h[i] = s.total_fen
            cnt_h[i] = len(s.lines)
        else:
            loc = coll_key.get_loc((pid, s.subject_id))
            assert isinstance(loc, int)
            j = loc
            tot_c[j] = s.total_fen
            cnt_c[j] = len(s.lines)
    hh = pd.DataFrame(
        {
            "subject_kind": SubjectKind.HOUSEHOLD.value,
            "subject_id": f.households["household_id"].to_numpy(dtype=object),
            "project_id": f.households["project_id"].to_numpy(dtype=object),
            "name": f.households["head_name"].to_numpy(dtype=object),
            "collective": f.households["collective"].to_numpy(dtype=object),
            "total_fen": tot_h,
            "n_lines": cnt_h,
        }
    )
    co = pd.DataFrame(
        {
            "subject_kind": SubjectKind.COLLECTIVE.value,
            "subject_id": f.collectives["collective_id"].to_numpy(dtype=object),
            "project_id": f.collectives["project_id"].to_numpy(dtype=object),
            "name": f.collectives["name"].to_numpy(dtype=object),
            "collective": f.collectives["collective_id"].to_numpy(dtype=object),
            "total_fen": tot_c,
            "n_lines": cnt_c,
        }
    )
    return pd.concat([co, hh], ignore_index=True)


# --- the exact path for routed subjects -----------------------------------------------


def routed_frames(
    prep: Prepared, households: np.ndarray[Any, Any], collectives: np.ndarray[Any, Any]
) -> Frames:
    """The frames of the routed subjects only: their households with their members,
    buildings, attachments and flats; their collectives with those collectives' parcels;
    the projects of both. Rows are selected by integer position (no string joins)."""
    f = prep.frames
    h_idx = np.flatnonzero(households)
    c_idx = np.flatnonzero(collectives)

    def child(df: pd.DataFrame, ch: Any) -> pd.DataFrame:
        rows = np.sort(ch.perm[households[ch.hh]]) if len(df) else np.zeros(0, dtype=np.int64)
        return df.iloc[rows].reset_index(drop=True)

    projects = np.zeros(len(f.projects), dtype=bool)
    projects[prep.hh_project[h_idx]] = True
    if c_idx.size:
        c_proj = position(f.collectives["project_id"], f.projects["project_id"])
        projects[c_proj[c_idx]] = True
        owner = position(f.parcels["owner_collective"], f.collectives["collective_id"])
        p_rows = np.flatnonzero(collectives[np.maximum(owner, 0)] & (owner >= 0)) if len(f.parcels) else owner
        parcels = f.parcels.iloc[p_rows]
        if not f.collectives["collective_id"].is_unique:  # ids per project: match the project too
            parcels = parcels[
                pd.MultiIndex.from_arrays(
                    [parcels["project_id"].astype(str), parcels["owner_collective"].astype(str)]
                ).isin(
                    pd.MultiIndex.from_arrays(
                        [
                            f.collectives["project_id"].iloc[c_idx].astype(str),
                            f.collectives["collective_id"].iloc[c_idx].astype(str),
                        ]
                    )
                )
            ]
    else:
        parcels = f.parcels.iloc[:0]
    return Frames(
        projects=f.projects.iloc[np.flatnonzero(projects)].reset_index(drop=True),
        collectives=f.collectives.iloc[c_idx].reset_index(drop=True),
        parcels=parcels.reset_index(drop=True),
        households=f.households.iloc[h_idx].reset_index(drop=True),
        members=child(f.members, prep.members),
        buildings=child(f.buildings, prep.buildings),
        attachments=child(f.attachments, prep.attachments),
        flats=child(f.flats, prep.flats),
    )


def exact_subjects(
    prep: Prepared,
    store: TableStore,
    households: np.ndarray[Any, Any],
    collectives: np.ndarray[Any, Any],
    *,
    strict: bool = False,
) -> tuple[list[tuple[str, SubjectResult]], list[Issue]]:
    """Run the exact engine on the households and collectives selected by the masks.

    Returns ``(project_id, subject result)`` pairs and the subjects' issues.
    """
    if not households.any() and not collectives.any():
        return [], []
    sub = routed_frames(prep, households, collectives)
    groups = prep.groups
    out: list[tuple[str, SubjectResult]] = []
    issues: list[Issue] = []
    snaps_by_key = {g.key: g.snaps for g in groups}
    for project in to_projects(sub):
        snaps = snaps_by_key.get(
            (project.jurisdiction, project.notice_date, project.approval_date, project.valuation_date)
        )
        if snaps is None or strict:
            subjects = compute_project(project, store, strict=strict).subjects
        else:
            # the engine's own per-subject functions, on the snapshots already resolved for the
            # group (resolution depends only on the jurisdiction and the governing dates)
            subjects = tuple(
                [_collective_result(project, c, snaps) for c in project.collectives]
                + [_household_result(project, h, snaps) for h in project.households]
            )
        for s in subjects:
            out.append((project.project_id, s))
            issues.extend(s.issues)
    return out, issues


def compute_projects_exact(projects: Sequence[Project], store: TableStore) -> list[SubjectResult]:
    """The exact path over whole projects (reference for parity tests and benchmarks)."""
    out: list[SubjectResult] = []
    for p in projects:
        out.extend(compute_project(p, store).subjects)
    return out


# --- compute ------------------------------------------------------------------------

ROUTE_INFO: Final = "BATCH_ROUTED_EXACT"


def compute_batch(
    frames: Frames,
    store: TableStore,
    *,
    strict: bool = False,
    kernels: Sequence[Kernel] | None = None,
    threads: int = 1,
    retain_heap: bool = True,
) -> BatchResult:
    """Every household and collective of ``frames``: lines, totals and issues.

    The kernels run vectorised; subjects they cannot take (values outside the
    int64 ranges, data the exact rule reports as an issue) are computed by
    the exact engine. The lines are the exact path's, to the fen. ``threads`` > 1
    runs the families' kernels side by side (numpy releases the GIL in its loops; the
    result does not depend on it; on this 2-core machine it was slower: the threads
    contend for page faults). ``retain_heap`` keeps freed blocks in the process for the
    duration of the run (:mod:`buchang.core.memory`; glibc only, never changes results);
    the cyclic garbage collector is paused for the run.
    """
    with paused_gc(), retained_heap(retain_heap):
        return _compute_batch(frames, store, strict=strict, kernels=kernels, threads=threads)


def _compute_batch(
    frames: Frames,
    store: TableStore,
    *,
    strict: bool,
    kernels: Sequence[Kernel] | None,
    threads: int,
) -> BatchResult:
    prep = prepare(frames, store, strict=strict)
    run = Run(prep)
    found, mask, bad_projects = out_of_bounds(frames)
    run.route(mask, "OUT_OF_BOUNDS")
    if bad_projects:
        in_bad = frames.collectives["project_id"].astype(str).isin(sorted(bad_projects)).to_numpy()
        run.route_collective(in_bad, "OUT_OF_BOUNDS_COLLECTIVE")
    parts: list[LineBlock] = []
    todo = list(kernels if kernels is not None else _kernels())

    def guarded(k: Kernel) -> list[LineBlock]:
        try:
            return k(run)
        except Int64RangeError:
            # a product beyond int64 (extreme table figures): the family's subjects go to the
            # exact path instead — complete and exact, only slower
            if getattr(k, "subjects", "households") == "collectives":
                run.route_collective(np.ones(len(frames.collectives), dtype=bool), "INT64_RANGE")
            else:
                run.route(np.ones(prep.n_households, dtype=bool), "INT64_RANGE")
            return []

    if threads > 1 and len(todo) > 1:
        # numpy releases the GIL in its loops: the families run side by side
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for blocks in pool.map(guarded, todo):
                parts.extend(blocks)
    else:
        for k in todo:
            parts.extend(guarded(k))
    keep: list[np.ndarray[Any, Any] | None] = []
    for b in parts:
        routed = run.route_households if b.subject_kind == SUBJECT_HOUSEHOLD else run.route_collectives
        if not routed.any():
            keep.append(None)
            continue
        drop = routed[b.subject_pos]
        keep.append(~drop if np.any(drop) else None)
    exact, exact_issues = exact_subjects(
        prep, store, run.route_households, run.route_collectives, strict=strict
    )
    issues: list[Issue] = list(_dedupe(prep.issues))
    for ob in found:
        issues.append(
            Issue(ROUTE_INFO, str(ob), Severity.INFO, Location(key=f"{ob.frame}[{ob.row}].{ob.column}"))
        )
    issues.extend(exact_issues)
    return BatchResult(
        prep=prep,
        parts=tuple(parts),
        keep=tuple(keep),
        rules=run.rules.names,
        ref_sets=run.refs.sets,
        exact=tuple(exact),
        issues=tuple(issues),
        routed=dict(run.reasons),
    )


def _dedupe(issues: Sequence[Issue]) -> list[Issue]:
    seen: set[Issue] = set()
    out: list[Issue] = []
    for i in issues:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def coded_household_mask(res: BatchResult) -> I64:
    """Household positions computed by the kernels (not routed)."""
    routed = {s.subject_id for _, s in res.exact if s.kind is SubjectKind.HOUSEHOLD}
    ids = res.frames.households["household_id"].to_numpy(dtype=object)
    out: I64 = np.flatnonzero(~np.isin(ids, list(routed))).astype(np.int64)
    return out


__all__ = [
    "BatchResult",
    "compute_batch",
    "compute_projects_exact",
    "exact_subjects",
    "line_record",
    "subject_totals",
]
