"""Helpers for the rule tests: small in-memory tables and projects.

Tables are written as YAML text (the same format as ``tables/``) and parsed by
the real loader, so a test table is validated exactly like a shipped one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from buchang.rules.inputs import Collective, Household, Parcel, Project
from buchang.rules.snapshot import Snapshot
from buchang.tables import Jurisdiction, Level, Table, TableStore, default_tables_dir, load_table_file
from buchang.tables.loader import parse_table
from buchang.tables.yamlsrc import load_yaml

JURISDICTIONS = {
    "100000": Jurisdiction("100000", "中华人民共和国", Level.NATIONAL),
    "310000": Jurisdiction("310000", "上海市", Level.PROVINCE, "100000"),
    "310117": Jurisdiction("310117", "上海市松江区", Level.DISTRICT, "310000"),
}

SOURCE = "{issuer: 测试机关, document: 测试标准, document_number: 测〔2020〕1号, article: 第三条}"


def parse(text: str) -> Table:
    """Parse one table text; fail the test on any loader issue."""
    table, issues = parse_table(load_yaml(text, "<test>"), JURISDICTIONS)
    assert not issues, [str(i) for i in issues]
    assert table is not None
    return table


def national_bounds() -> Table:
    """The shipped national regime-A bounds (official, 土地管理法原第四十七条)."""
    table, issues = load_table_file(default_tables_dir() / "national" / "land_regime_a.yaml", JURISDICTIONS)
    assert table is not None and not issues
    return table


def store(*tables: Table | str, bounds: bool = True) -> TableStore:
    """A store of the given tables (texts are parsed), plus the national bounds."""
    parsed = [parse(t) if isinstance(t, str) else t for t in tables]
    if bounds:
        parsed.append(national_bounds())
    return TableStore(JURISDICTIONS, parsed)


def regime_a_table(
    *,
    aaov: str = "2000",
    land: str = "10",
    person: str = "6",
    rounding: str = "half_up",
    places: str = "0",
    cap_ha: str | None = None,
    total_cap: str | None = None,
    payee: str = "social_security_fund",
    rows: str = "",
    status: str = "official",
) -> str:
    """A ``land.fees`` table for 310117 with one regime-A version (≤ 2019-12-31)."""
    extra = ""
    if cap_ha is not None:
        extra += f'      resettlement_per_hectare_cap: "{cap_ha}"\n'
    if total_cap is not None:
        extra += f'      total_cap: "{total_cap}"\n'
    return f"""\
id: test.land.fees
kind: land.fees
jurisdiction: "310117"
title: 测试土地补偿标准
versions:
  - version: "A"
    variant: output_value_multiples
    status: {status}
    effective_from: 1999-01-01
    effective_to: 2019-12-31
    verified_on: 2030-01-01
    source: {SOURCE}
    fields:
      aaov: {{unit: 元/亩}}
      land_comp_multiple: {{unit: ratio}}
      resettlement_per_person_multiple: {{unit: ratio}}
      resettlement_per_hectare_cap: {{unit: ratio, required: false}}
      total_cap: {{unit: ratio, required: false}}
      persons_rounding: {{unit: text, type: text, choices: [exact, half_up, up, down]}}
      persons_places: {{unit: place, type: int}}
      resettlement_payee: {{unit: text, type: text}}
    columns:
      aaov: {{unit: 元/亩, required: false}}
      land_comp_multiple: {{unit: ratio}}
      resettlement_area_multiple: {{unit: ratio, required: false}}
    values:
      aaov: "{aaov}"
      land_comp_multiple: "{land}"
      resettlement_per_person_multiple: "{person}"
      persons_rounding: {rounding}
      persons_places: "{places}"
      resettlement_payee: {payee}
{extra}    rows:
      - {{key: garden, land_comp_multiple: "8", resettlement_area_multiple: "6"}}
{rows}"""


def regime_b_table(
    *,
    land_ratio: str = "0.4",
    res_ratio: str = "0.6",
    zones: Iterable[str] = (
        '{key: Z1, price: "75000", basic_farmland_price: "78000", construction_price: "75000", '
        'unused_price: "37500"}',
        '{key: Z2, price: "68000"}',
    ),
    start: str = "2020-01-01",
    payee: str = "persons",
    status: str = "official",
) -> str:
    """A ``land.fees`` table for 310117 with one regime-B version (from ``start``)."""
    rows = "".join(f"      - {z}\n" for z in zones)
    return f"""\
id: test.land.fees.b
kind: land.fees
jurisdiction: "310117"
title: 测试区片综合地价
versions:
  - version: "B"
    variant: zone_price
    status: {status}
    effective_from: {start}
    verified_on: 2030-01-01
    source: {SOURCE}
    fields:
      land_comp_ratio: {{unit: ratio}}
      resettlement_ratio: {{unit: ratio}}
      resettlement_payee: {{unit: text, type: text}}
    columns:
      price: {{unit: 元/亩}}
      basic_farmland_price: {{unit: 元/亩, required: false}}
      construction_price: {{unit: 元/亩, required: false}}
      unused_price: {{unit: 元/亩, required: false}}
      land_comp_ratio: {{unit: ratio, required: false}}
      resettlement_ratio: {{unit: ratio, required: false}}
    values:
      land_comp_ratio: "{land_ratio}"
      resettlement_ratio: "{res_ratio}"
      resettlement_payee: {payee}
    rows:
{rows}"""


def collective(**kw: Any) -> Collective:
    base: dict[str, Any] = {
        "collective_id": "C1",
        "name": "示例村一组",
        "account": "6222000000000000011",
        "pre_cultivated_area_m2": Decimal("180000"),
        "agricultural_population": 150,
        "pre_agricultural_area_m2": Decimal("225000"),
        "agricultural_population_16plus": 60,
    }
    base.update(kw)
    return Collective(**base)


def parcel(pid: str, cls: str, area: str, zone: str | None = "Z1", **kw: Any) -> Parcel:
    return Parcel(
        parcel_id=pid, land_class=cls, area_m2=Decimal(area), owner_collective="C1", zone=zone, **kw
    )


def project(
    *,
    notice: date = date(2019, 6, 1),
    parcels: Iterable[Parcel] = (),
    collectives: Iterable[Collective] | None = None,
    households: Iterable[Household] = (),
    jurisdiction: str = "310117",
    approval: date | None = None,
) -> Project:
    return Project(
        project_id="T1",
        name="测试项目",
        jurisdiction=jurisdiction,
        notice_date=notice,
        approval_date=approval,
        collectives=tuple(collectives) if collectives is not None else (collective(),),
        parcels=tuple(parcels),
        households=tuple(households),
    )


def empty_snapshot() -> Snapshot:
    return Snapshot(MappingProxyType({}))
