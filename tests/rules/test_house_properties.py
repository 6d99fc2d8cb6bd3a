"""Property tests for the house rules (hypothesis).

* illegal and after-notice buildings always get 0;
* amounts are never negative except settlement differences the household pays
  (category 差价, payee 征收部门);
* every line re-derives its own amount (``amount_fen == recompute_fen()``);
* monotonic: more legal area or a higher price never lowers the household's total;
* deterministic: the same inputs and tables give the same fen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.rules.test_house_support import (
    building,
    compute,
    household,
    members,
    project,
    snapshot_for,
    snapshot_of,
    total,
)
from tests.rules.test_house_support import version_from_yaml as vy

from buchang.rules.inputs import Building, Flat, Household, LandTenure, Legality, Option, Project, Use
from buchang.rules.lines import Category, Line, PayeeKind
from buchang.rules.snapshot import Snapshot

PROJECTS = {
    "shanghai": project(
        "310000", date(2021, 1, 1), signing_start=date(2021, 3, 1), signing_end=date(2021, 3, 31)
    ),
    "hangzhou": project("330100", date(2021, 1, 1), valuation_date=date(2021, 2, 1)),
    "chongming": project("310151", date(2025, 12, 1)),
    "yongzhou": project(
        "431100", date(2024, 6, 1), signing_start=date(2024, 7, 1), signing_end=date(2024, 7, 31)
    ),
}
STRUCTURES = ["steel_concrete", "brick_concrete_1", "brick_concrete_2", "brick_wood", "simple"]


@cache
def snap(name: str) -> Snapshot:
    return snapshot_for(PROJECTS[name])


areas = st.decimals(min_value=0, max_value=400, places=2)
newness = st.decimals(min_value=0, max_value=1, places=2)


@st.composite
def buildings(draw: st.DrawFn, bid: str, tenure: LandTenure | None = None) -> Building:
    return building(
        bid,
        area=str(draw(areas)),
        structure=draw(st.sampled_from(STRUCTURES)),
        newness=str(draw(newness)),
        legality=draw(st.sampled_from(list(Legality))),
        use=draw(st.sampled_from(list(Use))),
        tenure=tenure or draw(st.sampled_from(list(LandTenure))),
        appraisal_value=draw(st.none() | st.decimals(min_value=0, max_value=5_000_000, places=2)),
        monthly_business_loss=draw(st.none() | st.decimals(min_value=0, max_value=50_000, places=2)),
        built_on=draw(st.none() | st.dates(date(2015, 1, 1), date(2026, 12, 31))),
    )


@st.composite
def households(draw: st.DrawFn, tenure: LandTenure | None = None) -> Household:
    n = draw(st.integers(0, 4))
    bs = tuple(draw(buildings(f"B{i}", tenure)) for i in range(n))
    fl = tuple(
        Flat(
            flat_id=f"F{i}",
            area_m2=draw(areas),
            appraisal_value=draw(st.none() | st.decimals(min_value=0, max_value=5_000_000, places=2)),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    people = members(
        draw(st.integers(0, 7)),
        married_childless=draw(st.booleans()),
        one_child_certificate=draw(st.booleans()),
    )
    return household(
        *bs,
        people=people,
        option=draw(st.sampled_from(list(Option))),
        flats=fl,
        temporary_months=draw(st.integers(0, 60)),
        handover_months=draw(st.none() | st.integers(0, 60)),
        turnover_housing=draw(st.booleans()),
        high_rise=draw(st.booleans()),
        signing_date=draw(st.none() | st.dates(date(2020, 1, 1), date(2026, 12, 31))),
        vacating_date=draw(st.none() | st.dates(date(2020, 1, 1), date(2026, 12, 31))),
    )


def _run(name: str, h: Household) -> list[Line]:
    lines, _ = compute(PROJECTS[name], h, snap(name))
    return lines


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(PROJECTS)), households())
def test_line_invariants(name: str, h: Household) -> None:
    p = PROJECTS[name]
    lines = _run(name, h)
    nothing = {
        b.building_id
        for b in h.buildings
        if b.legality in (Legality.ILLEGAL, Legality.AFTER_NOTICE)
        or (b.built_on is not None and b.built_on > p.notice_date)
    }
    for line in lines:
        assert line.amount_fen == line.recompute_fen()
        if line.item_id in nothing:
            assert line.amount_fen == 0, line
        if line.amount_fen < 0:
            assert line.category is Category.SETTLEMENT_DIFFERENCE, line
            assert line.payee.kind is PayeeKind.EXPROPRIATOR, line
        if line.category is Category.SETTLEMENT_DIFFERENCE:
            assert line.amount_fen <= 0
    # each illegal / after-notice building is visible as exactly one zero line
    for bid in nothing:
        mine = [ln for ln in lines if ln.item_id == bid]
        assert len(mine) == 1 and mine[0].amount_fen == 0
    # deterministic
    assert _run(name, h) == lines


def _with_area(h: Household, i: int, extra: Decimal) -> Household:
    bs = list(h.buildings)
    bs[i] = bs[i].model_copy(update={"legal_area_m2": bs[i].legal_area_m2 + extra})
    return h.model_copy(update={"buildings": tuple(bs)})


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["shanghai", "hangzhou"]),
    households(LandTenure.COLLECTIVE),
    st.decimals(min_value=0, max_value=100, places=2),
    st.data(),
)
def test_monotonic_in_area(name: str, h: Household, extra: Decimal, data: st.DataObject) -> None:
    # More legal area never lowers the total (money and exchange alike, flats fixed).
    if not h.buildings:
        return
    i = data.draw(st.integers(0, len(h.buildings) - 1))
    assert total(_run(name, _with_area(h, i, extra))) >= total(_run(name, h))


_PRICE = """
id: t.price
kind: house.collective_price
variant: {variant}
jurisdiction: "310000"
title: t
columns:
  replacement_price: {{unit: 元/m2}}
  decoration_price: {{unit: 元/m2, required: false}}
