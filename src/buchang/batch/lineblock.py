"""Coded line items: the vectorised form of :class:`~buchang.rules.lines.Line`.

A kernel emits a :class:`LineBlock` — parallel int64 arrays, one element per
line item — instead of ``Line`` objects. Every text of a line (subject id,
item id, payee name and account, table references) is a *code* pointing into
the input frames or into a small vocabulary, so a million households' lines
stay a few hundred megabytes of integers; :mod:`buchang.batch.compute` turns
codes into text only when asked (:meth:`BatchResult.lines_frame`).

Codes:

* ``subject_kind``/``subject_pos`` — :data:`SUBJECT_HOUSEHOLD` (row of
  ``households``) or :data:`SUBJECT_COLLECTIVE` (row of ``collectives``);
* ``item_kind``/``item_pos`` — which frame the item id comes from (:class:`Item`);
* ``category`` — position in ``list(Category)``;
* ``rule`` — position in :data:`RULES` (the exact core's rule names);
* ``payee``/``payee_pos`` — a :class:`PayeeTemplate` and the row it reads;
* ``ref_set`` — id in a :class:`RefRegistry` of ``tuple[TableRef, ...]``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

import numpy as np

from buchang.batch.intmath import I64
from buchang.rules.lines import Category
from buchang.tables.model import TableRef

SUBJECT_HOUSEHOLD: Final = 0
SUBJECT_COLLECTIVE: Final = 1

CATEGORIES: Final[tuple[Category, ...]] = tuple(Category)
CATEGORY_CODE: Final = {c: i for i, c in enumerate(CATEGORIES)}


class Item(IntEnum):
    """The frame an item id is read from."""

    HOUSEHOLD = 0  # households.household_id
    COLLECTIVE = 1  # collectives.collective_id
    PARCEL = 2  # parcels.parcel_id
    BUILDING = 3  # buildings.building_id
    ATTACHMENT = 4  # attachments.item_id
    MEMBER = 5  # members.member_id
    FLAT = 6  # flats.flat_id
    FLATS_OF_HOUSEHOLD = 7  # ",".join(flat ids of households[pos]) in input order


class PayeeTemplate(IntEnum):
    """How a payee is built from an input row (mirrors the exact core's payee helpers)."""

    HOUSEHOLD = 0  # house.common.household_payee(households[pos])
    OWNER = 1  # attachments: owner name, ref = household id, account = household account
    SOCIAL_SECURITY_MEMBER = 2  # social_security.person_line: 专户（member name）, ref member id
    COLLECTIVE = 3  # common.collective_payee(collectives[pos])
    RESETTLEMENT_PERSONS = 4  # common.resettlement_payee: persons
    RESETTLEMENT_FUND = 5  # common.resettlement_payee: social security fund
    EXPROPRIATOR = 6  # house.common.expropriator_payee(projects[pos])


class RefRegistry:
    """Interns tuples of :class:`TableRef` as small integer ids (thread-safe: kernels may run
    concurrently)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[TableRef, ...], int] = {}
        self._sets: list[tuple[TableRef, ...]] = []
        self._lock = threading.Lock()

    def id(self, refs: Sequence[TableRef]) -> int:
        key = tuple(refs)
        found = self._ids.get(key)
        if found is None:
            with self._lock:
                found = self._ids.get(key)
                if found is None:
                    found = len(self._sets)
                    self._sets.append(key)
                    self._ids[key] = found
        return found

    @property
    def sets(self) -> tuple[tuple[TableRef, ...], ...]:
        return tuple(self._sets)


class RuleRegistry:
    """Interns rule names (``house.collective.money.shanghai_75`` …) as codes."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._names: list[str] = []
        self._lock = threading.Lock()

    def id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            with self._lock:
                found = self._ids.get(name)
                if found is None:
                    found = len(self._names)
                    self._names.append(name)
                    self._ids[name] = found
        return found

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._names)


_FIELDS: Final = (
    "subject_kind",
    "subject_pos",
    "item_kind",
    "item_pos",
    "category",
    "rule",
    "payee",
    "payee_pos",
    "amount_fen",
    "ref_set",
)

Col = I64 | int


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Coded lines (see the module docstring): ``n`` lines, each column an int64
    array of length ``n`` or a single int shared by every line of the block
    (a block is usually one rule's lines, so kind, category and rule are
    scalars and cost nothing per line)."""

    n: int
    subject_kind: Col
    subject_pos: Col
    item_kind: Col
    item_pos: Col
    category: Col
    rule: Col
    payee: Col
    payee_pos: Col
    amount_fen: I64
    ref_set: Col

    def __len__(self) -> int:
        return self.n

    @classmethod
    def make(cls, *, n: int, **cols: Col) -> LineBlock:
        def norm(v: Col) -> Col:
            if isinstance(v, int | np.integer):
                return int(v)
            arr = np.asarray(v, dtype=np.int64)
            if arr.ndim == 0:
                return int(arr)
            assert arr.shape == (n,), (arr.shape, n)
            return arr

        fixed = {k: norm(cols[k]) for k in _FIELDS}
        amount = fixed["amount_fen"]
        if isinstance(amount, int):
            fixed["amount_fen"] = np.full(n, amount, dtype=np.int64)
        return cls(n=n, **fixed)  # type: ignore[arg-type]

    @classmethod
    def empty(cls) -> LineBlock:
        z = np.zeros(0, dtype=np.int64)
        return cls(n=0, **{f: z for f in _FIELDS})

    def column(self, name: str) -> I64:
        """A column as a full int64 array (scalars broadcast)."""
        v = getattr(self, name)
        if isinstance(v, int):
            return np.full(self.n, v, dtype=np.int64)
        out: I64 = v
        return out

    def take(self, index: np.ndarray[Any, Any]) -> LineBlock:
        idx = np.flatnonzero(index) if index.dtype == bool else index
        cols: dict[str, Any] = {f: (v if isinstance(v := getattr(self, f), int) else v[idx]) for f in _FIELDS}
        return LineBlock(n=int(idx.size), **cols)

    @staticmethod
    def concat(blocks: Sequence[LineBlock]) -> LineBlock:
        """One block with full-array columns (used for small results and materialisation)."""
        blocks = [b for b in blocks if len(b)]
        if not blocks:
            return LineBlock.empty()
        n = sum(b.n for b in blocks)
        cols = {f: np.concatenate([b.column(f) for b in blocks]) for f in _FIELDS}
        return LineBlock(n=n, **cols)
