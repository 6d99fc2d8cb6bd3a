"""Property tests (hypothesis): conservation, reproducible arithmetic, caps, after-notice
zeros, non-negative amounts, monotonicity in area and price, determinism."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.rules.rules_kit import collective, parcel, project, regime_a_table, regime_b_table, store

from buchang.rules.engine import compute_collective, compute_household, compute_project
from buchang.rules.inputs import Attachment, Household, Parcel
from buchang.rules.lines import Category, SubjectResult
from buchang.tables import TableStore, load_tables

SETTINGS = settings(max_examples=40, deadline=None)

areas = st.decimals(min_value=Decimal("0"), max_value=Decimal("200000"), places=2)
positive_areas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200000"), places=2)
classes = st.sampled_from(["paddy", "dry", "garden", "forest", "construction", "unused"])


@cache
def shipped() -> TableStore:
    return load_tables()[0]


@cache
def store_a(rounding: str) -> TableStore:
    return store(regime_a_table(rounding=rounding, places="0"))


@cache
def store_b(price: int, basic: int, ratio_cents: int) -> TableStore:
    ratio = Decimal(ratio_cents) / 100
    zone = (
        f'{{key: Z1, price: "{price}", basic_farmland_price: "{basic}", '
        f'construction_price: "{price}", unused_price: "{price // 2}"}}'
    )
    return store(regime_b_table(land_ratio=str(ratio), res_ratio=str(1 - ratio), zones=[zone]))


def b_result(parcels: list[Parcel], price: int, ratio_cents: int) -> SubjectResult:
    proj = project(notice=date(2020, 6, 1), parcels=parcels)
    return compute_collective(proj, proj.collectives[0], store_b(price, price + 3000, ratio_cents))


def check_lines(result: SubjectResult) -> None:
    assert result.total_fen == sum(line.amount_fen for line in result.lines)
    for line in result.lines:
        assert line.amount_fen == line.recompute_fen()
        assert line.amount_fen >= 0


parcel_lists = st.lists(st.tuples(classes, areas, st.booleans()), min_size=1, max_size=5).map(
    lambda specs: [
        parcel(f"P{i}", cls, str(area), basic_farmland=basic) for i, (cls, area, basic) in enumerate(specs)
    ]
)


@SETTINGS
@given(parcel_lists, st.integers(1000, 300000), st.integers(0, 100))
def test_regime_b_conservation(parcels: list[Parcel], price: int, ratio_cents: int) -> None:
    r = b_result(parcels, price, ratio_cents)
    check_lines(r)
    # the two shares of a parcel add up to its zone value within one fen (each rounded once)
    for p in parcels:
        mine = [line for line in r.lines if line.item_id == p.parcel_id]
        if not mine:
            continue
        value = sum((line.exact_amount() for line in mine), Fraction(0))
        assert abs(sum(line.amount_fen for line in mine) - value * 100) <= 1


@SETTINGS
@given(classes, positive_areas, positive_areas, st.integers(1000, 300000), st.integers(1, 5000))
def test_regime_b_monotonic_in_area_and_price(
    cls: str, a1: Decimal, a2: Decimal, price: int, more: int
) -> None:
    small, large = sorted((a1, a2))
    ratio = 40
    base = b_result([parcel("P", cls, str(small))], price, ratio).total_fen
    assert b_result([parcel("P", cls, str(large))], price, ratio).total_fen >= base
    assert b_result([parcel("P", cls, str(small))], price + more, ratio).total_fen >= base


@SETTINGS
@given(
    st.sampled_from(["exact", "half_up", "up", "down"]),
    st.integers(1, 2000),
    st.integers(1000, 1000000),
    st.integers(1, 100),
    st.integers(100, 5000),
)
def test_regime_a_caps_always_hold(rounding: str, population: int, pre: int, share: int, aaov: int) -> None:
    taken = Decimal(pre * share) / 100  # up to the whole pre-expropriation area
    proj = project(
        parcels=[parcel("P", "paddy", str(taken.quantize(Decimal("0.01"))))],
        collectives=[
            collective(
                pre_cultivated_area_m2=Decimal(pre),
                agricultural_population=population,
                average_annual_output_value=Decimal(aaov),
            )
        ],
    )
    r = compute_collective(proj, proj.collectives[0], store_a(rounding))
    check_lines(r)
    mu = Fraction(proj.parcels[0].area_m2) * Fraction(15, 10000)
    res = sum(line.amount_fen for line in r.lines if line.category is Category.RESETTLEMENT_SUBSIDY)
    land = sum(line.amount_fen for line in r.lines if line.category is Category.LAND_COMPENSATION)
    assert res <= 15 * aaov * mu * 100 + Fraction(1, 2)  # ≤ 15 × AAOV per unit of land taken
    assert land + res <= 30 * aaov * mu * 100 + 1  # both ≤ 30 × AAOV


@SETTINGS
@given(
    st.sampled_from(["exact", "half_up", "up", "down"]),
    st.integers(1, 2000),
    positive_areas,
    positive_areas,
    st.integers(100, 5000),
    st.integers(1, 500),
)
def test_regime_a_monotonic(
    rounding: str, population: int, a1: Decimal, a2: Decimal, aaov: int, more: int
) -> None:
    small, large = sorted((a1, a2))

    def total(area: Decimal, value: int) -> int:
        proj = project(
            parcels=[parcel("P", "paddy", str(area))],
            collectives=[
                collective(
                    pre_cultivated_area_m2=Decimal("400000"),
                    agricultural_population=population,
                    average_annual_output_value=Decimal(value),
                )
            ],
        )
        return compute_collective(proj, proj.collectives[0], store_a(rounding)).total_fen

    base = total(small, aaov)
    assert total(large, aaov) >= base
    assert total(small, aaov + more) >= base


items = st.tuples(
    st.sampled_from(["paddy", "dry", "vegetable", "well", "grave", "tree/d10_20", "shed_simple"]),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=2),
    st.one_of(st.none(), st.integers(-3000, 3000)),
)


@SETTINGS
@given(st.lists(items, min_size=1, max_size=8))
def test_after_notice_items_are_always_zero(specs: list[tuple[str, Decimal, int | None]]) -> None:
    notice = date(2020, 3, 16)
    atts = []
    for i, (code, qty, offset) in enumerate(specs):
        item_code, _, spec = code.partition("/")
        atts.append(
            Attachment(
                item_id=f"A{i}",
                item_code=item_code,
                spec=spec or None,
                quantity=qty,
                owner="o",
                since=None if offset is None else notice + timedelta(days=offset),
            )
        )
    h = Household(household_id="H", head_name="o", attachments=tuple(atts))
    r = compute_household(project(notice=notice, households=[h]), h, shipped())
    check_lines(r)
    for att, line in zip(atts, r.lines, strict=True):
        after = att.since is not None and att.since > notice
        if after:
            assert line.amount_fen == 0
        else:
            assert line.amount_fen == line.recompute_fen() and line.factors == ()


@settings(max_examples=10, deadline=None)
@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2024, 12, 31)))
def test_same_inputs_and_tables_give_the_same_fen(notice: date) -> None:
    from buchang.rules.io import read_project

    proj, _ = read_project(
        Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "songjiang_small.yaml"
    )
    assert proj is not None
    proj = proj.model_copy(update={"notice_date": notice, "approval_date": notice + timedelta(days=180)})
    again, _ = load_tables()
    a = compute_project(proj, shipped())
    b = compute_project(proj, again)  # a fresh load: same content hashes, same fen
    assert [t.content_hash for t in a.tables] == [t.content_hash for t in b.tables]
    assert [(s.subject_id, s.total_fen) for s in a.subjects] == [
        (s.subject_id, s.total_fen) for s in b.subjects
    ]
    assert a == b
    for s in a.subjects:
        check_lines(s)
