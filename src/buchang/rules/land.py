"""Land: 土地补偿费 and 安置补助费 for a collective's expropriated land (spec 4.1).

Which regime applies is decided by the table, never by the caller: the engine
resolves kind ``land.fees`` for the project's jurisdiction at the notice date
(拟征地告知书 / 征收土地预公告, spec section 3), and the version in force names
its ``variant``; :data:`VARIANTS` maps the name to the rule function. 松江's
table, for example, has an ``output_value_multiples`` version up to
2019-12-31 and a ``zone_price`` version from 2020-01-01 (松规划资源规〔2021〕1号
第六条: notices published on or before 2019-12-31 follow the old rules).

Regime A — ``output_value_multiples`` (土地管理法 1998/2004, old Art. 47):

* 土地补偿费 = multiple (6–10) × AAOV (前三年平均每亩年产值, 元/亩) × area;
* persons to resettle = cultivated area taken ÷ (pre-expropriation cultivated
  area ÷ agricultural population), rounded as the table says;
* 安置补助费 = persons × per-person multiple (4–6) × AAOV, but per hectare
  taken at most 15 times that hectare's average annual output value — i.e.
  at most 15 × AAOV × area, AAOV being per 亩 (the multiple is scale-free);
* with provincial approval 安置补助费 may be raised (a table may set a higher
  ``resettlement_per_hectare_cap``, flagged as a warning), but the two fees
  together never exceed 30 × AAOV × area: the 安置补助费 is cut to
  (30 − land multiple) × AAOV × area.

  The multiples apply to 耕地 (水田, 水浇地, 旱地). Other classes follow the
  province's own standard "参照征收耕地" — rows of the table keyed by land
  class with their own multiples (``land_comp_multiple``,
  ``resettlement_area_multiple`` per area) and optionally their own AAOV.
  The national bounds (``land.regime_a_bounds``) check the local multiples.

Regime B — ``zone_price`` (土地管理法 2019 Art. 48; 实施条例 2021 Art. 32):

* 土地补偿费 + 安置补助费 = 区片综合地价 (元/亩) × area, split by the table's
  ratios; each share is its own line (rounded once each);
* per zone row: ``price`` (农用地), and where published separate standards
  ``basic_farmland_price`` (永久基本农田; absent → the 农用地 price, noted),
  ``construction_price`` (建设用地) and ``unused_price`` (未利用地; absent →
  an error, the parcel is not priced);
* 土地补偿费 is paid to the collective; 安置补助费 to the payee the table
  names (``resettlement_payee``: persons / social security fund / collective).
  The national ``land.regime_b_rules`` table (optional) says zone prices must
  be re-published at least every three years; an older zone table is flagged.

All arithmetic is in ``Fraction``; :func:`~buchang.rules.lines.make_line`
rounds each line once, half up, to the fen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from buchang.core.errors import Issue, Severity
from buchang.rules.common import (
    M2_TO_MU,
    collective_payee,
    count_rounding,
    exact,
    issue,
    resettlement_payee,
    round_count,
)
from buchang.rules.common import num_text as _num
from buchang.rules.inputs import Collective, LandClass, Parcel, Project
from buchang.rules.lines import Category, Factor, Line, make_line
from buchang.rules.snapshot import Need, Snapshot
from buchang.tables.model import TableRef, TableVersion

FEES_KIND: Final = "land.fees"
BOUNDS_KIND: Final = "land.regime_a_bounds"
REGIME_B_RULES_KIND: Final = "land.regime_b_rules"

REGIME_A: Final = "output_value_multiples"
REGIME_B: Final = "zone_price"

#: Table kinds every land computation reads.
LAND_NEEDS: Final[tuple[Need, ...]] = (Need(FEES_KIND),)

#: Further kinds a variant reads, resolved once the variant in force is known.
VARIANT_NEEDS: Final[Mapping[str, tuple[Need, ...]]] = MappingProxyType(
    {
        REGIME_A: (Need(BOUNDS_KIND),),
        REGIME_B: (Need(REGIME_B_RULES_KIND, optional=True),),
    }
)


def land_needs(fees: TableVersion | None) -> tuple[Need, ...]:
    """Every kind the land rules read, given the ``land.fees`` version in force."""
    extra = VARIANT_NEEDS.get(fees.variant or "", ()) if fees is not None else ()
    return LAND_NEEDS + extra


@dataclass(frozen=True, slots=True)
class LandCase:
    """What a land variant computes over: one collective's parcels, at one snapshot."""

    project: Project
    collective: Collective
    parcels: tuple[Parcel, ...]
    fees: TableVersion
    snapshot: Snapshot


