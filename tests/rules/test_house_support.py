"""Shared builders for the house-rule tests (spec 4.3/4.4), plus checks of the house tables themselves.

The worked cases read the shipped tables through the same path the engine uses
(:func:`resolve_snapshot` with :data:`HOUSE_NEEDS`), so a figure in a test's
comment is derived from the cited table row; in-memory tables are used where a
test needs a figure no shipped table has (a second variant, a missing value).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from buchang.core.errors import Issue
from buchang.core.money import to_fen
from buchang.rules.house import HOUSE_NEEDS, compute_household_houses
from buchang.rules.inputs import Building, Choices, Flat, Household, Member, Project, Sex
from buchang.rules.lines import Line
from buchang.rules.snapshot import DateBasis, Snapshot, resolve_snapshot
from buchang.tables import TableStore, TableVersion, load_tables
from buchang.tables.loader import parse_table
from buchang.tables.model import Status
from buchang.tables.yamlsrc import load_yaml

# --- builders -------------------------------------------------------------------------


@cache
def store() -> TableStore:
    s, issues = load_tables()
    errors = [str(i) for i in issues if i.is_error]
    assert not errors, errors
    return s


def members(n: int, **flags: bool) -> tuple[Member, ...]:
    """``n`` registered residents; ``flags`` (married_childless …) set on the first one."""
    out = []
    for i in range(n):
        extra = flags if i == 0 else {}
        out.append(
            Member(member_id=f"m{i}", name=f"成员{i}", sex=Sex.MALE, birth_date=date(1980, 1, 1), **extra)
        )
    return tuple(out)


def building(
    bid: str = "B1",
    area: str = "100",
    structure: str = "brick_concrete_2",
    newness: str = "1",
    **kw: Any,
) -> Building:
    return Building(
        building_id=bid, structure=structure, legal_area_m2=Decimal(area), newness=Decimal(newness), **kw
    )


def flats(*areas: str) -> tuple[Flat, ...]:
    return tuple(Flat(flat_id=f"F{i + 1}", area_m2=Decimal(a)) for i, a in enumerate(areas))


def household(
    *buildings: Building, persons: int = 3, people: tuple[Member, ...] | None = None, **choices: Any
) -> Household:
    return Household(
        household_id="H1",
        head_name="张三",
        account="6222020200000000000",
        members=members(persons) if people is None else people,
        buildings=buildings,
        choices=Choices(**choices),
    )


def project(jurisdiction: str, notice: date, **kw: Any) -> Project:
    return Project(project_id="P1", name="测试项目", jurisdiction=jurisdiction, notice_date=notice, **kw)


def snapshot_for(p: Project) -> Snapshot:
    return resolve_snapshot(
        store(), p.jurisdiction, HOUSE_NEEDS, notice=p.notice_date, valuation=p.valuation_date
    )


def compute(p: Project, h: Household, snap: Snapshot | None = None) -> tuple[list[Line], list[Issue]]:
    return compute_household_houses(p, h, snapshot_for(p) if snap is None else snap)


def rule_lines(lines: Iterable[Line], rule: str) -> list[Line]:
    """Lines whose rule is ``rule`` or starts with ``rule.``."""
    return [ln for ln in lines if ln.rule == rule or ln.rule.startswith(rule + ".")]


def one(lines: Iterable[Line], rule: str) -> Line:
    found = [ln for ln in lines if ln.rule == rule]
    assert len(found) == 1, [ln.rule for ln in lines]
    return found[0]


def fen(yuan: str) -> int:
    return to_fen(Decimal(yuan))


def total(lines: Iterable[Line]) -> int:
    return sum(ln.amount_fen for ln in lines)


def codes(issues: Iterable[Issue]) -> list[str]:
    return [i.code for i in issues]


def version_from_yaml(text: str) -> TableVersion:
    """An in-memory table version (first version of a YAML table text), validated by the loader."""
    table, issues = parse_table(load_yaml(textwrap.dedent(text).lstrip("\n"), "<test>"), None)
    assert table is not None and not issues, [str(i) for i in issues]
    return table.versions[0]


def snapshot_of(*versions: TableVersion, base: Snapshot | None = None) -> Snapshot:
    """A snapshot holding ``versions`` by kind (over ``base``'s)."""
    merged = dict(base.versions) if base is not None else {}
    merged.update({v.kind: v for v in versions})
    return Snapshot(MappingProxyType(merged))


# --- the house tables themselves --------------------------------------------------------

_TABLES = Path(__file__).resolve().parents[2] / "tables"
HOUSE_TABLE_FILES = [
    *sorted(p for p in _TABLES.rglob("*.yaml") if p.name.startswith("house_")),
    _TABLES / "zhejiang" / "hangzhou" / "resettlement_area.yaml",
]

#: Versions whose figures are checked in the spec's [confirmed] text: the only ``official`` ones.
OFFICIAL = {
    ("cn.house.state_compensation", "2011"),
    ("zhejiang.house.transition", "2020"),
    ("zhejiang.house.state_transition", "2020"),
    ("zhejiang.house.state_compensation", "2020"),
    ("hangzhou.house.exchange_settlement", "2014"),
    ("hangzhou.house.resettlement_area", "2014"),
}
#: The spec's [secondary] figures (永州 2024).
SECONDARY = {("yongzhou.house.collective_price", "2024"), ("yongzhou.house.rewards", "2024")}


def _house_versions() -> list[TableVersion]:
    kinds = {n.kind for n in HOUSE_NEEDS} | {"house.resettlement_area"}
    return [v for t in store().tables if t.kind in kinds for v in t.versions]


def test_every_house_table_file_loads_into_the_store() -> None:
    ids = {t.file for t in store().tables}
    for f in HOUSE_TABLE_FILES:
        assert str(f) in ids, f


def test_statuses_are_honest() -> None:
    """official only for [confirmed] figures, secondary for 永州, illustrative otherwise, with a note saying so."""
    for v in _house_versions():
        key = (v.table_id, v.version)
        if key in OFFICIAL:
            assert v.status is Status.OFFICIAL, key
        elif key in SECONDARY:
            assert v.status is Status.SECONDARY, key
        else:
            assert v.status is Status.ILLUSTRATIVE, key
            assert v.notes is not None and "illustrative" in v.notes.lower(), key


def test_needs_date_basis_by_tenure() -> None:
    """Collective-land houses follow the notice date, state-land houses the 征收决定公告 date (Art. 19)."""
    for need in HOUSE_NEEDS:
        expected = DateBasis.VALUATION if need.kind.startswith("house.state") else DateBasis.NOTICE
        assert need.basis is expected, need
        assert need.optional


def test_needs_for_a_household_follow_its_tenures() -> None:
    from buchang.rules.house import COLLECTIVE_HOUSE_NEEDS, STATE_HOUSE_NEEDS, house_needs_for
    from buchang.rules.inputs import LandTenure

    assert house_needs_for(household(building())) == COLLECTIVE_HOUSE_NEEDS
    assert house_needs_for(household(building(tenure=LandTenure.STATE))) == STATE_HOUSE_NEEDS
    both = household(building("C"), building("S", tenure=LandTenure.STATE))
    assert set(house_needs_for(both)) == set(HOUSE_NEEDS)
    assert house_needs_for(household()) == ()


def test_every_variant_named_by_a_table_has_a_rule() -> None:
    from buchang.rules.house import BAND_VARIANTS, MONEY_VARIANTS, SETTLEMENT_VARIANTS, STATE_VARIANTS

    by_kind = {
        "house.collective_price": MONEY_VARIANTS,
        "house.resettlement_area": BAND_VARIANTS,
        "house.exchange_settlement": SETTLEMENT_VARIANTS,
        "house.state_compensation": STATE_VARIANTS,
    }
    for v in _house_versions():
        if v.kind in by_kind:
            assert v.variant in by_kind[v.kind], (v.table_id, v.variant)
