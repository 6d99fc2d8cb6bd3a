"""The engine: tables resolved per family at the right governing date, subjects assembled,
issues as values (never exceptions), non-official tables flagged on every affected subject."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from tests.rules.rules_kit import collective, parcel, project, regime_a_table, store

from buchang.rules.engine import compute_household, compute_project
from buchang.rules.inputs import Attachment, Household, Member, Project
from buchang.rules.io import read_project
from buchang.rules.lines import Category, ProjectResult, SubjectKind
from buchang.tables import Status, TableStore, load_tables

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "songjiang_small.yaml"


@pytest.fixture(scope="module")
def shipped() -> TableStore:
    st, issues = load_tables()
    assert not [i for i in issues if i.is_error], [str(i) for i in issues]
    return st


@pytest.fixture(scope="module")
def example() -> Project:
    proj, issues = read_project(EXAMPLE)
    assert proj is not None, [str(i) for i in issues]
    return proj


@pytest.fixture(scope="module")
def result(example: Project, shipped: TableStore) -> ProjectResult:
    return compute_project(example, shipped)


def test_example_project_totals(result: ProjectResult) -> None:
    # Hand check of collective C01 (区片 songjiang-I 75,000 元/亩, split 0.4/0.6, illustrative):
    # P01 paddy 12000 m² = 18 亩 → 1,350,000; P02 garden 3000 m² = 4.5 亩 → 337,500;
    # P03 construction 800 m² = 1.2 亩 × 75,000 → 90,000; total 1,777,500.00.
    by_id = {s.subject_id: s for s in result.subjects}
    assert by_id["C01"].total_fen == 177750000
    # H01: 水稻青苗 18 亩 × 2500 = 45,000; 水井 1 × 1500; 陈建国 (M, 62) 220,000; 王秀英 (F, 53) 180,000.
    assert by_id["H01"].total_fen == (45000 + 1500 + 220000 + 180000) * 100
    assert [s.kind for s in result.subjects[:3]] == [SubjectKind.COLLECTIVE] * 3
    assert result.total_fen == sum(s.total_fen for s in result.subjects)
    for s in result.subjects:
        assert s.total_fen == sum(line.amount_fen for line in s.lines)
    assert not [i for i in result.issues if i.is_error]


def test_example_after_notice_item_is_zero(result: ProjectResult) -> None:
    h04 = next(s for s in result.subjects if s.subject_id == "H04")
    a08 = next(line for line in h04.lines if line.item_id == "A08")
    assert a08.amount_fen == 0 and "不予补偿" in a08.note


def test_tables_used_and_non_official_warning_on_every_subject(result: ProjectResult) -> None:
    used = {(t.table_id, t.version) for t in result.tables}
    assert ("songjiang.land.fees", "2020-B") in used
    assert ("shanghai.attachments.items", "1999") in used
    assert ("shanghai.social_security.groups", "2017") in used
    assert all(t.status is Status.ILLUSTRATIVE for t in result.non_official)
    for s in result.subjects:
        cited = {ref.table_id for line in s.lines for ref in line.refs if ref.status is not Status.OFFICIAL}
        flagged = {i.message.split("@")[0] for i in s.issues if i.code == "TABLE_NOT_OFFICIAL"}
        assert cited <= flagged, s.subject_id
        assert s.table_hashes  # every subject with lines records the hashes of its tables


def test_every_line_is_complete(result: ProjectResult) -> None:
    for s in result.subjects:
        for line in s.lines:
            assert line.subject_id == s.subject_id
            assert line.category in Category
            assert line.payee.name and line.unit and line.price_unit and line.rule
            # a zero line saying why nothing is paid (an illegal shed) may cite no table
            assert line.refs or line.amount_fen == 0
            assert all(r.table_id and r.version and r.document and r.article for r in line.refs)
            assert line.amount_fen == line.recompute_fen()
            assert line.amount_fen >= 0


def test_social_security_is_its_own_fund(result: ProjectResult) -> None:
    lines = [line for s in result.subjects for line in s.lines if line.category is Category.SOCIAL_SECURITY]
    assert len(lines) == 7  # 4 named in C01 (H01, H02) and 3 in C02 (H03, H04)
    assert {line.payee.kind.value for line in lines} == {"social_security_fund"}


def test_regime_a_run_lists_the_national_bounds(example: Project, shipped: TableStore) -> None:
    old = compute_project(example.model_copy(update={"notice_date": date(2019, 12, 31)}), shipped)
    used = {t.table_id for t in old.tables}
    assert {"cn.land.regime_a_bounds", "songjiang.land.fees"} <= used
    # the same land, the old regime: C01 = 10 × 2000 × 18 + 10 persons × 6 × 2000 + garden + construction
    c01 = next(s for s in old.subjects if s.subject_id == "C01")
    assert {line.rule for line in c01.lines} == {"land.output_value_multiples"}


def test_missing_table_is_an_issue_on_the_result(shipped: TableStore) -> None:
    # 山东省 (370000) has no land fees table: TABLE_NOT_FOUND, an error, no lines, no exception.
    proj = project(jurisdiction="370000", notice=date(2021, 1, 1), parcels=[parcel("P", "paddy", "1000")])
    r = compute_project(proj, shipped)
    assert not r.subjects[0].lines
    assert any(i.code == "TABLE_NOT_FOUND" and i.is_error for i in r.subjects[0].issues)
    assert any(i.code == "TABLE_NOT_FOUND" for i in r.issues)


def test_error_resolution_stops_the_family() -> None:
    # A notice before the first version (1999-01-01) is an error: land is not computed.
    proj = project(notice=date(1998, 6, 1), parcels=[parcel("P", "paddy", "1000")])
    r = compute_project(proj, store(regime_a_table()))
    assert not r.subjects[0].lines
    assert any(i.code == "DATE_BEFORE_FIRST_VERSION" for i in r.issues)


def test_strict_mode_turns_stale_tables_into_errors() -> None:
    # The test table is verified until 2030-01-01 but ends 2019-12-31: a 2021 notice → after
    # effective_to: a warning normally (computed), an error in strict mode (not computed).
    proj = project(notice=date(2021, 1, 1), parcels=[parcel("P", "paddy", "12000")])
    lax = compute_project(proj, store(regime_a_table()))
    strict = compute_project(proj, store(regime_a_table()), strict=True)
    assert lax.subjects[0].lines and not strict.subjects[0].lines
    assert any(i.code == "DATE_AFTER_EFFECTIVE_TO" and i.is_error for i in strict.issues)


def test_input_consistency_issues() -> None:
    proj = project(
        parcels=[parcel("P", "paddy", "1000"), parcel("P", "paddy", "1000")],
        households=[Household(household_id="H", head_name="x", collective="C9")],
    ).model_copy(update={"collectives": (collective(), collective())})
    r = compute_project(proj, store(regime_a_table()))
    found = {i.code for i in r.issues}
    assert {"DUPLICATE_ID", "UNKNOWN_COLLECTIVE"} <= found


def test_household_without_buildings_and_compute_household(shipped: TableStore) -> None:
    h = Household(
        household_id="H",
        head_name="x",
        members=(Member(member_id="m", name="x", sex="M", birth_date=date(1970, 1, 1)),),
        attachments=(Attachment(item_id="a", item_code="well", quantity=Decimal(2), owner="x"),),
    )
    proj = project(notice=date(2020, 3, 16), households=[h])
    r = compute_household(proj, h, shipped)
    assert r.kind is SubjectKind.HOUSEHOLD
    assert [line.amount for line in r.lines] == [Decimal("3000.00")]  # 2 口 × 1500


def test_same_inputs_same_fen(example: Project, shipped: TableStore) -> None:
    a = compute_project(example, shipped)
    b = compute_project(example, shipped)
    assert a == b
    assert a.model_dump_json() == b.model_dump_json()


def test_collective_without_parcels_needs_no_land_table(shipped: TableStore) -> None:
    proj = project(jurisdiction="370000", notice=date(2021, 1, 1))
    r = compute_project(proj, shipped)
    assert not r.subjects[0].lines and not r.subjects[0].issues
