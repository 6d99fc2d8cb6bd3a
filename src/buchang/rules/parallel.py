"""The exact engine over worker processes: :func:`compute_project_parallel`.

A 100,000-household survey takes the exact engine about 37 s of CPU (spec
issue 6 asks for import + compute + report in 60 s on two cores). The
households of a project are independent once the project's tables are
resolved (a household's result depends on the project, the household and the
resolved snapshots only), so the same engine functions run over chunks of
households in forked worker processes, and the parent assembles the
:class:`~buchang.rules.lines.ProjectResult` exactly as
:func:`buchang.rules.engine.compute_project` does — the result is equal to it
(``==`` and the same JSON; tested).

Transfer. Pickling pydantic results is slower than computing them (about
0.6 ms a household both ways), so a worker sends each subject as plain tuples
(ints, strings; rationals as numerator/denominator; each chunk's table
references and issues once, by index) and the parent rebuilds the models
without re-validating them (the values come from validated models).

Workers are forked (Linux only: the project is shared copy-on-write, never
pickled). The parent computes chunks too, from the back, while the workers take
them from the front, so on a machine busy with other work the parallel path costs
little more than the serial one. Anything that goes wrong with the pool (no fork,
a worker killed) leaves the remaining chunks to the parent, so the result is
always the same. Below :data:`MIN_HOUSEHOLDS`, or with one CPU
(``BUCHANG_WORKERS=1``), the serial engine runs directly.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from fractions import Fraction
from typing import Any, Final

from buchang.core.errors import Issue, Location, Severity
from buchang.core.memory import paused_gc
from buchang.rules.engine import (
    Snapshots,
    _collective_result,
    _household_result,
    assemble_result,
    compute_project,
    resolve_families,
)
from buchang.rules.inputs import Project
from buchang.rules.lines import (
    Category,
    Factor,
    Line,
    Payee,
    PayeeKind,
    ProjectResult,
    SubjectKind,
    SubjectResult,
)
from buchang.tables.model import Status, TableRef
from buchang.tables.store import TableStore

#: Smallest project (households) worth the worker processes.
MIN_HOUSEHOLDS: Final = 3_000
#: Environment variable: number of worker processes (``1`` = always serial).
WORKERS_ENV: Final = "BUCHANG_WORKERS"

Progress = Callable[[int], None]


def default_workers() -> int:
    """Worker processes to use: ``BUCHANG_WORKERS``, else the CPUs this process may run on."""
    env = os.environ.get(WORKERS_ENV, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def fork_available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


# --- the wire format of a chunk of subjects -------------------------------------------

# A chunk is (vocabulary, subjects): the vocabulary holds each distinct tuple of
# table references and each distinct issue of the chunk once (as tuples of
# primitives); lines and subjects refer to them by position.
_REFS, _ISSUE = 0, 1

_LineWire = tuple[Any, ...]
_SubjectWire = tuple[str, str, str, str | None, list[_LineWire], tuple[int, ...]]
_Chunk = tuple[list[tuple[Any, ...]], list[_SubjectWire]]


def encode_subjects(subjects: Sequence[SubjectResult]) -> _Chunk:
    """Subjects as plain tuples (see the module docstring)."""
    vocab: dict[object, int] = {}

    def index(x: object) -> int:
        i = vocab.get(x)
        if i is None:
            i = vocab[x] = len(vocab)
        return i

    out: list[_SubjectWire] = []
    for s in subjects:
        lines: list[_LineWire] = []
        for ln in s.lines:
            p = ln.payee
            q = ln.quantity
            u = ln.unit_price
            lines.append(
                (
                    ln.item_id,
                    ln.category.value,
                    p.kind.value,
                    p.name,
                    p.ref,
                    p.account,
                    q.numerator,
                    q.denominator,
                    ln.unit,
                    u.numerator,
                    u.denominator,
                    ln.price_unit,
                    tuple((f.name, f.value.numerator, f.value.denominator, f.note) for f in ln.factors),
                    ln.amount_fen,
                    index(ln.refs),
                    ln.rule,
                    ln.basis,
                    ln.note,
                )
            )
        out.append(
            (s.subject_id, s.kind.value, s.name, s.collective, lines, tuple(index(i) for i in s.issues))
        )
    words: list[tuple[Any, ...]] = [()] * len(vocab)
    for key, i in vocab.items():
        if isinstance(key, Issue):
            loc = key.location
            words[i] = (
                _ISSUE,
                key.code,
                key.message,
                key.severity.value,
                loc.file,
                loc.sheet,
                loc.cell,
                loc.line,
                loc.key,
            )
        else:
            assert isinstance(key, tuple)
            words[i] = (
                _REFS,
                tuple(
                    (
                        r.table_id,
                        r.version,
                        r.jurisdiction,
                        r.status.value,
                        r.content_hash,
                        r.document,
                        r.article,
                        r.row,
                        r.name,
                    )
                    for r in key
                ),
            )
    return words, out


_CATEGORY: Final = {c.value: c for c in Category}
_PAYEE_KIND: Final = {k.value: k for k in PayeeKind}
_SUBJECT_KIND: Final = {k.value: k for k in SubjectKind}
_SEVERITY: Final = {s.value: s for s in Severity}
_STATUS: Final = {s.value: s for s in Status}
_LINE_FIELDS: Final = frozenset(Line.model_fields)
_PAYEE_FIELDS: Final = frozenset(Payee.model_fields)
_FACTOR_FIELDS: Final = frozenset(Factor.model_fields)
_SUBJECT_FIELDS: Final = frozenset(SubjectResult.model_fields)


def _model(cls: type[Any], values: dict[str, Any], fields: frozenset[str]) -> Any:
    """A pydantic model from values taken from a validated model of the same class
    (what ``pickle`` restores, without pickle's per-object overhead)."""
    obj = object.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(obj, "__dict__", values)
    setattr_(obj, "__pydantic_fields_set__", set(fields))
    setattr_(obj, "__pydantic_extra__", None)
    setattr_(obj, "__pydantic_private__", None)
    return obj


def _fraction(numerator: int, denominator: int) -> Fraction:
    """A Fraction already in lowest terms (it came from one), without re-normalising."""
    f = object.__new__(Fraction)
    f._numerator = numerator  # type: ignore[attr-defined]
    f._denominator = denominator  # type: ignore[attr-defined]
    return f


def decode_subjects(
    chunk: _Chunk, refs: dict[tuple[Any, ...], TableRef] | None = None
) -> list[SubjectResult]:
    """The subjects of :func:`encode_subjects`, equal to the originals.

    ``refs`` interns table references across chunks (one object per distinct reference).
    """
    interned: dict[tuple[Any, ...], TableRef] = {} if refs is None else refs
    words, subjects = chunk
    vocab: list[Any] = []
    for w in words:
        if w[0] == _ISSUE:
            _, code, message, severity, file, sheet, cell, line, key = w
            vocab.append(Issue(code, message, _SEVERITY[severity], Location(file, sheet, cell, line, key)))
        else:
            got: list[TableRef] = []
            for r in w[1]:
                ref = interned.get(r)
                if ref is None:
                    ref = interned[r] = TableRef(r[0], r[1], r[2], _STATUS[r[3]], *r[4:])
                got.append(ref)
            vocab.append(tuple(got))
    category, payee_kind, subject_kind = _CATEGORY, _PAYEE_KIND, _SUBJECT_KIND
    model, fraction = _model, _fraction
    line_fields, payee_fields, factor_fields = _LINE_FIELDS, _PAYEE_FIELDS, _FACTOR_FIELDS
    out: list[SubjectResult] = []
    for sid, kind, name, collective, lines, issues in subjects:
        built = []
        for (
            item,
            cat,
            pkind,
            pname,
            pref,
            pacct,
            qn,
            qd,
            unit,
            un,
            ud,
            punit,
            factors,
            amount,
            ref_set,
            rule,
            basis,
            note,
        ) in lines:
            payee = model(
                Payee, {"kind": payee_kind[pkind], "name": pname, "ref": pref, "account": pacct}, payee_fields
            )
            built.append(
                model(
                    Line,
                    {
                        "subject_id": sid,
                        "item_id": item,
                        "category": category[cat],
                        "payee": payee,
                        "quantity": fraction(qn, qd),
                        "unit": unit,
                        "unit_price": fraction(un, ud),
                        "price_unit": punit,
                        "factors": tuple(
                            model(
                                Factor,
                                {"name": f[0], "value": fraction(f[1], f[2]), "note": f[3]},
                                factor_fields,
                            )
                            for f in factors
                        ),
                        "amount_fen": amount,
                        "refs": vocab[ref_set],
                        "rule": rule,
                        "basis": basis,
                        "note": note,
                    },
                    line_fields,
                )
            )
        out.append(
            model(
                SubjectResult,
                {
                    "subject_id": sid,
                    "kind": subject_kind[kind],
                    "name": name,
                    "collective": collective,
                    "lines": tuple(built),
                    "issues": tuple(vocab[i] for i in issues),
                },
                _SUBJECT_FIELDS,
            )
        )
    return out


# --- workers --------------------------------------------------------------------------

#: What the forked workers compute from (set in the parent just before the fork).
_STATE: tuple[Project, Snapshots] | None = None
_LOCK = threading.Lock()


def _worker_init() -> None:
    """In a fresh worker: the inherited objects (the project, millions of them) leave the
    collector's generations. Otherwise each collection walks them all — and writing their
    headers copies every shared page: measured, workers took twice the CPU.

    The worker's standard streams are replaced: a fork may copy a stream's lock held at that
    instant by another thread of the parent (a progress display refreshing on stderr), and
    the flush at the worker's exit would wait for it forever. A worker prints nothing;
    its exceptions travel back to the parent."""
    gc.freeze()
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the worker


def _work(bounds: tuple[int, int]) -> bytes:
    assert _STATE is not None, "a worker must be forked from compute_project_parallel"
    project, snaps = _STATE
    households = project.households
    start, stop = bounds
    chunk = encode_subjects([_household_result(project, households[i], snaps) for i in range(start, stop)])
    # pickled here, unpickled by the parent's main thread with the collector paused (the
    # executor's own result thread would unpickle millions of tuples with it running)
    return pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)


