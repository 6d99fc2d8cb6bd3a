"""Loading and validating standard-table files (shared/spec/domain.md section 5).

Every error names file, line and key; a folder of broken files, one failure each,
pins the code and location of each error.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from buchang.core.errors import Issue, Severity
from buchang.tables import Status, default_tables_dir, load_table_file, load_tables
from buchang.tables.loader import JURISDICTIONS_FILE, load_jurisdictions

BROKEN = Path(__file__).parent / "broken"
SHIPPED_JURISDICTIONS = default_tables_dir() / JURISDICTIONS_FILE
WriteYaml = Callable[..., Path]  # the conftest fixture


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.is_error]


# --- the broken folder -----------------------------------------------------------------

# (file, code, line, key): the line is where the defect is written, as the comment on
# line 1 of each file says; a missing key is reported at its parent mapping's line.
BROKEN_CASES = [
    ("duplicate_key.yaml", "DUPLICATE_KEY", 6, "title"),
    ("unknown_key.yaml", "UNKNOWN_KEY", 13, "versions[0].effective_until"),
    ("missing_key.yaml", "MISSING_KEY", 9, "versions[0].verified_on"),
    ("missing_citation.yaml", "MISSING_CITATION", 9, "versions[0].source"),
    ("blank_article.yaml", "MISSING_CITATION", 13, "versions[0].source.article"),
    ("float_value.yaml", "FLOAT_VALUE", 14, "versions[0].values.price"),
    ("out_of_range.yaml", "OUT_OF_RANGE", 14, "versions[0].values.price"),
    ("invalid_value.yaml", "INVALID_VALUE", 14, "versions[0].values.price"),
    ("invalid_status.yaml", "INVALID_VALUE", 10, "versions[0].status"),
    ("invalid_date.yaml", "INVALID_VALUE", 11, "versions[0].effective_from"),
    ("inverted_range.yaml", "INVALID_RANGE", 12, "versions[0].effective_to"),
    ("overlapping_ranges.yaml", "OVERLAPPING_RANGE", 18, "versions[1].effective_from"),
    ("gapped_ranges.yaml", "GAPPED_RANGE", 18, "versions[1].effective_from"),
    ("open_then_next.yaml", "OVERLAPPING_RANGE", 17, "versions[1].effective_from"),
    ("duplicate_version.yaml", "DUPLICATE_KEY", 16, "versions[1].version"),
    ("duplicate_row_key.yaml", "DUPLICATE_KEY", 19, "versions[0].rows[1].key"),
    ("row_missing_key.yaml", "MISSING_KEY", 19, "versions[0].rows[1]"),
    ("row_out_of_range.yaml", "OUT_OF_RANGE", 18, "versions[0].rows[0].area"),
    ("undeclared_value.yaml", "UNKNOWN_KEY", 14, "versions[0].values.extra"),
    ("missing_value.yaml", "MISSING_KEY", 14, "versions[0].values"),
    ("bad_declared_min.yaml", "INVALID_VALUE", 7, "fields.price.min"),
    ("unknown_jurisdiction.yaml", "UNKNOWN_JURISDICTION", 4, "jurisdiction"),
    ("yaml_syntax.yaml", "YAML_SYNTAX", 10, None),
    ("empty.yaml", "EMPTY_FILE", 1, None),
    ("jurisdictions.yaml", "UNKNOWN_JURISDICTION", 5, "jurisdictions[1].parent"),
]


def test_every_broken_file_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(c[0] for c in BROKEN_CASES)


@pytest.mark.parametrize(("name", "code", "line", "key"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES])
def test_broken_file(name: str, code: str, line: int, key: str | None) -> None:
    path = BROKEN / name
    # As `buchang tables validate FILE` does: shipped jurisdictions plus the file.
    store, issues = load_tables(SHIPPED_JURISDICTIONS, path, include_default=False)
    found = errors(issues)
    assert len(found) == 1, [str(i) for i in found]  # one failure per file
    issue = found[0]
    assert issue.code == code
    assert issue.location.file == str(path)
    assert issue.location.line == line
    assert issue.location.key == key
    assert f"{path}:{line}: [{code}]" in str(issue)
    assert f"line {line}" in path.read_text(encoding="utf-8").splitlines()[0]  # the file says so too
    assert store.tables == ()  # a table with an error is left out


def test_the_broken_folder_reports_every_error_at_once() -> None:
    _, issues = load_tables(SHIPPED_JURISDICTIONS, BROKEN, include_default=False)
    assert sorted((Path(str(i.location.file)).name, i.code) for i in errors(issues)) == sorted(
        (c[0], c[1]) for c in BROKEN_CASES
    )


# --- the shipped tables -------------------------------------------------------------------


def test_shipped_tables_load_clean() -> None:
    store, issues = load_tables()
    assert issues == []
    ids = {t.table_id for t in store.tables}
    assert {"cn.land.regime_a_bounds", "hangzhou.house.resettlement_area"} <= ids


def test_shipped_regime_a_bounds() -> None:
    # 土地管理法 (1998) 第四十七条: 土地补偿费 6–10 倍, 安置补助费 4–6 倍 per person,
    # at most 15 倍 per hectare, the two together at most 30 倍.
    store, _ = load_tables()
    v = store.version("cn.land.regime_a_bounds", "1998")
    assert v is not None
    assert v.status is Status.OFFICIAL
    assert [v.decimal(n) for n in v.values] == [Decimal(x) for x in ("6", "10", "4", "6", "15", "30")]
    assert v.source.article == "第四十七条"
    assert v.unit("total_cap") == "ratio"


def test_shipped_hangzhou_bands() -> None:
    # 杭州 2014 (spec 4.3): 1–2人户 40/80, 3人户 55/120, 4人及以上 18/40 per person.
    store, _ = load_tables()
    v = store.version("hangzhou.house.resettlement_area", "2014")
    assert v is not None
    assert [(r.key, r.decimal("area_min"), r.decimal("area_max")) for r in v.rows] == [
        ("1-2", 40, 80),
        ("3", 55, 120),
        ("4+", 18, 40),
    ]
    assert v.row("4+")["per_person"] is True
    assert v.row("3")["persons_min"] == 3
    assert "persons_max" not in v.row("4+").values  # optional column left out: open band
    assert v.find_row("5") is None
    with pytest.raises(KeyError):
        v.row("5")
    assert v.unit("area_min") == "m2"


# --- tables built here ------------------------------------------------------------------------

TABLE = """\
id: {id}
kind: {kind}
jurisdiction: "{jurisdiction}"
title: 测试单价
fields:
  price: {{unit: 元/m2, min: "0", max: "100000", label: 单价}}