LandResult = tuple[list[Line], list[Issue]]


def _key(case: LandCase, item: str | None = None) -> str:
    return case.collective.collective_id + (f"/{item}" if item else "")


# --- regime A ------------------------------------------------------------------------------


def _multiple(version: TableVersion, name: str) -> Fraction:
    return exact(version.decimal(name))


def _check_bounds(case: LandCase, bounds: TableVersion) -> list[Issue]:
    """The local multiples against the national bounds (old Art. 47)."""
    fees = case.fees
    out: list[Issue] = []
    for name, lo, hi in (
        ("land_comp_multiple", "land_comp_multiple_min", "land_comp_multiple_max"),
        ("resettlement_per_person_multiple", "resettlement_per_person_min", "resettlement_per_person_max"),
    ):
        value = fees.decimal(name)
        if not bounds.decimal(lo) <= value <= bounds.decimal(hi):
            out.append(
                issue(
                    "LAND_MULTIPLE_OUT_OF_BOUNDS",
                    f"{fees.table_id}@{fees.version}: {name} = {value} is outside the statutory "
                    f"{bounds.decimal(lo)}–{bounds.decimal(hi)} (土地管理法原第四十七条); "
                    "only a provincial approval allows more",
                    _key(case),
                    Severity.WARNING,
                )
            )
    return out


def _caps(case: LandCase, bounds: TableVersion) -> tuple[Fraction, TableRef, Fraction, TableRef, list[Issue]]:
    """(per-hectare cap, its ref, total cap, its ref, issues): local values may raise
    the per-hectare cap (provincial approval) but never the total above the law's."""
    fees = case.fees
    issues: list[Issue] = []
    law_ha = _multiple(bounds, "resettlement_per_hectare_cap")
    law_total = _multiple(bounds, "total_cap")
    cap_ha, ha_ref = law_ha, bounds.ref(name="resettlement_per_hectare_cap")
    if fees.has("resettlement_per_hectare_cap"):
        cap_ha, ha_ref = (
            _multiple(fees, "resettlement_per_hectare_cap"),
            fees.ref(name="resettlement_per_hectare_cap"),
        )
        if cap_ha > law_ha:
            issues.append(
                issue(
                    "LAND_CAP_RAISED",
                    f"{fees.table_id}@{fees.version} raises the 安置补助费 cap to {cap_ha} × AAOV "
                    f"(law: {law_ha}); lawful only with provincial approval (原第四十七条第四款)",
                    _key(case),
                    Severity.WARNING,
                )
            )
    total, total_ref = law_total, bounds.ref(name="total_cap")
    if fees.has("total_cap"):
        local_total = _multiple(fees, "total_cap")
        if local_total > law_total:
            issues.append(
                issue(
                    "LAND_TOTAL_CAP_EXCEEDS_LAW",
                    f"{fees.table_id}@{fees.version} sets total_cap {local_total} above the statutory "
                    f"{law_total}; the statutory cap is applied",
                    _key(case),
                )
            )
        else:
            total, total_ref = local_total, fees.ref(name="total_cap")
    return cap_ha, ha_ref, total, total_ref, issues


def _aaov(case: LandCase) -> tuple[Fraction, tuple[TableRef, ...], str]:
    """AAOV of cultivated land: the collective's surveyed figure, else the table's."""
    given = case.collective.average_annual_output_value
    if given is not None:
        return exact(given), (), "前三年平均年产值取自调查登记（集体经济组织）"
    return exact(case.fees.decimal("aaov")), (case.fees.ref(name="aaov"),), ""


