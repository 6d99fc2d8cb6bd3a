"""What every kernel shares: the run context, exact per-group figures as arrays, routing.

A kernel mirrors one rule family of :mod:`buchang.rules` line for line. It
handles the regular cases vectorised; a subject whose data would make the
exact rule emit an *issue* (an unknown structure class, an item not in the
table, a figure missing from a table, an appraisal missing …) is **routed**:
the kernel marks it, its batch lines are dropped and the exact path computes
it instead, issues included. So a batch result always has the exact path's
lines, and every data problem is reported by the same code as the exact path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

import numpy as np

from buchang.batch.intmath import I64, scale_round
from buchang.batch.lineblock import LineBlock, RefRegistry, RuleRegistry
from buchang.batch.params import Prepared
from buchang.tables.model import TableRef

Mask = np.ndarray[Any, np.dtype[np.bool_]]

#: Sort-key weights: family rank, then item row, then the line's number within the item.
FAMILY_STEP: Final = 1 << 56
ITEM_STEP: Final = 1 << 6


@dataclass
class Run:
    """Mutable state of one batch run: registries and the subjects routed to the exact path."""

    prep: Prepared
    refs: RefRegistry = field(default_factory=RefRegistry)
    rules: RuleRegistry = field(default_factory=RuleRegistry)
    route_households: Mask = field(init=False)
    route_collectives: Mask = field(init=False)
    reasons: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.route_households = np.zeros(self.prep.n_households, dtype=bool)
        self.route_collectives = np.zeros(len(self.prep.frames.collectives), dtype=bool)

    def route(self, households: I64 | Mask, reason: str) -> None:
        """Send households (positions or a mask over households) to the exact path."""
        arr = np.asarray(households)
        idx = np.flatnonzero(arr) if arr.dtype == bool else arr.astype(np.int64)
        if idx.size:
            self.route_households[idx] = True
            self.reasons[reason] = self.reasons.get(reason, 0) + int(np.unique(idx).size)

    def route_collective(self, collectives: I64 | Mask, reason: str) -> None:
        arr = np.asarray(collectives)
        idx = np.flatnonzero(arr) if arr.dtype == bool else arr.astype(np.int64)
        if idx.size:
            self.route_collectives[idx] = True
            self.reasons[reason] = self.reasons.get(reason, 0) + int(np.unique(idx).size)

    def ref_id(self, refs: Sequence[TableRef]) -> int:
        return self.refs.id(refs)

    def rule_id(self, name: str) -> int:
        return self.rules.id(name)


@dataclass(frozen=True)
class Figures:
    """Exact rationals (one per key) as int64 ``num``/``den`` arrays, with a ``valid`` flag.

    Index a figure by the same integer key the kernel computed per row
    (``group × vocabulary + code`` for a 2-D table).
    """

    num: I64
    den: I64
    valid: Mask

    @classmethod
    def of(cls, values: Sequence[Fraction | None]) -> Figures:
        n = len(values)
        num = np.zeros(max(n, 1), dtype=np.int64)
        den = np.ones(max(n, 1), dtype=np.int64)
        valid = np.zeros(max(n, 1), dtype=bool)
        for i, v in enumerate(values):
            if v is None:
                continue
            num[i] = v.numerator
            den[i] = v.denominator
            valid[i] = True
        return cls(num, den, valid)


def table2d(
    n_groups: int, vocab: Sequence[str], fn: Callable[[int, str], tuple[Fraction | None, int]]
) -> tuple[Figures, I64]:
    """A (group × vocabulary) table of figures and ref-set ids: ``fn(group, key)``."""
    width = max(len(vocab), 1)
    values: list[Fraction | None] = [None] * (n_groups * width)
    refs = np.full(n_groups * width, -1, dtype=np.int64)
    for g in range(n_groups):
        for k, key in enumerate(vocab):
            v, r = fn(g, key)
            values[g * width + k] = v
            refs[g * width + k] = r
    return Figures.of(values), refs


def key2d(group: I64, code: I64, vocab_len: int) -> tuple[I64, Mask]:
    """Flat index into a :func:`table2d` and a mask of rows with a code (code ≥ 0)."""
    width = max(vocab_len, 1)
    has = code >= 0
    out: I64 = group * width + np.where(has, code, 0)
    return out, has


def fen(qty: I64, qty_scale: int, figures: Sequence[tuple[I64 | int, I64 | int]]) -> I64:
    """``round_half_up(qty / qty_scale × Π (num/den) × 100)`` — the amount in fen of a line.

    ``qty_scale`` is 100 for centi-m² / centi-units and 1 for integer counts.
    """
    nums: list[I64 | int] = [n for n, _ in figures]
    dens: list[I64 | int] = [d for _, d in figures]
    if qty_scale == 100:
        return scale_round(qty, nums, dens)
    return scale_round(qty, [*nums, 100 // qty_scale], dens)


def frac(value: Any) -> Fraction:
    return Fraction(value)


def order_key(family: int, item_row: I64 | int, line_no: I64 | int) -> I64:
    out: I64 = np.asarray(family * FAMILY_STEP + np.asarray(item_row) * ITEM_STEP + line_no, dtype=np.int64)
    return out


def concat(blocks: Sequence[LineBlock]) -> LineBlock:
    return LineBlock.concat(blocks)


@dataclass(frozen=True)
class Lookup:
    """Per-row result of a keyed table lookup: the figure, its ref set and an extra code."""

    num: I64
    den: I64
    valid: Mask
    ref: I64
    extra: I64


Resolver = Callable[[int], tuple[Fraction | None, int, int]]


def lookup(key: I64, size: int, fn: Resolver) -> Lookup:
    """Resolve an integer key per row through ``fn(key) → (figure | None, ref id, extra)``.

    ``fn`` runs once per *distinct* key (densely over ``range(size)`` when that
    is small, else over the keys present), never per row.
    """
    if size <= 1 << 16:
        table = [fn(k) for k in range(size)]
        inv = key
    else:
        uniq, inv = np.unique(key, return_inverse=True)
        table = [fn(int(k)) for k in uniq]
    figs = Figures.of([t[0] for t in table])
    ref = np.array([t[1] for t in table] or [-1], dtype=np.int64)
    extra = np.array([t[2] for t in table] or [0], dtype=np.int64)
    return Lookup(figs.num[inv], figs.den[inv], figs.valid[inv], ref[inv], extra[inv])
