"""Lookup by jurisdiction chain and governing date (shared/spec/domain.md section 3).

district → city → province → national, the first level with a table of the kind
answers and is recorded; before the first version is an error; after
effective_to / verified_on a warning (an error in strict mode); a non-official
version always says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from buchang.core.errors import Severity
from buchang.tables import Jurisdiction, Level, Resolution, TableStore, default_tables_dir, load_tables
from buchang.tables.loader import JURISDICTIONS_FILE

WriteYaml = Callable[..., Path]  # the conftest fixture

VERSION = """\
  - version: "{v}"
    status: {status}
    effective_from: {start}
    effective_to: {end}
    verified_on: {verified}
    source: {{issuer: 测试机关, document: 测试文件 {v}, article: 第五条}}
    values: {{fee: "{fee}"}}
"""


def table(id: str, jurisdiction: str, *versions: tuple[str, str, str, str, str, str]) -> str:
    head = (
        f'id: {id}\nkind: test.fee\njurisdiction: "{jurisdiction}"\ntitle: 测试费用\n'
        'fields:\n  fee: {unit: 元/户, min: "0"}\nversions:\n'
    )
    return head + "".join(
        VERSION.format(v=v, status=s, start=a, end=b, verified=c, fee=f) for v, s, a, b, c, f in versions
    )


@pytest.fixture
def store(write_yaml: WriteYaml, tmp_path: Path) -> TableStore:
    # national: 2015 (2015-01-01 – 2019-12-31, official), 2020 (2020-01-01 – 2022-12-31,
    #   secondary, verified 2022-06-30); province 浙江 330000: 2018 open, illustrative;
    # district 松江 310117: 2021 open, official.
    write_yaml(
        "t/national.yaml",
        table(
            "n.fee",
            "100000",
            ("2015", "official", "2015-01-01", "2019-12-31", "2026-11-01", "100"),
            ("2020", "secondary", "2020-01-01", "2022-12-31", "2022-06-30", "120"),
        ),
    )
    write_yaml(
        "t/zj.yaml",
        table("zj.fee", "330000", ("2018", "illustrative", "2018-01-01", "null", "2026-11-01", "150")),
    )
    write_yaml(
        "t/sj.yaml",
        table("sj.fee", "310117", ("2021", "official", "2021-01-01", "null", "2026-11-01", "200")),
    )
    s, issues = load_tables(default_tables_dir() / JURISDICTIONS_FILE, tmp_path / "t", include_default=False)
    assert issues == []
    return s


def codes(r: Resolution) -> list[tuple[str, Severity]]:
    return [(i.code, i.severity) for i in r.issues]


W, E = Severity.WARNING, Severity.ERROR


def test_district_answers_itself(store: TableStore) -> None:
    r = store.resolve("test.fee", "310117", date(2021, 1, 1))
    assert r.ok and r.version is not None
    assert (r.answered_by, r.level, r.version.table_id) == ("310117", "district", "sj.fee")
    assert r.chain == ("310117", "310000", "100000")
    assert codes(r) == []


def test_city_asks_province_answers(store: TableStore) -> None:
    r = store.resolve("test.fee", "330100", date(2020, 6, 1))
    assert r.version is not None
    assert (r.answered_by, r.level, r.version.decimal("fee")) == ("330000", "province", 150)
    assert r.chain == ("330100", "330000", "100000")
    # illustrative figures: usable, but every output must say so
    assert codes(r) == [("TABLE_NOT_OFFICIAL", W)]
    assert r.ok


def test_district_asks_national_answers(store: TableStore) -> None:
    # 宝山 310113 has no table; neither has 上海 310000: the national table answers.
    r = store.resolve("test.fee", "310113", date(2016, 5, 1))
    assert r.version is not None
    assert (r.answered_by, r.level, r.version.version) == ("100000", "national", "2015")
    assert r.chain == ("310113", "310000", "100000")
    assert codes(r) == []


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (date(2015, 1, 1), "2015"),  # first day of the first version
        (date(2019, 12, 31), "2015"),  # last day of 2015
        (date(2020, 1, 1), "2020"),  # first day of 2020
    ],
)
def test_range_boundaries(store: TableStore, on: date, version: str) -> None:
    r = store.resolve("test.fee", "310113", on)
    assert r.version is not None and r.version.version == version


def test_before_the_first_version_is_an_error(store: TableStore) -> None:
    r = store.resolve("test.fee", "310113", date(2014, 12, 31))
    assert not r.ok and r.version is None
    assert codes(r) == [("DATE_BEFORE_FIRST_VERSION", E)]
    assert r.issues[0].location.file is not None and r.issues[0].location.file.endswith("national.yaml")


def test_before_the_first_version_of_the_nearest_table(store: TableStore) -> None:
    # 松江's own table starts 2021-01-01; its answer is authoritative: no falling back to national.
    r = store.resolve("test.fee", "310117", date(2020, 12, 31))
    assert (r.version, r.answered_by) == (None, "310117")
    assert codes(r) == [("DATE_BEFORE_FIRST_VERSION", E)]


def test_non_official_secondary(store: TableStore) -> None:
    r = store.resolve("test.fee", "310113", date(2021, 3, 1))
    assert codes(r) == [("TABLE_NOT_OFFICIAL", W)]
    assert "secondary" in r.issues[0].message


def test_on_verified_on_is_fine_after_it_warns(store: TableStore) -> None:
    on_day = store.resolve("test.fee", "310113", date(2022, 6, 30))
    assert [c for c, _ in codes(on_day)] == ["TABLE_NOT_OFFICIAL"]
    after = store.resolve("test.fee", "310113", date(2022, 7, 1))
    assert codes(after) == [("DATE_AFTER_VERIFIED", W), ("TABLE_NOT_OFFICIAL", W)]
    assert after.ok  # warnings only


def test_after_effective_to_warns_and_uses_the_last_version(store: TableStore) -> None:
    r = store.resolve("test.fee", "310113", date(2023, 1, 1))
    assert r.version is not None and r.version.version == "2020"
    assert codes(r) == [("DATE_AFTER_EFFECTIVE_TO", W), ("DATE_AFTER_VERIFIED", W), ("TABLE_NOT_OFFICIAL", W)]
    assert r.ok


def test_strict_mode_turns_staleness_into_errors(store: TableStore) -> None:
    r = store.resolve("test.fee", "310113", date(2023, 1, 1), strict=True)
    assert codes(r) == [("DATE_AFTER_EFFECTIVE_TO", E), ("DATE_AFTER_VERIFIED", E), ("TABLE_NOT_OFFICIAL", W)]
    assert not r.ok
    assert r.version is not None  # still said which version it would have been


def test_unknown_kind(store: TableStore) -> None:
    r = store.resolve("test.nothing", "310117", date(2021, 1, 1))
    assert codes(r) == [("TABLE_NOT_FOUND", E)]
    assert r.chain == ("310117", "310000", "100000") and r.answered_by is None


def test_unknown_jurisdiction(store: TableStore) -> None:
    r = store.resolve("test.fee", "999999", date(2021, 1, 1))
    assert codes(r) == [("UNKNOWN_JURISDICTION", E), ("TABLE_NOT_FOUND", E)]
    assert r.chain == ("999999",)


def test_lookups_by_id_version_and_hash(store: TableStore) -> None:
    v = store.version("n.fee", "2020")
    assert v is not None
    assert store.by_hash(v.content_hash) is v
    assert store.by_hash("sha256:nope") is None
    assert store.version("n.fee", "1999") is None
    assert store.table("nope") is None
    t = store.table("n.fee")
    assert t is not None and t.version_on(date(2014, 1, 1)) is None


def test_chain_stops_on_a_cycle() -> None:
    js = {
        "a": Jurisdiction("a", "A", Level.DISTRICT, "b"),
        "b": Jurisdiction("b", "B", Level.CITY, "a"),
    }
    assert TableStore(js, []).chain("a") == ("a", "b")


# --- the shipped tables ----------------------------------------------------------------------


def test_songjiang_old_regime() -> None:
    # Songjiang (2021): a 拟征地告知书 published on or before 2019-12-31 follows the old rules —
    # the national regime-A bounds, 土地管理法 (1998) 第四十七条, found via 松江 → 上海 → 国家.
    store, _ = load_tables()
    r = store.resolve("land.regime_a_bounds", "310117", date(2019, 12, 31))
    assert r.ok and r.version is not None
    assert (r.answered_by, r.level, r.version.version) == ("100000", "national", "1998")
    assert r.version.decimal("land_comp_multiple_max") == Decimal(10)
    assert codes(r) == []
    # from 2020-01-01 the regime has ended: a warning (an error in strict mode)
    after = store.resolve("land.regime_a_bounds", "310117", date(2020, 1, 1))
    assert codes(after) == [("DATE_AFTER_EFFECTIVE_TO", W)]
    assert not store.resolve("land.regime_a_bounds", "310117", date(2020, 1, 1), strict=True).ok
    # the 1998 Act's regime starts 1999-01-01
    before = store.resolve("land.regime_a_bounds", "310117", date(1998, 12, 31))
    assert codes(before) == [("DATE_BEFORE_FIRST_VERSION", E)]


def test_hangzhou_city_answers() -> None:
    store, _ = load_tables()
    r = store.resolve("house.resettlement_area", "330100", date(2020, 6, 1))
    assert r.version is not None and (r.answered_by, r.level) == ("330100", "city")
    assert r.version.row("3").decimal("area_max") == 120  # 3人户: at most 120 m²