def regime_a(case: LandCase) -> LandResult:
    """Output-value multiples (土地管理法原第四十七条); see the module docstring."""
    fees, coll = case.fees, case.collective
    lines: list[Line] = []
    issues: list[Issue] = []
    bounds = case.snapshot.get(BOUNDS_KIND)
    if bounds is None:  # the engine does not run a family without its required tables
        return [], [issue("TABLE_NOT_FOUND", f"no {BOUNDS_KIND} for regime A", _key(case))]
    issues += _check_bounds(case, bounds)
    cap_ha, ha_ref, total_cap, total_ref, cap_issues = _caps(case, bounds)
    issues += cap_issues
    land_payee = collective_payee(coll)
    m_land = _multiple(fees, "land_comp_multiple")
    m_person = _multiple(fees, "resettlement_per_person_multiple")
    aaov, aaov_refs, aaov_note = _aaov(case)
    rule = f"land.{REGIME_A}"
    cultivated = [p for p in case.parcels if p.land_class.is_cultivated]
    for p in cultivated:
        lines.append(
            make_line(
                subject_id=coll.collective_id,
                item_id=p.parcel_id,
                category=Category.LAND_COMPENSATION,
                payee=land_payee,
                quantity=exact(p.area_m2),
                unit="m²",
                unit_price=aaov,
                price_unit="元/亩",
                factors=(M2_TO_MU, Factor(name="土地补偿费倍数", value=m_land)),
                refs=(fees.ref(name="land_comp_multiple"), *aaov_refs),
                rule=rule,
                basis="被征收耕地面积 × 前三年平均年产值 × 土地补偿费倍数",
                note=aaov_note,
            )
        )
    if cultivated:
        line, errs = _resettlement_a(case, cultivated, aaov, aaov_refs, m_land, m_person, cap_ha, ha_ref)
        issues += errs
        if line is not None:
            lines.append(_total_cap(case, line, cultivated, aaov, aaov_refs, m_land, total_cap, total_ref))
    for p in case.parcels:
        if p.land_class.is_cultivated:
            continue
        lines += _other_class_a(case, p, aaov, aaov_refs, issues)
    return lines, issues


def _resettlement_a(
    case: LandCase,
    cultivated: list[Parcel],
    aaov: Fraction,
    aaov_refs: tuple[TableRef, ...],
    m_land: Fraction,
    m_person: Fraction,
    cap_ha: Fraction,
    ha_ref: TableRef,
) -> tuple[Line | None, list[Issue]]:
    """安置补助费 of the cultivated land: persons × multiple × AAOV, capped per hectare."""
    fees, coll = case.fees, case.collective
    pre, pop = coll.pre_cultivated_area_m2, coll.agricultural_population
    if pre is None or pop is None or pre == 0:
        return None, [
            issue(
                "COLLECTIVE_DATA_MISSING",
                f"{coll.name}: 征收前耕地面积 and 农业人口 are needed for the persons to resettle "
                "(原第四十七条); no 安置补助费 computed",
                _key(case),
            )
        ]
    taken = sum((exact(p.area_m2) for p in cultivated), Fraction(0))
    # persons = taken ÷ (pre ÷ population); both areas in m², so the unit cancels.
    persons_exact = taken * pop / exact(pre)
    mode, places = count_rounding(fees)
    persons = round_count(persons_exact, mode, places)
    by_persons = persons * m_person * aaov
    cap = taken * M2_TO_MU.value * aaov * cap_ha
    payee = resettlement_payee(fees, coll)
    rule = f"land.{REGIME_A}"
    counted = (
        f"需安置人数 = {_num(taken)}平方米 ÷ ({_num(exact(pre))}平方米 ÷ {pop}人) = {_num(persons_exact)}，"
        f"按{_MODE_ZH.get(mode, mode)}{'' if mode == 'exact' else f'保留{places}位小数'}取 {_num(persons)} 人"
    )
    if by_persons <= cap:
        return make_line(
            subject_id=coll.collective_id,
            item_id=coll.collective_id,
            category=Category.RESETTLEMENT_SUBSIDY,
            payee=payee,
            quantity=persons,
            unit="人",
            unit_price=aaov,
            price_unit="元/亩（每亩年产值）",
            factors=(Factor(name="每人安置补助费倍数", value=m_person),),
            refs=(
                fees.ref(name="resettlement_per_person_multiple"),
                fees.ref(name="persons_rounding"),
                *aaov_refs,
            ),
            rule=rule,
            basis="需安置农业人口数 × 前三年平均每亩年产值 × 每人安置补助费倍数",
            note=counted,
        ), []
    return make_line(
        subject_id=coll.collective_id,
        item_id=coll.collective_id,
        category=Category.RESETTLEMENT_SUBSIDY,
        payee=payee,
        quantity=taken,
        unit="m²",
        unit_price=aaov,
        price_unit="元/亩",
        factors=(M2_TO_MU, Factor(name="每公顷安置补助费最高倍数", value=cap_ha)),
        refs=(ha_ref, *aaov_refs),
        rule=rule,
        basis="被征收耕地面积 × 前三年平均年产值 × 安置补助费最高倍数（封顶）",
        note=f"{counted}；按人计 {_num(by_persons)} 元超过每公顷 {_num(cap_ha)} 倍封顶 {_num(cap)} 元，"
        "按封顶额计（土地管理法原第四十七条第二款）",
    ), []


