"""Kernel of :mod:`buchang.rules.house` — houses on collective and state land (spec 4.3, 4.4).

Mirrors, per household, :func:`buchang.rules.house.compute_household_houses`:

1. the legality gate (:mod:`buchang.rules.house.legality`): illegal / built
   after the notice → a zero line; unregistered non-residential → 残值 on
   collective land (a zero line plus a warning on state land: routed);
2. collective land, money option, by the price table's variant
   (``shanghai_75`` — three lines, ``replacement_newness``, ``yongzhou_2024``),
   or property exchange (``hangzhou_2014``: 安置人口, 安置面积 band, credits
   allocated to buildings in input order, flats charged in four bands);
3. state land (``ordinance_590``, ``shanghai_71``): appraisal, business loss
   (proven or the floor), flats charged, 价格补贴, 套型面积补贴, 居住困难保障;
4. fees for each tenure's compensable buildings: moving (once/twice),
   temporary housing (money months; exchange months within the period and
   the overrun at the multiple; a zero line while in a 周转房), rewards inside
   the signing window (zero lines outside).

Every household the exact rules would give an issue (missing table or
figure, unknown structure or variant, missing appraisal, no flats, no
band …) is routed to the exact path; group-level warnings (fees not computed
for want of tables) are reported once per group by the resolution issues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar

import numpy as np

from buchang.batch.intmath import I64, checked_mul
from buchang.batch.kernels.common import Mask, Run, fen
from buchang.batch.lineblock import CATEGORY_CODE, SUBJECT_HOUSEHOLD, Item, LineBlock, PayeeTemplate
from buchang.batch.params import NO_DATE, codes, days
from buchang.rules.house.common import (
    KIND_COLLECTIVE_PRICE,
    KIND_EXCHANGE_PRICES,
    KIND_EXCHANGE_SETTLEMENT,
    KIND_FEE_RATES,
    KIND_RESETTLEMENT_AREA,
    KIND_REWARDS,
    KIND_STATE,
    KIND_STATE_FEE_RATES,
    KIND_STATE_TRANSITION,
    KIND_TRANSITION,
)
from buchang.rules.inputs import Legality
from buchang.rules.lines import Category
from buchang.tables.model import TableRef, TableVersion

FAMILY: Final = 1
HOUSE: Final = CATEGORY_CODE[Category.HOUSE]
RESIDUAL: Final = CATEGORY_CODE[Category.RESIDUAL_VALUE]
SUBSIDY: Final = CATEGORY_CODE[Category.SUBSIDY]
MOVING: Final = CATEGORY_CODE[Category.MOVING]
TEMPORARY: Final = CATEGORY_CODE[Category.TEMPORARY_HOUSING]
REWARD: Final = CATEGORY_CODE[Category.REWARD]
BUSINESS: Final = CATEGORY_CODE[Category.BUSINESS_LOSS]
DIFFERENCE: Final = CATEGORY_CODE[Category.SETTLEMENT_DIFFERENCE]

MONEY_VARIANTS: Final = ("shanghai_75", "replacement_newness", "yongzhou_2024")
STATE_VARIANTS: Final = ("ordinance_590", "shanghai_71")
BASES: Final = ("per_household", "per_m2")


# --- per-group table figures -------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """One table value per group: exact num/den, presence and the ref set ``(ref,)``."""

    num: I64
    den: I64
    has: Mask
    ref: I64  # ref-set id of (value's ref,)
    tref: tuple[TableRef | None, ...]

    @property
    def whole(self) -> I64:
        """``num // den`` per group (counts such as months or times), divided on the small
        per-group arrays, so callers gather one array instead of dividing full-length ones."""
        out: I64 = self.num // self.den
        return out


class Tables:
    """Per-group access to the house tables, read once per group."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.groups = run.prep.groups
        self.n = max(len(self.groups), 1)

    def version(self, kind: str) -> list[TableVersion | None]:
        return [g.family("houses").snapshot.get(kind) for g in self.groups] or [None]

    def scalar(self, kind: str, name: str) -> Scalar:
        vs = self.version(kind)
        num = np.zeros(self.n, dtype=np.int64)
        den = np.ones(self.n, dtype=np.int64)
        has = np.zeros(self.n, dtype=bool)
        ref = np.full(self.n, -1, dtype=np.int64)
        trefs: list[TableRef | None] = [None] * self.n
        for i, v in enumerate(vs):
            if v is None or not v.has(name):
                continue
            val = v.value(name)
            if isinstance(val, bool) or not isinstance(val, int | Decimal):
                continue
            f = Fraction(val)
            num[i], den[i], has[i] = f.numerator, f.denominator, True
            trefs[i] = v.ref(name=name)
            ref[i] = self.run.ref_id((trefs[i],))  # type: ignore[arg-type]
        return Scalar(num, den, has, ref, tuple(trefs))

    def text(self, kind: str, name: str, default: str, choices: tuple[str, ...]) -> I64:
        """Index of the value in ``choices`` per group (−1 unknown, −2 no table)."""
        out = np.full(self.n, -2, dtype=np.int64)
        for i, v in enumerate(self.version(kind)):
            if v is None:
                continue
            t = str(v.value(name)) if v.has(name) else default
            out[i] = choices.index(t) if t in choices else -1
        return out

    def variant(self, kind: str, choices: tuple[str, ...]) -> I64:
        out = np.full(self.n, -2, dtype=np.int64)
        for i, v in enumerate(self.version(kind)):
            if v is not None:
                out[i] = choices.index(v.variant) if v.variant in choices else -1
        return out

    def refs(self, *parts: tuple[TableRef | None, ...] | tuple[TableRef, ...]) -> I64:
        """Ref-set ids per group of the concatenated refs (−1 where one is missing)."""
        out = np.full(self.n, -1, dtype=np.int64)
        for i in range(self.n):
            items = [p[i] if i < len(p) else None for p in parts]
            if all(x is not None for x in items):
                out[i] = self.run.ref_id(tuple(x for x in items if x is not None))
        return out


Amount = I64 | int | Callable[[I64], I64]
T = TypeVar("T")


