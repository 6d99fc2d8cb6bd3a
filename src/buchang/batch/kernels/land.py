"""Kernel of :mod:`buchang.rules.land` — 土地补偿费 and 安置补助费 (spec 4.1).

Subjects are collectives; lines are per parcel, except regime A's
安置补助费 of the cultivated land, which is one line per collective.

* ``zone_price`` (regime B): per parcel, area × the zone's price for the
  parcel's class (农用地 / 永久基本农田 / 建设用地 / 未利用地) × 15/10000 × the split
  ratio, one line per non-zero share;
* ``output_value_multiples`` (regime A): per cultivated parcel area × AAOV ×
  15/10000 × the land multiple; per other parcel the class row's multiples
  (and AAOV where the row gives one); per collective the persons to
  resettle with the per-hectare cap and the 30× total cap — computed for
  each collective once, with exact rationals (collectives are few; the
  caps compare rationals that do not fit int64 products).

Routed to the exact path (issues there): a collective whose parcels name an
unknown zone, a zone without the standard a class needs, split ratios not
summing to 1, a class without a regime-A row, missing collective data for
the persons formula, or a table variant the kernel does not know.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Final

import numpy as np
import pandas as pd

from buchang.batch.intmath import I64
from buchang.batch.kernels.common import Run, fen
from buchang.batch.lineblock import (
    CATEGORY_CODE,
    SUBJECT_COLLECTIVE,
    Item,
    LineBlock,
    PayeeTemplate,
)
from buchang.batch.params import Group, codes, position
from buchang.core.money import round_half_up_int
from buchang.rules.common import M2_TO_MU, count_rounding, round_count
from buchang.rules.inputs import LandClass
from buchang.rules.land import (
    BOUNDS_KIND,
    FEES_KIND,
    REGIME_A,
    REGIME_B,
)
from buchang.rules.lines import Category
from buchang.tables.model import TableRef, TableVersion

FAMILY: Final = 0
_LAND: Final = CATEGORY_CODE[Category.LAND_COMPENSATION]
_RES: Final = CATEGORY_CODE[Category.RESETTLEMENT_SUBSIDY]
_MU_N, _MU_D = M2_TO_MU.value.numerator, M2_TO_MU.value.denominator
_CULTIVATED: Final = frozenset(c.value for c in LandClass if c.is_cultivated)
_B_COLUMN: Final = {
    LandClass.CONSTRUCTION.value: "construction_price",
    LandClass.UNUSED.value: "unused_price",
}

_PAYEE: Final = {
    "collective": PayeeTemplate.COLLECTIVE,
    "persons": PayeeTemplate.RESETTLEMENT_PERSONS,
    "social_security_fund": PayeeTemplate.RESETTLEMENT_FUND,
}


def _res_payee(fees: TableVersion) -> PayeeTemplate:
    which = str(fees.value("resettlement_payee")) if fees.has("resettlement_payee") else "collective"
    return _PAYEE.get(which, PayeeTemplate.COLLECTIVE)


def _fees(group: Group) -> TableVersion | None:
    if not group.runs("land"):
        return None
    return group.family("land").snapshot.get(FEES_KIND)


class _Out:
    """Collects collective lines as :class:`LineBlock` parts."""

    def __init__(self) -> None:
        self.parts: list[LineBlock] = []

    def add(self, **cols: Any) -> None:
        amount = np.asarray(cols.pop("amount_fen"), dtype=np.int64)
        n = int(amount.shape[0])
        if n:
            self.parts.append(LineBlock.make(n=n, subject_kind=SUBJECT_COLLECTIVE, amount_fen=amount, **cols))


def land_kernel(run: Run) -> list[LineBlock]:
    """Lines of every collective's parcels (see the module docstring)."""
    prep = run.prep
    f = prep.frames
    colls, parcels = f.collectives, f.parcels
    if len(colls) == 0 or len(parcels) == 0:
        return []
    c_proj = position(colls["project_id"], f.projects["project_id"])
    p_proj = position(parcels["project_id"], f.projects["project_id"])
    p_coll = _owner(colls, parcels, c_proj, p_proj)
    known = p_coll >= 0
    p_group = np.where(known, prep.project_group[c_proj[np.maximum(p_coll, 0)]], -1)
    fees_by_group = [_fees(g) for g in prep.groups]
    variant = np.array(
        [
            (-1 if v is None else (0 if v.variant == REGIME_A else 1 if v.variant == REGIME_B else 2))
            for v in fees_by_group
        ]
        + [-1],
        dtype=np.int64,
    )
    p_var = variant[p_group]  # −1: family blocked / unknown owner
    run.route_collective(np.unique(p_coll[p_var == 2]), "UNKNOWN_VARIANT")
    area = parcels["area_cm2"].to_numpy(dtype=np.int64)
    cls_code, cls_vocab = codes(parcels["land_class"])
    out = _Out()
    idx = np.arange(len(parcels), dtype=np.int64)
    _regime_b(run, out, fees_by_group, p_group, p_coll, p_var == 1, area, cls_code, cls_vocab, idx)
    _regime_a(run, out, fees_by_group, p_group, p_coll, p_var == 0, area, cls_code, cls_vocab, idx)
    return out.parts