versions:
  - version: "2020"
    status: {status}
    effective_from: 2020-01-01
    verified_on: 2026-11-01
    source: {{issuer: 测试机关, document: 测试文件, document_number: 测〔2020〕1号, article: 第三条}}
    values: {{price: "{price}"}}
"""


def table_text(
    id: str = "t.price",
    kind: str = "test.price",
    jurisdiction: str = "100000",
    status: str = "official",
    price: str = "1200.50",
) -> str:
    return TABLE.format(id=id, kind=kind, jurisdiction=jurisdiction, status=status, price=price)


def test_a_good_table(write_yaml: WriteYaml) -> None:
    path = write_yaml("t.yaml", table_text())
    table, issues = load_table_file(path)
    assert issues == []
    assert table is not None
    v = table.versions[0]
    assert v.decimal("price") == Decimal("1200.50")
    assert v.content_hash.startswith("sha256:") and len(v.content_hash) == 7 + 64
    assert v.line == 8  # the "- version:" line
    ref = v.ref(name="price")
    assert (ref.label(), ref.document, ref.article) == ("t.price@2020.price", "测〔2020〕1号", "第三条")


def test_every_value_error_of_a_file_is_collected(write_yaml: WriteYaml) -> None:
    # Independent defects in the figures: all reported, each at its own line and key.
    text = table_text().replace('    values: {price: "1200.50"}\n', "")
    text = text.replace("  price: {unit", '  rate: {unit: ratio, max: "1"}\n  price: {unit')
    text += '    values:\n      price: 1200.5\n      rate: "2"\n      extra: "1"\n'
    path = write_yaml("t.yaml", text)
    _, issues = load_table_file(path)
    assert sorted((i.code, i.location.line, i.location.key) for i in issues) == [
        ("FLOAT_VALUE", 15, "versions[0].values.price"),  # unquoted 1200.5
        ("OUT_OF_RANGE", 16, "versions[0].values.rate"),  # 2 > declared max 1
        ("UNKNOWN_KEY", 17, "versions[0].values.extra"),  # not declared
    ]


def test_every_schema_error_of_a_file_is_collected(write_yaml: WriteYaml) -> None:
    # The loader works in stages (YAML → schema → figures); within the schema stage all
    # errors are reported together. Figures are checked once the structure is right.
    text = table_text().replace("status: official", "status: draft").replace("title: 测试单价\n", "")
    text = text.replace("    verified_on: 2026-11-01\n", "    verified: 2026-11-01\n")
    path = write_yaml("t.yaml", text)
    _, issues = load_table_file(path)
    assert sorted((i.code, i.location.line, i.location.key) for i in issues) == [
        ("INVALID_VALUE", 8, "versions[0].status"),
        ("MISSING_KEY", 1, "title"),  # reported at the top mapping
        ("MISSING_KEY", 7, "versions[0].verified_on"),  # reported at the version
        ("UNKNOWN_KEY", 10, "versions[0].verified"),
    ]


def test_unquoted_integers_and_dates_are_fine(write_yaml: WriteYaml) -> None:
    # Only YAML floats lose digits; 1200 and 2020-01-01 stay exact text.
    path = write_yaml("t.yaml", table_text().replace('"1200.50"', "1200"))
    table, issues = load_table_file(path)
    assert issues == [] and table is not None
    assert table.versions[0].values["price"] == Decimal(1200)


def test_two_tables_of_one_kind_for_one_jurisdiction(write_yaml: WriteYaml, tmp_path: Path) -> None:
    write_yaml("user/a.yaml", table_text(id="a.price"))
    write_yaml("user/b.yaml", table_text(id="b.price", price="1300"))
    store, issues = load_tables(tmp_path / "user")
    (issue,) = errors(issues)
    assert issue.code == "AMBIGUOUS_TABLE"
    assert issue.location.file == str(tmp_path / "user" / "b.yaml")
    assert [t.table_id for t in store.tables if t.kind == "test.price"] == ["a.price"]


def test_a_users_folder_overrides_a_shipped_table(tmp_path: Path) -> None:
    # A district office replaces the national bounds with its own file of the same id.
    shipped = default_tables_dir() / "national" / "land_regime_a.yaml"
    text = shipped.read_text(encoding="utf-8").replace('total_cap: "30"', 'total_cap: "25"')
    (tmp_path / "mine.yaml").write_text(text, encoding="utf-8")
    store, issues = load_tables(tmp_path)
    assert [(i.code, i.severity, i.location.file) for i in issues] == [
        ("TABLE_OVERRIDDEN", Severity.INFO, str(tmp_path / "mine.yaml"))
    ]
    v = store.version("cn.land.regime_a_bounds", "1998")
    assert v is not None
    assert v.decimal("total_cap") == 25
    assert v.file == str(tmp_path / "mine.yaml")
    shipped_store, _ = load_tables()
    shipped_v = shipped_store.version("cn.land.regime_a_bounds", "1998")
    assert shipped_v is not None and shipped_v.content_hash != v.content_hash


def test_users_jurisdictions_extend_the_shipped_ones(write_yaml: WriteYaml, tmp_path: Path) -> None:
    write_yaml(
        "user/jurisdictions.yaml",
        """
        jurisdictions:
          - {code: "330108", name: 杭州市滨江区, level: district, parent: "330100"}
        """,
    )
    write_yaml("user/x.yaml", table_text(jurisdiction="330108"))
    store, issues = load_tables(tmp_path / "user")
    assert issues == []
    assert store.chain("330108") == ("330108", "330100", "330000", "100000")


def test_conflicting_jurisdiction(write_yaml: WriteYaml, tmp_path: Path) -> None:
    path = write_yaml(
        "user/jurisdictions.yaml",
        """
        jurisdictions:
          - {code: "330100", name: 杭州, level: city, parent: "330000"}
        """,
    )
    _, issues = load_tables(tmp_path / "user")
    (issue,) = issues
    assert (issue.code, issue.location.file, issue.location.line) == (
        "CONFLICTING_JURISDICTION",
        str(path),
        2,
    )


def test_duplicate_jurisdiction_code(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        "jurisdictions.yaml",
        """
        jurisdictions:
          - {code: "1", name: a, level: national}
          - {code: "1", name: a, level: national}
        """,
    )
    _, issues = load_jurisdictions([path])
    assert [(i.code, i.location.line) for i in issues] == [("DUPLICATE_KEY", 3)]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    _, issues = load_tables(tmp_path / "nope", include_default=False)
    assert [i.code for i in issues] == ["UNREADABLE"]


def test_version_with_its_own_fields(write_yaml: WriteYaml) -> None:
    # 松江's land fees switch structure in 2020: a version may replace the declarations.
    text = table_text().replace(
        "effective_from: 2020-01-01", "effective_from: 2019-01-01\n    effective_to: 2019-12-31"
    )
    text = text.replace('version: "2020"', 'version: "2019"')
    text += """\
  - version: "2020"
    status: official
    effective_from: 2020-01-01
    verified_on: 2026-11-01
    source: {issuer: 测试机关, document: 新文件, article: 第四条}
    fields:
      zone_price: {unit: 元/亩, min: "0"}
    values: {zone_price: "75000"}
