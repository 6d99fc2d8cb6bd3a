"""Realistic synthetic populations for tests and benchmarks — vectorised and seedable.

``synth_frames(n, store, seed=…)`` builds frames for ``n`` households spread over
projects in the shipped jurisdictions that have tables (上海 宝山/松江/崇明,
杭州, 永州, 重庆巴南), on governing dates before and after the 2020 switch of
land regimes, so every rule family and variant is exercised:

* about 4 members per household (ages 0–95, a few 已婚未育 / 独生子女证, about
  half named land-lost), 3 parcels (mixed land classes, some basic farmland,
  zones from the group's zone table), 2 buildings (collective or state land,
  legal / illegal / unregistered non-residential / after notice, a few built
  after the notice), 2 crops/attachments items (a few planted after the
  notice);
* money or property exchange (exchange where the jurisdiction's tables
  support it), temporary housing, 周转房, high-rise, signing and vacating
  dates inside or outside the signing window.

Codes (structure classes, item codes, zones) are read from the tables each
group resolves, so the population follows whatever tables are loaded. The
figures are synthetic; nothing here is a real household.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.batch.frames import ABSENT, Frames, to_projects
from buchang.rules.attachments import ITEMS_KIND
from buchang.rules.engine import resolve_families
from buchang.rules.house.common import KIND_COLLECTIVE_PRICE, KIND_EXCHANGE_SETTLEMENT, KIND_STATE
from buchang.rules.inputs import LandClass, Legality, Project
from buchang.rules.land import FEES_KIND, REGIME_B
from buchang.tables.store import TableStore

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Setting:
    """A jurisdiction and its governing dates (one resolution group)."""

    jurisdiction: str
    notice: date
    approval: date
    valuation: date


#: The settings a population is spread over (both land regimes, every shipped family).
SETTINGS: Final = (
    Setting("310113", date(2019, 6, 1), date(2019, 9, 1), date(2019, 7, 1)),  # 宝山, regime A
    Setting("310117", date(2019, 11, 15), date(2020, 3, 1), date(2019, 12, 1)),  # 松江, A (≤ 2019-12-31)
    Setting("310117", date(2021, 5, 10), date(2021, 8, 1), date(2021, 6, 1)),  # 松江, B
    Setting("310151", date(2025, 12, 1), date(2026, 2, 1), date(2025, 12, 15)),  # 崇明 2025 prices
    Setting("330100", date(2021, 3, 1), date(2021, 6, 1), date(2021, 4, 1)),  # 杭州, exchange
    Setting("330100", date(2024, 9, 1), date(2024, 12, 1), date(2024, 10, 1)),
    Setting("431100", date(2024, 6, 1), date(2024, 9, 1), date(2024, 7, 1)),  # 永州
    Setting("500113", date(2019, 3, 1), date(2019, 6, 1), date(2019, 4, 1)),  # 巴南, A
    Setting("500113", date(2022, 3, 1), date(2022, 6, 1), date(2022, 4, 1)),  # 巴南, B
)

_CLASSES: Final = np.array([c.value for c in LandClass], dtype=object)
_CLASS_P: Final = np.array([0.3, 0.1, 0.2, 0.1, 0.1, 0.0, 0.1, 0.05, 0.05])
_LEGALITY: Final = np.array([v.value for v in Legality], dtype=object)
_LEGALITY_P: Final = np.array([0.78, 0.08, 0.08, 0.06])


@dataclass(frozen=True)
class _Vocab:
    structures: tuple[str, ...]
    items: tuple[tuple[str, str | None], ...]  # (code, spec)
    zones: tuple[str, ...]
    exchange: bool
    state: bool
    residual: bool  # the price table has a residual rate (残值)
    business_loss: bool  # the state table can value a business loss without proof data
    flat_price: bool  # the state table prices exchange flats without an appraisal


def _vocab(store: TableStore, s: Setting) -> _Vocab:
    stub = Project(
        project_id="v",
        name="v",
        jurisdiction=s.jurisdiction,
        notice_date=s.notice,
        approval_date=s.approval,
        valuation_date=s.valuation,
    )
    snaps = resolve_families(store, stub)
    price = snaps.houses.snapshot.get(KIND_COLLECTIVE_PRICE)
    items = snaps.attachments.snapshot.get(ITEMS_KIND)
    fees = snaps.land.snapshot.get(FEES_KIND)
    structures = tuple(r.key for r in price.rows) if price is not None else ("brick_concrete_2",)
    pairs: list[tuple[str, str | None]] = []
    if items is not None:
        for r in items.rows:
            code, _, spec = r.key.partition("/")
            pairs.append((code, spec or None))
    zones = tuple(r.key for r in fees.rows) if fees is not None and fees.variant == REGIME_B else ()
    state = snaps.houses.snapshot.get(KIND_STATE)
    return _Vocab(
        structures=structures or ("brick_concrete_2",),
        items=tuple(pairs) or (("paddy", None),),
        zones=zones,
        exchange=snaps.houses.snapshot.get(KIND_EXCHANGE_SETTLEMENT) is not None,
        state=state is not None,
        residual=price is not None and price.has("residual_rate"),
        business_loss=state is not None and state.has("business_loss_min_rate"),
        flat_price=state is not None and state.has("exchange_flat_price"),
    )


def _digits(values: I64, width: int) -> np.ndarray[Any, Any]:
    """Zero-padded decimal text of non-negative ints, vectorised (no Python loop per value)."""
    out = np.full(values.shape[0], "", dtype=f"<U{width}")
    v = values.copy()
    for _ in range(width):
        out = np.strings.add(_DIGIT[v % 10], out)
        v //= 10
    return out


_DIGIT: Final = np.array(list("0123456789"), dtype="<U1")


def _ids(prefix: str, n: int, width: int = 7) -> np.ndarray[Any, Any]:
    return np.strings.add(prefix, _digits(np.arange(n, dtype=np.int64), width))


def _child_ids(parent: np.ndarray[Any, Any], counts: I64, tag: str) -> np.ndarray[Any, Any]:
    """``<parent>-<tag><k>`` for k = 1..count of each parent (k < 100)."""
    rep = np.repeat(parent, counts)
    k = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    return np.strings.add(np.strings.add(rep, f"-{tag}"), _digits(k, 2))


def _pick(rng: np.random.Generator, setting: I64, options: list[tuple[Any, ...]]) -> I64:
    """Per row, the global code of an option drawn uniformly from its setting's options."""
    glob: dict[Any, int] = {}
    width = max(max((len(o) for o in options), default=1), 1)
    table = np.full((len(options), width), -1, dtype=np.int64)
    for si, opts in enumerate(options):
        for k, o in enumerate(opts):
            table[si, k] = glob.setdefault(o, len(glob))
    lens = np.array([max(len(o), 1) for o in options], dtype=np.int64)
    pick = rng.integers(0, 1 << 30, setting.shape[0]) % lens[setting]
    out: I64 = table[setting, pick]
    return out