def _owner(colls: pd.DataFrame, parcels: pd.DataFrame, c_proj: I64, p_proj: I64) -> I64:
    """Row of the collective owning each parcel (same project, same id), −1 when none."""
    if colls["collective_id"].is_unique:
        pos = position(parcels["owner_collective"], colls["collective_id"])
        same = (pos >= 0) & (c_proj[np.maximum(pos, 0)] == p_proj)
        out: I64 = np.where(same, pos, -1)
        return out
    key = pd.MultiIndex.from_arrays([colls["project_id"].astype(str), colls["collective_id"].astype(str)])
    probe = pd.MultiIndex.from_arrays(
        [parcels["project_id"].astype(str), parcels["owner_collective"].astype(str)]
    )
    return np.asarray(key.get_indexer(probe), dtype=np.int64)


def _regime_b(
    run: Run,
    out: _Out,
    fees_by_group: list[TableVersion | None],
    p_group: I64,
    p_coll: I64,
    sel: np.ndarray[Any, Any],
    area: I64,
    cls_code: I64,
    cls_vocab: list[str],
    idx: I64,
) -> None:
    if not sel.any():
        return
    parcels = run.prep.frames.parcels
    zone, zvocab = codes(parcels["zone"])
    bf = parcels["basic_farmland"].to_numpy(dtype=bool).astype(np.int64)
    nz, nc = len(zvocab) + 1, max(len(cls_vocab), 1)
    key = ((p_group * nz + (zone + 1)) * nc + cls_code) * 2 + bf
    rule = run.rule_id(f"land.{REGIME_B}")
    # resolve each (group, zone, class, basic farmland) once: densely when the key space is small
    sub = np.flatnonzero(sel)
    size = len(fees_by_group) * nz * nc * 2
    if size <= 1 << 16:
        keys = range(size)
        inv = key[sub]
    else:
        uniq, inv = np.unique(key[sub], return_inverse=True)
        keys = uniq.tolist()
    table: list[tuple[bool, int, int, int, int, int, int, int, int, int]] = []
    for k in keys:
        rest, b = divmod(k, 2)
        rest, ci = divmod(rest, nc)
        gi, zi = divmod(rest, nz)
        fees = fees_by_group[gi]
        if fees is not None and fees.variant != REGIME_B:
            fees = None
        table.append(_resolve_b(run, fees, zvocab[zi - 1] if zi > 0 else None, cls_vocab[ci], bool(b)))
    tab = np.array(table, dtype=np.int64).reshape(-1, 10)
    col = [np.ascontiguousarray(tab[:, j]) for j in range(10)]  # one small 1-D table per field
    ok = col[0][inv] == 1
    run.route_collective(np.unique(p_coll[sub[~ok]]), "LAND_ZONE_OR_STANDARD")
    bits = col[1][inv]
    for share in (0, 1):
        m = ok & ((bits >> share) & 1 == 1)
        rows = sub[m]
        k = inv[m]
        base = 2 + share * 4
        out.add(
            subject_pos=p_coll[rows],
            item_kind=Item.PARCEL,
            item_pos=rows,
            category=_LAND if share == 0 else _RES,
            rule=rule,
            payee=col[base + 3][k],
            payee_pos=p_coll[rows],
            amount_fen=fen(area[rows], 100, [(col[base][k], col[base + 1][k])]),
            ref_set=col[base + 2][k],
        )