def _total_cap(
    case: LandCase,
    line: Line,
    cultivated: list[Parcel],
    aaov: Fraction,
    aaov_refs: tuple[TableRef, ...],
    m_land: Fraction,
    total_cap: Fraction,
    total_ref: TableRef,
) -> Line:
    """Cut the 安置补助费 so that both fees stay within ``total_cap`` × AAOV × area."""
    taken = sum((exact(p.area_m2) for p in cultivated), Fraction(0))
    room = total_cap - m_land
    limit = taken * M2_TO_MU.value * aaov * room
    if line.exact_amount() <= limit:
        return line
    return make_line(
        subject_id=line.subject_id,
        item_id=line.item_id,
        category=Category.RESETTLEMENT_SUBSIDY,
        payee=line.payee,
        quantity=taken,
        unit="m²",
        unit_price=aaov,
        price_unit="元/亩",
        factors=(M2_TO_MU, Factor(name="两费总和最高倍数减土地补偿费倍数", value=room)),
        refs=(total_ref, case.fees.ref(name="land_comp_multiple"), *aaov_refs),
        rule=f"land.{REGIME_A}",
        basis="被征收耕地面积 × 前三年平均年产值 × (两费总和最高倍数 − 土地补偿费倍数)",
        note=f"{line.note}；安置补助费 {_num(line.exact_amount())} 元与土地补偿费合计超过 "
        f"{_num(total_cap)} 倍，按 {_num(total_cap)} − {_num(m_land)} = {_num(room)} 倍计"
        "（土地管理法原第四十七条第四款）",
    )