def _vocab_of(options: list[tuple[Any, ...]]) -> list[Any]:
    glob: dict[Any, int] = {}
    for opts in options:
        for o in opts:
            glob.setdefault(o, len(glob))
    return list(glob)


_NAMES: Final = np.array(
    [
        a + b
        for a in "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
        for b in ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇")
    ],
    dtype=object,
)


def _cat(codes: I64, categories: Any) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories))


def _days(d: date, offsets: I64) -> np.ndarray[Any, Any]:
    base = np.datetime64(d, "D")
    return (base + offsets.astype("timedelta64[D]")).astype("datetime64[s]")


def synth_frames(
    n: int,
    store: TableStore,
    *,
    seed: int = 0,
    households_per_project: int = 2000,
    households_per_collective: int = 200,
    settings: tuple[Setting, ...] = SETTINGS,
    anomalies: float = 1.0,
) -> Frames:
    """A synthetic population of ``n`` households as :class:`Frames` (deterministic in ``seed``).

    ``anomalies`` is the share of data problems kept (a land-lost member who
    is not agricultural population, a 残值 building where the table has no
    residual rate, an unregistered state-land building, a business loss or an
    exchange flat the state table cannot value …): the exact path reports
    those as issues and batch mode routes them there. 1.0 keeps every one
    the random draw makes; benchmarks use a small share.
    """
    rng = np.random.default_rng(seed)
    vocabs = [_vocab(store, s) for s in settings]
    n_proj = max(1, -(-n // households_per_project))
    proj_setting = np.arange(n_proj) % len(settings)
    project_ids = _ids("P", n_proj, 4)
    # households → project (contiguous blocks) → setting
    hh_proj = np.minimum(np.arange(n) // households_per_project, n_proj - 1).astype(np.int64)
    hh_set = proj_setting[hh_proj]
    household_ids = _ids("H", n)

    # collectives: contiguous runs of households inside a project
    local = np.arange(n) - hh_proj * households_per_project
    hh_coll_local = local // households_per_collective
    coll_key = hh_proj * 100000 + hh_coll_local
    uniq_coll, hh_coll = np.unique(coll_key, return_inverse=True)
    n_coll = uniq_coll.size
    coll_proj = (uniq_coll // 100000).astype(np.int64)
    coll_ids = np.strings.add(
        np.strings.add("C", _digits(coll_proj, 4)), np.strings.add("-", _digits(uniq_coll % 100000, 3))
    )

    projects = pd.DataFrame(
        {
            "project_id": project_ids,
            "name": np.array([f"示例项目{i}" for i in range(n_proj)], dtype=object),
            "jurisdiction": np.array([settings[s].jurisdiction for s in proj_setting], dtype=object),
            "notice_date": np.array([np.datetime64(settings[s].notice, "s") for s in proj_setting]),
            "approval_date": np.array([np.datetime64(settings[s].approval, "s") for s in proj_setting]),
            "valuation_date": np.array([np.datetime64(settings[s].valuation, "s") for s in proj_setting]),
            "signing_start": np.array(
                [np.datetime64(settings[s].notice + timedelta(days=60), "s") for s in proj_setting]
            ),
            "signing_end": np.array(
                [np.datetime64(settings[s].notice + timedelta(days=240), "s") for s in proj_setting]
            ),
        }
    )
    notice_hh = np.array([np.datetime64(s.notice, "D") for s in settings])[hh_set]

    # --- members ------------------------------------------------------------------
    m_count = np.clip(rng.poisson(3.0, n) + 1, 1, 9).astype(np.int64)
    m_hh = np.repeat(np.arange(n), m_count)
    nm = m_hh.size
    birth = notice_hh[m_hh] - rng.integers(0, 95 * 365, nm).astype("timedelta64[D]")
    agricultural = rng.random(nm) < 0.95
    first_member = np.zeros(nm, dtype=bool)
    first_member[np.cumsum(m_count) - m_count] = True
    members = pd.DataFrame(
        {
            "household_id": _cat(m_hh, household_ids),
            "member_id": _child_ids(household_ids, m_count, "M"),
            "name": _NAMES[rng.integers(0, _NAMES.size, nm)],
            "id_number": np.full(nm, None, dtype=object),
            "sex": np.where(rng.random(nm) < 0.5, "M", "F"),
            "birth_date": birth.astype("datetime64[s]"),
            "registered_resident": (rng.random(nm) < 0.93) | (first_member & (rng.random(nm) >= anomalies)),
            "agricultural": agricultural,
            "married_childless": rng.random(nm) < 0.04,
            "one_child_certificate": rng.random(nm) < 0.06,
            "land_lost": (rng.random(nm) < 0.5) & (agricultural | (rng.random(nm) < anomalies)),
        }
    )

    # --- households ---------------------------------------------------------------
    head_names = np.strings.add(
        _NAMES[rng.integers(0, _NAMES.size, n)].astype(str), _digits(np.arange(n) % 100, 2)
    )
    can_exchange = np.array([v.exchange for v in vocabs], dtype=bool)[hh_set]
    option = np.where(can_exchange & (rng.random(n) < 0.45), "exchange", "money")
    sign_off = rng.integers(30, 300, n)
    vac_off = sign_off + rng.integers(0, 60, n)
    handover = np.where(rng.random(n) < 0.5, rng.integers(6, 48, n), ABSENT)
    households = pd.DataFrame(
        {
            "household_id": household_ids,
            "project_id": _cat(hh_proj, project_ids),
            "head_name": head_names,
            "collective": coll_ids[hh_coll],
            "account": np.strings.add("62", _digits(np.arange(n, dtype=np.int64), 14)),
            "option": option,
            "temporary_months": rng.integers(0, 48, n),
            "turnover_housing": rng.random(n) < 0.1,
            "high_rise": rng.random(n) < 0.3,
            "handover_months": handover,
            "signing_date": np.where(
                rng.random(n) < 0.95, _days_vec(notice_hh, sign_off), np.datetime64("NaT")
            ),
            "vacating_date": np.where(
                rng.random(n) < 0.9, _days_vec(notice_hh, vac_off), np.datetime64("NaT")
            ),
        }
    )

    # --- buildings ----------------------------------------------------------------
    b_count = np.clip(rng.poisson(1.0, n) + 1, 1, 5).astype(np.int64)
    b_hh = np.repeat(np.arange(n), b_count)
    nb = b_hh.size
    b_set = hh_set[b_hh]
    has_state = np.array([v.state for v in vocabs], dtype=bool)[b_set]
    tenure = np.where(has_state & (rng.random(nb) < 0.12), "state", "collective")
    legality = rng.choice(_LEGALITY, nb, p=_LEGALITY_P)
    use = np.where(rng.random(nb) < 0.8, "residential", "non_residential")
    unregistered = legality == Legality.UNREGISTERED_NON_RESIDENTIAL.value
    residual_ok = np.array([v.residual for v in vocabs], dtype=bool)[b_set]
    loss_ok = np.array([v.business_loss for v in vocabs], dtype=bool)[b_set]
    clean = rng.random(nb) >= anomalies
    # 残值 needs a residual rate; an unregistered state-land building is undetermined (an issue)
    fix = unregistered & clean & ((tenure == "state") | ~residual_ok)
    legality = np.where(fix, Legality.LEGAL.value, legality)
    # unregistered buildings are non-residential by definition of the status
    use = np.where(legality == Legality.UNREGISTERED_NON_RESIDENTIAL.value, "non_residential", use)
    # a state-land business loss needs proof data or a floor rate
    use = np.where((tenure == "state") & ~loss_ok & clean, "residential", use)
    s_opts = [v.structures for v in vocabs]
    structure = _cat(_pick(rng, b_set, s_opts), _vocab_of(s_opts))
    legal_area = rng.integers(1500, 30000, nb)
    built_after = rng.random(nb) < 0.04
    built_on = np.where(
        built_after,
        _days_vec(notice_hh[b_hh], rng.integers(1, 200, nb)),
        np.where(
            rng.random(nb) < 0.5,
            _days_vec(notice_hh[b_hh], -rng.integers(400, 20000, nb)),
            np.datetime64("NaT"),
        ),
    )
    is_state = tenure == "state"
    buildings = pd.DataFrame(
        {
            "household_id": _cat(b_hh, household_ids),
            "building_id": _child_ids(household_ids, b_count, "B"),
            "tenure": tenure,
            "legality": legality,
            "use": use,
            "structure": structure,
            "newness_num": rng.integers(30, 101, nb),
            "newness_den": np.full(nb, 100, dtype=np.int64),
            "legal_area_cm2": legal_area,
            "area_cm2": np.where(rng.random(nb) < 0.3, legal_area + rng.integers(0, 5000, nb), ABSENT),
            "appraisal_fen": np.where(is_state, rng.integers(100_000_00, 5_000_000_00, nb), ABSENT),
            "monthly_business_loss_fen": np.where(
                is_state & (use == "non_residential") & (rng.random(nb) < 0.6),
                rng.integers(1_000_00, 80_000_00, nb),
                ABSENT,
            ),
            "built_on": built_on,
        }
    )

    # --- flats (exchange households) ----------------------------------------------
    exch = np.flatnonzero(option == "exchange")
    f_count = rng.integers(1, 3, exch.size).astype(np.int64)
    f_hh = np.repeat(exch, f_count)
    nf = f_hh.size
    flat_price_ok = np.array([v.flat_price for v in vocabs], dtype=bool)[hh_set[f_hh]]
    flat_counts = np.zeros(n, dtype=np.int64)
    flat_counts[exch] = f_count
    flats = pd.DataFrame(
        {
            "household_id": _cat(f_hh, household_ids),
            "flat_id": _child_ids(household_ids[exch], f_count, "F"),
            "area_cm2": rng.integers(4000, 14000, nf),
            "appraisal_fen": np.where(
                (rng.random(nf) < 0.3) | (~flat_price_ok & (rng.random(nf) >= anomalies)),
                rng.integers(500_000_00, 3_000_000_00, nf),
                ABSENT,
            ),
        }
    )

    # --- attachments --------------------------------------------------------------
    a_count = np.minimum(rng.poisson(2.0, n), 9).astype(np.int64)
    a_hh = np.repeat(np.arange(n), a_count)
    na = a_hh.size
    a_set = hh_set[a_hh]
    i_opts = [v.items for v in vocabs]
    pairs = _vocab_of(i_opts)
    pick = _pick(rng, a_set, i_opts)
    codes_vocab = sorted({c for c, _ in pairs})
    spec_vocab = sorted({sp for _, sp in pairs if sp is not None})
    code_of = np.array([codes_vocab.index(c) for c, _ in pairs], dtype=np.int64)
    spec_of = np.array([spec_vocab.index(sp) if sp is not None else -1 for _, sp in pairs], dtype=np.int64)
    attachments = pd.DataFrame(
        {
            "household_id": _cat(a_hh, household_ids),
            "item_id": _child_ids(household_ids, a_count, "A"),
            "item_code": _cat(code_of[pick], codes_vocab),
            "quantity_c": rng.integers(10, 2000, na),
            "owner": head_names[a_hh],
            "spec": _cat(spec_of[pick], spec_vocab),
            "since": np.where(
                rng.random(na) < 0.05,
                _days_vec(notice_hh[a_hh], rng.integers(1, 100, na)),
                _days_vec(notice_hh[a_hh], -rng.integers(30, 3000, na)),
            ),
            "parcel_id": np.full(na, None, dtype=object),
        }
    )

    # --- parcels (owned by the household's collective) ----------------------------
    p_count = np.clip(rng.poisson(2.0, n) + 1, 1, 8).astype(np.int64)
    p_hh = np.repeat(np.arange(n), p_count)
    npc = p_hh.size
    p_set = hh_set[p_hh]
    z_opts = [v.zones or (None,) for v in vocabs]
    z_vocab = _vocab_of(z_opts)
    z_code = _pick(rng, p_set, z_opts)
    z_real = [z for z in z_vocab if z is not None]
    z_map = np.array([z_real.index(z) if z is not None else -1 for z in z_vocab], dtype=np.int64)
    zone = _cat(z_map[z_code], z_real)
    land_class = rng.choice(_CLASSES, npc, p=_CLASS_P)
    parcel_area = rng.integers(5000, 300000, npc)
    parcels = pd.DataFrame(
        {
            "project_id": _cat(hh_proj[p_hh], project_ids),
            "parcel_id": _child_ids(household_ids, p_count, "L"),
            "land_class": land_class,
            "area_cm2": parcel_area,
            "owner_collective": _cat(hh_coll[p_hh], coll_ids),
            "zone": zone,
            "basic_farmland": rng.random(npc) < 0.2,
        }
    )

    # --- collectives ----------------------------------------------------------------
    cultivated = np.isin(land_class, ["paddy", "irrigated", "dry"])
    agri = ~np.isin(land_class, ["construction", "unused"])
    taken_cult = np.zeros(n_coll, dtype=np.int64)
    taken_agri = np.zeros(n_coll, dtype=np.int64)
    np.add.at(taken_cult, hh_coll[p_hh], np.where(cultivated, parcel_area, 0))
    np.add.at(taken_agri, hh_coll[p_hh], np.where(agri, parcel_area, 0))
    pop = np.zeros(n_coll, dtype=np.int64)
    np.add.at(pop, hh_coll[m_hh], 1)
    collectives = pd.DataFrame(
        {
            "project_id": _cat(coll_proj, project_ids),
            "collective_id": coll_ids,
            "name": np.strings.add("示例村", coll_ids),
            "credit_code": np.full(n_coll, None, dtype=object),
            "account": np.strings.add("33", _digits(np.arange(n_coll, dtype=np.int64), 12)),
            "pre_cultivated_area_cm2": taken_cult * rng.integers(2, 6, n_coll) + rng.integers(0, 100, n_coll),
            "pre_agricultural_area_cm2": taken_agri * rng.integers(2, 6, n_coll)
            + rng.integers(1, 100, n_coll),
            "agricultural_population": pop * rng.integers(1, 40, n_coll) // 2,
            "agricultural_population_16plus": pop * rng.integers(2, 6, n_coll) // 2,
            "aaov_fen": np.where(rng.random(n_coll) < 0.3, rng.integers(100000, 300000, n_coll), ABSENT),
        }
    )
    return Frames.build(
        projects=projects,
        collectives=collectives,
        parcels=parcels,
        households=households,
        members=members,
        buildings=buildings,
        attachments=attachments,
        flats=flats,
    )


def _days_vec(base: np.ndarray[Any, Any], offsets: Any) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = (base + np.asarray(offsets).astype("timedelta64[D]")).astype("datetime64[s]")
    return out


def synth_projects(n: int, store: TableStore, *, seed: int = 0, **kw: Any) -> tuple[Project, ...]:
    """The same population as Project models (for the exact path; keep ``n`` small)."""
    return to_projects(synth_frames(n, store, seed=seed, **kw))