def _resolve_b(
    run: Run, fees: TableVersion | None, zone: str | None, land_class: str, basic: bool
) -> tuple[bool, int, int, int, int, int, int, int, int, int]:
    """(ok, non-zero shares bits, land num, den, ref, payee, res num, den, ref, payee) for one parcel kind."""
    bad = (False, 0, 0, 1, -1, 0, 0, 1, -1, 0)
    if fees is None:
        return bad
    if zone is None and len(fees.rows) == 1:
        zone = fees.rows[0].key
    if zone is None:
        return bad
    row = fees.find_row(zone)
    if row is None:
        return bad
    if land_class in _B_COLUMN:
        column = _B_COLUMN[land_class]
        if column not in row.values:
            return bad
    elif basic and "basic_farmland_price" in row.values:
        column = "basic_farmland_price"
    else:
        column = "price"
    price = Fraction(row.decimal(column))
    shares: list[tuple[Fraction, TableRef]] = []
    for name in ("land_comp_ratio", "resettlement_ratio"):
        if name in row.values:
            shares.append((Fraction(row.decimal(name)), fees.ref(row=zone, name=name)))
        else:
            shares.append((Fraction(fees.decimal(name)), fees.ref(name=name)))
    if shares[0][0] + shares[1][0] != 1:
        return bad
    price_ref = fees.ref(row=zone, name=column)
    land = price * M2_TO_MU.value * shares[0][0]
    res = price * M2_TO_MU.value * shares[1][0]
    return (
        True,
        int(shares[0][0] != 0) | (int(shares[1][0] != 0) << 1),
        land.numerator,
        land.denominator,
        run.ref_id((price_ref, shares[0][1])),
        int(PayeeTemplate.COLLECTIVE),
        res.numerator,
        res.denominator,
        run.ref_id((price_ref, shares[1][1])),
        int(_res_payee(fees)),
    )