def _other_class_a(
    case: LandCase,
    p: Parcel,
    aaov: Fraction,
    aaov_refs: tuple[TableRef, ...],
    issues: list[Issue],
) -> list[Line]:
    """Non-cultivated land under regime A: the province's own multiples, per area."""
    fees, coll = case.fees, case.collective
    row = fees.find_row(p.land_class.value)
    if row is None:
        issues.append(
            issue(
                "LAND_CLASS_NOT_IN_TABLE",
                f"{fees.table_id}@{fees.version} has no standard for land class '{p.land_class.value}'; "
                "parcel not priced",
                _key(case, p.parcel_id),
            )
        )
        return []
    price, refs = aaov, aaov_refs
    if "aaov" in row.values:
        price, refs = exact(row.decimal("aaov")), (fees.ref(row=row.key, name="aaov"),)
    out: list[Line] = []
    for name, category, label, payee in (
        ("land_comp_multiple", Category.LAND_COMPENSATION, "土地补偿费倍数", collective_payee(coll)),
        (
            "resettlement_area_multiple",
            Category.RESETTLEMENT_SUBSIDY,
            "安置补助费倍数（按面积）",
            resettlement_payee(fees, coll),
        ),
    ):
        if name not in row.values:
            continue
        out.append(
            make_line(
                subject_id=coll.collective_id,
                item_id=p.parcel_id,
                category=category,
                payee=payee,
                quantity=exact(p.area_m2),
                unit="m²",
                unit_price=price,
                price_unit="元/亩",
                factors=(M2_TO_MU, Factor(name=label, value=exact(row.decimal(name)))),
                refs=(fees.ref(row=row.key, name=name), *refs),
                rule=f"land.{REGIME_A}",
                basis=f"被征收{_CLASS_ZH[p.land_class]}面积 × 前三年平均年产值 × {label}",
            )
        )
    return out


# --- regime B ------------------------------------------------------------------------------

#: The zone-row column that prices each land class under regime B.
_B_COLUMN: Final = {
    LandClass.CONSTRUCTION: ("construction_price", "建设用地"),
    LandClass.UNUSED: ("unused_price", "未利用地"),
}


def _zone_price(case: LandCase, p: Parcel) -> tuple[str, Fraction, str, str] | Issue:
    """(zone key, price per 亩, column used, note) or the issue that stops the parcel."""
    fees = case.fees
    zone = p.zone
    if zone is None and len(fees.rows) == 1:
        zone = fees.rows[0].key
    if zone is None:
        return issue("ZONE_MISSING", f"parcel {p.parcel_id} has no 区片 (zone)", _key(case, p.parcel_id))
    row = fees.find_row(zone)
    if row is None:
        return issue(
            "ZONE_UNKNOWN",
            f"{fees.table_id}@{fees.version} has no zone '{zone}'",
            _key(case, p.parcel_id),
        )
    if p.land_class in _B_COLUMN:
        column, label = _B_COLUMN[p.land_class]
        if column not in row.values:
            return issue(
                "LAND_STANDARD_MISSING",
                f"{fees.table_id}@{fees.version}[{zone}] has no {label} standard ({column})",
                _key(case, p.parcel_id),
            )
        return zone, exact(row.decimal(column)), column, ""
    if p.basic_farmland:
        if "basic_farmland_price" in row.values:
            return zone, exact(row.decimal("basic_farmland_price")), "basic_farmland_price", ""
        return (
            zone,
            exact(row.decimal("price")),
            "price",
            "本区片未单列永久基本农田标准，按农用地区片综合地价计",
        )
    return zone, exact(row.decimal("price")), "price", ""


def _ratios(fees: TableVersion, zone: str) -> tuple[Fraction, TableRef, Fraction, TableRef]:
    row = fees.row(zone)
    out: list[tuple[Fraction, TableRef]] = []
    for name in ("land_comp_ratio", "resettlement_ratio"):
        if name in row.values:
            out.append((exact(row.decimal(name)), fees.ref(row=zone, name=name)))
        else:
            out.append((exact(fees.decimal(name)), fees.ref(name=name)))
    return out[0][0], out[0][1], out[1][0], out[1][1]


def _overdue(case: LandCase) -> list[Issue]:
    rules = case.snapshot.get(REGIME_B_RULES_KIND)
    if rules is None or not rules.has("republish_years"):
        return []
    years = int(rules.decimal("republish_years"))
    start = case.fees.effective_from
    try:
        due = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        due = date(start.year + years, 3, 1)
    if case.project.notice_date <= due:
        return []
    return [
        issue(
            "ZONE_PRICE_OVERDUE",
            f"{case.fees.table_id}@{case.fees.version} took effect on {start}; zone prices must be "
            f"re-published at least every {years} years (土地管理法第四十八条) — check for a newer table",
            _key(case),
            Severity.WARNING,
        )
    ]


