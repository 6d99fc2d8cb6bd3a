"""Table parameters resolved once per (jurisdiction, governing dates) group, and row indexes.

The exact core resolves a snapshot per project (:func:`buchang.rules.engine.resolve_families`,
which calls :func:`~buchang.rules.snapshot.resolve_snapshot` per family). Batch
mode groups projects by ``(jurisdiction, notice_date, approval_date,
valuation_date)`` — the only inputs of resolution — and resolves each group
**once**, with the same function, so both paths read the very same table
versions. Kernels then gather per-group figures into arrays
(:func:`gather`): one Python step per group, never per household.

:class:`Prepared` also holds the integer row indexes every kernel needs
(household position of each member/building/attachment/flat, project and
group of each household, collective of each parcel) and the dates as int64
day numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar

import numpy as np
import pandas as pd

from buchang.batch.frames import Frames
from buchang.batch.intmath import I64
from buchang.core.errors import Issue
from buchang.rules.engine import Family, Snapshots, blocked, resolve_families
from buchang.rules.inputs import Project
from buchang.tables.store import TableStore

#: An absent date as an int64 day number (sorts before every real date).
NO_DATE: Final = int(np.iinfo(np.int64).min)

T = TypeVar("T")

GroupKey = tuple[str, date, date | None, date | None]


def days(col: pd.Series[Any]) -> I64:
    """A date column as int64 days since 1970-01-01 (``NaT`` → :data:`NO_DATE`)."""
    arr = col.to_numpy(dtype="datetime64[s]")
    out: I64 = arr.astype("datetime64[D]").astype(np.int64)
    return out  # NaT becomes INT64 min, which is NO_DATE


def day_of(d: date | None) -> int:
    if d is None:
        return NO_DATE
    return int(np.datetime64(d, "D").astype(np.int64))


def ymd(d: I64) -> tuple[I64, I64]:
    """(year, month·100 + day) of int64 day numbers (for completed-years arithmetic)."""
    dt = d.astype("datetime64[D]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dt.astype("datetime64[M]")
    month = m.astype(np.int64) % 12 + 1
    day = (dt - m.astype("datetime64[D]")).astype(np.int64) + 1
    return y, month * 100 + day


def codes(col: pd.Series[Any]) -> tuple[I64, list[str]]:
    """Integer codes (−1 for absent) and the vocabulary of a text/category column."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in col.cat.categories]
        out: I64 = np.asarray(col.cat.codes, dtype=np.int64)
        return out, cats
    c, uniques = pd.factorize(col, use_na_sentinel=True)
    fac: I64 = np.asarray(c, dtype=np.int64)
    return fac, [str(u) for u in uniques]


def position(keys: pd.Series[Any], index: pd.Series[Any]) -> I64:
    """Position of each key in ``index`` (−1 when absent).

    Fast path: when ``keys`` is a ``Categorical`` whose categories are exactly
    ``index`` (in order), the codes *are* the positions — no string hashing.
    :func:`buchang.batch.synth.synth_frames` and
    :func:`buchang.batch.frames.from_projects` build their key columns so;
    any other column is joined by hashing (about 0.3 µs per row).
    """
    if isinstance(keys.dtype, pd.CategoricalDtype):
        cats = keys.cat.categories
        if len(cats) == len(index) and cats.equals(pd.Index(index)):
            found: I64 = np.asarray(keys.cat.codes, dtype=np.int64)
            return found
        keys = keys.astype(object)
    out: I64 = (
        pd.Index(index.to_numpy(dtype=object)).get_indexer(keys.to_numpy(dtype=object)).astype(np.int64)
    )
    return out


@dataclass(frozen=True)
class Group:
    """One resolution group: the key, a stub project and the engine's snapshots."""

    key: GroupKey
    snaps: Snapshots

    def family(self, name: str) -> Family:
        fam: Family = getattr(self.snaps, name)
        return fam

    def runs(self, name: str) -> bool:
        return not blocked(self.family(name))