def _regime_a(
    run: Run,
    out: _Out,
    fees_by_group: list[TableVersion | None],
    p_group: I64,
    p_coll: I64,
    sel: np.ndarray[Any, Any],
    area: I64,
    cls_code: I64,
    cls_vocab: list[str],
    idx: I64,
) -> None:
    if not sel.any():
        return
    prep = run.prep
    colls = prep.frames.collectives
    rule = run.rule_id(f"land.{REGIME_A}")
    aaov_fen = colls["aaov_fen"].to_numpy(dtype=np.int64)
    given = aaov_fen >= 0
    n_groups = len(prep.groups)
    # per group: table aaov, land multiple, their refs
    t_aaov: list[Fraction] = []
    m_land: list[Fraction] = []
    for fees in fees_by_group:
        ok = fees is not None and fees.variant == REGIME_A
        t_aaov.append(
            Fraction(fees.decimal("aaov")) if ok and fees is not None and fees.has("aaov") else Fraction(0)
        )
        m_land.append(
            Fraction(fees.decimal("land_comp_multiple")) if ok and fees is not None else Fraction(0)
        )
    # aaov per parcel: the collective's survey figure (fen/100) or the table's.
    g = np.maximum(p_group, 0)
    c = np.maximum(p_coll, 0)
    t_num = np.array([a.numerator for a in t_aaov] or [0], dtype=np.int64)
    t_den = np.array([a.denominator for a in t_aaov] or [1], dtype=np.int64)
    a_num = np.where(given[c], aaov_fen[c], t_num[g])
    a_den = np.where(given[c], 100, t_den[g])

    def aaov_refs(gi: int, is_given: bool) -> tuple[TableRef, ...]:
        fees = fees_by_group[gi]
        assert fees is not None
        return () if is_given else (fees.ref(name="aaov"),)

    # a code → cultivated table (the last entry answers the absent code −1)
    is_cult = np.array([v in _CULTIVATED for v in cls_vocab] + [False], dtype=bool)
    cultivated = sel & is_cult[cls_code]
    # 土地补偿费 of cultivated parcels
    rows = np.flatnonzero(cultivated)
    if rows.size:
        ref_tab = np.full(n_groups * 2, -1, dtype=np.int64)
        for gi in np.unique(g[rows]).tolist():
            fees = fees_by_group[gi]
            assert fees is not None
            for is_given in (0, 1):
                ref_tab[gi * 2 + is_given] = run.ref_id(
                    (fees.ref(name="land_comp_multiple"), *aaov_refs(gi, bool(is_given)))
                )
        ml_num = np.array([m.numerator for m in m_land], dtype=np.int64)
        ml_den = np.array([m.denominator for m in m_land], dtype=np.int64)
        gr = g[rows]
        out.add(
            subject_pos=p_coll[rows],
            item_kind=Item.PARCEL,
            item_pos=rows,
            category=_LAND,
            rule=rule,
            payee=PayeeTemplate.COLLECTIVE,
            payee_pos=p_coll[rows],
            amount_fen=fen(
                area[rows], 100, [(a_num[rows], a_den[rows]), (_MU_N * ml_num[gr], _MU_D * ml_den[gr])]
            ),
            ref_set=ref_tab[gr * 2 + given[c[rows]]],
        )
    # other classes: the class row's multiples
    other = np.flatnonzero(sel & ~cultivated)
    if other.size:
        nc = max(len(cls_vocab), 1)
        okey = g[other] * nc + cls_code[other]
        if n_groups * nc <= 1 << 16:
            uniq, inv = np.arange(n_groups * nc, dtype=np.int64), okey
        else:
            uniq, inv = np.unique(okey, return_inverse=True)
        # per distinct (group, class): [ok, row has aaov, aaov num, den] + per multiple [present, num, den, ref(given), ref(table), payee]
        spec: list[list[int]] = []
        for k in uniq.tolist():
            gi, ci = divmod(k, nc)
            fees = fees_by_group[gi]
            if fees is None or fees.variant != REGIME_A or ci >= len(cls_vocab):
                spec.append([0] * 16)
                continue
            row = fees.find_row(cls_vocab[ci])
            if row is None:
                spec.append([0] * 16)
                continue
            rec = [1, 0, 0, 1]
            row_refs: tuple[TableRef, ...] = ()
            if "aaov" in row.values:
                ra = Fraction(row.decimal("aaov"))
                rec[1:4] = [1, ra.numerator, ra.denominator]
                row_refs = (fees.ref(row=row.key, name="aaov"),)
            for name, payee in (
                ("land_comp_multiple", PayeeTemplate.COLLECTIVE),
                ("resettlement_area_multiple", _res_payee(fees)),
            ):
                if name not in row.values:
                    rec += [0, 0, 1, -1, -1, 0]
                    continue
                mult = Fraction(row.decimal(name)) * M2_TO_MU.value
                own = fees.ref(row=row.key, name=name)
                if row_refs:
                    r_given = r_table = run.ref_id((own, *row_refs))
                else:
                    r_given = run.ref_id((own,))
                    r_table = run.ref_id((own, *aaov_refs(gi, False)))
                rec += [1, mult.numerator, mult.denominator, r_given, r_table, int(payee)]
            spec.append(rec)
        tab = np.array(spec, dtype=np.int64).reshape(-1, 16)
        col = [np.ascontiguousarray(tab[:, j]) for j in range(16)]  # one small 1-D table per field
        ok = col[0][inv] == 1
        run.route_collective(np.unique(p_coll[other[~ok]]), "LAND_CLASS_NOT_IN_TABLE")
        row_aaov = col[1][inv] == 1
        an = np.where(row_aaov, col[2][inv], a_num[other])
        ad = np.where(row_aaov, col[3][inv], a_den[other])
        giv = given[c[other]]
        for j, cat in ((0, _LAND), (1, _RES)):
            base = 4 + j * 6
            m = ok & (col[base][inv] == 1)
            rows = other[m]
            k = inv[m]
            out.add(
                subject_pos=p_coll[rows],
                item_kind=Item.PARCEL,
                item_pos=rows,
                category=cat,
                rule=rule,
                payee=col[base + 5][k],
                payee_pos=p_coll[rows],
                amount_fen=fen(area[rows], 100, [(an[m], ad[m]), (col[base + 1][k], col[base + 2][k])]),
                ref_set=np.where(row_aaov[m] | giv[m], col[base + 3][k], col[base + 4][k]),
            )
    # 安置补助费 of the cultivated land: once per collective
    if not cultivated.any():
        return
    _resettlement_a(run, out, fees_by_group, p_group, p_coll, cultivated, area, given, aaov_fen, t_aaov, rule)