def regime_b(case: LandCase) -> LandResult:
    """区片综合地价 × area, split into 土地补偿费 and 安置补助费 by the table's ratios."""
    fees, coll = case.fees, case.collective
    lines: list[Line] = []
    issues: list[Issue] = _overdue(case)
    rule = f"land.{REGIME_B}"
    for p in case.parcels:
        found = _zone_price(case, p)
        if isinstance(found, Issue):
            issues.append(found)
            continue
        zone, price, column, note = found
        r_land, land_ref, r_res, res_ref = _ratios(fees, zone)
        if r_land + r_res != 1:
            issues.append(
                issue(
                    "LAND_SPLIT_RATIO",
                    f"{fees.table_id}@{fees.version}[{zone}]: 土地补偿费比例 {_num(r_land)} + 安置补助费比例 "
                    f"{_num(r_res)} ≠ 1; parcel {p.parcel_id} not priced",
                    _key(case, p.parcel_id),
                )
            )
            continue
        price_ref = fees.ref(row=zone, name=column)
        what = (
            "永久基本农田" if p.basic_farmland and p.land_class.is_agricultural else _CLASS_ZH[p.land_class]
        )
        for category, ratio, ref, payee, label in (
            (Category.LAND_COMPENSATION, r_land, land_ref, collective_payee(coll), "土地补偿费比例"),
            (Category.RESETTLEMENT_SUBSIDY, r_res, res_ref, resettlement_payee(fees, coll), "安置补助费比例"),
        ):
            if ratio == 0:
                continue
            lines.append(
                make_line(
                    subject_id=coll.collective_id,
                    item_id=p.parcel_id,
                    category=category,
                    payee=payee,
                    quantity=exact(p.area_m2),
                    unit="m²",
                    unit_price=price,
                    price_unit="元/亩",
                    factors=(M2_TO_MU, Factor(name=label, value=ratio)),
                    refs=(price_ref, ref),
                    rule=rule,
                    basis=f"被征收{what}面积 × 区片综合地价（{zone}） × {label}",
                    note=note,
                )
            )
    return lines, issues


# --- dispatch ------------------------------------------------------------------------------

#: Rule variants by the name a ``land.fees`` version declares.
VARIANTS: Final[Mapping[str, Callable[[LandCase], LandResult]]] = MappingProxyType(
    {REGIME_A: regime_a, REGIME_B: regime_b}
)


def compute_collective_land(project: Project, collective: Collective, snap: Snapshot) -> LandResult:
    """土地补偿费 and 安置补助费 of the parcels owned by ``collective``.

    The rule variant is the one named by the ``land.fees`` version in ``snap``
    (resolved at the notice date); an unknown variant is an error issue.
    """
    parcels = tuple(p for p in project.parcels if p.owner_collective == collective.collective_id)
    if not parcels:
        return [], []
    fees = snap.get(FEES_KIND)
    if fees is None:
        return [], [issue("TABLE_NOT_FOUND", f"no {FEES_KIND} table resolved", collective.collective_id)]
    rule = VARIANTS.get(fees.variant or "")
    if rule is None:
        return [], [
            issue(
                "UNKNOWN_VARIANT",
                f"{fees.table_id}@{fees.version} names variant '{fees.variant}'; known: {', '.join(VARIANTS)}",
                collective.collective_id,
            )
        ]
    return rule(LandCase(project, collective, parcels, fees, snap))


# --- wording -------------------------------------------------------------------------------

_MODE_ZH: Final = {"exact": "不取整", "half_up": "四舍五入", "up": "进位", "down": "舍去"}

_CLASS_ZH: Final = {
    LandClass.PADDY: "水田",
    LandClass.IRRIGATED: "水浇地",
    LandClass.DRY: "旱地",
    LandClass.GARDEN: "园地",
    LandClass.FOREST: "林地",
    LandClass.GRASS: "草地",
    LandClass.OTHER_AGRICULTURAL: "其他农用地",
    LandClass.CONSTRUCTION: "建设用地",
    LandClass.UNUSED: "未利用地",
}