fields:
  land_base_price: {{unit: 元/m2}}
  price_subsidy: {{unit: 元/m2}}
  residual_rate: {{unit: ratio}}
versions:
  - version: "1"
    status: illustrative
    effective_from: 2000-01-01
    verified_on: 2026-01-01
    source: {{issuer: t, document: t, article: t}}
    values: {{land_base_price: "{land}", price_subsidy: "{subsidy}", residual_rate: "0.5"}}
    rows:
      - {{key: brick_concrete_2, replacement_price: "{price}", decoration_price: "{deco}"}}
"""

_EXCHANGE_PRICES = """
id: t.xp
kind: house.exchange_prices
jurisdiction: "330100"
title: t
fields:
  flat_replacement_price: {{unit: 元/m2}}
  cost_price: {{unit: 元/m2}}
  commercial_price: {{unit: 元/m2}}
versions:
  - version: "1"
    status: illustrative
    effective_from: 2000-01-01
    verified_on: 2026-01-01
    source: {{issuer: t, document: t, article: t}}
    values: {{flat_replacement_price: "{a}", cost_price: "{b}", commercial_price: "{c}"}}
"""

prices = st.decimals(min_value=0, max_value=20000, places=2)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["shanghai_75", "replacement_newness", "yongzhou_2024"]),
    st.lists(prices, min_size=4, max_size=4),
    st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=4, max_size=4),
    households(LandTenure.COLLECTIVE),
)
def test_monotonic_in_house_price(
    variant: str, base: list[Decimal], bump: list[Decimal], h: Household
) -> None:
    # Raising any price of the old house never lowers the total.
    h = h.model_copy(
        update={
            "buildings": tuple(b.model_copy(update={"structure": "brick_concrete_2"}) for b in h.buildings)
        }
    )

    def table(v: list[Decimal]) -> Snapshot:
        text = _PRICE.format(variant=variant, price=v[0], deco=v[1], land=v[2], subsidy=v[3])
        return snapshot_of(vy(text), base=snap("hangzhou"))

    higher = [a + b for a, b in zip(base, bump, strict=True)]
    p = PROJECTS["hangzhou"]
    low, _ = compute(p, h, table(base))
    high, _ = compute(p, h, table(higher))
    assert total(high) >= total(low)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(prices, min_size=3, max_size=3),
    st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=3, max_size=3),
    households(LandTenure.COLLECTIVE),
)
def test_flats_dearer_never_raise_the_total(base: list[Decimal], bump: list[Decimal], h: Household) -> None:
    # Exchange: dearer flats (any of the three prices) mean the household receives less / pays more.
    h = h.model_copy(update={"choices": h.choices.model_copy(update={"option": Option.EXCHANGE})})
    srt = sorted(base)  # replacement ≤ cost ≤ commercial, as published

    def table(v: list[Decimal]) -> Snapshot:
        return snapshot_of(vy(_EXCHANGE_PRICES.format(a=v[0], b=v[1], c=v[2])), base=snap("hangzhou"))

    p = PROJECTS["hangzhou"]
    low, _ = compute(p, h, table(srt))
    high, _ = compute(p, h, table([a + b for a, b in zip(srt, bump, strict=True)]))
    assert total(high) <= total(low)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["shanghai", "hangzhou"]),
    st.decimals(min_value=0, max_value=5_000_000, places=2),
    st.decimals(min_value=0, max_value=1_000_000, places=2),
    st.sampled_from(list(Use)),
    st.sampled_from(list(Option)),
)
def test_state_monotonic_in_appraisal(
    name: str, value: Decimal, bump: Decimal, use: Use, option: Option
) -> None:
    def hh(v: Decimal) -> Household:
        b = building(tenure=LandTenure.STATE, appraisal_value=v, use=use)
        fl = (Flat(flat_id="F1", area_m2=Decimal("80"), appraisal_value=Decimal("900000")),)
        return household(b, option=option, flats=fl)

    assert total(_run(name, hh(value + bump))) >= total(_run(name, hh(value)))


def test_projects_are_what_the_properties_assume() -> None:
    # guard: the fixtures resolve their house tables without errors
    for name in PROJECTS:
        assert not [i for i in snap(name).issues if i.is_error], name
    assert isinstance(PROJECTS["hangzhou"], Project)