def _resettlement_a(
    run: Run,
    out: _Out,
    fees_by_group: list[TableVersion | None],
    p_group: I64,
    p_coll: I64,
    cultivated: np.ndarray[Any, Any],
    area: I64,
    given: np.ndarray[Any, Any],
    aaov_fen: I64,
    t_aaov: list[Fraction],
    rule: int,
) -> None:
    colls = run.prep.frames.collectives
    n_c = len(colls)
    taken = np.zeros(n_c, dtype=np.int64)
    np.add.at(taken, p_coll[cultivated], area[cultivated])
    has = np.zeros(n_c, dtype=bool)
    has[p_coll[cultivated]] = True
    c_group = np.full(n_c, -1, dtype=np.int64)
    c_group[p_coll[cultivated]] = p_group[cultivated]
    pre = colls["pre_cultivated_area_cm2"].to_numpy(dtype=np.int64)
    pop = colls["agricultural_population"].to_numpy(dtype=np.int64)
    missing = has & ((pre <= 0) | (pop < 0))
    run.route_collective(missing, "COLLECTIVE_DATA_MISSING")
    todo = np.flatnonzero(has & ~missing)
    amounts = np.zeros(todo.size, dtype=np.int64)
    refs = np.zeros(todo.size, dtype=np.int64)
    payees = np.zeros(todo.size, dtype=np.int64)
    cache: dict[int, tuple[Any, ...]] = {}
    for j, ci in enumerate(todo.tolist()):
        gi = int(c_group[ci])
        ctx = cache.get(gi)
        if ctx is None:
            ctx = _group_a(fees_by_group[gi], run, gi)
            cache[gi] = ctx
        _fees, m_land, m_person, mode, places, cap_ha, total_cap, t_refs, payee = ctx
        is_given = bool(given[ci])
        an, ad = (int(aaov_fen[ci]), 100) if is_given else (t_aaov[gi].numerator, t_aaov[gi].denominator)
        tk = int(taken[ci])
        # exact rationals as (numerator, denominator) pairs of Python ints: the same values as
        # the exact rule's Fractions, compared by cross-multiplication (no gcd per step)
        persons = round_count(Fraction(tk * int(pop[ci]), int(pre[ci])), mode, places)
        by_persons = (
            persons.numerator * m_person.numerator * an,
            persons.denominator * m_person.denominator * ad,
        )
        area_num = tk * _MU_N * an  # taken m² × 15/10000 × AAOV, over 100 × 10000 × ad
        area_den = 100 * _MU_D * ad
        cap = (area_num * cap_ha.numerator, area_den * cap_ha.denominator)
        room = total_cap - m_land
        limit = (area_num * room.numerator, area_den * room.denominator)
        which, value = (0, by_persons) if by_persons[0] * cap[1] <= cap[0] * by_persons[1] else (1, cap)
        if value[0] * limit[1] > limit[0] * value[1]:
            which, value = 2, limit
        amounts[j] = round_half_up_int(Fraction(value[0] * 100, value[1]))
        refs[j] = t_refs[which][1 if is_given else 0]
        payees[j] = int(payee)
    out.add(
        subject_pos=todo,
        item_kind=Item.COLLECTIVE,
        item_pos=todo,
        category=_RES,
        rule=rule,
        payee=payees,
        payee_pos=todo,
        amount_fen=amounts,
        ref_set=refs,
    )


def _group_a(fees: TableVersion | None, run: Run, gi: int) -> tuple[Any, ...]:
    """Regime-A figures of one group: multiples, rounding, caps (as the exact ``_caps``) and ref sets."""
    assert fees is not None
    bounds = run.prep.groups[gi].family("land").snapshot.get(BOUNDS_KIND)
    assert bounds is not None
    m_land = Fraction(fees.decimal("land_comp_multiple"))
    m_person = Fraction(fees.decimal("resettlement_per_person_multiple"))
    mode, places = count_rounding(fees)
    cap_ha, ha_ref = (
        Fraction(bounds.decimal("resettlement_per_hectare_cap")),
        bounds.ref(name="resettlement_per_hectare_cap"),
    )
    if fees.has("resettlement_per_hectare_cap"):
        cap_ha, ha_ref = (
            Fraction(fees.decimal("resettlement_per_hectare_cap")),
            fees.ref(name="resettlement_per_hectare_cap"),
        )
    total, total_ref = Fraction(bounds.decimal("total_cap")), bounds.ref(name="total_cap")
    if fees.has("total_cap") and Fraction(fees.decimal("total_cap")) <= total:
        total, total_ref = Fraction(fees.decimal("total_cap")), fees.ref(name="total_cap")
    aaov_t = (fees.ref(name="aaov"),)

    def pair(*head: TableRef) -> tuple[int, int]:
        return run.ref_id((*head, *aaov_t)), run.ref_id(head)

    t_refs = (
        pair(fees.ref(name="resettlement_per_person_multiple"), fees.ref(name="persons_rounding")),
        pair(ha_ref),
        pair(total_ref, fees.ref(name="land_comp_multiple")),
    )
    return fees, m_land, m_person, mode, places, cap_ha, total, t_refs, _res_payee(fees)


land_kernel.subjects = "collectives"  # type: ignore[attr-defined]