class Out:
    """Collects household lines as :class:`LineBlock` parts (one per rule step)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.parts: list[LineBlock] = []

    def add(
        self,
        mask_or_idx: Mask | I64,
        *,
        hh: I64,
        item_kind: int | I64,
        item_pos: I64 | int,
        category: int,
        rule: str | I64,
        amount: Amount,
        ref: I64 | int | At,
        payee: int = PayeeTemplate.HOUSEHOLD,
        payee_pos: I64 | None = None,
    ) -> None:
        """Add lines for the selected rows. Array arguments are full-length and indexed
        by the selection; ``amount`` may be a function of the selected indexes, so it is
        computed for those rows only."""
        sel = np.asarray(mask_or_idx)
        idx = np.flatnonzero(sel) if sel.dtype == bool else sel.astype(np.int64)
        if idx.size == 0:
            return

        def pick(v: Any) -> I64 | int:
            if isinstance(v, int | np.integer):
                return int(v)
            if isinstance(v, At):
                return v.take(idx)
            a = np.asarray(v, dtype=np.int64)
            return int(a) if a.ndim == 0 else a[idx]

        h = pick(hh)
        money = amount(idx) if callable(amount) else pick(amount)
        self.parts.append(
            LineBlock.make(
                n=int(idx.size),
                subject_kind=SUBJECT_HOUSEHOLD,
                subject_pos=h,
                item_kind=pick(item_kind),
                item_pos=pick(item_pos),
                category=category,
                rule=self.run.rule_id(rule) if isinstance(rule, str) else pick(rule),
                payee=int(payee),
                payee_pos=h if payee_pos is None else pick(payee_pos),
                amount_fen=money if not isinstance(money, int) else np.full(idx.size, money, dtype=np.int64),
                ref_set=pick(ref),
            )
        )

    def blocks(self) -> list[LineBlock]:
        return self.parts


# --- the kernel ----------------------------------------------------------------------------


@dataclass
class B:
    """Buildings in household order (sorted arrays) and what every step needs."""

    perm: I64
    hh: I64
    g: I64
    proj: I64
    legal_area: I64
    area: I64  # area_of(b): measured area where given, else legal
    nn: I64
    nd: I64
    struct: I64
    svocab: list[str]
    residential: Mask
    state: Mask
    gate: I64  # 0 compensate, 1 residual, 2 nothing
    eff: I64  # effective legality code (index into Legality)
    appraisal: I64
    mbl: I64
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], T]) -> T:
        """``make()``, computed the first time ``key`` is asked for in this run, then reused."""
        if key not in self.cache:
            self.cache[key] = make()
        out: T = self.cache[key]
        return out


_LEGALITY: Final = tuple(v.value for v in Legality)


def houses_kernel(run: Run) -> list[LineBlock]:
    """Lines of every household's buildings (see the module docstring)."""
    prep = run.prep
    df = prep.frames.buildings
    ch = prep.buildings
    if len(df) == 0:
        return []
    perm, hh = ch.perm, ch.hh
    g = prep.hh_group[hh]
    proj = prep.hh_project[hh]
    legality, lvocab = codes(ch.col(df, "legality"))
    lmap = np.array([_LEGALITY.index(v) for v in lvocab] + [0], dtype=np.int64)
    eff = lmap[legality]
    after = ch.sort(days(df["built_on"])) > prep.notice[proj]
    eff = np.where(after, _LEGALITY.index(Legality.AFTER_NOTICE.value), eff)
    gate = np.where(
        eff == _LEGALITY.index(Legality.LEGAL.value),
        0,
        np.where(eff == _LEGALITY.index(Legality.UNREGISTERED_NON_RESIDENTIAL.value), 1, 2),
    )
    tenure, tvocab = codes(ch.col(df, "tenure"))
    use, uvocab = codes(ch.col(df, "use"))
    struct, svocab = codes(ch.col(df, "structure"))
    legal_area = ch.arr(df, "legal_area_cm2")
    measured = ch.arr(df, "area_cm2")
    b = B(
        perm=perm,
        hh=hh,
        g=g,
        proj=proj,
        legal_area=legal_area,
        area=np.where(measured >= 0, measured, legal_area),
        nn=ch.arr(df, "newness_num"),
        nd=ch.arr(df, "newness_den"),
        struct=struct,
        svocab=svocab,
        residential=use == (uvocab.index("residential") if "residential" in uvocab else -2),
        state=tenure == (tvocab.index("state") if "state" in tvocab else -2),
        gate=gate,
        eff=eff,
        appraisal=ch.arr(df, "appraisal_fen"),
        mbl=ch.arr(df, "monthly_business_loss_fen"),
    )
    t = Tables(run)
    out = Out(run)
    _nothing(run, out, b)
    _residual(run, t, out, b)
    _collective(run, t, out, b)
    _state(run, t, out, b)
    return out.blocks()


@dataclass(frozen=True, slots=True)
class At:
    """``values[key]``, gathered lazily: only at the rows a step selects (a per-group
    figure read through the group of each row, without a full-length copy first)."""

    values: I64
    key: I64

    def take(self, i: I64) -> I64:
        out: I64 = self.values[self.key[i]]
        return out


def _ix(v: I64 | int | At, i: I64) -> I64 | int:
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, At):
        return v.take(i)
    return v if v.ndim == 0 else v[i]


def lazy_fen(
    qty: I64, scale: int, figures: list[tuple[I64 | int | At, I64 | int | At]]
) -> Callable[[I64], I64]:
    """:func:`fen` of full-length arguments, evaluated for the selected rows only."""

    def amount(i: I64) -> I64:
        q = _ix(qty, i)
        return fen(np.asarray(q, dtype=np.int64), scale, [(_ix(n, i), _ix(d, i)) for n, d in figures])

    return amount


def _nothing(run: Run, out: Out, b: B) -> None:
    """Zero lines for illegal / after-notice buildings (and undetermined state ones: routed)."""
    empty = run.ref_id(())
    for tenure_mask, prefix in ((~b.state, "house.collective"), (b.state, "house.state")):
        for code, name in enumerate(_LEGALITY):
            m = tenure_mask & (b.gate == 2) & (b.eff == code)
            out.add(
                m,
                hh=b.hh,
                item_kind=Item.BUILDING,
                item_pos=b.perm,
                category=HOUSE,
                rule=f"{prefix}.legality.{name}",
                amount=0,
                ref=empty,
            )
    run.route(b.hh[b.state & (b.gate == 1)], "HOUSE_LEGALITY_UNDETERMINED")


