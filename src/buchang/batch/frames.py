"""Tidy DataFrames for batch mode, and conversion from/to :class:`~buchang.rules.inputs.Project`.

A batch is a set of tidy tables keyed by id (``shared/spec/domain.md``
sections 2 and 6):

========== ============================== ========================================
frame      key                            one row per
========== ============================== ========================================
projects   ``project_id``                 expropriation project (jurisdiction, dates)
collectives ``project_id, collective_id`` 村/组 whose land is taken
parcels    ``project_id, parcel_id``      parcel of expropriated land
households ``household_id``               被征收户 (with its ``project_id``)
members    ``household_id, member_id``    家庭成员
buildings  ``household_id, building_id``  building
attachments ``household_id, item_id``     青苗 / 地上附着物 item
flats      ``household_id, flat_id``      安置房 chosen in property exchange
========== ============================== ========================================

Column conventions — never a float:

* money in int64 **fen** (``*_fen``), areas in int64 **centi-m²** (0.01 m²,
  ``*_cm2``), quantities in int64 hundredths of their unit (``quantity_c``);
* ratios as two int64 columns ``*_num`` / ``*_den`` (``den > 0``), exact;
* an absent optional number is ``-1`` (all such columns are non-negative
  by the input model), an absent date ``NaT``; booleans are ``bool``;
* enumerations (land class, legality, use, tenure, option, sex) are
  ``category`` columns holding the enum values of :mod:`buchang.rules.inputs`;
  table keys (structure class, item code and spec, zone) are open ``category``
  columns, so kernels look them up once per distinct code.

Input ranges (:data:`BOUNDS`) are what batch mode computes in int64; they are
documented in :mod:`buchang.batch.intmath`. A household with a value outside
them — or a value that has no exact fixed-point form (an area with three
decimals, say) — is not rejected: it is **routed to the exact path**
(:func:`out_of_bounds` names the offending frame, row and column), so a batch
result is always complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import numpy as np
import pandas as pd

from buchang.rules.inputs import (
    Attachment,
    Building,
    Choices,
    Collective,
    Flat,
    Household,
    LandClass,
    LandTenure,
    Legality,
    Member,
    Option,
    Parcel,
    Project,
    Sex,
    Use,
)

#: Absent optional non-negative number.
ABSENT: Final = -1

#: Largest ratio denominator batch mode accepts (成新率 with 4 decimals → 10⁴).
MAX_RATIO_DEN: Final = 10**4

#: Column → largest absolute value batch mode computes with (see intmath's docstring).
BOUNDS: Final[Mapping[str, int]] = {
    "area_cm2": 10**8,  # 10⁶ m² per row
    "legal_area_cm2": 10**8,
    "pre_cultivated_area_cm2": 10**10,  # 10⁸ m² of a collective's land
    "pre_agricultural_area_cm2": 10**10,
    "quantity_c": 10**9,  # 10⁷ units
    "appraisal_fen": 10**11,  # 10⁹ 元
    "monthly_business_loss_fen": 10**11,
    "aaov_fen": 10**9,  # 10⁷ 元/亩
    "agricultural_population": 10**7,
    "agricultural_population_16plus": 10**7,
    "temporary_months": 1200,
    "handover_months": 1200,
    "newness_den": MAX_RATIO_DEN,
}

_ENUMS: Final[Mapping[str, tuple[str, ...]]] = {
    "land_class": tuple(v.value for v in LandClass),
    "legality": tuple(v.value for v in Legality),
    "tenure": tuple(v.value for v in LandTenure),
    "use": tuple(v.value for v in Use),
    "option": tuple(v.value for v in Option),
    "sex": tuple(v.value for v in Sex),
}

#: Columns of each frame, in order, with their dtype ("cat:<enum>" for categories).
SCHEMA: Final[Mapping[str, Mapping[str, str]]] = {
    "projects": {
        "project_id": "str",
        "name": "str",
        "jurisdiction": "str",
        "notice_date": "date",
        "approval_date": "date",
        "valuation_date": "date",
        "signing_start": "date",
        "signing_end": "date",
    },
    "collectives": {
        "project_id": "key",
        "collective_id": "str",
        "name": "str",
        "credit_code": "ostr",
        "account": "ostr",
        "pre_cultivated_area_cm2": "int64",
        "pre_agricultural_area_cm2": "int64",
        "agricultural_population": "int64",
        "agricultural_population_16plus": "int64",
        "aaov_fen": "int64",
    },
    "parcels": {
        "project_id": "key",
        "parcel_id": "str",
        "land_class": "cat:land_class",
        "area_cm2": "int64",
        "owner_collective": "key",
        "zone": "ocat",
        "basic_farmland": "bool",
    },
    "households": {
        "household_id": "str",
        "project_id": "key",
        "head_name": "str",
        "collective": "ostr",
        "account": "ostr",
        "option": "cat:option",
        "temporary_months": "int64",
        "turnover_housing": "bool",
        "high_rise": "bool",
        "handover_months": "int64",
        "signing_date": "date",
        "vacating_date": "date",
    },
    "members": {
        "household_id": "key",
        "member_id": "str",
        "name": "str",
        "id_number": "ostr",
        "sex": "cat:sex",
        "birth_date": "date",
        "registered_resident": "bool",
        "agricultural": "bool",
        "married_childless": "bool",
        "one_child_certificate": "bool",
        "land_lost": "bool",
    },
    "buildings": {
        "household_id": "key",
        "building_id": "str",
        "tenure": "cat:tenure",
        "legality": "cat:legality",
        "use": "cat:use",
        "structure": "ocat",
        "newness_num": "int64",
        "newness_den": "int64",
        "legal_area_cm2": "int64",
        "area_cm2": "int64",
        "appraisal_fen": "int64",
        "monthly_business_loss_fen": "int64",
        "built_on": "date",
    },
    "attachments": {
        "household_id": "key",
        "item_id": "str",
        "item_code": "ocat",
        "quantity_c": "int64",
        "owner": "str",
        "spec": "ocat",
        "since": "date",
        "parcel_id": "ostr",
    },
    "flats": {
        "household_id": "key",
        "flat_id": "str",
        "area_cm2": "int64",
        "appraisal_fen": "int64",
    },
}

FRAME_NAMES: Final = tuple(SCHEMA)


def _empty_column(dtype: str) -> pd.Series[Any]:
    return _coerce(pd.Series([], dtype=object), dtype)


def _coerce(col: pd.Series[Any], dtype: str) -> pd.Series[Any]:
    if dtype == "int64":
        if col.dtype.kind == "f":
            raise TypeError("float column where an exact integer column is required")
        return col.astype(np.int64)
    if dtype == "bool":
        return col.astype(bool)
    if dtype == "date":
        return pd.to_datetime(col).astype("datetime64[s]")
    if dtype.startswith("cat:"):
        return col.astype(pd.CategoricalDtype(list(_ENUMS[dtype[4:]])))
    if dtype == "ocat":
        return col.astype("category")
    if dtype == "key":
        # a key column may be a Categorical over the parent frame's ids (the fast join path)
        if isinstance(col.dtype, pd.CategoricalDtype):
            return col
        return col.astype(str)
    if dtype == "ostr":
        return col.astype(object).where(col.notna(), None)
    return col.astype(str)


@dataclass(frozen=True)
class Frames:
    """The tidy input tables of a batch (see the module docstring for columns).

    Every frame has a default ``RangeIndex``; rows are referred to by position.
    """

    projects: pd.DataFrame
    collectives: pd.DataFrame
    parcels: pd.DataFrame
    households: pd.DataFrame
    members: pd.DataFrame
    buildings: pd.DataFrame
    attachments: pd.DataFrame
    flats: pd.DataFrame
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, **frames: pd.DataFrame) -> Frames:
        """Assemble frames, coercing columns to the schema (missing frames are empty).

        Raises ``TypeError`` on a float column where an integer one is required
        and ``KeyError`` on a missing column: those are programmer errors.
        """
        out: dict[str, pd.DataFrame] = {}
        for name, cols in SCHEMA.items():
            df = frames.get(name)
            if df is None:
                out[name] = pd.DataFrame({c: _empty_column(t) for c, t in cols.items()})
                continue
            missing = [c for c in cols if c not in df.columns]
            if missing:
                raise KeyError(f"frame '{name}' lacks columns {missing}")
            data = {c: _coerce(df[c].reset_index(drop=True), t) for c, t in cols.items()}
            out[name] = pd.DataFrame(data)
        unknown = set(frames) - set(SCHEMA)
        if unknown:
            raise KeyError(f"unknown frames {sorted(unknown)}")
        return cls(**out)  # type: ignore[arg-type]

    def frame(self, name: str) -> pd.DataFrame:
        df = getattr(self, name)
        assert isinstance(df, pd.DataFrame)
        return df

    def n_households(self) -> int:
        return len(self.households)

    def select_households(
        self, positions: Sequence[int] | np.ndarray[Any, Any], projects: Iterable[str] = ()
    ) -> Frames:
        """The frames restricted to the households at ``positions``, with their
        projects (plus ``projects``) and those projects' collectives and parcels whole."""
        hh = self.households.iloc[np.asarray(positions, dtype=np.int64)].reset_index(drop=True)
        ids = pd.Index(hh["household_id"])
        pids = pd.Index(sorted(set(hh["project_id"].astype(str)) | set(projects)))

        def by_hh(df: pd.DataFrame) -> pd.DataFrame:
            return df[df["household_id"].isin(ids)].reset_index(drop=True)

        def by_proj(df: pd.DataFrame) -> pd.DataFrame:
            return df[df["project_id"].isin(pids)].reset_index(drop=True)

        return Frames(
            projects=by_proj(self.projects),
            collectives=by_proj(self.collectives),
            parcels=by_proj(self.parcels),
            households=hh,
            members=by_hh(self.members),
            buildings=by_hh(self.buildings),
            attachments=by_hh(self.attachments),
            flats=by_hh(self.flats),
        )