def _chunks(n: int, workers: int, size: int | None) -> list[tuple[int, int]]:
    if size is None:
        # many chunks: the parent and the workers share them out as they go (balance on a
        # loaded machine, steady progress), not so small that the overhead shows
        size = max(200, min(2_000, -(-n // (workers * 16))))
    return [(a, min(a + size, n)) for a in range(0, n, size)]


#: Chunks queued per worker process (one running, one waiting).
_DEPTH: Final = 2


def _households_parallel(
    project: Project,
    snaps: Snapshots,
    workers: int,
    chunk: int | None,
    progress: Progress | None,
) -> list[SubjectResult]:
    """The households' results, in order, computed by the parent and ``workers - 1``
    forked processes sharing the chunks out: the workers take chunks from the front
    (a couple queued each), the parent computes from the back between collecting the
    workers' results, until they meet. On a machine busy with other work the workers
    simply get fewer chunks (the parent's own need no transfer), so the parallel path
    costs little more than the serial engine there and about halves its time on two free
    cores. If the pool fails (no fork, a worker killed) the parent computes what is left."""
    global _STATE
    households = project.households
    ranges = _chunks(len(households), workers, chunk)
    done: list[list[SubjectResult] | None] = [None] * len(ranges)
    refs: dict[tuple[Any, ...], TableRef] = {}

    def local(i: int) -> None:
        start, stop = ranges[i]
        done[i] = [_household_result(project, households[k], snaps) for k in range(start, stop)]
        if progress is not None:
            progress(stop - start)

    def collect(i: int, fut: Future[bytes]) -> None:
        # decoded with the collector paused (below): millions of small objects, no cycles,
        # and a collection would walk the whole project each time
        done[i] = decode_subjects(pickle.loads(fut.result()), refs)
        if progress is not None:
            progress(ranges[i][1] - ranges[i][0])

    front, back = 0, len(ranges)  # chunks [front, back) are not yet assigned
    with _LOCK, paused_gc():
        _STATE = (project, snaps)
        try:
            with ProcessPoolExecutor(
                max_workers=workers - 1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_init,
            ) as pool:
                queued: deque[tuple[int, Future[bytes]]] = deque()
                try:
                    while front < back or queued:
                        while front < back and len(queued) < _DEPTH * (workers - 1):
                            queued.append((front, pool.submit(_work, ranges[front])))
                            front += 1
                        while queued and queued[0][1].done():
                            collect(*queued.popleft())
                        if front < back:
                            back -= 1
                            local(back)
                        elif queued:
                            collect(*queued.popleft())  # waits for it
                finally:
                    for _, fut in queued:
                        fut.cancel()
        except (BrokenProcessPool, OSError):
            pass  # the chunks not done are computed below
        finally:
            _STATE = None
        for i, got in enumerate(done):
            if got is None:
                local(i)
    return [s for part in done if part is not None for s in part]


def compute_project_parallel(
    project: Project,
    store: TableStore,
    *,
    strict: bool = False,
    workers: int | None = None,
    chunk: int | None = None,
    min_households: int | None = None,
    progress: Progress | None = None,
) -> ProjectResult:
    """:func:`~buchang.rules.engine.compute_project`, its households computed by this
    process and ``workers - 1`` forked ones (``workers`` default :func:`default_workers`).
    The result is the same; the serial engine runs when the project is small (below
    ``min_households``, default :data:`MIN_HOUSEHOLDS`), with one worker or without
    ``fork``; if the pool fails, this process computes what is left.

    ``chunk`` — households per chunk (default: about 16 chunks per worker, at most
    2,000); ``progress(n)`` is called as every ``n`` households are done.
    """
    n_workers = default_workers() if workers is None else workers
    households = project.households
    smallest = MIN_HOUSEHOLDS if min_households is None else min_households
    if n_workers <= 1 or len(households) < max(smallest, 2) or not fork_available():
        result = compute_project(project, store, strict=strict)
        if progress is not None:
            progress(len(households))
        return result
    snaps = resolve_families(store, project, strict=strict)
    subjects: list[SubjectResult] = [_collective_result(project, c, snaps) for c in project.collectives]
    subjects += _households_parallel(project, snaps, n_workers, chunk, progress)
    return assemble_result(project, snaps, subjects)


__all__ = [
    "MIN_HOUSEHOLDS",
    "WORKERS_ENV",
    "compute_project_parallel",
    "decode_subjects",
    "default_workers",
    "encode_subjects",
    "fork_available",
]