def _structure_price(
    run: Run, t: Tables, b: B, column: str
) -> tuple[I64, I64, Mask, I64, list[TableRef | None]]:
    """Per building: the price table row's ``column`` (num, den, found, ref-set (ref,), refs)."""
    return b.once(column, lambda: _structure_price_uncached(run, t, b, column))


def _structure_price_uncached(
    run: Run, t: Tables, b: B, column: str
) -> tuple[I64, I64, Mask, I64, list[TableRef | None]]:
    versions = t.version(KIND_COLLECTIVE_PRICE)
    ns = max(len(b.svocab), 1)
    size = t.n * ns
    num = np.zeros(size, dtype=np.int64)
    den = np.ones(size, dtype=np.int64)
    has = np.zeros(size, dtype=bool)
    ref = np.full(size, -1, dtype=np.int64)
    trefs: list[TableRef | None] = [None] * size
    for gi, v in enumerate(versions):
        if v is None:
            continue
        for si, key in enumerate(b.svocab):
            row = v.find_row(key)
            if row is None or column not in row.values:
                continue
            f = Fraction(row.decimal(column))
            slot = gi * ns + si
            num[slot], den[slot], has[slot] = f.numerator, f.denominator, True
            tref = v.ref(row=key, name=column)
            trefs[slot] = tref
            ref[slot] = run.ref_id((tref,))
    k = _skey(b)
    found = has[k] & (b.struct >= 0)
    return num[k], den[k], found, ref[k], trefs


def _skey(b: B) -> I64:
    """Per building: group × structure key into the (group, structure vocabulary) tables
    (an absent structure reads slot 0 and is masked by ``b.struct >= 0``); computed once."""
    return b.once("skey", lambda: b.g * max(len(b.svocab), 1) + np.maximum(b.struct, 0))


def _row_known(t: Tables, b: B) -> Mask:
    versions = t.version(KIND_COLLECTIVE_PRICE)
    ns = max(len(b.svocab), 1)
    known = np.zeros(t.n * ns, dtype=bool)
    for gi, v in enumerate(versions):
        if v is None:
            continue
        for si, key in enumerate(b.svocab):
            known[gi * ns + si] = v.find_row(key) is not None
    out: Mask = known[_skey(b)] & (b.struct >= 0)
    return out