"""
    path = write_yaml("t.yaml", text)
    table, issues = load_table_file(path)
    assert issues == [] and table is not None
    old, new = table.versions
    assert old.has("price") and not old.has("zone_price")
    assert new.decimal("zone_price") == 75000 and new.unit("zone_price") == "元/亩"
    with pytest.raises(KeyError):
        new.value("price")


# --- content hash -----------------------------------------------------------------------------


def _hash(path: Path) -> str:
    table, issues = load_table_file(path)
    assert issues == [] and table is not None
    return table.versions[0].content_hash


def test_hash_is_stable_across_loads_and_layout(write_yaml: WriteYaml, tmp_path: Path) -> None:
    a = write_yaml("a.yaml", table_text())
    assert _hash(a) == _hash(a)
    # Comments, block instead of flow style, quoting: the same content, the same hash.
    b = write_yaml(
        "b/c/b.yaml",
        table_text()
        .replace('values: {price: "1200.50"}', "# 单价\n    values:\n      price: '1200.50'")
        .replace("title: 测试单价", "title: 测试单价   # comment"),
    )
    assert _hash(a) == _hash(b)
    # The file's location is not part of the content either.
    c = tmp_path / "elsewhere.yaml"
    shutil.copy(a, c)
    assert _hash(c) == _hash(a)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"1200.50"', '"1200.51"'),  # a figure, by one fen
        ('"1200.50"', '"1200.5"'),  # the figure as written (1200.5 == 1200.50, but not as text)
        ("article: 第三条", "article: 第四条"),  # the citation
        ("status: official", "status: secondary"),  # the status
        ("effective_from: 2020-01-01", "effective_from: 2020-01-02"),  # the range
        ('max: "100000"', 'max: "90000"'),  # a declaration in the header
    ],
)
def test_hash_changes_with_any_content(write_yaml: WriteYaml, old: str, new: str) -> None:
    base = table_text()
    assert old in base
    assert _hash(write_yaml("a.yaml", base)) != _hash(write_yaml("b.yaml", base.replace(old, new)))