# --- exact fixed point ------------------------------------------------------------


def fixed(value: Decimal | None, scale: int) -> int | None:
    """``value × scale`` as an int when exact (``None`` stays ``ABSENT``); ``None`` if inexact."""
    if value is None:
        return ABSENT
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def unfixed(value: int, scale: int) -> Decimal | None:
    """Inverse of :func:`fixed` (``ABSENT`` → ``None``)."""
    if value == ABSENT:
        return None
    return (Decimal(value) / Decimal(scale)).normalize() if scale != 1 else Decimal(value)


def _ratio(value: Decimal) -> tuple[int, int]:
    f = Fraction(value)
    return f.numerator, f.denominator


def _opt_date(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value)
    return date(ts.year, ts.month, ts.day)


def _opt_str(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


class InexactValue(ValueError):
    """A Decimal with no exact fixed-point form (routes its household to the exact path)."""


def _fx(value: Decimal | None, scale: int, what: str) -> int:
    v = fixed(value, scale)
    if v is None:
        raise InexactValue(f"{what}={value} has more than {len(str(scale)) - 1} decimals")
    return v


def from_projects(projects: Iterable[Project]) -> Frames:
    """Project models → frames. Household ids must be unique across projects.

    A value with no exact fixed-point form (an area with three decimals)
    raises :class:`InexactValue`: such a project belongs on the exact path
    (:func:`buchang.batch.compute.compute_projects` routes it there).
    """
    rows: dict[str, list[dict[str, Any]]] = {n: [] for n in SCHEMA}
    seen: set[str] = set()
    for p in projects:
        rows["projects"].append(
            {
                "project_id": p.project_id,
                "name": p.name,
                "jurisdiction": p.jurisdiction,
                "notice_date": p.notice_date,
                "approval_date": p.approval_date,
                "valuation_date": p.valuation_date,
                "signing_start": p.signing_start,
                "signing_end": p.signing_end,
            }
        )
        for c in p.collectives:
            rows["collectives"].append(
                {
                    "project_id": p.project_id,
                    "collective_id": c.collective_id,
                    "name": c.name,
                    "credit_code": c.credit_code,
                    "account": c.account,
                    "pre_cultivated_area_cm2": _fx(c.pre_cultivated_area_m2, 100, "pre_cultivated_area_m2"),
                    "pre_agricultural_area_cm2": _fx(
                        c.pre_agricultural_area_m2, 100, "pre_agricultural_area_m2"
                    ),
                    "agricultural_population": ABSENT
                    if c.agricultural_population is None
                    else c.agricultural_population,
                    "agricultural_population_16plus": ABSENT
                    if c.agricultural_population_16plus is None
                    else c.agricultural_population_16plus,
                    "aaov_fen": _fx(c.average_annual_output_value, 100, "average_annual_output_value"),
                }
            )
        for pc in p.parcels:
            rows["parcels"].append(
                {
                    "project_id": p.project_id,
                    "parcel_id": pc.parcel_id,
                    "land_class": pc.land_class.value,
                    "area_cm2": _fx(pc.area_m2, 100, "area_m2"),
                    "owner_collective": pc.owner_collective,
                    "zone": pc.zone,
                    "basic_farmland": pc.basic_farmland,
                }
            )
        for h in p.households:
            if h.household_id in seen:
                raise ValueError(f"household id {h.household_id} appears twice")
            seen.add(h.household_id)
            ch = h.choices
            rows["households"].append(
                {
                    "household_id": h.household_id,
                    "project_id": p.project_id,
                    "head_name": h.head_name,
                    "collective": h.collective,
                    "account": h.account,
                    "option": ch.option.value,
                    "temporary_months": ch.temporary_months,
                    "turnover_housing": ch.turnover_housing,
                    "high_rise": ch.high_rise,
                    "handover_months": ABSENT if ch.handover_months is None else ch.handover_months,
                    "signing_date": ch.signing_date,
                    "vacating_date": ch.vacating_date,
                }
            )
            for m in h.members:
                rows["members"].append(
                    {
                        "household_id": h.household_id,
                        "member_id": m.member_id,
                        "name": m.name,
                        "id_number": m.id_number,
                        "sex": m.sex.value,
                        "birth_date": m.birth_date,
                        "registered_resident": m.registered_resident,
                        "agricultural": m.agricultural,
                        "married_childless": m.married_childless,
                        "one_child_certificate": m.one_child_certificate,
                        "land_lost": m.land_lost,
                    }
                )
            for b in h.buildings:
                num, den = _ratio(b.newness)
                rows["buildings"].append(
                    {
                        "household_id": h.household_id,
                        "building_id": b.building_id,
                        "tenure": b.tenure.value,
                        "legality": b.legality.value,
                        "use": b.use.value,
                        "structure": b.structure,
                        "newness_num": num,
                        "newness_den": den,
                        "legal_area_cm2": _fx(b.legal_area_m2, 100, "legal_area_m2"),
                        "area_cm2": _fx(b.area_m2, 100, "area_m2"),
                        "appraisal_fen": _fx(b.appraisal_value, 100, "appraisal_value"),
                        "monthly_business_loss_fen": _fx(
                            b.monthly_business_loss, 100, "monthly_business_loss"
                        ),
                        "built_on": b.built_on,
                    }
                )
            for a in h.attachments:
                rows["attachments"].append(
                    {
                        "household_id": h.household_id,
                        "item_id": a.item_id,
                        "item_code": a.item_code,
                        "quantity_c": _fx(a.quantity, 100, "quantity"),
                        "owner": a.owner,
                        "spec": a.spec,
                        "since": a.since,
                        "parcel_id": a.parcel_id,
                    }
                )
            for f in ch.flats:
                rows["flats"].append(
                    {
                        "household_id": h.household_id,
                        "flat_id": f.flat_id,
                        "area_cm2": _fx(f.area_m2, 100, "area_m2"),
                        "appraisal_fen": _fx(f.appraisal_value, 100, "appraisal_value"),
                    }
                )
    frames = {n: pd.DataFrame(r, columns=list(SCHEMA[n])) if r else None for n, r in rows.items()}
    built = {n: df for n, df in frames.items() if df is not None}
    return Frames.build(**link_keys(built))


def _categorical(col: pd.Series[Any], parent: pd.Series[Any]) -> pd.Series[Any]:
    """``col`` as a Categorical over ``parent`` (unique ids) when every value is among them."""
    if not parent.is_unique:
        return col
    cats = pd.Index(parent.astype(str))
    values = col.astype(str)
    if not values.isin(cats).all():
        return col
    return pd.Series(pd.Categorical(values, categories=cats), index=col.index, name=col.name)


def link_keys(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Make key columns ``Categorical`` over their parent's ids (the fast join path of
    :func:`buchang.batch.params.position`) where the parent's ids are unique and
    every key is found; other columns are left as text (joined by hashing)."""
    out = dict(frames)
    links = (
        ("households", "project_id", "projects", "project_id"),
        ("collectives", "project_id", "projects", "project_id"),
        ("parcels", "project_id", "projects", "project_id"),
        ("parcels", "owner_collective", "collectives", "collective_id"),
        ("members", "household_id", "households", "household_id"),
        ("buildings", "household_id", "households", "household_id"),
        ("attachments", "household_id", "households", "household_id"),
        ("flats", "household_id", "households", "household_id"),
    )
    for child, col, parent, pcol in links:
        c, p = out.get(child), out.get(parent)
        if c is None or p is None or len(c) == 0:
            continue
        c = c.copy()
        c[col] = _categorical(c[col], p[pcol])
        out[child] = c
    return out


def _dec(value: int, scale: int = 100) -> Decimal:
    out = unfixed(value, scale)
    assert out is not None
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.to_dict("records")  # type: ignore[return-value]


def to_projects(frames: Frames) -> tuple[Project, ...]:
    """Frames → Project models (the inverse of :func:`from_projects`, exactly)."""

    def group(df: pd.DataFrame, key: str) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in _records(df):
            out.setdefault(str(r[key]), []).append(r)
        return out

    members = group(frames.members, "household_id")
    buildings = group(frames.buildings, "household_id")
    attachments = group(frames.attachments, "household_id")
    flats = group(frames.flats, "household_id")
    households = group(frames.households, "project_id")
    collectives = group(frames.collectives, "project_id")
    parcels = group(frames.parcels, "project_id")

    def opt_int(v: Any) -> int | None:
        return None if int(v) == ABSENT else int(v)

    def opt_dec(v: Any) -> Decimal | None:
        return unfixed(int(v), 100)

    out: list[Project] = []
    for p in _records(frames.projects):
        pid = str(p["project_id"])
        hhs: list[Household] = []
        for h in households.get(pid, []):
            hid = str(h["household_id"])
            hhs.append(
                Household(
                    household_id=hid,
                    head_name=str(h["head_name"]),
                    collective=_opt_str(h["collective"]),
                    account=_opt_str(h["account"]),
                    members=tuple(
                        Member(
                            member_id=str(m["member_id"]),
                            name=str(m["name"]),
                            id_number=_opt_str(m["id_number"]),
                            sex=Sex(m["sex"]),
                            birth_date=_opt_date(m["birth_date"]) or date.min,
                            registered_resident=bool(m["registered_resident"]),
                            agricultural=bool(m["agricultural"]),
                            married_childless=bool(m["married_childless"]),
                            one_child_certificate=bool(m["one_child_certificate"]),
                            land_lost=bool(m["land_lost"]),
                        )
                        for m in members.get(hid, [])
                    ),
                    buildings=tuple(
                        Building(
                            building_id=str(b["building_id"]),
                            tenure=LandTenure(b["tenure"]),
                            legality=Legality(b["legality"]),
                            use=Use(b["use"]),
                            structure=str(b["structure"]),
                            newness=_ratio_decimal(int(b["newness_num"]), int(b["newness_den"])),
                            legal_area_m2=_dec(int(b["legal_area_cm2"])),
                            area_m2=opt_dec(b["area_cm2"]),
                            appraisal_value=opt_dec(b["appraisal_fen"]),
                            monthly_business_loss=opt_dec(b["monthly_business_loss_fen"]),
                            built_on=_opt_date(b["built_on"]),
                        )
                        for b in buildings.get(hid, [])
                    ),
                    attachments=tuple(
                        Attachment(
                            item_id=str(a["item_id"]),
                            item_code=str(a["item_code"]),
                            quantity=_dec(int(a["quantity_c"])),
                            owner=str(a["owner"]),
                            spec=_opt_str(a["spec"]),
                            since=_opt_date(a["since"]),
                            parcel_id=_opt_str(a["parcel_id"]),
                        )
                        for a in attachments.get(hid, [])
                    ),
                    choices=Choices(
                        option=Option(h["option"]),
                        flats=tuple(
                            Flat(
                                flat_id=str(f["flat_id"]),
                                area_m2=_dec(int(f["area_cm2"])),
                                appraisal_value=opt_dec(f["appraisal_fen"]),
                            )
                            for f in flats.get(hid, [])
                        ),
                        temporary_months=int(h["temporary_months"]),
                        turnover_housing=bool(h["turnover_housing"]),
                        high_rise=bool(h["high_rise"]),
                        handover_months=opt_int(h["handover_months"]),
                        signing_date=_opt_date(h["signing_date"]),
                        vacating_date=_opt_date(h["vacating_date"]),
                    ),
                )
            )
        out.append(
            Project(
                project_id=pid,
                name=str(p["name"]),
                jurisdiction=str(p["jurisdiction"]),
                notice_date=_opt_date(p["notice_date"]) or date.min,
                approval_date=_opt_date(p["approval_date"]),
                valuation_date=_opt_date(p["valuation_date"]),
                signing_start=_opt_date(p["signing_start"]),
                signing_end=_opt_date(p["signing_end"]),
                collectives=tuple(
                    Collective(
                        collective_id=str(c["collective_id"]),
                        name=str(c["name"]),
                        credit_code=_opt_str(c["credit_code"]),
                        account=_opt_str(c["account"]),
                        pre_cultivated_area_m2=opt_dec(c["pre_cultivated_area_cm2"]),
                        pre_agricultural_area_m2=opt_dec(c["pre_agricultural_area_cm2"]),
                        agricultural_population=opt_int(c["agricultural_population"]),
                        agricultural_population_16plus=opt_int(c["agricultural_population_16plus"]),
                        average_annual_output_value=opt_dec(c["aaov_fen"]),
                    )
                    for c in collectives.get(pid, [])
                ),
                parcels=tuple(
                    Parcel(
                        parcel_id=str(pc["parcel_id"]),
                        land_class=LandClass(pc["land_class"]),
                        area_m2=_dec(int(pc["area_cm2"])),
                        owner_collective=str(pc["owner_collective"]),
                        zone=_opt_str(pc["zone"]),
                        basic_farmland=bool(pc["basic_farmland"]),
                    )
                    for pc in parcels.get(pid, [])
                ),
                households=tuple(hhs),
            )
        )
    return tuple(out)


def _ratio_decimal(num: int, den: int) -> Decimal:
    """num/den as an exact Decimal (den must be 2^a·5^b — every Decimal's is)."""
    value = Decimal(num) / Decimal(den)
    if Fraction(value) != Fraction(num, den):
        raise ValueError(f"ratio {num}/{den} has no exact decimal form")
    return value


# --- bounds -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutOfBounds:
    """A value outside :data:`BOUNDS`: which frame, row (position), column, value and bound."""

    frame: str
    row: int
    column: str
    value: int
    bound: int
    household_id: str | None
    project_id: str | None

    def __str__(self) -> str:
        who = f"household {self.household_id}" if self.household_id else f"project {self.project_id}"
        return (
            f"{self.frame}[{self.row}].{self.column} = {self.value} is outside the batch range "
            f"(|x| ≤ {self.bound}; {who}) — computed by the exact path"
        )


def out_of_bounds(
    frames: Frames, limit: int = 100
) -> tuple[list[OutOfBounds], np.ndarray[Any, Any], set[str]]:
    """Find values outside :data:`BOUNDS` and every subject they affect.

    Returns up to ``limit`` findings, a boolean mask over ``frames.households``
    of the households that must go to the exact path, and the projects whose
    collective or parcel data is out of range (their collectives go there).
    """
    found: list[OutOfBounds] = []
    hh_ids = frames.households["household_id"]
    bad_hh: set[str] = set()
    bad_proj: set[str] = set()
    for name in FRAME_NAMES:
        df = frames.frame(name)
        for col, bound in BOUNDS.items():
            if col not in df.columns or len(df) == 0:
                continue
            v = df[col].to_numpy(dtype=np.int64)
            bad = (v > bound) | (v < ABSENT)
            if col == "newness_den":
                num = df["newness_num"].to_numpy(dtype=np.int64)
                bad |= (v <= 0) | (num < 0) | (num > v)
            if not bad.any():
                continue
            rows = np.flatnonzero(bad)
            if "household_id" in df.columns:
                bad_hh.update(df["household_id"].iloc[rows].astype(str))
            else:
                bad_proj.update(df["project_id"].iloc[rows].astype(str))
            for r in rows[: max(0, limit - len(found))]:
                found.append(
                    OutOfBounds(
                        frame=name,
                        row=int(r),
                        column=col,
                        value=int(v[r]),
                        bound=bound,
                        household_id=str(df["household_id"].iat[r]) if "household_id" in df.columns else None,
                        project_id=str(df["project_id"].iat[r]) if "project_id" in df.columns else None,
                    )
                )
    mask = hh_ids.astype(str).isin(list(bad_hh)).to_numpy()
    return found, mask, bad_proj