def _residual(run: Run, t: Tables, out: Out, b: B) -> None:
    """残值: area × 重置单价 × 残值比例 × 成新率 (collective land, unregistered non-residential)."""
    sel = ~b.state & (b.gate == 1)
    if not sel.any():
        return
    rp_n, rp_d, rp_ok, _, rp_refs = _structure_price(run, t, b, "replacement_price")
    rate = t.scalar(KIND_COLLECTIVE_PRICE, "residual_rate")
    ok = sel & rp_ok & rate.has[b.g]
    run.route(b.hh[sel & ~ok], "HOUSE_RESIDUAL_DATA")
    ns = max(len(b.svocab), 1)
    key = _skey(b)
    ref = _ref_pairs(run, key[ok], rp_refs, lambda k: rate.tref[k // ns])
    idx = np.flatnonzero(ok)
    out.add(
        idx,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=RESIDUAL,
        rule="house.collective.residual",
        amount=_full(
            b,
            idx,
            fen(
                b.area[idx],
                100,
                [(rp_n[idx], rp_d[idx]), (rate.num[b.g[idx]], rate.den[b.g[idx]]), (b.nn[idx], b.nd[idx])],
            ),
        ),
        ref=_full(b, idx, ref),
    )


def _full(b: B, idx: I64, values: I64) -> I64:
    """Scatter values computed for ``idx`` back to a full-length building array."""
    outv = np.zeros(b.hh.shape[0], dtype=np.int64)
    outv[idx] = values
    return outv


def _ref_pairs(
    run: Run, key: I64, first: list[TableRef | None], second: Callable[[int], TableRef | None]
) -> I64:
    """Ref-set id of (first[key], second(key)) per row, resolved once per distinct key."""
    if key.size == 0:
        return np.zeros(0, dtype=np.int64)
    uniq, inv = np.unique(key, return_inverse=True)
    ids = []
    for k in uniq.tolist():
        a, s = first[k], second(k)
        ids.append(run.ref_id(tuple(x for x in (a, s) if x is not None)))
    out: I64 = np.array(ids, dtype=np.int64)[inv]
    return out


# --- collective land -----------------------------------------------------------------------


def _collective(run: Run, t: Tables, out: Out, b: B) -> None:
    prep = run.prep
    n = prep.n_households
    comp = ~b.state & (b.gate == 0)
    if not comp.any():
        return
    option, ovocab = codes(prep.frames.households["option"])
    exchange_hh = option == (ovocab.index("exchange") if "exchange" in ovocab else -2)
    exch = comp & exchange_hh[b.hh]
    money = comp & ~exchange_hh[b.hh]
    price_v = t.variant(KIND_COLLECTIVE_PRICE, MONEY_VARIANTS)
    known = _row_known(t, b)
    # money option
    if money.any():
        v = price_v[b.g]
        bad = money & ((v < 0) | ~known)
        run.route(b.hh[bad], "HOUSE_MONEY_DATA")
        ok = money & ~bad
        rp_n, rp_d, rp_ok, rp_ref, _ = _structure_price(run, t, b, "replacement_price")
        run.route(b.hh[ok & ~rp_ok], "HOUSE_VALUE_MISSING")
        ok &= rp_ok
        # shanghai_75
        s75 = ok & (v == 0)
        if s75.any():
            land = t.scalar(KIND_COLLECTIVE_PRICE, "land_base_price")
            sub = t.scalar(KIND_COLLECTIVE_PRICE, "price_subsidy")
            run.route(b.hh[s75 & ~(land.has[b.g] & sub.has[b.g])], "HOUSE_VALUE_MISSING")
            rule = "house.collective.money.shanghai_75"
            _depreciated(out, b, s75, rp_n, rp_d, rp_ref, f"{rule}.replacement", HOUSE)
            for sc, cat, part in ((land, HOUSE, "land_base"), (sub, SUBSIDY, "price_subsidy")):
                m = s75 & sc.has[b.g]
                out.add(
                    m,
                    hh=b.hh,
                    item_kind=Item.BUILDING,
                    item_pos=b.perm,
                    category=cat,
                    rule=f"{rule}.{part}",
                    amount=lazy_fen(b.legal_area, 100, [(At(sc.num, b.g), At(sc.den, b.g))]),
                    ref=At(sc.ref, b.g),
                )
        rn = ok & (v == 1)
        _depreciated(out, b, rn, rp_n, rp_d, rp_ref, "house.collective.money.replacement_newness", HOUSE)
        yz = ok & (v == 2)
        if yz.any():
            rule = "house.collective.money.yongzhou_2024"
            out.add(
                yz,
                hh=b.hh,
                item_kind=Item.BUILDING,
                item_pos=b.perm,
                category=HOUSE,
                rule=f"{rule}.structure",
                amount=lazy_fen(b.legal_area, 100, [(rp_n, rp_d)]),
                ref=rp_ref,
            )
            d_n, d_d, d_ok, d_ref, _ = _structure_price(run, t, b, "decoration_price")
            out.add(
                yz & d_ok,
                hh=b.hh,
                item_kind=Item.BUILDING,
                item_pos=b.perm,
                category=HOUSE,
                rule=f"{rule}.decoration",
                amount=lazy_fen(b.legal_area, 100, [(d_n, d_d)]),
                ref=d_ref,
            )
    # price table missing for the money option is a routed issue too
    if exch.any():
        _exchange(run, t, out, b, exch, price_v, known)
    fee_hh = np.zeros(n, dtype=bool)
    fee_hh[b.hh[comp]] = True
    _fees(
        run,
        t,
        out,
        b,
        comp,
        fee_hh,
        exchange_hh,
        KIND_TRANSITION,
        KIND_FEE_RATES,
        KIND_REWARDS,
        "house.collective",
    )


def _depreciated(out: Out, b: B, m: Mask, rp_n: I64, rp_d: I64, rp_ref: I64, rule: str, cat: int) -> None:
    """legal area × 重置单价 × 成新率."""
    if not m.any():
        return
    out.add(
        m,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=cat,
        rule=rule,
        amount=lazy_fen(b.legal_area, 100, [(rp_n, rp_d), (b.nn, b.nd)]),
        ref=rp_ref,
    )


def _members_by_household(run: Run, b: B) -> tuple[I64, Mask, Mask]:
    """(registered residents, any registered married-childless, any registered one-child) per household
    (computed once per run: the collective and the state steps both ask)."""
    return b.once("members_by_household", lambda: _members_by_household_uncached(run))


def _members_by_household_uncached(run: Run) -> tuple[I64, Mask, Mask]:
    prep = run.prep
    m = prep.frames.members
    ch = prep.members
    n = prep.n_households
    reg = ch.flags(m, "registered_resident")
    mc = ch.flags(m, "married_childless") & reg
    oc = ch.flags(m, "one_child_certificate") & reg
    return ch.count_by_household(reg, n), ch.count_by_household(mc, n) > 0, ch.count_by_household(oc, n) > 0


def _exchange(run: Run, t: Tables, out: Out, b: B, exch: Mask, price_v: I64, known: Mask) -> None:
    """Property exchange, 杭州 2014 (:func:`buchang.rules.house.resettlement.settlement_hangzhou_2014`)."""
    prep = run.prep
    n = prep.n_households
    ch = prep.buildings
    settle_v = t.variant(KIND_EXCHANGE_SETTLEMENT, ("hangzhou_2014",))
    bad = exch & ((price_v[b.g] == -2) | (settle_v[b.g] < 0) | ~known)
    rp_n, rp_d, rp_ok, _rp_ref, rp_trefs = _structure_price(run, t, b, "replacement_price")
    bad |= exch & ~rp_ok
    run.route(b.hh[bad], "HOUSE_EXCHANGE_DATA")
    ok = exch & ~bad
    rule = "house.exchange.hangzhou_2014"
    # non-residential: 3 × 重置价 × 成新率
    nonres = ok & ~b.residential
    if nonres.any():
        mult = t.scalar(KIND_EXCHANGE_SETTLEMENT, "non_residential_multiple")
        run.route(b.hh[nonres & ~mult.has[b.g]], "HOUSE_VALUE_MISSING")
        m = nonres & mult.has[b.g]
        ns = max(len(b.svocab), 1)
        key = _skey(b)
        idx = np.flatnonzero(m)
        refs = _ref_pairs(run, key[idx], rp_trefs, lambda k: mult.tref[k // ns])
        out.add(
            idx,
            hh=b.hh,
            item_kind=Item.BUILDING,
            item_pos=b.perm,
            category=HOUSE,
            rule=f"{rule}.non_residential",
            amount=_full(
                b,
                idx,
                fen(
                    b.legal_area[idx],
                    100,
                    [
                        (rp_n[idx], rp_d[idx]),
                        (mult.num[b.g[idx]], mult.den[b.g[idx]]),
                        (b.nn[idx], b.nd[idx]),
                    ],
                ),
            ),
            ref=_full(b, idx, refs),
        )
    res = ok & b.residential
    if not res.any():
        return
    res_hh = np.zeros(n, dtype=bool)
    res_hh[b.hh[res]] = True
    hg = prep.hh_group
    # 安置人口 and the band
    registered, married, one_child = _members_by_household(run, b)
    bands = t.version(KIND_RESETTLEMENT_AREA)
    band_v = t.variant(KIND_RESETTLEMENT_AREA, ("hangzhou_2014",))
    em = t.scalar(KIND_RESETTLEMENT_AREA, "extra_person_married_childless")
    eo = t.scalar(KIND_RESETTLEMENT_AREA, "extra_person_one_child")
    extra_m = np.where(married & em.has[hg], em.whole[hg], -1)
    extra_o = np.where(one_child & eo.has[hg], eo.whole[hg], -1)
    # max(extras, key=value): the married-childless value wins ties (it comes first)
    extra_kind = np.where((extra_m >= 0) & (extra_m >= extra_o), 1, np.where(extra_o >= 0, 2, 0))
    extra = np.where(extra_kind == 1, extra_m, np.where(extra_kind == 2, extra_o, 0))
    persons = registered + extra
    band_row, lo_c, hi_c, band_ok = _bands(bands, hg, persons)
    bad_hh = res_hh & ((band_v[hg] < 0) | (persons < 1) | ~band_ok)
    original = ch.sum_by_household(np.where(res, b.legal_area, 0), n)
    # flats, prices, the settlement figures
    flats = prep.frames.flats
    fch = prep.flats
    taken = fch.sum_by_household(fch.arr(flats, "area_cm2"), n)
    repl = t.scalar(KIND_EXCHANGE_PRICES, "flat_replacement_price")
    cost = t.scalar(KIND_EXCHANGE_PRICES, "cost_price")
    market = t.scalar(KIND_EXCHANGE_PRICES, "commercial_price")
    allow = t.scalar(KIND_EXCHANGE_SETTLEMENT, "indivisible_allowance_m2")
    double = t.scalar(KIND_EXCHANGE_SETTLEMENT, "excess_original_multiple")
    allow_c = np.where(allow.has, checked_mul(allow.num, 100) // allow.den, 0)
    allow_exact = (checked_mul(allow.num, 100) % allow.den) == 0
    bad_hh |= res_hh & (taken == 0)
    bad_hh |= res_hh & ~(repl.has & cost.has & market.has & allow.has & allow_exact)[hg]
    entitled = np.minimum(np.maximum(original, lo_c), hi_c)
    # credits allocated to residential buildings in input order
    res_area = np.where(res, b.legal_area, 0)
    # area of the household's residential buildings before this one (rows are in household order):
    # the exclusive running sum minus its value at the household's first row
    before = np.cumsum(res_area)
    before -= res_area
    before -= before[ch.starts[b.hh]]
    within = np.clip(entitled[b.hh] - before, 0, res_area)
    excess = res_area - within
    bad_hh |= res_hh & ~double.has[hg] & (ch.sum_by_household(excess, n) > 0)
    run.route(bad_hh, "HOUSE_EXCHANGE_DATA")
    keep_hh = res_hh & ~bad_hh
    bm = res & keep_hh[b.hh]
    ent_key = _ent_keys(hg, band_row, extra_kind)
    ent_refs = _ent_refs(run, t, bands, em, eo)
    ns = max(len(b.svocab), 1)
    skey = _skey(b)
    m = bm & (within > 0)
    idx = np.flatnonzero(m)
    refs = _combo(run, rp_trefs, skey[idx], ent_refs, ent_key[b.hh[idx]], None)
    out.add(
        idx,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=HOUSE,
        rule=f"{rule}.credit",
        amount=_full(b, idx, fen(within[idx], 100, [(rp_n[idx], rp_d[idx]), (b.nn[idx], b.nd[idx])])),
        ref=_full(b, idx, refs),
    )
    m = bm & (excess > 0)
    idx = np.flatnonzero(m)
    refs = _combo(run, rp_trefs, skey[idx], ent_refs, ent_key[b.hh[idx]], double.tref, b.g[idx])
    out.add(
        idx,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=HOUSE,
        rule=f"{rule}.excess_original",
        amount=_full(
            b,
            idx,
            fen(
                excess[idx],
                100,
                [
                    (rp_n[idx], rp_d[idx]),
                    (double.num[b.g[idx]], double.den[b.g[idx]]),
                    (b.nn[idx], b.nd[idx]),
                ],
            ),
        ),
        ref=_full(b, idx, refs),
    )
    # charges for the flats taken (negative, payee 征收部门)
    h = np.flatnonzero(keep_hh)
    e, s, tk = entitled[h], hi_c[h], taken[h]
    gh = hg[h]
    w = np.minimum(tk, e)
    beyond = np.minimum(np.maximum(tk - e, 0), s - e)
    over = np.maximum(tk - s, 0)
    over_cost = np.minimum(over, allow_c[gh])
    over_market = over - over_cost
    ek = ent_key[h]
    for qty, price, name, with_allow in (
        (w, repl, "flat_within", False),
        (beyond, cost, "flat_beyond_entitlement", False),
        (over_cost, cost, "flat_indivisible", True),
        (over_market, market, "flat_above_standard", False),
    ):
        m2 = qty > 0
        sel = h[m2]
        gsel = gh[m2]
        refs = _charge_refs(run, price.tref, gsel, allow.tref if with_allow else None, ent_refs, ek[m2])
        out.add(
            np.arange(sel.size),
            hh=sel,
            item_kind=Item.FLATS_OF_HOUSEHOLD,
            item_pos=sel,
            category=DIFFERENCE,
            rule=f"{rule}.{name}",
            amount=fen(qty[m2], 100, [(price.num[gsel], price.den[gsel]), (-1, 1)]),
            ref=refs,
            payee=PayeeTemplate.EXPROPRIATOR,
            payee_pos=prep.hh_project[sel],
        )


def _bands(bands: list[TableVersion | None], hg: I64, persons: I64) -> tuple[I64, I64, I64, Mask]:
    """Per household: band row index, min and max area (centi-m², × persons when per person), found."""
    n = hg.shape[0]
    row_i = np.full(n, -1, dtype=np.int64)
    lo = np.zeros(n, dtype=np.int64)
    hi = np.zeros(n, dtype=np.int64)
    found = np.zeros(n, dtype=bool)
    for gi, v in enumerate(bands):
        if v is None:
            continue
        idx = np.flatnonzero(hg == gi)  # the group's households: each row's test runs on them only
        if idx.size == 0:
            continue
        p = persons[idx]
        taken = np.zeros(idx.size, dtype=bool)
        for ri, row in enumerate(v.rows):
            lo_p = row["persons_min"]
            hi_p = row.values.get("persons_max")
            if not isinstance(lo_p, int):
                continue
            m = ~taken & (p >= lo_p)
            if isinstance(hi_p, int):
                m &= p <= hi_p
            per_person = row.values.get("per_person") is True
            amin, amax = Fraction(row.decimal("area_min")) * 100, Fraction(row.decimal("area_max")) * 100
            if amin.denominator != 1 or amax.denominator != 1:
                continue  # not in centi-m²: left unfound, so routed
            sel = idx[m]
            scale: I64 | int = p[m] if per_person else 1
            row_i[sel] = ri
            lo[sel] = int(amin) * scale
            hi[sel] = int(amax) * scale
            found[sel] = True
            taken |= m
    return row_i, lo, hi, found


def _ent_keys(hg: I64, band_row: I64, extra_kind: I64) -> I64:
    out: I64 = (hg * 1024 + np.maximum(band_row, 0)) * 3 + extra_kind
    return out


def _ent_refs(
    run: Run, t: Tables, bands: list[TableVersion | None], em: Any, eo: Any
) -> Callable[[int], tuple[TableRef, ...]]:
    """ent.refs of an entitlement key: (band row ref, extra person's ref if any)."""

    def fn(key: int) -> tuple[TableRef, ...]:
        rest, kind = divmod(key, 3)
        gi, ri = divmod(rest, 1024)
        v = bands[gi]
        assert v is not None
        head = (v.ref(row=v.rows[ri].key),)
        if kind == 1:
            return (*head, em.tref[gi])
        if kind == 2:
            return (*head, eo.tref[gi])
        return head

    return fn


def _combo(
    run: Run,
    rp_trefs: list[TableRef | None],
    skey: I64,
    ent: Callable[[int], tuple[TableRef, ...]],
    ekey: I64,
    mid: tuple[TableRef | None, ...] | None,
    g: I64 | None = None,
) -> I64:
    """Ref sets (rp ref, [mid ref], *ent.refs) per row, once per distinct combination."""
    if skey.size == 0:
        return np.zeros(0, dtype=np.int64)
    gg = np.zeros_like(skey) if g is None else g
    # one int64 key per (structure slot, entitlement key, group): small ranges, no overflow
    s_w, e_w = int(skey.max()) + 1, int(ekey.max()) + 1
    combo = (gg * s_w + skey) * e_w + ekey
    uniq_k, inv = np.unique(combo, return_inverse=True)
    uniq = [(k // e_w % s_w, k % e_w, k // e_w // s_w) for k in uniq_k.tolist()]
    ids = []
    for sk, ek, gi in uniq:
        rp = rp_trefs[sk]
        assert rp is not None
        parts: list[TableRef] = [rp]
        if mid is not None:
            mref = mid[gi]
            assert mref is not None
            parts.append(mref)
        ids.append(run.ref_id((*parts, *ent(ek))))
    out: I64 = np.array(ids, dtype=np.int64)[np.asarray(inv).reshape(-1)]
    return out


def _charge_refs(
    run: Run,
    price_refs: tuple[TableRef | None, ...],
    g: I64,
    allow_refs: tuple[TableRef | None, ...] | None,
    ent: Callable[[int], tuple[TableRef, ...]],
    ekey: I64,
) -> I64:
    if g.size == 0:
        return np.zeros(0, dtype=np.int64)
    e_w = int(ekey.max()) + 1
    uniq_k, inv = np.unique(g * e_w + ekey, return_inverse=True)
    ids = []
    for gi, ek in ((k // e_w, k % e_w) for k in uniq_k.tolist()):
        pr = price_refs[gi]
        assert pr is not None
        parts: list[TableRef] = [pr]
        if allow_refs is not None:
            ar = allow_refs[gi]
            assert ar is not None
            parts.append(ar)
        ids.append(run.ref_id((*parts, *ent(ek))))
    out: I64 = np.array(ids, dtype=np.int64)[np.asarray(inv).reshape(-1)]
    return out


# --- state land ----------------------------------------------------------------------------


def _state(run: Run, t: Tables, out: Out, b: B) -> None:
    prep = run.prep
    n = prep.n_households
    legal = b.state & (b.gate == 0)
    if not legal.any():
        return
    hg = prep.hh_group
    variant = t.variant(KIND_STATE, STATE_VARIANTS)
    legal_hh = np.zeros(n, dtype=bool)
    legal_hh[b.hh[legal]] = True
    bad_hh = legal_hh & (variant[hg] < 0)
    no_appraisal = np.zeros(n, dtype=bool)
    no_appraisal[b.hh[legal & (b.appraisal < 0)]] = True
    bad_hh |= legal_hh & no_appraisal
    # business loss: proven (monthly × months) against the floor rate × value
    floor = t.scalar(KIND_STATE, "business_loss_min_rate")
    months = t.scalar(KIND_STATE, "business_loss_months")
    nonres = legal & ~b.residential
    proven_ok = nonres & (b.mbl >= 0) & months.has[b.g]
    mon = np.where(months.has[b.g], months.whole[b.g], 0)
    proven = checked_mul(np.where(proven_ok, b.mbl, 0), mon)
    # proven ≥ appraisal × floor  ⇔  proven·den ≥ appraisal·num (all fen)
    lhs = checked_mul(proven, floor.den[b.g])
    rhs = checked_mul(np.where(nonres, b.appraisal, 0), floor.num[b.g])
    use_proven = proven_ok & (~floor.has[b.g] | (lhs >= rhs))
    use_floor = nonres & ~use_proven & floor.has[b.g]
    undetermined = nonres & ~use_proven & ~use_floor
    bad_hh[b.hh[undetermined]] = True
    # exchange flats
    option, ovocab = codes(prep.frames.households["option"])
    exchange_hh = option == (ovocab.index("exchange") if "exchange" in ovocab else -2)
    flats = prep.frames.flats
    fch = prep.flats
    f_has = fch.count_by_household(np.ones(fch.hh.shape[0], dtype=bool), n) > 0
    f_appr = fch.arr(flats, "appraisal_fen")
    flat_price = t.scalar(KIND_STATE, "exchange_flat_price")
    f_need_price = fch.count_by_household(f_appr < 0, n) > 0
    bad_hh |= legal_hh & exchange_hh & (~f_has | (f_need_price & ~flat_price.has[hg]))
    # shanghai_71 figures
    s71 = variant[hg] == 1
    res = legal & b.residential
    res_hh = np.zeros(n, dtype=bool)
    res_hh[b.hh[res]] = True
    rate = t.scalar(KIND_STATE, "price_subsidy_rate")
    s_area = t.scalar(KIND_STATE, "flat_size_subsidy_area")
    s_price = t.scalar(KIND_STATE, "flat_size_subsidy_price")
    thr = t.scalar(KIND_STATE, "hardship_area_per_person")
    h_price = t.scalar(KIND_STATE, "hardship_unit_price")
    thr_exact = (checked_mul(thr.num, 100) % thr.den) == 0
    need = rate.has & s_area.has & s_price.has & thr.has & h_price.has & thr_exact
    bad_hh |= legal_hh & s71 & res_hh & ~need[hg]
    run.route(bad_hh, "HOUSE_STATE_DATA")
    ok_hh = legal_hh & ~bad_hh
    ok = legal & ok_hh[b.hh]
    none = run.ref_id(())
    # the house value: 1 × appraisal
    out.add(
        ok,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=HOUSE,
        rule="house.state.value",
        amount=np.where(ok, b.appraisal, 0),
        ref=none,
    )
    months_floor = t.refs(months.tref, floor.tref)
    out.add(
        ok & use_proven,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=BUSINESS,
        rule="house.state.business_loss",
        amount=proven,
        ref=np.where(floor.has[b.g], months_floor[b.g], months.ref[b.g]),
    )
    out.add(
        ok & use_floor,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=BUSINESS,
        rule="house.state.business_loss",
        amount=lazy_fen(np.where(use_floor, b.appraisal, 0), 100, [(At(floor.num, b.g), At(floor.den, b.g))]),
        ref=At(floor.ref, b.g),
    )
    # flats charged (exchange)
    fhh = fch.hh
    fsel = (ok_hh & exchange_hh)[fhh]
    if fsel.any():
        f_area = fch.arr(flats, "area_cm2")
        by_appr = fsel & (f_appr >= 0)
        by_price = fsel & (f_appr < 0)
        fg = hg[fhh]
        out.add(
            by_appr,
            hh=fhh,
            item_kind=Item.FLAT,
            item_pos=fch.perm,
            category=DIFFERENCE,
            rule="house.state.exchange",
            amount=-np.where(by_appr, f_appr, 0),
            ref=none,
            payee=PayeeTemplate.EXPROPRIATOR,
            payee_pos=prep.hh_project[fhh],
        )
        out.add(
            by_price,
            hh=fhh,
            item_kind=Item.FLAT,
            item_pos=fch.perm,
            category=DIFFERENCE,
            rule="house.state.exchange",
            amount=lazy_fen(f_area, 100, [(flat_price.num[fg], flat_price.den[fg]), (-1, 1)]),
            ref=flat_price.ref[fg],
            payee=PayeeTemplate.EXPROPRIATOR,
            payee_pos=prep.hh_project[fhh],
        )
    # shanghai_71: 价格补贴 per residential building, 套型面积补贴 and 居住困难保障 per household
    r71 = ok & b.residential & s71[b.hh]
    out.add(
        r71,
        hh=b.hh,
        item_kind=Item.BUILDING,
        item_pos=b.perm,
        category=SUBSIDY,
        rule="house.state.shanghai_71.price_subsidy",
        amount=lazy_fen(np.where(r71, b.appraisal, 0), 100, [(At(rate.num, b.g), At(rate.den, b.g))]),
        ref=At(rate.ref, b.g),
    )
    h71 = np.flatnonzero(ok_hh & s71 & res_hh)
    if h71.size:
        g71 = hg[h71]
        size_refs = t.refs(s_area.tref, s_price.tref)
        out.add(
            np.arange(h71.size),
            hh=h71,
            item_kind=Item.HOUSEHOLD,
            item_pos=h71,
            category=SUBSIDY,
            rule="house.state.shanghai_71.flat_size_subsidy",
            amount=fen(
                np.ones(h71.size, dtype=np.int64),
                1,
                [(s_area.num[g71], s_area.den[g71]), (s_price.num[g71], s_price.den[g71])],
            ),
            ref=size_refs[g71],
        )
        registered, _, _ = _members_by_household(run, b)
        area = prep.buildings.sum_by_household(np.where(r71, b.legal_area, 0), n)[h71]
        persons = registered[h71]
        thr_c = checked_mul(thr.num[g71], 100) // thr.den[g71]
        need_c = checked_mul(thr_c, persons)
        poor = (persons >= 1) & (area < need_c)
        hard_refs = t.refs(thr.tref, h_price.tref)[g71]
        out.add(
            np.arange(h71.size),
            hh=h71,
            item_kind=Item.HOUSEHOLD,
            item_pos=h71,
            category=SUBSIDY,
            rule="house.state.shanghai_71.hardship",
            amount=np.where(
                poor, fen(np.where(poor, need_c - area, 0), 100, [(h_price.num[g71], h_price.den[g71])]), 0
            ),
            ref=hard_refs,
        )
    fee_hh = ok_hh
    _fees(
        run,
        t,
        out,
        b,
        ok,
        fee_hh,
        exchange_hh,
        KIND_STATE_TRANSITION,
        KIND_STATE_FEE_RATES,
        KIND_STATE,
        "house.state",
    )


# --- fees -----------------------------------------------------------------------------------


def _fees(
    run: Run,
    t: Tables,
    out: Out,
    b: B,
    fee_buildings: Mask,
    fee_hh: Mask,
    exchange_hh: Mask,
    k_rules: str,
    k_rates: str,
    k_rewards: str,
    prefix: str,
) -> None:
    """Moving, temporary housing and rewards (:func:`buchang.rules.house.fees.fee_lines`)."""
    prep = run.prep
    n = prep.n_households
    hg = prep.hh_group
    ch = prep.buildings
    rules_has = np.array([v is not None for v in t.version(k_rules)], dtype=bool)
    rates_has = np.array([v is not None for v in t.version(k_rates)], dtype=bool)
    both = fee_hh & (rules_has & rates_has)[hg]
    hhs = prep.frames.households
    all_m2 = ch.sum_by_household(np.where(fee_buildings, b.legal_area, 0), n)
    res_b = fee_buildings & b.residential
    res_m2 = ch.sum_by_household(np.where(res_b, b.legal_area, 0), n)
    has_res = ch.count_by_household(res_b, n) > 0
    if both.any():
        t_money = t.scalar(k_rules, "moving_times_money")
        t_exch = t.scalar(k_rules, "moving_times_exchange")
        fee = t.scalar(k_rates, "moving_fee")
        mbasis = t.text(k_rates, "moving_basis", "per_household", BASES)
        times_num = np.where(exchange_hh, t_exch.whole[hg], t_money.whole[hg])
        times_has = np.where(exchange_hh, t_exch.has[hg], t_money.has[hg])
        bad = both & (~times_has | ~fee.has[hg] | (mbasis[hg] < 0))
        # temporary housing
        rate = t.scalar(k_rates, "temporary_rate")
        tbasis = t.text(k_rates, "temporary_basis", "per_household", BASES)
        tmp = both & has_res
        bad |= tmp & (~rate.has[hg] | (tbasis[hg] < 0))
        turnover = hhs["turnover_housing"].to_numpy(dtype=bool)
        mm = t.scalar(k_rates, "money_option_months")
        period = t.scalar(k_rules, "transition_months")
        period_hr = t.scalar(k_rules, "transition_months_high_rise")
        after = t.scalar(k_rules, "months_after_handover")
        mult = t.scalar(k_rules, "overrun_multiple")
        high = hhs["high_rise"].to_numpy(dtype=bool)
        exch_tmp = tmp & ~turnover & exchange_hh
        p_has = np.where(high, period_hr.has[hg], period.has[hg])
        bad |= exch_tmp & ~(p_has & after.has[hg] & mult.has[hg])
        run.route(bad, "HOUSE_FEE_DATA")
        ok = both & ~bad
        # moving fee
        qty = np.where(mbasis[hg] == 1, all_m2, 100)
        times_refs = np.where(
            exchange_hh, t.refs(fee.tref, t_exch.tref)[hg], t.refs(fee.tref, t_money.tref)[hg]
        )
        out.add(
            ok,
            hh=np.arange(n),
            item_kind=Item.HOUSEHOLD,
            item_pos=np.arange(n),
            category=MOVING,
            rule=f"{prefix}.moving",
            amount=lazy_fen(qty, 100, [(At(fee.num, hg), At(fee.den, hg)), (times_num, 1)]),
            ref=times_refs,
        )
        # temporary housing
        tq = np.where(tbasis[hg] == 1, res_m2, 100)
        tok = ok & has_res
        out.add(
            tok & turnover,
            hh=np.arange(n),
            item_kind=Item.HOUSEHOLD,
            item_pos=np.arange(n),
            category=TEMPORARY,
            rule=f"{prefix}.temporary.turnover_housing",
            amount=0,
            ref=At(rate.ref, hg),
        )
        temp_months = hhs["temporary_months"].to_numpy(dtype=np.int64)
        money_months = np.where(mm.has[hg], mm.whole[hg], temp_months)
        money_refs = np.where(mm.has[hg], t.refs(rate.tref, mm.tref)[hg], rate.ref[hg])
        mo = tok & ~turnover & ~exchange_hh
        out.add(
            mo,
            hh=np.arange(n),
            item_kind=Item.HOUSEHOLD,
            item_pos=np.arange(n),
            category=TEMPORARY,
            rule=f"{prefix}.temporary.money",
            amount=lazy_fen(tq, 100, [(At(rate.num, hg), At(rate.den, hg)), (money_months, 1)]),
            ref=money_refs,
        )
        ex = tok & ~turnover & exchange_hh
        if ex.any():
            per = np.where(high, period_hr.whole[hg], period.whole[hg])
            aft = after.whole[hg]
            handover = hhs["handover_months"].to_numpy(dtype=np.int64)
            given = handover >= 0
            total = np.where(given, handover + aft, temp_months)
            to_handover = np.where(given, handover, np.maximum(temp_months - aft, 0))
            overrun = np.maximum(to_handover - per, 0)
            normal = total - overrun
            within_hr = t.refs(rate.tref, period_hr.tref, after.tref)
            within_n = t.refs(rate.tref, period.tref, after.tref)
            over_hr = t.refs(rate.tref, period_hr.tref, mult.tref)
            over_n = t.refs(rate.tref, period.tref, mult.tref)
            out.add(
                ex,
                hh=np.arange(n),
                item_kind=Item.HOUSEHOLD,
                item_pos=np.arange(n),
                category=TEMPORARY,
                rule=f"{prefix}.temporary.within_period",
                amount=lazy_fen(tq, 100, [(At(rate.num, hg), At(rate.den, hg)), (normal, 1)]),
                ref=np.where(high, within_hr[hg], within_n[hg]),
            )
            out.add(
                ex & (overrun > 0),
                hh=np.arange(n),
                item_kind=Item.HOUSEHOLD,
                item_pos=np.arange(n),
                category=TEMPORARY,
                rule=f"{prefix}.temporary.overrun",
                amount=lazy_fen(
                    tq,
                    100,
                    [
                        (At(rate.num, hg), At(rate.den, hg)),
                        (overrun, 1),
                        (At(mult.num, hg), At(mult.den, hg)),
                    ],
                ),
                ref=np.where(high, over_hr[hg], over_n[hg]),
            )
    # rewards, only inside the signing window
    rewards_has = np.array([v is not None for v in t.version(k_rewards)], dtype=bool)
    rw = fee_hh & rewards_has[hg]
    if not rw.any():
        return
    start = prep.signing_start[prep.hh_project]
    end = prep.signing_end[prep.hh_project]
    window = (start != NO_DATE) & (end != NO_DATE)
    for name, col in (("signing_reward", "signing_date"), ("vacating_reward", "vacating_date")):
        v = t.scalar(k_rewards, name)
        d = days(hhs[col])
        inside = window & (d != NO_DATE) & (start <= d) & (d <= end)
        m = rw & v.has[hg]
        out.add(
            m,
            hh=np.arange(n),
            item_kind=Item.HOUSEHOLD,
            item_pos=np.arange(n),
            category=REWARD,
            rule=f"{prefix}.{name}",
            amount=lazy_fen(np.where(inside, all_m2, 0), 100, [(At(v.num, hg), At(v.den, hg))]),
            ref=At(v.ref, hg),
        )