@dataclass(frozen=True)
class Child:
    """A child frame (members, buildings, …) in household order.

    ``perm`` maps sorted position → original row; ``hh`` is the household
    position of each sorted row; ``starts`` the first sorted row of each
    household (length ``n_households + 1``).
    """

    perm: I64
    hh: I64
    starts: I64
    identity: bool = False

    def col(self, df: pd.DataFrame, name: str) -> pd.Series[Any]:
        """Column ``name`` of the child frame, in household order."""
        return df[name] if self.identity else df[name].iloc[self.perm]

    def arr(self, df: pd.DataFrame, name: str) -> I64:
        """An int64 column of the child frame, in household order."""
        a: I64 = df[name].to_numpy(dtype=np.int64)
        return a if self.identity else a[self.perm]

    def flags(self, df: pd.DataFrame, name: str) -> np.ndarray[Any, Any]:
        """A bool column of the child frame, in household order."""
        a = df[name].to_numpy(dtype=bool)
        return a if self.identity else a[self.perm]

    def sort(self, a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return a if self.identity else a[self.perm]

    def sum_by_household(self, values: I64, n: int) -> I64:
        """Exact int64 sum of ``values`` (sorted order) per household."""
        return segment_sum(values, self.starts, n)

    def count_by_household(self, mask: np.ndarray[Any, Any], n: int) -> I64:
        return segment_sum(mask, self.starts, n)

    def first_row(self) -> np.ndarray[Any, Any]:
        """True on the first row of each household."""
        out = np.zeros(self.hh.shape[0], dtype=bool)
        nonempty = self.starts[:-1] < self.starts[1:]
        out[self.starts[:-1][nonempty]] = True
        return out


def segment_sum(values: np.ndarray[Any, Any], starts: I64, n: int) -> I64:
    """Sum of contiguous segments ``values[starts[i]:starts[i+1]]`` (exact int64; ``values``
    int64 or bool — a bool mask is counted without converting it first).

    >>> segment_sum(np.array([1, 2, 3, 4]), np.array([0, 1, 1, 4]), 3).tolist()
    [1, 0, 9]
    """
    if values.shape[0] == 0:
        return np.zeros(n, dtype=np.int64)
    c = np.empty(values.shape[0] + 1, dtype=np.int64)
    c[0] = 0
    np.cumsum(values, dtype=np.int64, out=c[1:])
    at = c[starts]  # one ordered gather; consecutive differences are the segment sums
    out: I64 = at[1:] - at[:-1]
    return out


def _child(hh_pos: I64, n_households: int) -> Child:
    identity = bool(hh_pos.shape[0] == 0 or np.all(hh_pos[1:] >= hh_pos[:-1]))
    if identity:
        perm = np.arange(hh_pos.shape[0], dtype=np.int64)
        hh = hh_pos
    else:
        perm = np.argsort(hh_pos, kind="stable").astype(np.int64)
        hh = hh_pos[perm]
    # first sorted row of each household: a running count (O(rows), unlike a binary search)
    starts = np.empty(n_households + 1, dtype=np.int64)
    starts[0] = 0
    np.cumsum(np.bincount(hh, minlength=n_households)[:n_households], out=starts[1:])
    return Child(perm=perm, hh=hh, starts=starts, identity=identity)


@dataclass(frozen=True)
class Prepared:
    """Frames, their row indexes and the resolved groups of one batch run."""

    frames: Frames
    store: TableStore
    groups: tuple[Group, ...]
    project_group: I64
    hh_project: I64
    hh_group: I64
    members: Child
    buildings: Child
    attachments: Child
    flats: Child
    issues: tuple[Issue, ...]
    notice: I64  # per project, day numbers
    approval: I64
    valuation: I64
    signing_start: I64
    signing_end: I64

    @property
    def n_households(self) -> int:
        return len(self.frames.households)

    def gather(self, per_group: Sequence[T], fill: T) -> list[T]:
        return list(per_group) if per_group else [fill]


def group_key(row: dict[str, Any]) -> GroupKey:
    def d(v: Any) -> date | None:
        if v is None or pd.isna(v):
            return None
        ts = pd.Timestamp(v)
        return date(ts.year, ts.month, ts.day)

    notice = d(row["notice_date"])
    assert notice is not None, "a project needs its notice date"
    return (str(row["jurisdiction"]), notice, d(row["approval_date"]), d(row["valuation_date"]))


def prepare(frames: Frames, store: TableStore, *, strict: bool = False) -> Prepared:
    """Resolve every group once and index every frame by household."""
    projects = frames.projects
    keys: dict[GroupKey, int] = {}
    groups: list[Group] = []
    pg = np.zeros(len(projects), dtype=np.int64)
    issues: list[Issue] = []
    for i, row in enumerate(projects.to_dict("records")):
        key = group_key({str(k): v for k, v in row.items()})
        gi = keys.get(key)
        if gi is None:
            gi = len(groups)
            keys[key] = gi
            stub = Project(
                project_id=f"group-{gi}",
                name="",
                jurisdiction=key[0],
                notice_date=key[1],
                approval_date=key[2],
                valuation_date=key[3],
            )
            snaps = resolve_families(store, stub, strict=strict)
            groups.append(Group(key, snaps))
            for fam in snaps.all():
                issues.extend(fam.snapshot.issues)
        pg[i] = gi
    hh = frames.households
    n = len(hh)
    hh_project = position(hh["project_id"], projects["project_id"])
    if np.any(hh_project < 0):
        bad = np.flatnonzero(hh_project < 0)[:10].tolist()
        raise KeyError(f"households at rows {bad} name a project that is not in the projects frame")
    hh_ids = hh["household_id"]

    def child(df: pd.DataFrame, name: str) -> Child:
        pos = position(df["household_id"], hh_ids)
        if np.any(pos < 0):
            bad = np.flatnonzero(pos < 0)[:10].tolist()
            raise KeyError(f"{name} rows {bad} name a household that is not in the households frame")
        return _child(pos, n)

    return Prepared(
        frames=frames,
        store=store,
        groups=tuple(groups),
        project_group=pg,
        hh_project=hh_project,
        hh_group=pg[hh_project] if n else np.zeros(0, dtype=np.int64),
        members=child(frames.members, "members"),
        buildings=child(frames.buildings, "buildings"),
        attachments=child(frames.attachments, "attachments"),
        flats=child(frames.flats, "flats"),
        issues=tuple(issues),
        notice=days(projects["notice_date"]),
        approval=days(projects["approval_date"]),
        valuation=days(projects["valuation_date"]),
        signing_start=days(projects["signing_start"]),
        signing_end=days(projects["signing_end"]),
    )


def per_group(prep: Prepared, fn: Callable[[Group], T]) -> list[T]:
    """``fn`` evaluated once per group (the only per-group Python loop kernels run)."""
    return [fn(g) for g in prep.groups]
